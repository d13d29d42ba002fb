"""Character tables by the Dixon-Schneider method, exactly.

The central characters omega_chi(K_j) = |C_j| chi(g_j) / chi(1) are the common eigenvectors of the
class multiplication matrices. They are found modulo a prime p = 1 (mod exp(G)) chosen above
2 sqrt(|G|): first split by the centre (whose characters are known in closed form; for an abelian
group this is the whole table), then by a random combination of class matrices on what is left,
whose eigenvalues are distinct with high probability. The degrees follow from the norms, and each
value chi(g) mod p is lifted to the exact sum of roots of unity it is: the multiplicity of the
eigenvalue exp(2 pi i k / o) of g (of order o) is (1/o) sum_t chi(g^t) z^(-k t), an integer in 0..chi(1).

>>> from grouptheory import load
>>> table = load("o").character_table()
>>> table.degrees, table.indicators
((1, 1, 2, 3, 3), (1, 1, 1, 1, 1))
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import sympy

from . import _modular as gf
from ._errors import GroupTheoryError
from .limits import MAX_TABLE_CLASSES

if TYPE_CHECKING:
    from ._group import FiniteGroup

_PRIME_FLOOR = 2**22
"""Primes start above this, so that a random combination of class matrices on k classes has a repeated
eigenvalue with probability below k^2 / 2^23 (then it is drawn again)."""

_ATTEMPTS = 8


class CharacterTable:
    """The irreducible characters of a finite group, exact, one row per character.

    Rows are ordered by degree, then by their values (real parts descending, class by class), with each
    complex character followed by its complex conjugate; the trivial character is row 0. Columns are
    the classes of ``group.conjugacy_classes()``, in that order. Values are kept as eigenvalue
    multiplicities (exact integers) and shown as sympy numbers or in GAP's notation.

    >>> from grouptheory import cyclic
    >>> table = cyclic(3).character_table()
    >>> table.values[1]
    (1, -1/2 + sqrt(3)*I/2, -1/2 - sqrt(3)*I/2)
    >>> table.indicators
    (1, 0, 0)
    """

    def __init__(self, group: FiniteGroup, modular: np.ndarray, lifted: _Lifted, p: int) -> None:
        self.group = group
        self.classes = group.conjugacy_classes()
        self.class_sizes = tuple(len(c) for c in self.classes)
        self.orders = tuple(int(group.element_orders[c[0]]) for c in self.classes)
        self.centralizer_orders = tuple(group.order // size for size in self.class_sizes)
        self.degrees = tuple(int(d) for d in modular[:, 0])
        self._p = p
        self._class_of = _class_index(group)
        self._modular = modular
        self._modular.setflags(write=False)
        self._lifted = lifted
        reps = np.array([c[0] for c in self.classes])
        inverse_classes = self._class_of[group.inverses[reps]]
        rows = {row.tobytes(): i for i, row in enumerate(modular)}
        self._conjugates = tuple(rows[modular[i, inverse_classes].tobytes()] for i in range(len(modular)))
        square_classes = self._class_of[group.cayley_table[reps, reps]]
        self.indicators = tuple(self._indicator(i, square_classes) for i in range(len(modular)))

    def __len__(self) -> int:
        return len(self.degrees)

    def __repr__(self) -> str:
        return f"CharacterTable({self.group.name}, {len(self)} characters, degrees {self.degrees})"

    def __str__(self) -> str:
        from .describe import display_character_table

        return display_character_table(self)

    @property
    def prime(self) -> int:
        """The prime the table was computed modulo (p = 1 mod exp(G))."""
        return self._p

    def eigenvalue_multiplicities(self, character: int, cls: int) -> tuple[int, ...]:
        """m with chi(g) = sum_k m[k] exp(2 pi i k / o) for g in class cls of order o: the multiplicity of
        each eigenvalue of g in the representation. Exact integers, summing to chi(1).

        >>> from grouptheory import load
        >>> load("o").character_table().eigenvalue_multiplicities(3, 1)  # rotations of space, a quarter turn
        (1, 1, 0, 1)
        """
        return self._lifted.multiplicities(character, cls, self.orders[cls])

    def linear_exponents(self, character: int) -> np.ndarray:
        """For a linear character: a with chi(g) = exp(2 pi i a[g] / exp(G)), for every element g.

        >>> from grouptheory import cyclic
        >>> cyclic(4).character_table().linear_exponents(1).tolist()
        [0, 1, 2, 3]
        """
        if self.degrees[character] != 1:
            raise GroupTheoryError(f"character {character} has degree {self.degrees[character]}, not 1")
        scale = self.group.exponent // np.array(self.orders)
        return (self._lifted.linear[character] * scale)[self._class_of]

    def power_map(self, prime: int) -> tuple[int, ...]:
        """The class of g^prime for each class.

        >>> from grouptheory import load
        >>> load("c4").character_table().power_map(2)
        (0, 2, 0, 2)
        """
        table = self.group.cayley_table
        out = []
        for members in self.classes:
            power, base, k = 0, members[0], prime
            while k:
                if k & 1:
                    power = int(table[power, base])
                base, k = int(table[base, base]), k >> 1
            out.append(int(self._class_of[power]))
        return tuple(out)

    @functools.cached_property
    def values(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        """Exact values, one row per character and one entry per class, as sympy numbers."""
        return tuple(tuple(self.value(i, k) for k in range(len(self.classes))) for i in range(len(self)))

    def value(self, character: int, cls: int) -> sympy.Expr:
        """chi(g) for g in class cls, as an exact sympy number."""
        return root_sum_to_sympy(self.orders[cls], self.eigenvalue_multiplicities(character, cls))

    def gap_value(self, character: int, cls: int) -> str:
        """chi(g) as GAP writes cyclotomics: a sum of powers of E(o), such as '1+E(5)+E(5)^4'."""
        return root_sum_to_gap(self.orders[cls], self.eigenvalue_multiplicities(character, cls))

    def float_values(self) -> np.ndarray:
        """All values as complex128, shape (characters, classes)."""
        return self._lifted.float_values(self.orders)

    def character(self, index: int) -> tuple[sympy.Expr, ...]:
        """Character index on every element, in element order."""
        row = [self.value(index, k) for k in range(len(self.classes))]
        return tuple(row[k] for k in self._class_of)

    def conjugate_index(self, character: int) -> int:
        """The row of the complex conjugate character."""
        return self._conjugates[character]

    def is_real(self, character: int) -> bool:
        return self._conjugates[character] == character

    def modular_row(self, character: int) -> np.ndarray:
        """The character's values modulo ``prime``, class by class."""
        return self._modular[character]

    def class_of(self, element: int) -> int:
        return int(self._class_of[element])

    def _indicator(self, character: int, square_classes: np.ndarray) -> int:
        """Frobenius-Schur: (1/|G|) sum_g chi(g^2), an integer in {-1, 0, 1}."""
        p = self._p
        sizes = np.array(self.class_sizes, dtype=np.int64) % p
        total = int((sizes * self._modular[character, square_classes] % p).sum() % p)
        value = total * pow(self.group.order, -1, p) % p
        return {0: 0, 1: 1, p - 1: -1}[value]


