"""Exact arithmetic in cyclotomic fields Q(zeta_M).

Every entry of a finite matrix group declared with rationals, square roots and sines or cosines
of rational multiples of pi lies in some cyclotomic field. An element is stored in the power
basis 1, z, ..., z^(phi(M)-1) modulo the cyclotomic polynomial, which is a unique normal form:
two numbers are equal exactly when their coefficient tuples are equal, so hashing is exact too.
The coefficients are kept sparse, since rotation entries such as cos(2*pi*k/n) have only a few
terms in this basis.
"""

from __future__ import annotations

import cmath
import math
from fractions import Fraction
from functools import lru_cache

import sympy

Number = tuple[tuple[int, Fraction], ...]
"""A field element: sorted (exponent, nonzero coefficient) pairs of its power-basis expansion."""

ZERO: Number = ()
ONE: Number = ((0, Fraction(1)),)


class CyclotomicField:
    """The field Q(zeta_M), zeta_M = exp(2*pi*i/M), with sparse power-basis elements.

    >>> field = CyclotomicField(4)          # Q(i)
    >>> i = field.root_power(1)
    >>> field.mul(i, i) == field.rational(-1)
    True
    """

    def __init__(self, conductor: int) -> None:
        self.conductor = conductor
        modulus = sympy.Poly(sympy.cyclotomic_poly(conductor, sympy.Symbol("x")))
        coefficients = [int(c) for c in reversed(modulus.all_coeffs())]
        self.degree = len(coefficients) - 1
        self._reduced_powers = self._reduce_all_powers(coefficients)
        # Coefficient products spent so far, for callers that bound their work (see limits.MAX_ARITHMETIC).
        self.products = 0
        self.products_per_term = max(1, round(sum(map(len, self._reduced_powers)) / conductor))

    def _reduce_all_powers(self, modulus: list[int]) -> list[dict[int, int]]:
        """x^k mod Phi_M for k < M (x^M = 1 there, so these cover every exponent)."""
        tail = [(j, c) for j, c in enumerate(modulus[:-1]) if c]
        powers = [{0: 1}]
        for _ in range(1, self.conductor):
            shifted = {e + 1: c for e, c in powers[-1].items()}
            top = shifted.pop(self.degree, 0)
            for j, c in tail:
                value = shifted.get(j, 0) - top * c
                if value:
                    shifted[j] = value
                else:
                    shifted.pop(j, None)
            powers.append(shifted)
        return powers

    def rational(self, value: Fraction | int) -> Number:
        value = Fraction(value)
        return ((0, value),) if value else ZERO

    def root_power(self, exponent: int) -> Number:
        """zeta_M ** exponent."""
        reduced = self._reduced_powers[exponent % self.conductor]
        return tuple(sorted((e, Fraction(c)) for e, c in reduced.items()))

    def add(self, a: Number, b: Number) -> Number:
        return _normal(_accumulate({}, a, Fraction(1)), b)

    def neg(self, a: Number) -> Number:
        return tuple((e, -c) for e, c in a)

    def scale(self, a: Number, factor: Fraction) -> Number:
        return tuple((e, c * factor) for e, c in a) if factor else ZERO

    def mul(self, a: Number, b: Number) -> Number:
        self.products += len(a) * len(b) * self.products_per_term
        out: dict[int, Fraction] = {}
        conductor, powers = self.conductor, self._reduced_powers
        for e1, c1 in a:
            for e2, c2 in b:
                product = c1 * c2
                for e, r in powers[(e1 + e2) % conductor].items():
                    out[e] = out.get(e, 0) + product * r
        return _normal(out, ())

    def conjugate(self, a: Number, k: int) -> Number:
        """The Galois conjugate zeta -> zeta^k (k coprime to M)."""
        out: dict[int, Fraction] = {}
        for e, c in a:
            for e2, r in self._reduced_powers[(e * k) % self.conductor].items():
                out[e2] = out.get(e2, 0) + c * r
        return _normal(out, ())

    def inverse(self, a: Number) -> Number:
        """1/a as the product of the other Galois conjugates over the (rational) norm."""
        if not a:
            raise ZeroDivisionError("division by zero in a cyclotomic field")
        others = ONE
        for k in range(2, self.conductor):
            if math.gcd(k, self.conductor) == 1:
                others = self.mul(others, self.conjugate(a, k))
        norm = self.mul(a, others)
        return self.scale(others, 1 / norm[0][1])

    def to_complex(self, a: Number) -> complex:
        return sum((float(c) * cmath.exp(2j * math.pi * e / self.conductor) for e, c in a), 0j)

    def to_sympy(self, a: Number) -> sympy.Expr:
        """A readable exact sympy expression: a sum of cosines, plus sines for an imaginary part."""
        angles = [(sympy.Rational(c.numerator, c.denominator), 2 * sympy.pi * e / self.conductor) for e, c in a]
        real = sympy.Add(*(c * sympy.cos(angle) for c, angle in angles))
        if self.conjugate(a, -1) == a:
            return real
        return real + sympy.I * sympy.Add(*(c * sympy.sin(angle) for c, angle in angles))


def _accumulate(out: dict[int, Fraction], a: Number, factor: Fraction) -> dict[int, Fraction]:
    for e, c in a:
        out[e] = out.get(e, 0) + c * factor
    return out


def _normal(out: dict[int, Fraction], extra: Number) -> Number:
    _accumulate(out, extra, Fraction(1))
    return tuple(sorted((e, Fraction(c)) for e, c in out.items() if c))


@lru_cache(maxsize=64)
def field_of_conductor(conductor: int) -> CyclotomicField:
    """The (cached) field Q(zeta_M); M = 2m with m odd is the same field as Q(zeta_m)."""
    return CyclotomicField(conductor)
