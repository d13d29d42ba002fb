"""Exact arrays over a cyclotomic field Q(zeta_m), vectorised with numpy.

An array of field elements is an integer array whose last axis holds power-basis coefficients
(1, z, ..., z^(phi(m)-1), reduced modulo the cyclotomic polynomial, so equal numbers have equal
coefficients), and one positive integer denominator shared by every entry. Coefficients are int64
while products provably fit, Python integers (object arrays) beyond that.

>>> field = ExactField(4)                     # Q(i)
>>> i = field.root(1)
>>> field.multiply(i, i).numerators.tolist()  # -1
[-1, 0]
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy

from ._cyclotomic import CyclotomicField, Number, field_of_conductor

_INT64_SAFE = 2**62
_FLOAT_EXACT = 2**52


@dataclass(frozen=True, eq=False)
class Exact:
    """Field elements of shape numerators.shape[:-1]: numerators[..., k] / denominator times z^k."""

    numerators: np.ndarray
    denominator: int = 1

    @property
    def shape(self) -> tuple[int, ...]:
        return self.numerators.shape[:-1]

    def __getitem__(self, index) -> Exact:
        """Entries along the leading axes (the coefficient axis always stays whole)."""
        return Exact(self.numerators[index], self.denominator)


class ExactField:
    """Arithmetic on `Exact` arrays in Q(zeta_m); one instance per conductor (see `exact_field`)."""

    def __init__(self, conductor: int) -> None:
        self.conductor = conductor
        self.scalar_field: CyclotomicField = field_of_conductor(conductor)
        self.degree = self.scalar_field.degree
        reduction = np.zeros((conductor, self.degree), dtype=np.int64)
        for k in range(conductor):
            for e, c in self.scalar_field.root_power(k):
                reduction[k, e] = int(c)
        self.reduction = reduction  # row k: z^k in the power basis
        self._product_rows = reduction[np.arange(2 * self.degree - 1) % conductor]
        self.conjugation = reduction[(-np.arange(self.degree)) % conductor]  # row k: z^-k
        self.powers = np.exp(2j * np.pi * np.arange(self.degree) / conductor)

    # construction -----------------------------------------------------------------------------
    def root(self, exponent: int | np.ndarray) -> Exact:
        """z^exponent for an int or an integer array of exponents."""
        return Exact(self.reduction[np.asarray(exponent) % self.conductor].copy())

    def zeros(self, shape: tuple[int, ...]) -> Exact:
        return Exact(np.zeros((*shape, self.degree), dtype=np.int64))

    def from_cyclic(self, coefficients: np.ndarray, denominator: int = 1) -> Exact:
        """Entries given by their coefficients of 1, z, ..., z^(m-1) (not reduced)."""
        return self.normalised(Exact(_matmul(coefficients, self.reduction), denominator))

    def from_number(self, number: Number) -> Exact:
        """A scalar of `CyclotomicField` (same conductor) as a 0-dimensional array."""
        denominator = math.lcm(*(c.denominator for _, c in number)) if number else 1
        out = np.zeros(self.degree, dtype=object)
        for e, c in number:
            out[e] = int(c * denominator)
        return self.normalised(Exact(out, denominator))

    def from_numbers(self, numbers: np.ndarray) -> Exact:
        """An object array of `CyclotomicField` numbers (same conductor) as one exact array of its shape."""
        entries = numbers.reshape(-1).tolist()
        denominator = math.lcm(1, *(c.denominator for x in entries for _, c in x))
        out = np.zeros((len(entries), self.degree), dtype=object)
        for k, x in enumerate(entries):
            for e, c in x:
                out[k, e] = int(c * denominator)
        return self.normalised(Exact(out.reshape(*numbers.shape, self.degree), denominator))

    def to_number(self, value: Exact) -> Number:
        return tuple((k, Fraction(int(c), value.denominator)) for k, c in enumerate(value.numerators.reshape(-1)) if c)

    # arithmetic -------------------------------------------------------------------------------
    def normalised(self, value: Exact) -> Exact:
        """Lowest terms (the gcd of every numerator and the denominator divided out), int64 if it fits."""
        numerators = _compact(value.numerators)
        if numerators.dtype == object:
            common = math.gcd(value.denominator, *(int(x) for x in numerators.reshape(-1)))
        else:
            common = math.gcd(value.denominator, int(np.gcd.reduce(numerators.reshape(-1))) if numerators.size else 0)
        if common > 1:
            numerators = (numerators if common < _INT64_SAFE else numerators.astype(object)) // common
        return Exact(_compact(numerators), value.denominator // max(common, 1))

    def add(self, a: Exact, b: Exact) -> Exact:
        denominator = math.lcm(a.denominator, b.denominator)
        total = _scaled(a.numerators, denominator // a.denominator) + _scaled(
            b.numerators, denominator // b.denominator
        )
        return self.normalised(Exact(total, denominator))

    def negate(self, a: Exact) -> Exact:
        return Exact(-a.numerators, a.denominator)

    def subtract(self, a: Exact, b: Exact) -> Exact:
        return self.add(a, self.negate(b))

    def scale(self, a: Exact, factor: Fraction | int) -> Exact:
        factor = Fraction(factor)
        return self.normalised(Exact(_scaled(a.numerators, factor.numerator), a.denominator * factor.denominator))

    def multiply(self, a: Exact, b: Exact) -> Exact:
        """Entrywise product (broadcasting over the leading axes)."""
        full = _convolve(a.numerators, b.numerators)
        return self.normalised(
            Exact(_matmul(full, self._product_rows[: full.shape[-1]]), a.denominator * b.denominator)
        )

    def matmul(self, a: Exact, b: Exact) -> Exact:
        """Matrix product over the last two entry axes, batched over any leading axes."""
        x, y = a.numerators, b.numerators
        inner, degree = x.shape[-2], self.degree
        bound = _magnitude(x) * _magnitude(y) * inner * degree
        shape = (*np.broadcast_shapes(x.shape[:-3], y.shape[:-3]), x.shape[-3], y.shape[-2])
        if bound < _FLOAT_EXACT:  # BLAS in float64, exact: every partial sum is an integer below 2^53
            xf = x.astype(np.float64)
            yf = y.astype(np.float64).reshape(*y.shape[:-2], -1)  # (..., k, j * degree)
            out = np.zeros((*shape, 2 * degree - 1))
            for s in range(degree):
                out[..., s : s + degree] += (xf[..., s] @ yf).reshape(*shape, degree)
            full = np.rint(out).astype(np.int64)
        else:
            dtype = np.int64 if bound < _INT64_SAFE else object
            x, y = x.astype(dtype), y.astype(dtype)
            full = np.zeros((*shape, 2 * degree - 1), dtype=dtype)
            for s in range(degree):
                if dtype is object:
                    full[..., s : s + degree] += _object_einsum(x[..., s], y)
                else:
                    full[..., s : s + degree] += np.einsum("...ik,...kjb->...ijb", x[..., s], y)
        return self.normalised(Exact(_matmul(full, self._product_rows), a.denominator * b.denominator))

    def times_root(self, a: Exact, exponents: np.ndarray) -> Exact:
        """a * z^exponents entrywise (exponents broadcast against a's shape): a change of coordinates."""
        shifts = self._shift_matrices[np.asarray(exponents) % self.conductor]  # (..., degree, degree)
        x = a.numerators
        if x.dtype == object or _magnitude(x) * self._shift_bound >= _INT64_SAFE:
            product = np.einsum("...f,...fg->...g", x.astype(object), shifts.astype(object))
        else:
            product = np.einsum("...f,...fg->...g", x, shifts)
        return Exact(_compact(product), a.denominator)

    @functools.cached_property
    def _shift_matrices(self) -> np.ndarray:
        """(m, degree, degree): row f of matrix k is z^(f + k) in the power basis."""
        k, f = np.arange(self.conductor)[:, None], np.arange(self.degree)[None, :]
        return self.reduction[(k + f) % self.conductor]

    @functools.cached_property
    def _shift_bound(self) -> int:
        return _magnitude(self.reduction) * self.degree

    def conjugate(self, a: Exact) -> Exact:
        """Complex conjugation, z -> z^-1."""
        return Exact(_matmul(a.numerators, self.conjugation), a.denominator)

    def is_zero(self, a: Exact) -> np.ndarray:
        return ~np.any(a.numerators != 0, axis=-1)

    def equal(self, a: Exact, b: Exact) -> bool:
        return bool(np.all(self.is_zero(self.subtract(a, b))))

    def inverse_entries(self, a: Exact) -> Exact:
        """1/a entry by entry, for a 1-dimensional array."""
        inverses = [self.inverse(a[i]) for i in range(a.shape[0])]
        denominator = math.lcm(*(x.denominator for x in inverses))
        numerators = np.stack([x.numerators.astype(object) * (denominator // x.denominator) for x in inverses])
        return self.normalised(Exact(numerators, denominator))

    def inverse(self, a: Exact) -> Exact:
        """1/a for a scalar (0-dimensional) a."""
        return self.from_number(self.scalar_field.inverse(self.to_number(a)))

    # views ------------------------------------------------------------------------------------
    def to_complex(self, a: Exact) -> np.ndarray:
        numerators = a.numerators
        if numerators.dtype == object:
            numerators = numerators.astype(np.float64)
        return (numerators @ self.powers) / a.denominator

    def to_sympy(self, a: Exact) -> sympy.Expr:
        """A scalar as a readable sympy number (radicals where sympy finds them)."""
        return _to_sympy(self.conductor, tuple(int(c) for c in a.numerators.reshape(-1)), a.denominator)


@functools.lru_cache(maxsize=64)
def exact_field(conductor: int) -> ExactField:
    return ExactField(conductor)


@functools.lru_cache(maxsize=65536)
def _to_sympy(conductor: int, numerators: tuple[int, ...], denominator: int) -> sympy.Expr:
    field = field_of_conductor(conductor)
    number = tuple((k, Fraction(c, denominator)) for k, c in enumerate(numerators) if c)
    return field.to_sympy(number)


def _magnitude(x: np.ndarray) -> int:
    return int(np.abs(x).max()) if x.size else 0


def _compact(x: np.ndarray) -> np.ndarray:
    if x.dtype == object and (not x.size or _magnitude(x) < _INT64_SAFE):
        return x.astype(np.int64)
    return x


def _scaled(x: np.ndarray, factor: int) -> np.ndarray:
    if factor == 1:
        return x
    if x.dtype != object and _magnitude(x) * abs(factor) < _INT64_SAFE:
        return x * factor
    return x.astype(object) * factor


def _matmul(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """x @ matrix over the last axis, exactly: BLAS in float64 while every sum is an integer below 2^52,
    int64 while it fits, Python integers beyond."""
    if x.dtype != object:
        bound = _magnitude(x) * _magnitude(matrix) * matrix.shape[0]
        if bound < _FLOAT_EXACT:
            return np.rint(x.astype(np.float64) @ matrix.astype(np.float64)).astype(np.int64)
        if bound < _INT64_SAFE:
            return x.astype(np.int64) @ matrix
    return _compact(x.astype(object) @ matrix.astype(object))


def _convolve(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Polynomial products along the last axis, broadcasting the others."""
    n, m = x.shape[-1], y.shape[-1]
    bound = _magnitude(x) * _magnitude(y) * min(n, m)
    dtype = np.int64 if bound < _INT64_SAFE else object
    x, y = x.astype(dtype), y.astype(dtype)
    shape = np.broadcast_shapes(x.shape[:-1], y.shape[:-1])
    out = np.zeros((*shape, n + m - 1), dtype=dtype)
    for s in range(n):
        out[..., s : s + m] += x[..., s : s + 1] * y
    return out


def _object_einsum(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """einsum('...ik,...kjb->...ijb') for object arrays (numpy's einsum does not take them)."""
    return np.sum(x[..., :, :, None, None] * y[..., None, :, :, :], axis=-3)