class _Lifted:
    """Exact values of a table. Linear characters: the exponent a of chi(g) = exp(2 pi i a / o). The
    others: eigenvalue multiplicities m (characters x o), one block per class of generators of a cyclic
    subgroup; class k is g^t for the block's class, so its multiplicities are m(k / t mod o)."""

    def __init__(
        self,
        linear: np.ndarray,
        nonlinear_rows: list[int],
        blocks: dict[int, np.ndarray],
        source: list[tuple[int, int]],
    ) -> None:
        self.linear = linear
        self.nonlinear_rows = nonlinear_rows
        self._position = {row: i for i, row in enumerate(nonlinear_rows)}
        self.blocks = blocks  # block class -> (nonlinear characters, o)
        self.source = source  # class -> (block class, t)

    def multiplicities(self, character: int, cls: int, order: int) -> tuple[int, ...]:
        if character in self._position:
            block, step = self.source[cls]
            row = self.blocks[block][self._position[character]]
            inverse = pow(step, -1, order)
            return tuple(int(row[power * inverse % order]) for power in range(order))
        out = [0] * order
        out[int(self.linear[character, cls])] = 1
        return tuple(out)

    def float_values(self, orders: Sequence[int]) -> np.ndarray:
        values = np.exp(2j * np.pi * self.linear / np.array(orders)[None, :])
        if self.nonlinear_rows:
            columns = np.zeros((len(self.nonlinear_rows), len(orders)), dtype=complex)
            for block_class, block in self.blocks.items():
                o = orders[block_class]
                members = [k for k, (b, _) in enumerate(self.source) if b == block_class]
                steps = np.array([self.source[k][1] for k in members])
                angles = 2 * np.pi * np.outer(np.arange(o), steps) / o  # m(k / t) at exp(2 pi i k / o)
                weights = block.astype(np.float64)
                columns[:, members] = weights @ np.cos(angles) + 1j * (weights @ np.sin(angles))
            values[self.nonlinear_rows] = columns
        return values

    def permuted(self, order: list[int]) -> _Lifted:
        position = {old: new for new, old in enumerate(order)}
        rows = sorted(self.nonlinear_rows, key=position.__getitem__)
        picks = [self._position[row] for row in rows]
        blocks = {k: b[picks] for k, b in self.blocks.items()}
        return _Lifted(self.linear[order], [position[row] for row in rows], blocks, self.source)


