"""Exact bases of equivariant kernels between real irreducible representations: on the pixel grid, and in
circular (planar groups) or spherical (3D groups) harmonics.

A kernel K from rho_in-fields to rho_out-fields is equivariant when K(g u) = rho_out(g) K(u) rho_in(g)^T
for every element g and offset u. On the orbit of an offset u0 it is fixed by its value at u0, which can
be any intertwiner of the stabiliser S of u0: rho_out(s) K(u0) = K(u0) rho_in(s) for every s in S; then
K(g u0) = rho_out(g) K(u0) rho_in(g)^T is well defined. So a kernel space is a sum over orbits of the
spaces Hom_S(rho_in, rho_out), whose dimension character theory predicts: (1/|S|) sum_s chi_out(s) chi_in(s).

For a group that maps the grid onto itself (signed permutation matrices), the stabiliser of an offset
depends only on which coordinates vanish, their signs and which absolute values are equal, so the
offsets of the box with radius ``dimension`` meet every stabiliser that any kernel can. For each, and
each pair of real irreducible representations, the intertwiners are the range of the averaging projector
P = (1/|S|) sum_s rho_out(s) (x) rho_in(s^-1)^T, computed exactly in the cyclotomic field; its reduced
row echelon form is a canonical exact basis, which is then scaled to the orthogonal form of the
representations and orthonormalised (Frobenius) in Python floats, so that the constants are the same
on every machine.

For continuous kernels, K(u) = sum_c phi_c(u) X[c] over the harmonics phi of one degree: circular ones on
the plane (element g moves them by an exact matrix A(g) from a^n, see `harmonic_matrices`), the harmonic
polynomials in space (A(g) by exact substitution, see `spherical_harmonic_matrices`). K is equivariant when
the tensor X is invariant under A(g^-1)^T (x) rho_out(g) (x) rho_in(g): the same projector method over the
whole group, per degree up to the number of rotations on the plane, up to SPHERICAL_DEGREES in space.

>>> from grouptheory import load
>>> spaces = kernel_spaces(load("d4"))
>>> [len(s) for s in spaces.stabilisers]  # the centre, the two kinds of mirror line, a generic offset
[8, 2, 2, 1]
>>> spaces.dimensions[1][(4, 4)]          # the 2-dim irrep to itself, about a mirror line: found, predicted
(2, 2)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from ._cyclotomic import ONE, ZERO, CyclotomicField, Number
from ._entries import to_field
from ._errors import GroupTheoryError
from ._exact_arrays import Exact, exact_field
from ._representation import Representation, embed
from ._spherical import spherical_harmonic_matrices

if TYPE_CHECKING:
    from ._group import FiniteGroup

Matrix = tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class KernelSpaces:
    """For each stabiliser (element indices, largest first) and each pair (out, in) of positions in
    ``irreps``, an orthonormal basis of the intertwiners (d_out x d_in matrices, floats from exact ones),
    and the dimensions found and predicted by the characters."""

    irreps: tuple[Representation, ...]
    stabilisers: tuple[tuple[int, ...], ...]
    bases: tuple[dict[tuple[int, int], tuple[Matrix, ...]], ...]
    dimensions: tuple[dict[tuple[int, int], tuple[int, int]], ...]
    harmonics: tuple[dict[tuple[int, int], tuple[tuple[Matrix, ...], ...]], ...] = ()
    """Per harmonic degree (circular 0..N for a planar group with N rotations, spherical 0..SPHERICAL_DEGREES in
    space): bases of the tensors X[c] (one d_out x d_in matrix per harmonic component c) with
    K(u) = sum_c phi_c(u) X[c] equivariant."""
    harmonic_dimensions: tuple[dict[tuple[int, int], tuple[int, int]], ...] = ()


def lattice_stabilisers(group: FiniteGroup) -> tuple[tuple[int, ...], ...]:
    """The stabilisers of integer offsets under a grid-exact group, one of each conjugacy class (the first in
    sorted order), largest first. Every orbit of offsets holds an offset with each conjugate of its stabiliser,
    so one per class is enough."""
    if not group.is_grid_exact:
        raise GroupTheoryError(
            f"group {group.name} does not map the grid onto itself, so pixel offsets have no exact orbits"
        )
    d = group.dimension
    matrices = np.rint(group.float_matrices()).astype(np.int64)
    points = np.array(list(itertools.product(range(-d, d + 1), repeat=d)), dtype=np.int64)
    fixed = np.all(np.einsum("gij,pj->gpi", matrices, points) == points[None], axis=-1)
    found = sorted({tuple(int(g) for g in np.flatnonzero(fixed[:, p])) for p in range(len(points))}, key=_size_first)
    table, inverses = group.cayley_table, group.inverses
    chosen: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()
    for stabiliser in found:
        if stabiliser not in seen:
            chosen.append(stabiliser)
            seen |= {
                tuple(sorted(int(table[table[g, s], inverses[g]]) for s in stabiliser)) for g in range(group.order)
            }
    return tuple(chosen)


def _size_first(elements: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
    return -len(elements), elements


SPHERICAL_DEGREES = 3
"""The highest spherical harmonic degree whose kernel tensors are solved for 3D groups: enough for the rings of
continuous filters up to kernel size 7 (degree r + 1 on the ring of radius r); wider kernels keep degree 3."""


def kernel_spaces(group: FiniteGroup) -> KernelSpaces:
    """Exact kernel bases between every pair of real irreps: per lattice stabiliser where the group maps the
    grid onto itself (none otherwise), and per harmonic degree: circular on the plane (0..N for N rotations),
    spherical in space (0..SPHERICAL_DEGREES)."""
    if not group.has_action or not group.is_orthogonal:
        raise GroupTheoryError(f"group {group.name}: kernel spaces need an orthogonal action on space")
    irreps = group.irreps(real=True)
    pairs = list(itertools.product(enumerate(irreps), repeat=2))
    stabilisers = lattice_stabilisers(group) if group.is_grid_exact else ()
    bases, dimensions = [], []
    for stabiliser in stabilisers:
        found, counts = _solved(
            group,
            pairs,
            lambda out, inp, s=stabiliser: intertwiners(group, s, out, inp),
            lambda out, inp, s=stabiliser: _predicted(s, out, inp),
        )
        bases.append(found)
        dimensions.append(counts)
    harmonics: list[dict[tuple[int, int], tuple[tuple[Matrix, ...], ...]]] = []
    harmonic_dimensions = []
    elements = tuple(range(group.order))
    if group.dimension == 2:
        coordinates = _complex_coordinates(group)
        moves = [harmonic_matrices(group, n, coordinates) for n in range(rotation_order(group) + 1)]
    else:
        moves = [spherical_harmonic_matrices(group, degree) for degree in range(SPHERICAL_DEGREES + 1)]
    for on_harmonics in moves:
        tensors, counts = _solved(
            group,
            pairs,
            lambda out, inp, a=on_harmonics: _invariants(group, elements, out, inp, a),
            lambda out, inp, a=on_harmonics: _predicted(elements, out, inp, a),
        )
        harmonics.append(tensors)
        harmonic_dimensions.append(counts)
    return KernelSpaces(
        irreps, stabilisers, tuple(bases), tuple(dimensions), tuple(harmonics), tuple(harmonic_dimensions)
    )


def _solved(group: FiniteGroup, pairs: list, solve, predict) -> tuple[dict, dict[tuple[int, int], tuple[int, int]]]:  # type: ignore[no-untyped-def]
    """Each pair's basis and its size beside the characters' prediction (a GroupTheoryError where they differ).
    The projector is idempotent, so its rank is its trace, which is the prediction: where that is 0 the space
    is 0 and the projector is not built."""
    bases, counts = {}, {}
    for (j, out), (i, inp) in pairs:
        predicted = predict(out, inp)
        basis = solve(out, inp) if predicted else ()
        if len(basis) != predicted:
            raise GroupTheoryError(
                f"{group.name}: {len(basis)} kernels from irrep {i} to irrep {j}, but the characters predict "
                f"{predicted} (please report)"
            )
        bases[(j, i)], counts[(j, i)] = basis, (len(basis), predicted)
    return bases, counts


def intertwiners(
    group: FiniteGroup, elements: tuple[int, ...], out: Representation, inp: Representation
) -> tuple[Matrix, ...]:
    """An orthonormal basis of {X : out(s) X = X inp(s) for s in elements} in the orthogonal form of both
    (real) representations, from the exact reduced row echelon basis of the averaging projector's range."""
    return tuple(basis[0] for basis in _invariants(group, elements, out, inp))


