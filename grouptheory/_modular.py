"""Linear algebra and polynomials over a prime field GF(p), vectorised with numpy.

Character tables are computed modulo a prime p = 1 (mod exp(G)), where every character value has
an image, and lifted back to exact cyclotomic numbers afterwards (Dixon's method). Everything here
works on int64 arrays with entries in 0..p-1; p stays below ``MAX_PRIME`` so that a product of two
entries, summed a few thousand times, never leaves int64 (or, on the float path, float64's 53 bits).

>>> p = 13
>>> a = np.array([[2, 1], [1, 2]])
>>> sorted(polynomial_roots(minimal_polynomial(a, p, np.random.default_rng(0)), p))
[1, 3]
"""

from __future__ import annotations

import math

import numpy as np
import sympy

MAX_PRIME = 2**25
"""Largest modulus: (p - 1)^2 * 8192 < 2^63, so int64 sums of 8192 products are exact."""

_FLOAT_EXACT = 2**53


def prime_for_exponent(exponent: int, above: int) -> int:
    """The smallest prime p = 1 (mod exponent) with p > above.

    >>> prime_for_exponent(12, 100)
    109
    """
    p = exponent * (above // exponent + 1) + 1
    while not sympy.isprime(p):
        p += exponent
    if p >= MAX_PRIME:
        raise ValueError(f"the prime {p} for exponent {exponent} is above the modular limit {MAX_PRIME}")
    return p


def root_of_unity(order: int, p: int) -> int:
    """A primitive order-th root of unity in GF(p); order must divide p - 1.

    >>> root_of_unity(4, 13) in (5, 8)
    True
    """
    generator = int(sympy.primitive_root(p))
    return pow(generator, (p - 1) // order, p)


def matmul(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """a @ b mod p, exactly: float64 BLAS on chunks of the inner dimension small enough to stay exact."""
    inner = a.shape[-1]
    chunk = max(1, _FLOAT_EXACT // ((p - 1) ** 2 + 1))
    if inner <= chunk:
        return np.rint(a.astype(np.float64) @ b.astype(np.float64)).astype(np.int64) % p
    out = np.zeros((*a.shape[:-1], b.shape[-1]), dtype=np.int64)
    for start in range(0, inner, chunk):
        part = a[..., start : start + chunk].astype(np.float64) @ b[start : start + chunk].astype(np.float64)
        out = (out + np.rint(part).astype(np.int64)) % p
    return out


def row_echelon(matrix: np.ndarray, p: int) -> tuple[np.ndarray, list[int]]:
    """The reduced row echelon form of matrix mod p (zero rows dropped) and its pivot columns.

    >>> rows, pivots = row_echelon(np.array([[2, 4], [1, 2]]), 7)
    >>> rows.tolist(), pivots
    ([[1, 2]], [0])
    """
    a = np.array(matrix, dtype=np.int64) % p
    rows, columns = a.shape
    pivots: list[int] = []
    r = 0
    for c in range(columns):
        if r == rows:
            break
        nonzero = np.flatnonzero(a[r:, c])
        if not nonzero.size:
            continue
        k = r + int(nonzero[0])
        if k != r:
            a[[r, k]] = a[[k, r]]
        a[r] = a[r] * pow(int(a[r, c]), -1, p) % p
        factors = a[:, c].copy()
        factors[r] = 0
        touched = np.flatnonzero(factors)
        if touched.size:
            a[touched] = (a[touched] - factors[touched, None] * a[r]) % p
        pivots.append(c)
        r += 1
    return a[:r], pivots


def left_kernel(matrix: np.ndarray, p: int) -> np.ndarray:
    """Rows y with y @ matrix = 0 mod p, as a basis in reduced echelon form.

    >>> left_kernel(np.array([[1, 2], [2, 4]]), 5).tolist()
    [[1, 2]]
    """
    transposed, pivots = row_echelon(np.asarray(matrix).T, p)
    n = np.asarray(matrix).shape[0]
    free = [c for c in range(n) if c not in set(pivots)]
    basis = np.zeros((len(free), n), dtype=np.int64)
    for i, f in enumerate(free):
        basis[i, f] = 1
        basis[i, pivots] = (-transposed[:, f]) % p
    return row_echelon(basis, p)[0] if len(free) else basis


def krylov(matrix: np.ndarray, vector: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows v, vA, vA^2, ... up to the first one that depends on the others, and the monic
    polynomial (low coefficients first) of that dependence: the minimal polynomial of A on v."""
    n = matrix.shape[0]
    rows = np.empty((n + 1, n), dtype=np.int64)
    rows[0] = np.asarray(vector, dtype=np.int64) % p
    for t in range(n):
        rows[t + 1] = matmul(rows[t][None, :], matrix, p)[0]
    echelon, pivots = row_echelon(rows.T, p)
    degree = next(c for c in range(n + 1) if c >= len(pivots) or pivots[c] != c)
    poly = np.zeros(degree + 1, dtype=np.int64)
    poly[:degree] = (-echelon[:degree, degree]) % p
    poly[degree] = 1
    return rows[:degree], poly


def minimal_polynomial(matrix: np.ndarray, p: int, rng: np.random.Generator) -> np.ndarray:
    """The minimal polynomial of matrix (with probability at least 1 - n/p; it is that of a random
    vector), monic, low coefficients first."""
    return krylov(matrix, np.asarray(rng.integers(0, p, size=matrix.shape[0])), p)[1]


def left_eigenvectors(matrix: np.ndarray, p: int, rng: np.random.Generator) -> tuple[list[int], np.ndarray] | None:
    """Eigenvalues and left eigenvectors (rows y with y A = lambda y) of a matrix whose n eigenvalues are
    distinct and lie in GF(p); None when a random vector does not show n distinct eigenvalues.

    >>> a = np.array([[2, 1], [0, 3]])
    >>> values, vectors = left_eigenvectors(a, 7, np.random.default_rng(1))
    >>> sorted(values), all(((v @ a - l * v) % 7 == 0).all() for l, v in zip(values, vectors))
    ([2, 3], True)
    """
    n = matrix.shape[0]
    rows, poly = krylov(matrix, np.asarray(rng.integers(0, p, size=n)), p)
    if len(poly) - 1 < n:
        return None
    roots = polynomial_roots(poly, p)
    if len(roots) < n:
        return None
    # y_i = w f_i(A) with f_i = f / (x - lambda_i): synthetic division for every root at once.
    lambdas = np.array(roots, dtype=np.int64)
    quotients = np.zeros((n, n), dtype=np.int64)
    carry = np.ones(n, dtype=np.int64)
    for j in range(n - 1, -1, -1):
        quotients[:, j] = carry
        carry = (poly[j] + lambdas * carry) % p
    return roots, matmul(quotients, rows, p)


def polynomial_roots(poly: np.ndarray, p: int, seed: int = 0) -> list[int]:
    """The roots in GF(p) of a monic squarefree polynomial (low coefficients first) that splits into
    linear factors over GF(p), by Cantor-Zassenhaus splitting.

    >>> sorted(polynomial_roots(np.array([6, 0, 1]), 7))  # x^2 - 1
    [1, 6]
    """
    rng = np.random.default_rng(seed)
    roots: list[int] = []
    pending = [_monic(np.asarray(poly, dtype=np.int64) % p, p)]
    while pending:
        f = pending.pop()
        degree = len(f) - 1
        if degree == 0:
            continue
        if degree == 1:
            roots.append(int(-f[0] % p))
            continue
        if degree == 2:
            roots.extend(_quadratic_roots(f, p))
            continue
        while True:
            shift = int(rng.integers(0, p))
            power = _powmod(np.array([shift, 1], dtype=np.int64), (p - 1) // 2, f, p)
            power[0] = (power[0] - 1) % p
            factor = _gcd(f, power, p)
            if 0 < len(factor) - 1 < degree:
                pending.append(factor)
                pending.append(_divide_exact(f, factor, p))
                break
    return roots


def _quadratic_roots(f: np.ndarray, p: int) -> list[int]:
    c, b = int(f[0]), int(f[1])
    discriminant = (b * b - 4 * c) % p
    root = int(sympy.sqrt_mod(discriminant, p))
    half = pow(2, -1, p)
    return [(-b + root) * half % p, (-b - root) * half % p]


def _trim(poly: np.ndarray) -> np.ndarray:
    nonzero = np.flatnonzero(poly)
    return poly[: int(nonzero[-1]) + 1] if nonzero.size else poly[:0]


def _monic(poly: np.ndarray, p: int) -> np.ndarray:
    poly = _trim(poly)
    return poly * pow(int(poly[-1]), -1, p) % p


def _remainder(a: np.ndarray, f: np.ndarray, p: int) -> np.ndarray:
    """a mod f for monic f."""
    a = _trim(a % p).copy()
    degree = len(f) - 1
    for top in range(len(a) - 1, degree - 1, -1):
        factor = int(a[top])
        if factor:
            a[top - degree : top + 1] = (a[top - degree : top + 1] - factor * f) % p
    return _trim(a[:degree])


def _mulmod(a: np.ndarray, b: np.ndarray, f: np.ndarray, p: int, high: np.ndarray | None = None) -> np.ndarray:
    if not len(a) or not len(b):
        return a[:0]
    product = np.convolve(a, b) % p
    degree = len(f) - 1
    if high is None or len(product) <= degree:
        return _remainder(product, f, p)
    out = product[:degree].copy()
    out += (product[degree:] @ high[: len(product) - degree]) % p
    return _trim(out % p)


def _high_powers(f: np.ndarray, p: int) -> np.ndarray:
    """x^k mod f for k = deg f .. 2 deg f - 2, one row each: reduction as one product."""
    degree = len(f) - 1
    rows = np.zeros((max(degree - 1, 0), degree), dtype=np.int64)
    current = (-f[:degree]) % p  # x^degree
    for k in range(degree - 1):
        rows[k] = current
        top = int(current[-1])
        current = np.concatenate([[0], current[:-1]])
        if top:
            current = (current - top * f[:degree]) % p
    return rows


def _powmod(base: np.ndarray, exponent: int, f: np.ndarray, p: int) -> np.ndarray:
    high = _high_powers(f, p) if len(f) > 8 else None
    result = np.array([1], dtype=np.int64)
    base = _remainder(base, f, p)
    while exponent:
        if exponent & 1:
            result = _mulmod(result, base, f, p, high)
        exponent >>= 1
        if exponent:
            base = _mulmod(base, base, f, p, high)
    return result


def _gcd(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    a, b = _trim(a % p), _trim(b % p)
    while len(b):
        a, b = b, _remainder(a, _monic(b, p), p)
    return _monic(a, p) if len(a) else a


def _divide_exact(a: np.ndarray, f: np.ndarray, p: int) -> np.ndarray:
    """a / f for monic f dividing a."""
    a = a.copy()
    degree = len(f) - 1
    quotient = np.zeros(len(a) - degree, dtype=np.int64)
    for top in range(len(a) - 1, degree - 1, -1):
        factor = int(a[top])
        quotient[top - degree] = factor
        if factor:
            a[top - degree : top + 1] = (a[top - degree : top + 1] - factor * f) % p
    return quotient


def integer_sqrt_below(value: int, bound: int, p: int) -> int | None:
    """The integer d in 1..bound with d^2 = value (mod p), if there is one (the smallest)."""
    for d in range(1, math.isqrt(bound) + 2):
        if d * d % p == value % p:
            return d
    return None