def character_table(group: FiniteGroup) -> CharacterTable:
    """The character table of group, by Dixon-Schneider modulo a prime (see the module docstring)."""
    classes = group.conjugacy_classes()
    r, n = len(classes), group.order
    if r > MAX_TABLE_CLASSES:
        raise GroupTheoryError(
            f"{group.name} has {r} conjugacy classes; character tables are computed for at most "
            f"{MAX_TABLE_CLASSES} (the limit in grouptheory/limits.py)"
        )
    exponent = group.exponent
    p = gf.prime_for_exponent(exponent, max(_PRIME_FLOOR, 2 * math.isqrt(n) + 2))
    root = gf.root_of_unity(exponent, p)
    rng = np.random.default_rng(20260)
    omegas = _central_characters(group, p, root, rng)
    modular = _characters_from_central(group, omegas, p)
    lifted = _lift(group, modular, p, root)
    order = _row_order(modular, lifted.float_values([int(group.element_orders[c[0]]) for c in classes]))
    return CharacterTable(group, modular[order], lifted.permuted(order), p)


def _class_index(group: FiniteGroup) -> np.ndarray:
    class_of = np.empty(group.order, dtype=np.int64)
    for k, members in enumerate(group.conjugacy_classes()):
        class_of[list(members)] = k
    return class_of


def abelian_character_exponents(group: FiniteGroup, elements: Sequence[int]) -> tuple[np.ndarray, list[int]]:
    """The characters of the abelian subgroup on ``elements`` (closed under the group's product):
    E with lambda_i(a_j) = exp(2 pi i E[i, j] / exp(G)), and the element order of the columns.

    Built one generator at a time: each character of S extends to <S, a> in m ways, where a^m is
    the first power of a in S.
    """
    table, exponent = group.cayley_table, group.exponent
    members = set(int(x) for x in elements)
    covered = [0]
    position = {0: 0}
    rows = np.zeros((1, 1), dtype=np.int64)
    for a in sorted(members):
        if a in position:
            continue
        power, m = a, 1
        while power not in position:
            power = int(table[power, a])
            m += 1
        powers_of_a = [0]
        for _ in range(m - 1):
            powers_of_a.append(int(table[powers_of_a[-1], a]))
        new_columns = [int(x) for t in range(m) for x in table[covered, powers_of_a[t]]]
        at_power = rows[:, position[power]]
        if np.any(at_power % m):
            raise GroupTheoryError(f"{group.name}: subgroup on {len(members)} elements is not abelian")
        # lambda(a) = exp(2 pi i (at_power / m + s * exponent / m) / exponent), s = 0 .. m - 1
        at_a = at_power[None, :] // m + (np.arange(m) * (exponent // m))[:, None]  # (s, old character)
        t = np.arange(m)[None, None, :, None]
        rows = ((rows[None, :, None, :] + t * at_a[:, :, None, None]) % exponent).reshape(m * len(rows), -1)
        covered = new_columns
        position = {element: i for i, element in enumerate(covered)}
    if len(covered) != len(members) or set(covered) != members:
        raise GroupTheoryError(f"{group.name}: {len(members)} elements do not form a subgroup")
    return rows, covered