def rotation_order(group: FiniteGroup) -> int:
    """The number of rotations (determinant 1) of a planar group: its rotations are a cyclic group C_N."""
    field = group._require_action().field
    return sum(field.add(field.mul(m[0], m[3]), field.neg(field.mul(m[1], m[2]))) == ONE for m in group._matrices)


def harmonic_matrices(group: FiniteGroup, degree: int, coordinates: list | None = None) -> tuple[int, Exact]:
    """(conductor, A): A[g] is the exact matrix of a planar group's element g on the circular harmonics of one
    degree n, phi(g u) = A[g] phi(u) for phi = (cos n theta, sin n theta), or phi = (1,) for n = 0.

    With z = x + i y a rotation is z -> a z and a reflection z -> a conj(z), a = m00 + i m10; so e^(i n theta)
    goes to a^n e^(+-i n theta), and A[g] is multiplication by a^n written over the reals. As a^N = 1 for the
    group's N rotations and reflections alike, degree n acts as degree ((n - 1) mod N) + 1. ``coordinates``
    is `_complex_coordinates(group)`, to compute it once for several degrees.
    """
    action = group._require_action()
    conductor = math.lcm(action.field.conductor, 4)
    field = exact_field(conductor)
    if degree == 0:
        return conductor, Exact(np.tile(field.reduction[0], (group.order, 1, 1, 1)))
    scalar = field.scalar_field
    i = scalar.root_power(conductor // 4)
    half = Fraction(1, 2)
    numbers = np.empty((group.order, 2, 2), dtype=object)
    for g, (a, rotation) in enumerate(coordinates or _complex_coordinates(group)):
        power = ONE
        for _ in range(degree):
            power = scalar.mul(power, a)
        conjugate = scalar.conjugate(power, -1)
        alpha = scalar.scale(scalar.add(power, conjugate), half)
        beta = scalar.mul(scalar.scale(scalar.add(power, scalar.neg(conjugate)), half), scalar.neg(i))
        numbers[g, 0, 0], numbers[g, 1, 0] = alpha, beta
        numbers[g, 0, 1], numbers[g, 1, 1] = (scalar.neg(beta), alpha) if rotation else (beta, scalar.neg(alpha))
    return conductor, field.from_numbers(numbers)


def _complex_coordinates(group: FiniteGroup) -> list[tuple[Number, bool]]:
    """For each element of a planar group, a = m00 + i m10 in Q(zeta_lcm(m, 4)), and whether it is a rotation."""
    action = group._require_action()
    scalar = exact_field(math.lcm(action.field.conductor, 4)).scalar_field
    i = scalar.root_power(scalar.conductor // 4)
    coordinates = []
    for matrix in group._matrices:
        m00, m01, m10, m11 = (to_field(action.field.to_sympy(entry), scalar) for entry in matrix)
        coordinates.append((scalar.add(m00, scalar.mul(i, m10)), m00 == m11 and m01 == scalar.neg(m10)))
    return coordinates


def _invariants(
    group: FiniteGroup,
    elements: tuple[int, ...],
    out: Representation,
    inp: Representation,
    harmonics: tuple[int, Exact] | None = None,
) -> tuple[tuple[Matrix, ...], ...]:
    """An orthonormal basis of the tensors X[c] (c over the harmonics' components; one without them) with
    sum_c A(s)[c, c'] X[c] = out(s) X[c'] inp(s)^T for s in elements (so that K(u) = sum_c phi_c(u) X[c] has
    K(s u) = out(s) K(u) inp(s)^T where phi(s u) = A(s) phi(u)), each a tuple of d_out x d_in matrices:
    the exact reduced row echelon basis of the averaging projector's range, scaled to the orthogonal form of
    both (real) representations and orthonormalised in Python floats."""
    if not (out.is_real and inp.is_real):
        raise GroupTheoryError("kernel bases are built between real representations (irreps(real=True))")
    conductor = math.lcm(out.conductor, inp.conductor, harmonics[0] if harmonics else 1)
    field = exact_field(conductor)
    inverses = [int(group.inverses[s]) for s in elements]
    a = out.lifted(conductor).dense()[list(elements)]
    b = inp.lifted(conductor).dense()[inverses]
    if harmonics is None:
        h = Exact(np.tile(field.reduction[0], (len(elements), 1, 1, 1)))
    else:
        # X = A(s^-1)^T (x) out(s) (x) inp(s) X: the equation above for s^-1 (A(s^-1)^T = A(s) where A is orthogonal).
        moved = embed(harmonics[1], harmonics[0], conductor)[inverses]
        h = Exact(np.swapaxes(moved.numerators, 1, 2), moved.denominator)
    # P[(c, p, q), (c', r, t)] = sum_s h_s[c, c'] a_s[p, r] b_s[t, q]: column (c', r, t) is the image of a unit tensor.
    # The columns that span its range are chosen in floats; only those are computed exactly.
    shape = (h.shape[1], a.shape[1], b.shape[1])
    size = math.prod(shape)
    floats = np.einsum("sxy,spr,stq->xpqyrt", *(field.to_complex(m) for m in (h, a, b))).reshape(size, size)
    chosen = np.array([np.unravel_index(k, shape) for k in _spanning_columns(floats)], dtype=np.int64).reshape(-1, 3)
    cs, rs, ts = chosen.T
    hc = Exact(np.moveaxis(h.numerators[:, :, cs], 2, 1)[:, :, :, None, None, :], h.denominator)
    ac = Exact(np.moveaxis(a.numerators[:, :, rs], 2, 1)[:, :, None, :, None, :], a.denominator)
    bc = Exact(b.numerators[:, ts, :][:, :, None, None, :, :], b.denominator)
    product = field.multiply(field.multiply(hc, ac), bc)
    total = Exact(product.numerators.sum(axis=0), product.denominator)  # (chosen, c, p, q)
    columns = [[field.to_number(total[(k, *row)]) for row in np.ndindex(*shape)] for k in range(len(chosen))]
    echelon = _row_echelon(field.scalar_field, columns)
    scale = [
        math.sqrt(fo / fi)
        for _, fo, fi in itertools.product(range(shape[0]), _form(out, conductor), _form(inp, conductor))
    ]
    vectors = [
        [float(field.scalar_field.to_complex(x).real) * s for x, s in zip(row, scale, strict=True)] for row in echelon
    ]
    components, d_out, d_in = shape
    return tuple(
        tuple(
            tuple(tuple(v[(c * d_out + p) * d_in : (c * d_out + p + 1) * d_in]) for p in range(d_out))
            for c in range(components)
        )
        for v in _gram_schmidt(vectors)
    )


def _spanning_columns(projector: np.ndarray) -> list[int]:
    """Columns of the projector that span its range, chosen greedily in floats: the exact row echelon form then
    reduces only these (rank r of n), not all n columns, which is what makes the larger 3D spaces quick. A wrong
    choice could only lose rank, and `_solved` compares the rank found with the characters' prediction."""
    scale = max(float(np.abs(projector).max()), 1.0)
    chosen: list[int] = []
    basis = np.zeros((projector.shape[0], 0), dtype=complex)
    for k in range(projector.shape[1]):
        residual = projector[:, k] - basis @ (basis.conj().T @ projector[:, k])
        norm = float(np.linalg.norm(residual))
        if norm > 1e-8 * scale:
            chosen.append(k)
            basis = np.column_stack([basis, residual / norm])
    return chosen


def _form(rep: Representation, conductor: int) -> list[float]:
    """The invariant diagonal form's entries as floats (ones where the matrices are already orthogonal)."""
    field = exact_field(conductor)
    form = rep.lifted(conductor)._form_or_ones(field)
    return [float(field.to_complex(form[k]).real) for k in range(rep.degree)]


def _row_echelon(field: CyclotomicField, rows: list[list[Number]]) -> list[list[Number]]:
    """The nonzero rows of the reduced row echelon form, exactly: a canonical basis of the row space."""
    rows = [list(row) for row in rows]
    pivot_row = 0
    width = len(rows[0]) if rows else 0
    for column in range(width):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != ZERO), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        inverse = field.inverse(rows[pivot_row][column])
        rows[pivot_row] = [field.mul(x, inverse) for x in rows[pivot_row]]
        for r in range(len(rows)):
            factor = rows[r][column]
            if r != pivot_row and factor != ZERO:
                rows[r] = [
                    field.add(x, field.neg(field.mul(factor, y))) for x, y in zip(rows[r], rows[pivot_row], strict=True)
                ]
        pivot_row += 1
    return rows[:pivot_row]


def _gram_schmidt(vectors: list[list[float]]) -> list[list[float]]:
    """Orthonormalised in order, in Python floats (correctly rounded, so identical on every machine)."""
    basis: list[list[float]] = []
    for vector in vectors:
        v = list(vector)
        for _ in range(2):  # twice is enough (Kahan): the result is orthogonal to rounding
            for e in basis:
                dot = math.fsum(x * y for x, y in zip(v, e, strict=True))
                v = [x - dot * y for x, y in zip(v, e, strict=True)]
        norm = math.sqrt(math.fsum(x * x for x in v))
        basis.append([x / norm for x in v])
    return basis


def _predicted(
    elements: tuple[int, ...], out: Representation, inp: Representation, harmonics: tuple[int, Exact] | None = None
) -> int:
    """(1/|S|) sum_s chi_A(s) chi_out(s) chi_in(s) for real characters (chi_A = 1 without harmonics), exactly."""
    conductor = math.lcm(out.conductor, inp.conductor, harmonics[0] if harmonics else 1)
    field = exact_field(conductor)
    product = field.multiply(
        _traces(out.lifted(conductor).dense(), elements), _traces(inp.lifted(conductor).dense(), elements)
    )
    if harmonics is not None:
        product = field.multiply(product, _traces(embed(harmonics[1], harmonics[0], conductor), elements))
    total = field.to_number(field.normalised(Exact(product.numerators.sum(axis=0), product.denominator)))
    value = dict(total).get(0, Fraction(0)) / len(elements)
    if len(total) > 1 or value.denominator != 1:
        raise GroupTheoryError(f"the character inner product {total} is not an integer (please report)")
    return int(value)


def _traces(matrices: Exact, elements: tuple[int, ...]) -> Exact:
    diagonal = np.arange(matrices.shape[1])
    return Exact(matrices.numerators[list(elements)][:, diagonal, diagonal].sum(axis=1), matrices.denominator)
