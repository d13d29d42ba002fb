"""Irreducible representations, exact and unitary, by induction from linear characters of subgroups.

For each irreducible character chi a linear character lambda of a subgroup K is found with
<chi|K, lambda> = 1 (first among cyclic subgroups, where the multiplicity of an eigenvalue is read off
the table; then among centralisers and normalisers). The induced representation Ind_K^G lambda is
monomial and unitary, and contains chi exactly once, so its projection
P = (chi(1)/|G|) sum_g conj(chi(g)) Ind(g) cuts out an irreducible subspace W. When [G:K] = chi(1),
Ind_K^G lambda is the irreducible representation itself (monomial: roots of unity). Otherwise W gets a
basis of projected coordinate vectors P e_a, chosen mutually orthogonal where possible (then the
matrices are exact in Q(zeta_m) and unitary as they are), orthogonalised exactly otherwise (then an
invariant diagonal form D records the norms, and the unitary matrices scale entries by sqrt(D_i/D_j)).

Real characters (Frobenius-Schur indicator 1) are built from real lambda (values +-1), so their
representations are real orthogonal; `irreps(real=True)` adds, for each pair of complex characters and
each quaternionic one, the realification [[Re rho, -Im rho], [Im rho, Re rho]] of degree 2 chi(1).

>>> from grouptheory import load
>>> [rho.degree for rho in load("i").irreps()]
[1, 3, 3, 4, 5]
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
import sympy

from ._errors import GroupTheoryError
from ._exact_arrays import Exact, ExactField, exact_field
from ._representation import Monomial, Representation, check_matrix_entries
from .limits import MAX_IRREPS_ORDER

if TYPE_CHECKING:
    from ._characters import CharacterTable
    from ._group import FiniteGroup, Subgroup

_FRAME_SEARCH_STEPS = 20_000
KINDS = {1: "real", 0: "complex", -1: "quaternionic"}


@dataclass(frozen=True)
class _Source:
    """A linear character lambda of a subgroup K: lambda(k) = exp(2 pi i exponents[k] / exponent(G))."""

    elements: tuple[int, ...]
    exponents: np.ndarray  # indexed by element of G; meaningful on K


def irreducible_representations(group: FiniteGroup, real: bool) -> tuple[Representation, ...]:
    if group.order > MAX_IRREPS_ORDER:
        raise GroupTheoryError(
            f"{group.name} has order {group.order}; irreducible representations are built for groups of order at "
            f"most {MAX_IRREPS_ORDER} (the limit in grouptheory/limits.py); its character_table() has no such limit"
        )
    table = group.character_table()
    out = []
    for i in range(len(table)):
        kind = KINDS[table.indicators[i]]
        if kind == "real":
            out.append(_irrep(group, i, real=True))
        elif not real:
            out.append(_irrep(group, i, real=False))
        elif table.conjugate_index(i) >= i:  # one realification per pair of complex characters
            out.append(_realified(group, i))
    return tuple(out)


@functools.lru_cache(maxsize=256)
def _irrep_cached(group: FiniteGroup, character: int, real: bool) -> Representation:
    table = group.character_table()
    kind = KINDS[table.indicators[character]]
    rep = _declared_action(group, character, real)
    if rep is None and table.degrees[character] == 1:
        rep = _linear(group, table, character)
    elif rep is None:
        source = _find_source(group, table, character, real)
        if isinstance(source, _Source):
            rep = _induce_and_project(group, table, character, source)
        else:
            rep = _induce_irrep_and_project(group, table, character, source)
        rep = _smallest_field(rep)
    rep.name, rep.kind, rep.character_index = f"irrep {character}", kind, character
    return rep


def _declared_action(group: FiniteGroup, character: int, real: bool) -> Representation | None:
    """The declared matrices themselves, when they are unitary and irreducible with this character, or
    (real=True) real and irreducible over the reals with this character plus its conjugate: the rotation
    matrices of C_n and D_n, the 3x3 matrices of O, Oh and I. The most readable basis there is."""
    if not group.has_action:
        return None
    table = group.character_table()
    standard = group.standard_representation()
    if not standard.is_unitary or (real and not standard.is_real):
        return None
    wanted = [0] * len(table)
    wanted[character] += 1
    if real and table.indicators[character] != 1:
        wanted[table.conjugate_index(character)] += 1
    if group.dimension != sum(w * d for w, d in zip(wanted, table.degrees, strict=True)):
        return None
    if list(standard.multiplicities()) != wanted:
        return None
    return _smallest_field(standard.copy())


def _irrep(group: FiniteGroup, character: int, real: bool) -> Representation:
    return _irrep_cached(group, character, real)


@functools.lru_cache(maxsize=256)
def _realified(group: FiniteGroup, character: int) -> Representation:
    rep = _declared_action(group, character, real=True)
    if rep is None and group.character_table().degrees[character] == 1:
        rep = _rotation_blocks(group, group.character_table().linear_exponents(character))
    if rep is None:
        rep = _realify(_irrep(group, character, real=False))
    rep.name, rep.character_index = f"real irrep {character}", character
    rep.kind = KINDS[group.character_table().indicators[character]]
    return rep


def _rotation_blocks(group: FiniteGroup, exponents: np.ndarray) -> Representation:
    """The realification of a linear character exp(2 pi i a / e): the rotation [[cos, -sin], [sin, cos]] by
    2 pi a / e, written directly over Q(zeta_c), c = lcm(4, order of the character), where sin lies."""
    step = math.gcd(group.exponent, *(int(a) for a in exponents))
    order = group.exponent // step
    conductor = math.lcm(order, 4)
    turns = (exponents // step) * (conductor // order)  # angle 2 pi turns / conductor
    quarter = conductor // 4
    cyclic = np.zeros((group.order, 2, 2, conductor), dtype=np.int64)
    rows = np.arange(group.order)
    for (i, j), shift, sign in (((0, 0), 0, 1), ((1, 1), 0, 1), ((1, 0), -quarter, 1), ((0, 1), -quarter, -1)):
        # cos(x) = (z^t + z^-t) / 2, and sin(x) = cos(x - pi/2): shifted by a quarter turn
        for power in ((turns + shift) % conductor, (-(turns + shift)) % conductor):
            cyclic[rows, i, j, power] += sign
    field = exact_field(conductor)
    unit_form = Exact(np.tile(field.reduction[0], (2, 1)))  # rotations are orthogonal as they are
    return Representation(group, conductor, dense=field.from_cyclic(cyclic, 2), form=unit_form)


# -- the linear characters ------------------------------------------------------------------------
def _linear(group: FiniteGroup, table: CharacterTable, character: int) -> Representation:
    exponents = table.linear_exponents(character)
    step = math.gcd(group.exponent, *(int(e) for e in exponents))
    conductor = group.exponent // step
    monomial = Monomial(np.zeros((group.order, 1), dtype=np.int64), (exponents // step)[:, None])
    return Representation(group, conductor, monomial=monomial)


# -- finding (K, lambda) --------------------------------------------------------------------------
def _find_source(group: FiniteGroup, table: CharacterTable, character: int, real: bool) -> _Source | _Induction:
    """The subgroup of smallest index with a linear character (real if asked) occurring once in chi|K;
    failing any, the irreducible representation of a subgroup with the smallest induction that holds chi
    once."""
    n, degree, exponent = group.order, table.degrees[character], group.exponent
    best: tuple[int, _Source] | None = None
    for k, members in enumerate(table.classes):
        order = table.orders[k]
        if best is not None and n // order >= best[0]:
            continue
        multiplicities = table.eigenvalue_multiplicities(character, k)
        for power, m in enumerate(multiplicities):
            if m == 1 and (not real or (2 * power) % order == 0):
                cyclic = _cyclic(group, members[0])
                exponents = np.zeros(n, dtype=np.int64)
                exponents[list(cyclic)] = [(power * t * (exponent // order)) % exponent for t in range(order)]
                best = (n // order, _Source(tuple(sorted(cyclic)), exponents))
                break
    if best is None or best[0] > degree:
        for elements in _subgroup_family(group):
            index = n // len(elements)
            if index < degree:
                continue  # Ind_K lambda has degree [G:K], too small to contain chi
            if best is not None and index >= best[0]:
                break
            found = _linear_of_multiplicity_one(group, table, character, elements, real)
            if found is not None:
                best = (index, _Source(elements, found))
                break
    if best is None:
        induction = _irreducible_source(group, table, character, real)
        if induction is not None:
            return induction
        what = "real-type" if real else "irreducible"
        raise GroupTheoryError(
            f"{group.name}: no {what} character of a cyclic subgroup, centraliser, normaliser, maximal abelian "
            f"subgroup or kernel occurs exactly once in character {character} (degree {degree}); its irreducible "
            "representation cannot be built this way"
        )
    return best[1]


@dataclass(frozen=True)
class _Induction:
    """An irreducible representation psi of a subgroup H with <chi|H, psi> = 1: Ind psi contains chi once."""

    subgroup: Subgroup
    psi: Representation


def _irreducible_source(group: FiniteGroup, table: CharacterTable, character: int, real: bool) -> _Induction | None:
    """The subgroup H and irreducible psi (of real type, for a real form) of smallest degree [G:H] psi(1)
    with <chi|H, psi> = 1; the first whose induction is chi itself ends the search."""
    n, degree = group.order, table.degrees[character]
    chi = table.float_values()[character]
    best: tuple[int, Subgroup, int] | None = None
    for elements in _subgroup_family(group):
        index = n // len(elements)
        limit = None if best is None else best[0]
        if limit is not None and 2 * index >= limit:
            continue
        sub = _subgroup_on(group, elements)
        sub_table = sub.group.character_table()
        restricted = chi[[table.class_of(x) for x in sub.embedding]]
        values = sub_table.float_values()[:, [sub_table.class_of(h) for h in range(sub.group.order)]]
        products = (values.conj() @ restricted).real / sub.group.order
        for row in range(len(sub_table)):
            size = index * sub_table.degrees[row]
            if sub_table.degrees[row] < 2 or size < degree or (limit is not None and size >= limit):
                continue
            if real and sub_table.indicators[row] != 1:
                continue
            if round(products[row]) == 1 and (best is None or size < best[0]):
                best = (size, sub, row)
                if size == degree:
                    break
        if best is not None and best[0] == degree:
            break
    if best is None:
        return None
    _, sub, row = best
    irreps = sub.group.irreps(real=real)
    psi = next(rho for rho in irreps if rho.character_index == row)
    return _Induction(sub, psi)


def _cyclic(group: FiniteGroup, g: int) -> list[int]:
    """g^0, g^1, ... in order."""
    powers, x = [0], g
    while x != 0:
        powers.append(x)
        x = int(group.cayley_table[x, g])
    return powers


@functools.lru_cache(maxsize=32)
def _subgroup_family(group: FiniteGroup) -> tuple[tuple[int, ...], ...]:
    """Proper non-cyclic subgroups worth trying, largest first: centralisers and normalisers of cyclic
    subgroups, maximal abelian subgroups (whose characters induce the irreps of extraspecial groups),
    and the normalisers of all of these."""
    table, n = group.cayley_table, group.order
    found: set[tuple[int, ...]] = set()
    first_round = []
    for members in group.conjugacy_classes():
        g = members[0]
        cyclic = tuple(sorted(_cyclic(group, g)))
        first_round += [_centraliser(table, g), _normaliser(group, cyclic)]
        first_round += [_maximal_abelian(group, g, largest) for largest in (True, False)]
    for subgroup in first_round:
        for candidate in (subgroup, _normaliser(group, subgroup)):
            if len(candidate) < n and not _is_cyclic(group, candidate):
                found.add(candidate)
    for kernel in _kernels(group):
        if 1 < len(kernel) < n and not _is_cyclic(group, kernel):
            found.add(kernel)
    return tuple(sorted(found, key=lambda s: (-len(s), s)))


def _kernels(group: FiniteGroup) -> list[tuple[int, ...]]:
    """The kernels of the irreducible characters (normal subgroups; index 2 ones among them)."""
    table = group.character_table()
    class_of = np.array([table.class_of(g) for g in range(group.order)])
    out = []
    for row in range(len(table)):
        values = table.modular_row(row)
        out.append(tuple(int(g) for g in np.flatnonzero(values[class_of] == values[0])))
    return out


def _maximal_abelian(group: FiniteGroup, g: int, largest: bool) -> tuple[int, ...]:
    """An abelian subgroup containing g that no element outside it centralises: grown from <g> by adding,
    one at a time, the element of largest (or smallest: elementary abelian subgroups, whose characters
    are real) order among those that commute with everything so far."""
    table = group.cayley_table
    members = set(_cyclic(group, g))
    while True:
        listed = np.array(sorted(members))
        commuting = np.flatnonzero((table[:, listed] == table[listed, :].T).all(axis=1))
        outside = [int(x) for x in commuting if int(x) not in members]
        if not outside:
            return tuple(sorted(members))
        sign = 1 if largest else -1
        x = max(outside, key=lambda e: (sign * int(group.element_orders[e]), -e))
        members = set(_closure(group, [*listed.tolist(), x]))


def _closure(group: FiniteGroup, generators: list[int]) -> list[int]:
    table = group.cayley_table
    closure, frontier = {0}, [0]
    while frontier:
        new = []
        for y in frontier:
            for s in generators:
                z = int(table[y, s])
                if z not in closure:
                    closure.add(z)
                    new.append(z)
        frontier = new
    return sorted(closure)


def _centraliser(table: np.ndarray, g: int) -> tuple[int, ...]:
    return tuple(int(x) for x in np.flatnonzero(table[:, g] == table[g, :]))


def _normaliser(group: FiniteGroup, subgroup: tuple[int, ...]) -> tuple[int, ...]:
    table, inverses = group.cayley_table, group.inverses
    members = np.zeros(group.order, dtype=bool)
    members[list(subgroup)] = True
    conjugates = table[table[:, list(subgroup)], inverses[:, None]]  # x s x^-1 for every x (rows)
    return tuple(int(x) for x in np.flatnonzero(members[conjugates].all(axis=1)))


def _is_cyclic(group: FiniteGroup, subgroup: tuple[int, ...]) -> bool:
    return int(group.element_orders[list(subgroup)].max()) == len(subgroup)


@functools.lru_cache(maxsize=1024)
def _subgroup_on(group: FiniteGroup, elements: tuple[int, ...]) -> Subgroup:
    return group.subgroup(_generators(group, elements))


def _linear_of_multiplicity_one(
    group: FiniteGroup, table: CharacterTable, character: int, elements: tuple[int, ...], real: bool
) -> np.ndarray | None:
    sub = _subgroup_on(group, elements)
    sub_table = sub.group.character_table()
    embedding = np.array(sub.embedding)
    chi = table.float_values()[character, [table.class_of(x) for x in embedding]]
    for row in range(len(sub_table)):
        if sub_table.degrees[row] != 1 or (real and sub_table.indicators[row] != 1):
            continue
        local = sub_table.linear_exponents(row)  # in units of exp(K)
        values = np.exp(2j * np.pi * local / sub.group.exponent)
        if round(float((chi * values.conj()).sum().real) / len(elements)) == 1:
            exponents = np.zeros(group.order, dtype=np.int64)
            exponents[embedding] = local * (group.exponent // sub.group.exponent)
            return exponents
    return None


def _generators(group: FiniteGroup, elements: tuple[int, ...]) -> list[int]:
    """A few elements generating the subgroup on ``elements``."""
    table = group.cayley_table
    generators: list[int] = []
    closure = {0}
    for x in sorted(elements, key=lambda e: -int(group.element_orders[e])):
        if x in closure:
            continue
        generators.append(x)
        frontier = list(closure)
        closure.add(x)
        frontier = list(closure)
        while frontier:
            new = []
            for y in frontier:
                for g in generators:
                    z = int(table[y, g])
                    if z not in closure:
                        closure.add(z)
                        new.append(z)
            frontier = new
    return generators


# -- induction and projection ---------------------------------------------------------------------
def _induce_and_project(group: FiniteGroup, table: CharacterTable, character: int, source: _Source) -> Representation:
    n, degree, exponent = group.order, table.degrees[character], group.exponent
    cayley, inverses = group.cayley_table, group.inverses
    subgroup = np.array(source.elements)
    coset_of = np.full(n, -1, dtype=np.int64)
    reps: list[int] = []
    for x in range(n):
        if coset_of[x] < 0:
            coset_of[cayley[x, subgroup]] = len(reps)
            reps.append(x)
    reps_array = np.array(reps)
    cosets = len(reps)
    check_matrix_entries(group, cosets)
    # The smallest cyclotomic field holding chi's values and lambda's: Q(zeta_m), m dividing exp(G).
    lambda_order = exponent // math.gcd(exponent, *(int(source.exponents[h]) for h in source.elements))
    m = math.lcm(_value_conductor(table, character), lambda_order)
    moved = cayley[:, reps_array]  # g t_a
    images = coset_of[moved]
    exponents = source.exponents[cayley[inverses[reps_array[images]], moved]] // (exponent // m)  # lambda(t_b^-1 g t_a)
    induced = Monomial(images, exponents % m)
    if cosets == degree:
        return Representation(group, m, monomial=induced)
    field = exact_field(m)
    projection = _projection(group, table, character, source, reps_array, field)
    basis = _basis(field, projection, degree)
    return _restricted(group, field, projection, induced, basis)


def _value_conductor(table: CharacterTable, character: int) -> int:
    """The smallest c (dividing exp(G)) with chi's values in Q(zeta_c): the Galois automorphisms
    zeta -> zeta^t, t = 1 (mod c), fix chi, and they act on it as chi(g) -> chi(g^t)."""
    exponent = table.group.exponent
    row = table.modular_row(character)
    units = [t for t in range(1, exponent + 1) if math.gcd(t, exponent) == 1]
    moved = {t for t in units if not np.array_equal(row[list(table.power_map(t))], row)}
    for c in sorted(sympy.divisors(exponent)):
        if not any(t % c == 1 % c for t in moved):
            return c
    return exponent


def _projection(
    group: FiniteGroup, table: CharacterTable, character: int, source: _Source, reps: np.ndarray, field: ExactField
) -> Exact:
    """P[b, a] = (chi(1)/|G|) sum_(h in K) conj(chi(t_b h t_a^-1)) lambda(h), exactly."""
    m, cayley, inverses = field.conductor, group.cayley_table, group.inverses
    conjugate_values = _conjugate_values(table, character, field)  # (classes, m): coefficients of 1, z, ...
    class_of = np.array([table.class_of(g) for g in range(group.order)])
    cosets = len(reps)
    total = np.zeros((cosets, cosets, m), dtype=np.int64)
    step_unit = group.exponent // m
    for h in source.elements:
        classes = class_of[cayley[cayley[reps[:, None], h], inverses[reps][None, :]]]
        step = (int(source.exponents[h]) // step_unit) % m
        total += np.roll(conjugate_values, step, axis=1)[classes]
    exact = field.from_cyclic(total)
    return field.scale(exact, Fraction(table.degrees[character], group.order))


def _conjugate_values(table: CharacterTable, character: int, field: ExactField) -> np.ndarray:
    """conj(chi) on each class in Q(zeta_m) (chi's values lie there), as coefficients of z^0 .. z^(m-1)."""
    exponent = table.group.exponent
    full = exact_field(exponent)
    cyclic = np.zeros((len(table.classes), exponent), dtype=np.int64)
    for k, order in enumerate(table.orders):
        for power, count in enumerate(table.eigenvalue_multiplicities(character, k)):
            cyclic[k, (-power * (exponent // order)) % exponent] += count
    values = (
        _descend(full, field, full.from_cyclic(cyclic)) if field.conductor != exponent else full.from_cyclic(cyclic)
    )
    if values.denominator != 1:
        raise GroupTheoryError("character values are algebraic integers; these are not (please report)")
    out = np.zeros((len(table.classes), field.conductor), dtype=np.int64)
    out[:, : field.degree] = values.numerators
    return out


def _basis(field: ExactField, projection: Exact, degree: int) -> list[int]:
    """d coordinates a with the vectors P e_a independent: mutually orthogonal if a search finds them."""
    zero = field.is_zero(projection)
    cosets = len(zero)
    frame = _orthogonal_frame(zero, degree)
    if frame is not None:
        return frame
    chosen: list[int] = []
    # Greedy: prefer coordinates orthogonal to many already chosen; keep one when it adds rank.
    for a in sorted(range(cosets), key=lambda a: -int(zero[a].sum())):
        if _independent(field, projection, [*chosen, a]):
            chosen.append(a)
            if len(chosen) == degree:
                return sorted(chosen)
    raise GroupTheoryError("the projected vectors do not span the irreducible subspace (please report)")


def _orthogonal_frame(zero: np.ndarray, size: int) -> list[int] | None:
    """size coordinates, the first 0, with P[a, b] = 0 between every two: a clique search with a budget."""
    steps = 0

    def extend(chosen: list[int], candidates: list[int]) -> list[int] | None:
        nonlocal steps
        if len(chosen) == size:
            return chosen
        for i, a in enumerate(candidates):
            steps += 1
            if steps > _FRAME_SEARCH_STEPS or len(chosen) + len(candidates) - i < size:
                return None
            found = extend([*chosen, a], [b for b in candidates[i + 1 :] if zero[a, b]])
            if found is not None:
                return found
        return None

    return extend([0], [b for b in range(1, len(zero)) if zero[0, b]])


def _independent(field: ExactField, projection: Exact, columns: list[int]) -> bool:
    """Whether the Gram matrix of P e_a (a in columns), P[columns, columns], is nonsingular; checked
    modulo a prime that splits Q(zeta_m), where a nonzero determinant proves independence."""
    from . import _modular as gf

    m = field.conductor
    p = gf.prime_for_exponent(m, 2**20)
    z = gf.root_of_unity(m, p)
    powers = np.array([pow(z, k, p) for k in range(field.degree)], dtype=object)
    gram = projection[np.ix_(columns, columns)].numerators.astype(object)
    values = np.array((gram @ powers) % p, dtype=np.int64)
    return len(gf.row_echelon(values, p)[1]) == len(columns)


def _restricted(
    group: FiniteGroup, field: ExactField, projection: Exact, induced: Monomial, basis: list[int]
) -> Representation:
    """The representation on span(P e_a, a in basis), in the basis orthogonalised exactly (L D L*)."""
    # (rho(g) P)[a_k, a_j] = lambda-root * P[c, a_j] with c the coordinate rho(g) sends to a_k.
    n, rows = group.order, np.array(basis)
    sources = induced.images[group.inverses][:, rows]  # c with rho(g) e_c on the line of e_(a_k)
    roots = induced.exponents[np.arange(n)[:, None], sources]  # (n, d)
    gathered = projection[sources[:, :, None], rows[None, None, :]]  # (n, d, d)
    products = field.times_root(gathered, roots[:, :, None])
    return _orthogonalised(group, field, projection[np.ix_(basis, basis)], products)


def _orthogonalised(group: FiniteGroup, field: ExactField, gram: Exact, products: Exact) -> Representation:
    """With W the chosen basis of the invariant subspace, gram = W^* M W and products[g] = W^* M rho(g) W:
    the matrices D^-1 L^-1 products L^-* in the basis W L^-* (orthogonal, norms D) where gram = L D L^*."""
    d = gram.shape[0]
    lower, diagonal = _ldl(field, gram)
    inverse_lower = _unit_lower_inverse(field, lower)
    left = field.matmul(Exact(inverse_lower.numerators[None], inverse_lower.denominator), products)
    adjoint = field.conjugate(Exact(np.swapaxes(inverse_lower.numerators, 0, 1), inverse_lower.denominator))
    middle = field.matmul(left, Exact(adjoint.numerators[None], adjoint.denominator))
    inverse_diagonal = [field.inverse(diagonal[i]) for i in range(d)]
    scaled = [field.multiply(middle[:, i], inverse_diagonal[i]) for i in range(d)]
    denominator = math.lcm(*(s.denominator for s in scaled))
    numerators = np.stack([s.numerators.astype(object) * (denominator // s.denominator) for s in scaled], axis=1)
    matrices = field.normalised(Exact(numerators, denominator))
    return Representation(group, field.conductor, dense=matrices, form=diagonal)


def _induce_irrep_and_project(
    group: FiniteGroup, table: CharacterTable, character: int, induction: _Induction
) -> Representation:
    """Ind_H psi for an irreducible psi of H; when it is larger than chi, the chi part, cut out by the
    projection P = (chi(1)/|G|) sum_g conj(chi(g)) rho(g) and orthogonalised for rho's invariant form M."""
    induced = group.induced_representation(induction.subgroup, induction.psi)
    degree = table.degrees[character]
    if induced.degree == degree:
        return induced
    conductor = math.lcm(induced.conductor, _value_conductor(table, character))
    rho, field = induced.lifted(conductor), exact_field(conductor)
    cyclic = _conjugate_values(table, character, field)[[table.class_of(g) for g in range(group.order)]]
    values = field.from_cyclic(cyclic)  # conj(chi(g)) for every element
    dense = rho.dense()
    weighted = field.multiply(values[:, None, None], dense)
    summed = Exact(weighted.numerators.sum(axis=0), weighted.denominator)
    projection = field.scale(summed, Fraction(degree, group.order))
    form = rho._form_or_ones(field)
    gram_full = field.multiply(form[:, None], projection)  # (M P)[a, b] = <P e_a, P e_b>_M
    basis = _basis(field, gram_full, degree)
    vectors = projection[:, basis]  # W, (N, d)
    moved = field.matmul(dense, Exact(vectors.numerators[None], vectors.denominator))  # rho(g) W
    products = field.multiply(form[basis][None, :, None], moved[:, basis, :])  # (M rho(g) P)[basis, basis]
    return _orthogonalised(group, field, gram_full[np.ix_(basis, basis)], products)


def _ldl(field: ExactField, gram: Exact) -> tuple[Exact, Exact]:
    """gram = L D L* with L unit lower triangular and D diagonal, exactly (gram Hermitian, nonsingular)."""
    d = gram.shape[0]
    lower = [[field.root(0) if i == j else field.zeros(()) for j in range(d)] for i in range(d)]
    diagonal: list[Exact] = []
    for j in range(d):
        value = gram[j, j]
        for k in range(j):
            value = field.subtract(value, _times(field, lower[j][k], diagonal[k], field.conjugate(lower[j][k])))
        diagonal.append(value)
        inverse = field.inverse(value)
        for i in range(j + 1, d):
            entry = gram[i, j]
            for k in range(j):
                entry = field.subtract(entry, _times(field, lower[i][k], diagonal[k], field.conjugate(lower[j][k])))
            lower[i][j] = field.multiply(entry, inverse)
    return _stack(field, lower), _stack(field, [diagonal])[0]


def _times(field: ExactField, *factors: Exact) -> Exact:
    out = factors[0]
    for f in factors[1:]:
        out = field.multiply(out, f)
    return out


def _stack(field: ExactField, rows: list[list[Exact]]) -> Exact:
    denominator = math.lcm(*(x.denominator for row in rows for x in row))
    numerators = np.array(
        [[x.numerators.astype(object) * (denominator // x.denominator) for x in row] for row in rows], dtype=object
    )
    return field.normalised(Exact(numerators, denominator))


def _unit_lower_inverse(field: ExactField, lower: Exact) -> Exact:
    d = lower.shape[0]
    rows = [[field.root(0) if i == j else field.zeros(()) for j in range(d)] for i in range(d)]
    for i in range(d):
        for j in range(i):
            entry = field.zeros(())
            for k in range(j, i):
                entry = field.subtract(entry, field.multiply(lower[i, k], rows[k][j]))
            rows[i][j] = entry
    return _stack(field, rows)


# -- realification and the smallest field ---------------------------------------------------------
def _realify(rep: Representation) -> Representation:
    """[[Re rho, -Im rho], [Im rho, Re rho]]: the real representation of degree 2d of a complex one."""
    conductor = math.lcm(rep.conductor, 4)
    lifted = rep.lifted(conductor)
    field = exact_field(conductor)
    dense = lifted.dense()
    conjugate = field.conjugate(dense)
    real = field.scale(field.add(dense, conjugate), Fraction(1, 2))
    minus_i_half = field.scale(field.root(3 * conductor // 4), Fraction(1, 2))
    imaginary = field.multiply(field.subtract(dense, conjugate), minus_i_half)
    top = _concatenate(field, [real, field.negate(imaginary)], axis=2)
    bottom = _concatenate(field, [imaginary, real], axis=2)
    matrices = _concatenate(field, [top, bottom], axis=1)
    form = lifted._form_or_ones(field)
    realified = Representation(
        rep.group, conductor, dense=matrices, form=_concatenate(field, [form, form], axis=0), kind=rep.kind
    )
    return _smallest_field(realified)


def _concatenate(field: ExactField, parts: list[Exact], axis: int) -> Exact:
    denominator = math.lcm(*(p.denominator for p in parts))
    numerators = np.concatenate(
        [p.numerators.astype(object) * (denominator // p.denominator) for p in parts], axis=axis
    )
    return field.normalised(Exact(numerators, denominator))


def _smallest_field(rep: Representation) -> Representation:
    """The same matrices over the smallest Q(zeta_c), c dividing the conductor, that holds the entries
    of the generators' matrices and the form (then it holds every matrix)."""
    from ._representation import embed

    conductor = rep.conductor
    if rep._monomial is not None:
        step = math.gcd(conductor, *(int(e) for e in rep._monomial.exponents.reshape(-1)))
        if step == 1:
            return rep
        m = rep._monomial
        return Representation(
            rep.group, conductor // step, monomial=Monomial(m.images, m.exponents // step), name=rep.name, kind=rep.kind
        )
    field = exact_field(conductor)
    dense = rep.dense()
    samples = [dense[list(rep.group.generators)]]
    if rep._form is not None:
        samples.append(rep._form)
    for divisor in sorted(d for d in sympy.divisors(conductor) if d < conductor):
        if divisor % 4 == 2:
            continue  # Q(zeta_2k) = Q(zeta_k) for odd k: the odd one is tried first
        fixing = [t for t in range(1, conductor) if math.gcd(t, conductor) == 1 and t % divisor == 1 % divisor]
        if all(field.equal(_galois(field, s, t), s) for s in samples for t in fixing):
            target = exact_field(divisor)
            smaller = Representation(
                rep.group,
                divisor,
                dense=_descend(field, target, dense),
                form=_descend(field, target, rep._form) if rep._form is not None else None,
                name=rep.name,
                kind=rep.kind,
            )
            if not field.equal(embed(smaller.dense(), divisor, conductor), dense):
                raise GroupTheoryError(f"{rep!r}: moving to Q(zeta_{divisor}) changed the matrices (please report)")
            return smaller
    return rep


def _galois(field: ExactField, value: Exact, t: int) -> Exact:
    rows = field.reduction[(np.arange(field.degree) * t) % field.conductor]
    numerators = value.numerators
    product = (
        numerators @ rows.astype(numerators.dtype) if numerators.dtype != object else numerators @ rows.astype(object)
    )
    return Exact(product, value.denominator)


def _descend(field: ExactField, target: ExactField, value: Exact) -> Exact:
    """Coordinates in Q(zeta_c) of elements of Q(zeta_m) that lie in it (c divides m)."""
    solve, scale, columns = _descent_matrix(field.conductor, target.conductor)
    numerators = _exact_product(value.numerators[..., columns], solve)
    return target.normalised(Exact(numerators, value.denominator * scale))


def _exact_product(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    from ._exact_arrays import _matmul

    return _matmul(x, matrix)


@functools.lru_cache(maxsize=64)
def _descent_matrix(conductor: int, divisor: int) -> tuple[np.ndarray, int, list[int]]:
    """An integer matrix S, a scale s and columns: y = x[columns] S / s solves y E = x on the subfield."""
    big, small = exact_field(conductor), exact_field(divisor)
    embedding = sympy.Matrix(big.reduction[np.arange(small.degree) * (conductor // divisor)].tolist())
    _, pivots = embedding.rref()
    columns = list(pivots)
    inverse = embedding[:, columns].inv()
    scale = math.lcm(*(int(x.q) for x in inverse))
    return np.array((inverse * scale).tolist(), dtype=np.int64), scale, columns
