"""Exact bases of equivariant kernels between real irreducible representations on the pixel grid.

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

from ._cyclotomic import ZERO, CyclotomicField, Number
from ._errors import GroupTheoryError
from ._exact_arrays import Exact, exact_field
from ._representation import Representation

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


def kernel_spaces(group: FiniteGroup) -> KernelSpaces:
    """Exact intertwiner bases for every lattice stabiliser and every pair of real irreps of a grid-exact group."""
    stabilisers = lattice_stabilisers(group)
    irreps = group.irreps(real=True)
    bases, dimensions = [], []
    for stabiliser in stabilisers:
        per_pair, counts = {}, {}
        for (j, out), (i, inp) in itertools.product(enumerate(irreps), repeat=2):
            basis = intertwiners(group, stabiliser, out, inp)
            predicted = _predicted_dimension(stabiliser, out, inp)
            if len(basis) != predicted:
                raise GroupTheoryError(
                    f"{group.name}: {len(basis)} intertwiners from irrep {i} to irrep {j} on a stabiliser of order "
                    f"{len(stabiliser)}, but the characters predict {predicted} (please report)"
                )
            per_pair[(j, i)], counts[(j, i)] = basis, (len(basis), predicted)
        bases.append(per_pair)
        dimensions.append(counts)
    return KernelSpaces(irreps, stabilisers, tuple(bases), tuple(dimensions))


def intertwiners(
    group: FiniteGroup, elements: tuple[int, ...], out: Representation, inp: Representation
) -> tuple[Matrix, ...]:
    """An orthonormal basis of {X : out(s) X = X inp(s) for s in elements} in the orthogonal form of both
    (real) representations, from the exact reduced row echelon basis of the averaging projector's range."""
    if not (out.is_real and inp.is_real):
        raise GroupTheoryError("kernel bases are built between real representations (irreps(real=True))")
    conductor = math.lcm(out.conductor, inp.conductor)
    field = exact_field(conductor)
    a = out.lifted(conductor).dense()[list(elements)]
    b = inp.lifted(conductor).dense()[[int(group.inverses[s]) for s in elements]]
    # P[p, q, r, t] = sum_s a_s[p, r] b_s[t, q]: the image of the unit matrix E_rt is column (r, t).
    left = Exact(a.numerators[:, :, None, :, None, :], a.denominator)
    right = Exact(np.swapaxes(b.numerators, 1, 2)[:, None, :, None, :, :], b.denominator)
    product = field.multiply(left, right)
    total = Exact(product.numerators.sum(axis=0), product.denominator)
    columns = [
        [field.to_number(total[p, q, r, t]) for p, q in np.ndindex(out.degree, inp.degree)]
        for r, t in np.ndindex(out.degree, inp.degree)
    ]
    echelon = _row_echelon(field.scalar_field, columns)
    scale = [math.sqrt(fo / fi) for fo, fi in itertools.product(_form(out, conductor), _form(inp, conductor))]
    vectors = [
        [float(field.scalar_field.to_complex(x).real) * s for x, s in zip(row, scale, strict=True)] for row in echelon
    ]
    d_in = inp.degree
    return tuple(tuple(tuple(v[p * d_in : (p + 1) * d_in]) for p in range(out.degree)) for v in _gram_schmidt(vectors))


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


def _predicted_dimension(elements: tuple[int, ...], out: Representation, inp: Representation) -> int:
    """dim Hom_S(inp, out) = (1/|S|) sum_s chi_out(s) chi_in(s) for real characters, exactly."""
    conductor = math.lcm(out.conductor, inp.conductor)
    field = exact_field(conductor).scalar_field
    total: Number = ZERO
    for chi_out, chi_in in zip(
        _characters(out, elements, conductor), _characters(inp, elements, conductor), strict=True
    ):
        total = field.add(total, field.mul(chi_out, chi_in))
    value = dict(total).get(0, Fraction(0)) / len(elements)
    if len(total) > 1 or value.denominator != 1:
        raise GroupTheoryError(f"the character inner product {total} is not an integer (please report)")
    return int(value)


def _characters(rep: Representation, elements: tuple[int, ...], conductor: int) -> list[Number]:
    field = exact_field(conductor)
    dense = rep.lifted(conductor).dense()
    diagonal = np.arange(rep.degree)
    traces = Exact(dense.numerators[list(elements)][:, diagonal, diagonal].sum(axis=1), dense.denominator)
    return [field.to_number(field.normalised(traces)[k]) for k in range(len(elements))]
