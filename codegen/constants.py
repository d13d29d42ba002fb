"""Plain Python numbers for the constants a generated module bakes in (ints where they are exact)."""

from __future__ import annotations

import numpy as np

Matrix = tuple[tuple[float | int, ...], ...]


def matrix_literals(values: np.ndarray) -> tuple[Matrix, ...]:
    return tuple(matrix_literal(m) for m in values)


def matrix_literal(values: np.ndarray) -> Matrix:
    return tuple(tuple(_number(float(np.real(x))) for x in row) for row in values)


def _number(value: float) -> float | int:
    """Ints where exact, and -0.0 written as 0 (zeros of rounding carry no sign worth keeping)."""
    rounded = round(value)
    return int(rounded) if abs(value - rounded) < 1e-15 else value