def _central_characters(group: FiniteGroup, p: int, root: int, rng: np.random.Generator) -> np.ndarray:
    """omega_chi(K_k) mod p for every character (rows, in no particular order) and class (columns)."""
    classes = group.conjugacy_classes()
    r = len(classes)
    class_of = _class_index(group)
    reps = np.array([c[0] for c in classes])
    table = group.cayley_table
    centre = list(group.center())
    exponents, centre_order = abelian_character_exponents(group, centre)
    powers = np.array([pow(root, k, p) for k in range(group.exponent)], dtype=np.int64)
    # Orbits of the centre on classes: omega(z C) = lambda(z) omega(C) for the central character lambda.
    images = class_of[table[np.array(centre_order)[:, None], reps[None, :]]]  # (|Z|, r): class of z * rep_k
    seen = np.zeros(r, dtype=bool)
    orbits = []
    for k in range(r):
        if not seen[k]:
            seen[images[:, k]] = True
            stabiliser = images[:, k] == k
            orbits.append((k, stabiliser))
    spaces = []
    for lam in exponents:
        rows = []
        for base, stabiliser in orbits:
            if np.all(lam[stabiliser] == 0):
                row = np.zeros(r, dtype=np.int64)
                row[images[:, base]] = powers[lam]
                rows.append(row)
        if rows:
            spaces.append(np.array(rows))
    omegas = [space for space in spaces if len(space) == 1]
    pending = [space for space in spaces if len(space) > 1]
    if pending:
        omegas += _split(group, pending, class_of, reps, p, rng)
    result = np.concatenate(omegas, axis=0)
    return result * np.array([pow(int(v), -1, p) for v in result[:, 0]], dtype=np.int64)[:, None] % p


def _split(
    group: FiniteGroup,
    spaces: list[np.ndarray],
    class_of: np.ndarray,
    reps: np.ndarray,
    p: int,
    rng: np.random.Generator,
) -> list[np.ndarray]:
    """Split each common eigenspace into lines by a random combination of class matrices."""
    r = len(reps)
    table, inverses = group.cayley_table, group.inverses
    partner = class_of[table[inverses[:, None], reps[None, :]]]  # (n, r): class of x^-1 z_k
    done: list[np.ndarray] = []
    for _ in range(_ATTEMPTS):
        weights = rng.integers(1, p, size=r)
        sums = np.zeros((r, r), dtype=np.float64)
        np.add.at(sums, class_of, weights[partner].astype(np.float64))
        transposed = (np.rint(sums).astype(np.int64) % p).T.copy()  # M[i, k] = sum_j w_j a_ijk, transposed
        failed = []
        for space in spaces:
            basis, pivots = space, [int(np.flatnonzero(row)[0]) for row in space]  # rows with disjoint supports
            restricted = gf.matmul(basis, transposed, p)[:, pivots]
            found = gf.left_eigenvectors(restricted, p, rng)
            if found is None:
                failed.append(space)
                continue
            done.append(gf.matmul(found[1], basis, p))
        if not failed:
            return done
        spaces = failed
    raise GroupTheoryError(
        f"{group.name}: the class algebra did not split modulo {p} after {_ATTEMPTS} random draws (please report)"
    )


