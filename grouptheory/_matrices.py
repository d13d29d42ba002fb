"""Exact matrices over a cyclotomic field, and the linear action of a group."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy

from ._cyclotomic import ONE, ZERO, CyclotomicField, Number, field_of_conductor
from ._entries import conductor_of, parse_entry, to_field
from ._errors import GroupTheoryError, located
from .limits import MAX_ARITHMETIC, MAX_DIMENSION, MAX_FIELD_DEGREE

ExactMatrix = tuple[Number, ...]
"""A square matrix, row-major, each entry in the power basis of one cyclotomic field."""


def identity_matrix(dimension: int) -> ExactMatrix:
    return tuple(ONE if i == j else ZERO for i in range(dimension) for j in range(dimension))


def matmul(field: CyclotomicField, dimension: int, a: ExactMatrix, b: ExactMatrix) -> ExactMatrix:
    out = []
    for i in range(dimension):
        row = a[i * dimension : (i + 1) * dimension]
        for j in range(dimension):
            total: Number = ZERO
            for k, left in enumerate(row):
                right = b[k * dimension + j]
                if left and right:
                    total = field.add(total, field.mul(left, right))
            out.append(total)
    return tuple(out)


@dataclass(frozen=True)
class ExactMatrices:
    """Named generator matrices parsed into one common cyclotomic field."""

    field: CyclotomicField
    dimension: int
    matrices: tuple[ExactMatrix, ...]


def parse_matrices(named: dict[str, object], key: str, source: str | None) -> ExactMatrices:
    """Parse generator matrices (nested lists of exact entries) into one field, validating shape."""
    rows_by_name: dict[str, list[list[sympy.Expr]]] = {}
    dimension = 0
    for name, matrix in named.items():
        where = f"{key}.{name}"
        if hasattr(matrix, "tolist") and not isinstance(matrix, str):
            matrix = matrix.tolist()
        if not isinstance(matrix, (list, tuple)) or not matrix or not all(isinstance(r, (list, tuple)) for r in matrix):
            raise located(source, where, f"{matrix!r} is not a matrix: write a list of rows, e.g. [[0, -1], [1, 0]]")
        size = len(matrix)
        if size > MAX_DIMENSION:
            raise located(source, where, f"is {size}x{size}; the limit is {MAX_DIMENSION}x{MAX_DIMENSION}")
        if any(len(row) != size for row in matrix):
            shape = f"{size}x{'/'.join(str(len(r)) for r in matrix)}"
            raise located(
                source, where, f"matrix is not square ({shape}): each of the {size} rows needs {size} entries"
            )
        if not dimension:
            dimension, first = size, name
        elif size != dimension:
            raise located(
                source,
                where,
                f"is {size}x{size} but {key}.{first} is {dimension}x{dimension}: all generators need one size",
            )
        parsed = []
        for i, row in enumerate(matrix):
            parsed_row = []
            for j, entry in enumerate(row):
                try:
                    parsed_row.append(parse_entry(entry))
                except GroupTheoryError as error:
                    raise located(source, f"{where}[{i}][{j}]", str(error)) from None
            parsed.append(parsed_row)
        rows_by_name[name] = parsed
    conductor = 1
    for name, rows in rows_by_name.items():
        for i, row in enumerate(rows):
            for j, entry in enumerate(row):
                try:
                    conductor = math.lcm(conductor, conductor_of(entry))
                    check_field_degree(conductor)
                except GroupTheoryError as error:
                    raise located(source, f"{key}.{name}[{i}][{j}]", str(error)) from None
    field = field_of_conductor(conductor)
    matrices = []
    for name, rows in rows_by_name.items():
        exact = tuple(to_field(entry, field) for row in rows for entry in row)
        if _is_singular(field, dimension, exact):
            raise located(
                source, f"{key}.{name}", "matrix is singular (determinant 0), so it has no inverse and infinite order"
            )
        matrices.append(exact)
    return ExactMatrices(field, dimension, tuple(matrices))


def check_field_degree(conductor: int) -> None:
    """Refuse Q(zeta_conductor) when its degree is above MAX_FIELD_DEGREE, before building it.

    phi(M) >= sqrt(M / 2), so a conductor above 2 * MAX_FIELD_DEGREE^2 is refused without factoring it.
    """
    if conductor > 2 * MAX_FIELD_DEGREE**2 or sympy.totient(conductor) > MAX_FIELD_DEGREE:
        raise GroupTheoryError(
            f"exact entries need the cyclotomic field Q(zeta_{conductor}), of degree above the limit of "
            f"{MAX_FIELD_DEGREE} (a rotation by 2*pi/n needs degree about n); use a group with smaller rotations, "
            "or declare it by permutations or a presentation"
        )


def _is_singular(field: CyclotomicField, dimension: int, matrix: ExactMatrix) -> bool:
    """Whether the determinant is 0. Numerically: a finite-order matrix has |det| = 1, and the exact
    finite-order check that follows rejects any matrix this lets through by rounding."""
    numeric = np.array([field.to_complex(entry) for entry in matrix]).reshape(dimension, dimension)
    return bool(abs(np.linalg.det(numeric)) < 1e-9)


class ArithmeticBudget:
    """Exact coefficient products a declaration may spend (limits.MAX_ARITHMETIC), charged before each
    matrix product with what it will cost, so that one product of dense entries in a large field cannot
    run for minutes before the count is looked at."""

    def __init__(self, field: CyclotomicField, where: str, limit: int = MAX_ARITHMETIC) -> None:
        self.field, self.where, self.limit, self.start = field, where, limit, field.products

    def matmul(self, dimension: int, a: ExactMatrix, b: ExactMatrix) -> ExactMatrix:
        cost = product_cost(self.field, dimension, a, b)
        if self.field.products - self.start + cost > self.limit:
            raise GroupTheoryError(
                f"{self.where}: this matrix arithmetic takes more than {self.limit:,} exact coefficient products (the "
                f"limit) in Q(zeta_{self.field.conductor}), of degree {self.field.degree}; declare a group this "
                "large by permutations or a presentation"
            )
        return matmul(self.field, dimension, a, b)


def product_cost(field: CyclotomicField, dimension: int, a: ExactMatrix, b: ExactMatrix) -> int:
    """The coefficient products matmul(a, b) spends, as `CyclotomicField.mul` counts them."""
    lengths = [len(x) for x in b]
    total = 0
    for i in range(dimension):
        for k in range(dimension):
            left = len(a[i * dimension + k])
            if left:
                total += left * sum(lengths[k * dimension : (k + 1) * dimension])
    return total * field.products_per_term


def check_finite_order(field: CyclotomicField, dimension: int, matrix: ExactMatrix, max_order: int, where: str) -> int:
    """The order of matrix; raise unless it is finite and <= max_order.

    The eigenvalue angles propose an order m (the lcm of their denominators); m is then checked
    exactly by repeated squaring, so a numerical slip can only cause an error, never a wrong group.
    """
    numeric = np.array([field.to_complex(entry) for entry in matrix]).reshape(dimension, dimension)
    eigenvalues = np.linalg.eigvals(numeric)
    distance = np.abs(np.abs(eigenvalues) - 1)
    if distance.max() > 1e-9:
        worst = abs(eigenvalues[distance.argmax()])
        raise GroupTheoryError(
            f"{where}: has an eigenvalue of modulus {worst:.6g}, so it has infinite order; "
            "a finite group needs matrices whose powers return to the identity"
        )
    order = 1
    for value in eigenvalues:
        turns = (np.angle(value) / (2 * np.pi)) % 1.0
        fraction = Fraction(float(turns)).limit_denominator(max_order)
        order = math.lcm(order, fraction.denominator)
        if order > max_order:
            break
    budget = ArithmeticBudget(field, where)
    if order > max_order or matrix_power(field, dimension, matrix, order, budget) != identity_matrix(dimension):
        raise GroupTheoryError(
            f"{where}: has infinite order or an order above max_order={max_order} "
            "(its powers never return to the identity within the cap); check the matrix, or raise max_order"
        )
    return order


def matrix_power(
    field: CyclotomicField, dimension: int, matrix: ExactMatrix, exponent: int, budget: ArithmeticBudget
) -> ExactMatrix:
    result, base = identity_matrix(dimension), matrix
    while exponent:
        if exponent & 1:
            result = budget.matmul(dimension, result, base)
        exponent >>= 1
        if exponent:
            base = budget.matmul(dimension, base, base)
    return result


def is_signed_permutation(matrix: ExactMatrix, dimension: int) -> bool:
    """True when every row and column has one entry, +1 or -1 (the lattice maps to itself)."""
    units = (((0, Fraction(1)),), ((0, Fraction(-1)),))
    rows = [[entry for entry in matrix[i * dimension : (i + 1) * dimension] if entry] for i in range(dimension)]
    columns = [
        [matrix[i * dimension + j] for i in range(dimension) if matrix[i * dimension + j]] for j in range(dimension)
    ]
    return all(len(r) == 1 and r[0] in units for r in rows) and all(len(c) == 1 for c in columns)
