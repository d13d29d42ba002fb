"""Spherical harmonics of a 3D group, exactly: the harmonic polynomials of each degree and the matrices by
which the group's elements move them.

A homogeneous polynomial h of degree l in (x, y, z) with zero Laplacian restricts to the sphere as a
spherical harmonic of degree l; they form a space of dimension 2l + 1 that every orthogonal map keeps
(h o g is harmonic again). The basis here is the reduced row echelon form of the Laplacian's kernel over
the monomials, with rational coefficients, so that the coordinates of any harmonic polynomial are its
coefficients on the pivot monomials: substituting g u into each basis polynomial, exactly in the field of
the group's matrices, gives the matrix A(g) with h(g u) = A(g) h(u), with no linear system to solve. Only
the generators are substituted; A is a homomorphism, so the other elements' matrices are products.

>>> from grouptheory import load
>>> monomials, polynomials = harmonic_polynomials(2)
>>> len(polynomials), monomials[:3]  # 2l + 1 harmonics, over the monomials x^2, xy, xz, ...
(5, ((2, 0, 0), (1, 1, 0), (1, 0, 1)))
>>> conductor, a = spherical_harmonic_matrices(load("o"), 1)
>>> a.shape  # the 24 rotations on (x, y, z)
(24, 3, 3)
"""

from __future__ import annotations

import functools
import itertools
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
import sympy

from ._cyclotomic import ONE, ZERO, CyclotomicField, Number
from ._errors import GroupTheoryError
from ._exact_arrays import Exact, exact_field

if TYPE_CHECKING:
    from ._group import FiniteGroup

Exponents = tuple[int, int, int]
Polynomial = dict[Exponents, Number]


def monomials(degree: int) -> tuple[Exponents, ...]:
    """The exponents (a, b, c) of x^a y^b z^c with a + b + c = degree, x's power first, highest first."""
    return tuple((a, b, c) for a, b, c in itertools.product(range(degree, -1, -1), repeat=3) if a + b + c == degree)


@functools.cache
def harmonic_polynomials(degree: int) -> tuple[tuple[Exponents, ...], tuple[tuple[Fraction, ...], ...]]:
    """(monomials, polynomials): the 2 degree + 1 harmonic polynomials of the degree, each as its rational
    coefficients on the monomials, in reduced row echelon form."""
    columns = monomials(degree)
    if degree < 2:  # every polynomial of degree 0 or 1 is harmonic
        return columns, tuple(tuple(Fraction(int(i == j)) for j in range(len(columns))) for i in range(len(columns)))
    rows = {e: k for k, e in enumerate(monomials(degree - 2))}
    laplacian = sympy.zeros(len(rows), len(columns))
    for j, e in enumerate(columns):
        for axis in range(3):
            if e[axis] >= 2:
                lowered = (e[0] - 2 * (axis == 0), e[1] - 2 * (axis == 1), e[2] - 2 * (axis == 2))
                laplacian[rows[lowered], j] += e[axis] * (e[axis] - 1)
    kernel = sympy.Matrix.hstack(*laplacian.nullspace()).T.rref()[0]
    polynomials = tuple(tuple(Fraction(int(x.p), int(x.q)) for x in kernel.row(i)) for i in range(kernel.rows))
    if len(polynomials) != 2 * degree + 1:  # pragma: no cover - the harmonics of degree l have dimension 2l + 1
        raise GroupTheoryError(f"{len(polynomials)} harmonic polynomials of degree {degree} (please report)")
    return columns, polynomials


def spherical_harmonic_matrices(group: FiniteGroup, degree: int) -> tuple[int, Exact]:
    """(conductor, A): A[g] is the exact matrix of a 3D group's element g on the harmonic polynomials h of one
    degree (`harmonic_polynomials`), h(g u) = A[g] h(u), in Q(zeta_conductor), the field of the group's matrices.

    The generators' matrices come from substitution; every other element's from its parent's, as the group
    builds its own matrices (M = M_parent M_generator, so A = A_parent A_generator): one small exact product each.
    """
    action = group._require_action()
    if action.dimension != 3:
        raise GroupTheoryError(f"group {group.name}: spherical harmonics need an action on 3D space")
    field = exact_field(action.field.conductor)
    generators = field.from_numbers(np.stack([_substituted(action.field, m, degree) for m in action.matrices]))
    size = 2 * degree + 1
    matrices = [Exact(np.einsum("ij,k->ijk", np.eye(size, dtype=np.int64), field.reduction[0]))]
    for parent, via in zip(group.parents[1:], group.parent_generators[1:], strict=True):
        matrices.append(field.matmul(matrices[parent], generators[via]))
    denominator = int(np.lcm.reduce([m.denominator for m in matrices]))
    numerators = np.stack([m.numerators.astype(object) * (denominator // m.denominator) for m in matrices])
    return field.conductor, field.normalised(Exact(numerators, denominator))


def _substituted(field: CyclotomicField, matrix: tuple[Number, ...], degree: int) -> np.ndarray:
    """The matrix (object array of numbers) of h -> h o M on the harmonic polynomials of the degree."""
    columns, polynomials = harmonic_polynomials(degree)
    pivots = [next(j for j, c in enumerate(p) if c) for p in polynomials]
    powers = []  # powers[i][k]: (row_i . u)^k, the k-th power of M u's i-th coordinate, expanded
    for row in (matrix[3 * i : 3 * i + 3] for i in range(3)):
        powers.append([{(0, 0, 0): ONE}])
        for _ in range(degree):
            powers[-1].append(_times_linear(field, powers[-1][-1], row))
    out = np.empty((len(polynomials), len(polynomials)), dtype=object)
    for k, polynomial in enumerate(polynomials):
        moved: Polynomial = {}
        for e, coefficient in zip(columns, polynomial, strict=True):
            if coefficient:
                term = {(0, 0, 0): field.rational(coefficient)}
                for axis in range(3):
                    term = _product(field, term, powers[axis][e[axis]])
                for m, c in term.items():
                    moved[m] = field.add(moved.get(m, ZERO), c)
        for j, pivot in enumerate(pivots):
            out[k, j] = moved.get(columns[pivot], ZERO)
    return out


def _times_linear(field: CyclotomicField, polynomial: Polynomial, row: tuple[Number, ...]) -> Polynomial:
    """polynomial(u) * (row . u)."""
    out: Polynomial = {}
    for e, c in polynomial.items():
        for axis, r in enumerate(row):
            if r != ZERO:
                raised = (e[0] + (axis == 0), e[1] + (axis == 1), e[2] + (axis == 2))
                out[raised] = field.add(out.get(raised, ZERO), field.mul(c, r))
    return out


def _product(field: CyclotomicField, a: Polynomial, b: Polynomial) -> Polynomial:
    out: Polynomial = {}
    for e1, c1 in a.items():
        for e2, c2 in b.items():
            e = (e1[0] + e2[0], e1[1] + e2[1], e1[2] + e2[2])
            out[e] = field.add(out.get(e, ZERO), field.mul(c1, c2))
    return out