def _characters_from_central(group: FiniteGroup, omegas: np.ndarray, p: int) -> np.ndarray:
    """chi mod p from omega: chi(1)^2 = |G| / sum_k omega_k omega_k* / |C_k|, chi_k = chi(1) omega_k / |C_k|."""
    classes = group.conjugacy_classes()
    n = group.order
    class_of = _class_index(group)
    sizes = np.array([len(c) for c in classes], dtype=np.int64)
    inverse_sizes = np.array([pow(int(s), -1, p) for s in sizes], dtype=np.int64)
    inverse_class = class_of[group.inverses[[c[0] for c in classes]]]
    norms = (omegas * omegas[:, inverse_class] % p * inverse_sizes % p).sum(axis=1) % p
    rows = []
    for omega, norm in zip(omegas, norms, strict=True):
        square = n * pow(int(norm), -1, p) % p if norm else 0
        degree = gf.integer_sqrt_below(square, n, p)
        if degree is None:
            raise GroupTheoryError(f"{group.name}: a central character has no degree modulo {p} (please report)")
        rows.append(degree * omega % p * inverse_sizes % p)
    modular = np.array(rows, dtype=np.int64)
    degrees = [int(d) for d in modular[:, 0]]
    if sum(d * d for d in degrees) != n or len(degrees) != len(classes):
        raise GroupTheoryError(f"{group.name}: degrees {sorted(degrees)} do not account for |G| = {n} (please report)")
    return modular


