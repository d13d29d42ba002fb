"""Representations of finite groups by exact matrices, and their algebra.

A `Representation` is a homomorphism rho: G -> GL(d) with entries in a cyclotomic field Q(zeta_m).
It is stored as one of two forms: monomial (each rho(g) moves basis vectors to multiples of basis
vectors by roots of unity: permutation, regular, quotient and induced-from-linear representations) or
dense exact matrices. A representation may carry an invariant diagonal form D (positive, exact):
rho(g)^* D rho(g) = D. Its unitary version is D^(1/2) rho(g) D^(-1/2); that is what `matrix` and
`float_matrices` return, so irreducible representations come out unitary (orthogonal when real) even
where that needs square roots (entries sqrt(D_i / D_j) rho(g)_ij).

>>> from grouptheory import load
>>> d4 = load("d4")
>>> standard = d4.standard_representation()
>>> standard.degree, standard.is_irreducible(), standard.is_real
(2, True, True)
>>> (standard * standard).decompose().multiplicities
(1, 1, 1, 1, 0)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
import sympy

from ._errors import GroupTheoryError
from ._exact_arrays import Exact, ExactField, exact_field
from .limits import MAX_MATRIX_ENTRIES

if TYPE_CHECKING:
    from ._group import FiniteGroup, Subgroup


@dataclass(frozen=True)
class Monomial:
    """rho(g) e_j = zeta_m^exponents[g, j] e_images[g, j], for every element g (rows) and basis vector j."""

    images: np.ndarray
    exponents: np.ndarray


class Representation:
    """A homomorphism G -> GL(d), exact. Build one with the group's methods (`irreps`,
    `regular_representation`, ...) and combine with ``+`` (direct sum), ``*`` (tensor product), `dual`,
    `restrict` and `FiniteGroup.induced_representation`. Two representations are equal when they are
    equivalent: when their characters agree.

    >>> from grouptheory import cyclic
    >>> rho = cyclic(4).irreps()[1]
    >>> rho.matrix(1)
    Matrix([[I]])
    >>> rho.character()
    (1, I, -1, -I)
    """

    def __init__(
        self,
        group: FiniteGroup,
        conductor: int,
        *,
        monomial: Monomial | None = None,
        dense: Exact | None = None,
        form: Exact | None = None,
        name: str = "",
        kind: str | None = None,
    ) -> None:
        if (monomial is None) == (dense is None):
            raise ValueError("give exactly one of monomial or dense matrices")
        self.group = group
        self.conductor = conductor
        self._monomial = monomial
        self._dense_matrices = dense
        self._form = form
        self.name = name
        self.kind = kind
        """For irreducible representations: 'real', 'complex' or 'quaternionic' (the Frobenius-Schur type
        of the character it comes from); None otherwise."""
        self.character_index: int | None = None
        """For irreducible representations: the row of the character table (for a real irreducible
        representation of complex or quaternionic type, the first of its complex characters)."""
        self._lifts: dict[int, Representation] = {}  # lifted(conductor), built once per conductor
        self._dense_of_monomial: Exact | None = None  # dense(), built once for monomial matrices

    def copy(self) -> Representation:
        """The same matrices under a new name (representations are values; names and kinds are labels)."""
        return Representation(
            self.group,
            self.conductor,
            monomial=self._monomial,
            dense=self._dense_matrices,
            form=self._form,
            name=self.name,
            kind=self.kind,
        )

    # -- basic facts ---------------------------------------------------------------------------
    @property
    def degree(self) -> int:
        if self._monomial is not None:
            return int(self._monomial.images.shape[1])
        assert self._dense_matrices is not None
        return int(self._dense_matrices.shape[1])

    @property
    def field(self) -> ExactField:
        return exact_field(self.conductor)

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"Representation({self.group.name}{label}, degree {self.degree})"

    @functools.cached_property
    def is_real(self) -> bool:
        """Whether every matrix is real (exactly)."""
        if self._monomial is not None:
            return bool(np.all((2 * self._monomial.exponents) % self.conductor == 0))
        dense = self.dense()
        return self.field.equal(dense, self.field.conjugate(dense)) and self._form_is_real()

    def _form_is_real(self) -> bool:
        return self._form is None or self.field.equal(self._form, self.field.conjugate(self._form))

    @property
    def permutation_images(self) -> np.ndarray | None:
        """For a permutation representation (trivial, regular, quotient): ``images[g, j]``, the basis vector that
        g sends e_j to, shape (|G|, degree); None for any other representation.

        >>> from grouptheory import cyclic
        >>> cyclic(3).regular_representation().permutation_images.tolist()
        [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
        """
        if self._monomial is None or self._monomial.exponents.any():
            return None
        return self._monomial.images

    @property
    def is_unitary(self) -> bool:
        """Whether `matrix` returns unitary matrices (monomial ones, or those with an invariant form)."""
        return self._monomial is not None or self._form is not None

    # -- matrices ------------------------------------------------------------------------------
    def dense(self) -> Exact:
        """The exact matrices rho(g) (without the form's scaling), shape (|G|, d, d)."""
        if self._dense_matrices is not None:
            return self._dense_matrices
        if self._dense_of_monomial is None:
            check_matrix_entries(self.group, self.degree)
            n, d = self.group.order, self.degree
            images, exponents = self._monomial.images, self._monomial.exponents  # type: ignore[union-attr]
            numerators = np.zeros((n, d, d, self.field.degree), dtype=np.int64)
            g, j = np.meshgrid(np.arange(n), np.arange(d), indexing="ij")
            numerators[g, images, j] = self.field.reduction[exponents % self.conductor]
            numerators.setflags(write=False)  # shared by every caller from now on
            self._dense_of_monomial = Exact(numerators)
        return self._dense_of_monomial

    def matrix(self, element: int) -> sympy.ImmutableMatrix:
        """The exact (unitary, when a form is known) matrix of an element, as a sympy matrix."""
        element = self.group._element_index(element)
        d, field = self.degree, self.field
        if self._monomial is not None:
            entries = [[sympy.Integer(0)] * d for _ in range(d)]
            for j in range(d):
                exponent = int(self._monomial.exponents[element, j]) % self.conductor
                entries[int(self._monomial.images[element, j])][j] = field.to_sympy(field.root(exponent))
            return sympy.ImmutableMatrix(entries)
        matrix = self.dense()[element]
        scales = self._scales_sympy()
        return sympy.ImmutableMatrix(
            d, d, [field.to_sympy(matrix[i, j]) * scales[i] / scales[j] for i in range(d) for j in range(d)]
        )

    def _scales_sympy(self) -> list[sympy.Expr]:
        if self._form is None:
            return [sympy.Integer(1)] * self.degree
        values = [self.field.to_sympy(self._form[i]) for i in range(self.degree)]
        return [sympy.sqrt(v / values[0]) for v in values]

    def float_matrices(self) -> np.ndarray:
        """Every matrix as a float array of shape (|G|, d, d): real (float64) for real representations,
        complex128 otherwise; unitary (orthogonal) when a form is known."""
        check_matrix_entries(self.group, self.degree)
        n, d = self.group.order, self.degree
        if self._monomial is not None:
            out = np.zeros((n, d, d), dtype=complex)
            g, j = np.meshgrid(np.arange(n), np.arange(d), indexing="ij")
            out[g, self._monomial.images, j] = np.exp(2j * np.pi * self._monomial.exponents / self.conductor)
        else:
            out = self.field.to_complex(self.dense())
            if self._form is not None:
                scale = np.sqrt(self.field.to_complex(self._form).real)
                out = out * scale[None, :, None] / scale[None, None, :]
        return out.real.copy() if self.is_real else out

    def act(self, elements: list[int], vectors: Exact) -> Exact:
        """rho(g) @ vectors for each listed element (exact matrices, without the form), shape (len, d, k)."""
        field = self.field
        if self._monomial is not None:
            m = self._monomial
            images, exponents = m.images[elements], m.exponents[elements]  # (e, d)
            moved = field.times_root(vectors[None, :, :], exponents[:, :, None])  # row j scaled
            numerators = np.zeros_like(moved.numerators)
            e = np.arange(len(elements))[:, None]
            numerators[e, images] = moved.numerators
            return Exact(numerators, moved.denominator)
        dense = self.dense()[elements]
        return field.matmul(dense, Exact(vectors.numerators[None], vectors.denominator))

    # -- characters ----------------------------------------------------------------------------
    @functools.cached_property
    def _character(self) -> Exact:
        if self._monomial is not None:
            fixed = self._monomial.images == np.arange(self.degree)[None, :]
            cyclic = np.zeros((self.group.order, self.conductor), dtype=np.int64)
            g, j = np.nonzero(fixed)
            np.add.at(cyclic, (g, self._monomial.exponents[g, j] % self.conductor), 1)
            return self.field.from_cyclic(cyclic)
        dense = self.dense()
        diagonal = np.arange(self.degree)
        return self.field.normalised(Exact(dense.numerators[:, diagonal, diagonal].sum(axis=1), dense.denominator))

    def character(self) -> tuple[sympy.Expr, ...]:
        """The exact trace of every element's matrix, in element order."""
        return tuple(self.field.to_sympy(self._character[g]) for g in range(self.group.order))

    def float_character(self) -> np.ndarray:
        return self.field.to_complex(self._character)

    def multiplicities(self) -> tuple[int, ...]:
        """How often each irreducible character (rows of the character table) occurs in this one."""
        table = self.group.character_table()
        class_of = np.array([table.class_of(g) for g in range(self.group.order)])
        values = table.float_values()[:, class_of]
        products = values.conj() @ self.float_character() / self.group.order
        rounded = np.rint(products.real)
        if np.abs(products - rounded).max(initial=0.0) > 1e-6:
            raise GroupTheoryError(f"{self!r}: multiplicities are not integers; it is not a representation")
        return tuple(int(m) for m in rounded)

    def is_irreducible(self) -> bool:
        """<chi, chi> = 1, computed exactly: sum_g |chi(g)|^2 = |G|."""
        field, chi = self.field, self._character
        total = field.multiply(chi, field.conjugate(chi))
        summed = Exact(total.numerators.sum(axis=0), total.denominator)
        return field.equal(summed, field.scale(field.root(0), self.group.order))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Representation):
            return NotImplemented
        if other.group is not self.group or other.degree != self.degree:
            return False
        conductor = math.lcm(self.conductor, other.conductor)
        field = exact_field(conductor)
        return field.equal(
            embed(self._character, self.conductor, conductor), embed(other._character, other.conductor, conductor)
        )

    def __hash__(self) -> int:
        return hash((id(self.group), self.degree))

    # -- algebra -------------------------------------------------------------------------------
    def __add__(self, other: Representation) -> Representation:
        """Direct sum: block diagonal, this representation's block first."""
        self._check_same_group(other, "+")
        conductor = math.lcm(self.conductor, other.conductor)
        a, b = self.lifted(conductor), other.lifted(conductor)
        name = f"{self.name or 'rho'} + {other.name or 'rho'}"
        if a._monomial is not None and b._monomial is not None:
            images = np.concatenate([a._monomial.images, b._monomial.images + a.degree], axis=1)
            exponents = np.concatenate([a._monomial.exponents, b._monomial.exponents], axis=1)
            return Representation(self.group, conductor, monomial=Monomial(images, exponents), name=name)
        field, x, y = exact_field(conductor), a.dense(), b.dense()
        n, d, e = self.group.order, a.degree, b.degree
        denominator = math.lcm(x.denominator, y.denominator)
        numerators = np.zeros((n, d + e, d + e, field.degree), dtype=object)
        numerators[:, :d, :d] = x.numerators * (denominator // x.denominator)
        numerators[:, d:, d:] = y.numerators * (denominator // y.denominator)
        dense = field.normalised(Exact(numerators, denominator))
        return Representation(self.group, conductor, dense=dense, form=_sum_form(a, b, field), name=name)

    def __mul__(self, other: Representation) -> Representation:
        """Tensor (Kronecker) product: basis e_i (x) f_j at position i * other.degree + j."""
        self._check_same_group(other, "*")
        conductor = math.lcm(self.conductor, other.conductor)
        a, b = self.lifted(conductor), other.lifted(conductor)
        name = f"{self.name or 'rho'} * {other.name or 'rho'}"
        check_matrix_entries(self.group, a.degree * b.degree)
        if a._monomial is not None and b._monomial is not None:
            ma, mb = a._monomial, b._monomial
            images = (ma.images[:, :, None] * b.degree + mb.images[:, None, :]).reshape(self.group.order, -1)
            exponents = (ma.exponents[:, :, None] + mb.exponents[:, None, :]).reshape(self.group.order, -1)
            return Representation(self.group, conductor, monomial=Monomial(images, exponents % conductor), name=name)
        field, x, y = exact_field(conductor), a.dense(), b.dense()
        n, d, e = self.group.order, a.degree, b.degree
        product = field.multiply(x[:, :, None, :, None], y[:, None, :, None, :])
        dense = Exact(product.numerators.reshape(n, d * e, d * e, field.degree), product.denominator)
        form = None
        if a.is_unitary and b.is_unitary:
            fa, fb = a._form_or_ones(field), b._form_or_ones(field)
            kron = field.multiply(fa[:, None], fb[None, :])
            form = Exact(kron.numerators.reshape(d * e, field.degree), kron.denominator)
        return Representation(self.group, conductor, dense=dense, form=form, name=name)

    def dual(self) -> Representation:
        """The contragredient representation g -> rho(g^-1)^T (the complex conjugate, for unitary ones)."""
        inverses = self.group.inverses
        name = f"dual({self.name or 'rho'})"
        if self._monomial is not None:
            m = self._monomial
            n, d = m.images.shape
            images = np.empty_like(m.images)
            exponents = np.empty_like(m.exponents)
            # rho(g^-1) e_j = z^a e_i  =>  rho(g^-1)^T e_i = z^a e_j
            g, j = np.meshgrid(np.arange(n), np.arange(d), indexing="ij")
            images[g, m.images[inverses][g, j]] = j
            exponents[g, m.images[inverses][g, j]] = m.exponents[inverses][g, j]
            return Representation(self.group, self.conductor, monomial=Monomial(images, exponents), name=name)
        dense = self.dense()
        transposed = Exact(np.swapaxes(dense.numerators[inverses], 1, 2), dense.denominator)
        form = self.field.inverse_entries(self._form) if self._form is not None else None
        return Representation(self.group, self.conductor, dense=transposed, form=form, name=name)

    def restrict(self, subgroup: Subgroup) -> Representation:
        """The representation of subgroup.group given by the matrices of its elements."""
        from ._group import Subgroup

        if not isinstance(subgroup, Subgroup) or subgroup.parent is not self.group:
            raise GroupTheoryError(
                f"restrict: {subgroup!r} must be a subgroup of {self.group.name}, as made by "
                f"{self.group.name}.subgroup([...])"
            )
        embedding = np.array(subgroup.embedding)
        name = f"{self.name or 'rho'}|{subgroup.group.name}"
        if self._monomial is not None:
            m = self._monomial
            return Representation(
                subgroup.group,
                self.conductor,
                monomial=Monomial(m.images[embedding], m.exponents[embedding]),
                name=name,
            )
        dense = self.dense()
        return Representation(
            subgroup.group, self.conductor, dense=dense[embedding], form=self._form, name=name, kind=None
        )

    def decompose(self, real: bool | None = None) -> Decomposition:
        """Multiplicities of the irreducible representations and an exact change of basis Q with
        Q^-1 rho(g) Q block diagonal in them (unitary; orthogonal for real representations, which are
        decomposed into `irreps(real=True)` unless real=False). Checked exactly before it is returned."""
        from ._decompose import decompose

        return decompose(self, self.is_real if real is None else real)

    # -- helpers -------------------------------------------------------------------------------
    def lifted(self, conductor: int) -> Representation:
        """The same matrices written over Q(zeta_conductor), a multiple of this field's conductor."""
        if conductor == self.conductor:
            return self
        if conductor % self.conductor:
            raise ValueError(f"{conductor} is not a multiple of {self.conductor}")
        if conductor not in self._lifts:
            step = conductor // self.conductor
            if self._monomial is not None:
                m = self._monomial
                lifted = Representation(
                    self.group,
                    conductor,
                    monomial=Monomial(m.images, m.exponents * step),
                    name=self.name,
                    kind=self.kind,
                )
            else:
                dense = embed(self.dense(), self.conductor, conductor)
                form = embed(self._form, self.conductor, conductor) if self._form is not None else None
                lifted = Representation(self.group, conductor, dense=dense, form=form, name=self.name, kind=self.kind)
            self._lifts[conductor] = lifted
        return self._lifts[conductor]

    def _form_or_ones(self, field: ExactField) -> Exact:
        if self._form is not None:
            return self._form
        return Exact(np.tile(field.reduction[0], (self.degree, 1)))

    def _check_same_group(self, other: object, operation: str) -> None:
        if not isinstance(other, Representation) or other.group is not self.group:
            raise GroupTheoryError(
                f"{operation}: both representations must be of the same group {self.group.name} (the same object)"
            )


@dataclass(frozen=True)
class Decomposition:
    """rho = sum_k multiplicities[k] * irreps[k], with Q^-1 rho(g) Q = the blocks in order: for each irrep
    with nonzero multiplicity, its copies one after the other (`blocks` lists them)."""

    irreps: tuple[Representation, ...]
    multiplicities: tuple[int, ...]
    _field: ExactField = field(repr=False)
    _rho: Representation = field(repr=False)
    _copies: tuple = field(repr=False)
    _irreps_lifted: tuple[Representation, ...] = field(repr=False)

    @property
    def blocks(self) -> tuple[Representation, ...]:
        """The irreducible block of each copy, in the order of Q's columns."""
        return tuple(self.irreps[copy.irrep] for copy in self._copies)

    @functools.cached_property
    def change_of_basis(self) -> sympy.ImmutableMatrix:
        """Q, exact (entries may carry square roots of the invariant forms' norms)."""
        from ._decompose import change_of_basis_sympy

        return change_of_basis_sympy(self)

    @functools.cached_property
    def float_change_of_basis(self) -> np.ndarray:
        """Q as floats: orthogonal (real) or unitary."""
        from ._decompose import change_of_basis_float

        return change_of_basis_float(self)


def embed(value: Exact, conductor: int, into: int) -> Exact:
    """Field elements of Q(zeta_conductor) written in Q(zeta_into), into a multiple of conductor."""
    if conductor == into:
        return value
    source, target = exact_field(conductor), exact_field(into)
    rows = target.reduction[np.arange(source.degree) * (into // conductor)]
    return target.normalised(Exact(_exact_matmul(value.numerators, rows), value.denominator))


def _exact_matmul(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype == object:
        return x @ y.astype(object)
    return x @ y


def _sum_form(a: Representation, b: Representation, field: ExactField) -> Exact | None:
    if not (a.is_unitary and b.is_unitary):
        return None
    fa, fb = a._form_or_ones(field), b._form_or_ones(field)
    denominator = math.lcm(fa.denominator, fb.denominator)
    numerators = np.concatenate(
        [
            fa.numerators.astype(object) * (denominator // fa.denominator),
            fb.numerators.astype(object) * (denominator // fb.denominator),
        ]
    )
    return field.normalised(Exact(numerators, denominator))


def trivial_representation(group: FiniteGroup) -> Representation:
    n = group.order
    monomial = Monomial(np.zeros((n, 1), dtype=np.int64), np.zeros((n, 1), dtype=np.int64))
    return Representation(group, 1, monomial=monomial, name="trivial")


def regular_representation(group: FiniteGroup) -> Representation:
    table = np.asarray(group.cayley_table, dtype=np.int64)
    return Representation(group, 1, monomial=Monomial(table.copy(), np.zeros_like(table)), name="regular")


def permutation_representation(group: FiniteGroup, subgroup: Subgroup) -> Representation:
    coset_of, reps = cosets(group, subgroup)
    images = coset_of[group.cayley_table[:, reps]]
    return Representation(
        group, 1, monomial=Monomial(images, np.zeros_like(images)), name=f"{group.name}/{subgroup.group.name}"
    )


def cosets(group: FiniteGroup, subgroup: Subgroup) -> tuple[np.ndarray, np.ndarray]:
    """coset_of[x] (the index of the left coset x H) and the representatives, each coset's first element."""
    members = np.array(subgroup.embedding)
    coset_of = np.full(group.order, -1, dtype=np.int64)
    reps: list[int] = []
    for x in range(group.order):
        if coset_of[x] < 0:
            coset_of[group.cayley_table[x, members]] = len(reps)
            reps.append(x)
    return coset_of, np.array(reps, dtype=np.int64)


def induced_representation(group: FiniteGroup, subgroup: Subgroup, sigma: Representation) -> Representation:
    if not isinstance(sigma, Representation) or sigma.group is not subgroup.group:
        raise GroupTheoryError(
            f"induced_representation: {sigma!r} must be a representation of the subgroup {subgroup.group.name}"
        )
    coset_of, reps = cosets(group, subgroup)
    cosets_count, d, n = len(reps), sigma.degree, group.order
    check_matrix_entries(group, cosets_count * d)
    within = np.full(n, -1, dtype=np.int64)
    within[list(subgroup.embedding)] = np.arange(len(subgroup.embedding))
    moved = group.cayley_table[:, reps]  # g t_a
    targets = coset_of[moved]
    h = within[group.cayley_table[group.inverses[reps[targets]], moved]]  # t_b^-1 g t_a, as an element of H
    name = f"Ind({sigma.name or 'sigma'})"
    if sigma._monomial is not None:
        m = sigma._monomial
        images = (targets[:, :, None] * d + m.images[h]).reshape(n, -1)
        exponents = m.exponents[h].reshape(n, -1)
        return Representation(group, sigma.conductor, monomial=Monomial(images, exponents), name=name)
    field, blocks = sigma.field, sigma.dense()
    numerators = np.zeros((n, cosets_count * d, cosets_count * d, field.degree), dtype=blocks.numerators.dtype)
    for a in range(cosets_count):
        for g in range(n):
            b = targets[g, a]
            numerators[g, b * d : (b + 1) * d, a * d : (a + 1) * d] = blocks.numerators[h[g, a]]
    form = None
    if sigma._form is not None:
        form = Exact(np.tile(sigma._form.numerators, (cosets_count, 1)), sigma._form.denominator)
    return Representation(group, sigma.conductor, dense=Exact(numerators, blocks.denominator), form=form, name=name)


def standard_representation(group: FiniteGroup) -> Representation:
    if not group.has_action:
        raise GroupTheoryError(
            f"group {group.name} has no matrix action: declare it with matrices, or give a presentation an [action]"
        )
    d = group.dimension
    check_matrix_entries(group, d)
    conductor = group.action.field.conductor  # type: ignore[union-attr]
    field = exact_field(conductor)
    entries = [field.from_number(entry) for matrix in group._matrices for entry in matrix]
    denominator = math.lcm(*(e.denominator for e in entries))
    numerators = np.array(
        [e.numerators.astype(object) * (denominator // e.denominator) for e in entries], dtype=object
    ).reshape(group.order, d, d, field.degree)
    dense = field.normalised(Exact(numerators, denominator))
    generators = dense[list(group.generators)]
    adjoint = field.conjugate(Exact(np.swapaxes(generators.numerators, 1, 2), generators.denominator))
    identity = Exact(
        np.broadcast_to(np.eye(d, dtype=np.int64)[:, :, None] * field.reduction[0], generators.numerators.shape).copy()
    )
    unitary = field.equal(field.matmul(adjoint, generators), identity)
    form = Exact(np.tile(field.reduction[0], (d, 1))) if unitary else None
    return Representation(group, conductor, dense=dense, form=form, name="standard")


def check_matrix_entries(group: FiniteGroup, degree: int) -> None:
    """Refuse to build |G| dense d x d matrices beyond MAX_MATRIX_ENTRIES, before building them."""
    entries = group.order * degree * degree
    if entries > MAX_MATRIX_ENTRIES:
        raise GroupTheoryError(
            f"{group.name}: {group.order} matrices of size {degree}x{degree} are {entries:,} entries, above the "
            f"limit of {MAX_MATRIX_ENTRIES:,} (grouptheory/limits.py); use a smaller representation"
        )


def rational(field: ExactField, value: Fraction | int) -> Exact:
    return field.scale(field.root(0), value)