def _lift(group: FiniteGroup, modular: np.ndarray, p: int, root: int) -> _Lifted:
    """Exact values from values mod p: a discrete logarithm for linear characters; for the others the
    eigenvalue multiplicities (1/o) sum_t chi(g^t) z^(-k t), once per class of generators of a cyclic
    subgroup (the classes of g^t with t prime to o permute them: m'(k t) = m(k))."""
    classes = group.conjugacy_classes()
    exponent, r = group.exponent, len(classes)
    orders = [int(group.element_orders[c[0]]) for c in classes]
    powers = np.array([pow(root, k, p) for k in range(exponent)], dtype=np.int64)
    degrees = modular[:, 0]
    linear_rows = np.flatnonzero(degrees == 1)
    linear = np.zeros(modular.shape, dtype=np.int64)
    if linear_rows.size:
        order = np.argsort(powers)
        found = np.searchsorted(powers, modular[linear_rows], sorter=order)
        found = np.minimum(found, exponent - 1)
        steps = np.where(powers[order[found]] == modular[linear_rows], order[found], -1)  # discrete logarithms
        scale = exponent // np.array(orders)
        if np.any(steps < 0) or np.any(steps % scale):
            raise GroupTheoryError(f"{group.name}: a linear character is not a root of unity mod {p} (please report)")
        linear[linear_rows] = steps // scale
    nonlinear_rows = [int(i) for i in np.flatnonzero(degrees > 1)]
    blocks: dict[int, np.ndarray] = {}
    source = [(k, 1) for k in range(r)]
    if nonlinear_rows:
        power_classes = _power_classes(group, max(orders))
        values = modular[nonlinear_rows]
        done = np.zeros(r, dtype=bool)
        for k in range(r):
            if done[k]:
                continue
            o = orders[k]
            t = np.arange(o)
            dft = powers[(-np.outer(t, t) % o) * (exponent // o)]
            counts = gf.matmul(values[:, power_classes[k, :o]], dft, p) * pow(o, -1, p) % p
            if np.any(counts > degrees[nonlinear_rows, None]) or np.any(counts.sum(axis=1) != degrees[nonlinear_rows]):
                raise GroupTheoryError(f"{group.name}: a character does not lift at class {k} mod {p} (please report)")
            blocks[k] = counts
            for step in range(1, o):
                other = int(power_classes[k, step])
                if math.gcd(step, o) == 1 and not done[other]:
                    source[other] = (k, step)
                    done[other] = True
            done[k] = True
    return _Lifted(linear, nonlinear_rows, blocks, source)


def _power_classes(group: FiniteGroup, most: int) -> np.ndarray:
    """(classes, most): the class of g^t, g the first element of each class, for t < most."""
    table = group.cayley_table
    class_of = _class_index(group)
    reps = np.array([c[0] for c in group.conjugacy_classes()])
    out = np.empty((len(reps), most), dtype=np.int64)
    power = np.zeros(len(reps), dtype=np.int64)
    for t in range(most):
        out[:, t] = class_of[power]
        power = table[power, reps]
    return out


def _row_order(modular: np.ndarray, values: np.ndarray) -> list[int]:
    """Rows by degree, then values (real parts descending, then imaginary, class by class), with each
    complex character followed by its conjugate. Values are compared to 8 decimals (distinct values of
    a table differ far more)."""
    rounded = np.round(values, 8) + 0.0  # + 0.0: no negative zeros
    keys = [v for k in range(values.shape[1]) for v in (-rounded[:, k].real, -rounded[:, k].imag)]
    ordered = [int(i) for i in np.lexsort([*reversed(keys), modular[:, 0]])]
    by_values = {rounded[i].tobytes(): i for i in ordered}
    result: list[int] = []
    placed: set[int] = set()
    for row in ordered:
        if row in placed:
            continue
        conjugate = by_values[(rounded[row].conj() + 0.0).tobytes()]
        for i in (row, conjugate):
            if i not in placed:
                result.append(i)
                placed.add(i)
    return result


_RADICAL_ORDERS = (1, 2, 3, 4, 5, 6, 8, 10, 12)
"""Orders whose roots of unity sympy writes with square roots (larger ones stay cos / exp terms)."""


@functools.lru_cache(maxsize=4096)
def root_sum_to_sympy(order: int, multiplicities: tuple[int, ...]) -> sympy.Expr:
    """sum_k m_k exp(2 pi i k / order) as a readable exact sympy number: radicals for small orders,
    cos(2 pi k / order) terms for other real values, exp(2 pi i k / order) terms otherwise.

    >>> root_sum_to_sympy(5, (1, 1, 0, 0, 1))
    1/2 + sqrt(5)/2
    >>> root_sum_to_sympy(7, (0, 1, 1, 0, 1, 0, 0))
    exp(-6*I*pi/7) + exp(2*I*pi/7) + exp(4*I*pi/7)
    """
    terms = [(k, m) for k, m in enumerate(multiplicities) if m]
    real = all(multiplicities[k] == multiplicities[-k % order] for k, _ in terms)
    evaluate = order in _RADICAL_ORDERS
    angle = [2 * sympy.pi * k / order for k, _ in terms]
    if real:  # pair exp(2 pi i k / o) with exp(-2 pi i k / o): 2 cos(2 pi k / o)
        halves = [(k, m * (1 if 2 * k in (0, order) else 2)) for k, m in terms if 2 * k <= order]
        return sympy.Add(*(m * sympy.cos(2 * sympy.pi * k / order, evaluate=evaluate) for k, m in halves))
    if evaluate:
        cosines = sympy.Add(*(m * sympy.cos(a) for a, (_, m) in zip(angle, terms, strict=True)))
        sines = sympy.Add(*(m * sympy.sin(a) for a, (_, m) in zip(angle, terms, strict=True)))
        return sympy.expand(cosines + sympy.I * sines)
    return sympy.Add(*(m * sympy.exp(sympy.I * a) for a, (_, m) in zip(angle, terms, strict=True)))


def root_sum_to_gap(order: int, multiplicities: tuple[int, ...]) -> str:
    """GAP's notation for sum_k m_k E(order)^k.

    >>> root_sum_to_gap(5, (1, 1, 0, 0, 1))
    '1+E(5)+E(5)^4'
    """
    parts = []
    for power, m in enumerate(multiplicities):
        if not m:
            continue
        root = "1" if power == 0 else f"E({order})" if power == 1 else f"E({order})^{power}"
        term = root if m == 1 else f"{m}" if power == 0 else f"{m}*{root}"
        parts.append(term)
    return "+".join(parts) if parts else "0"
