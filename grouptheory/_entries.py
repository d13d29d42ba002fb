"""Exact matrix entries: a safe parser for entry strings, and their conversion to a field.

Entry strings are parsed by a small grammar (never by ``eval`` or ``sympify``, so a spec file
cannot run code): integers, fractions, ``pi``, ``I``, ``sqrt``, ``cos``, ``sin``, ``tan``,
``exp``, ``+ - * / ^ **`` and parentheses. Trigonometric calls are kept unevaluated so that
``cos(pi/8)`` is recognised as a root-of-unity expression rather than a nested radical.
"""

from __future__ import annotations

import math
import numbers
import re
from fractions import Fraction

import sympy

from ._cyclotomic import ONE, CyclotomicField, Number
from ._errors import GroupTheoryError
from .limits import MAX_ENTRY_BITS, MAX_ENTRY_EXPONENT, MAX_NESTING, MAX_SQRT_ARGUMENT, MAX_TEXT

_TOKEN = re.compile(r"\s*(?:(\d+\.\d*|\.\d+|\d+[eE][-+]?\d+)|(\d+)|([A-Za-z_]\w*)|(\*\*|[-+*/^(),]))")
_FUNCTIONS = {"sqrt": sympy.sqrt, "cos": sympy.cos, "sin": sympy.sin, "tan": sympy.tan, "exp": sympy.exp}
_CONSTANTS = {"pi": sympy.pi, "I": sympy.I}


def parse_entry(value: object) -> sympy.Expr:
    """An exact sympy expression for one matrix entry (int, Fraction, sympy object or string).

    >>> parse_entry("sqrt(2)/2")
    sqrt(2)/2
    >>> parse_entry("cos(pi/8)")
    cos(pi/8)
    >>> parse_entry(0.5)
    Traceback (most recent call last):
    ...
    grouptheory._errors.GroupTheoryError: 0.5 is a float, which is not exact; write it as "1/2"
    """
    if isinstance(value, bool):
        raise GroupTheoryError(f"{value!r} is a boolean, not a number")
    if isinstance(value, numbers.Integral):
        return sympy.Integer(int(value))
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        raise GroupTheoryError(f"{value!r} is a float, which is not exact; write it as {_exact_hint(value)}")
    if isinstance(value, sympy.Basic):
        if value.has(sympy.Float):
            raise GroupTheoryError(f"{value} contains a float, which is not exact; use Rational or sqrt")
        return value
    if isinstance(value, str):
        return _Parser(value).parse()
    raise GroupTheoryError(f"{value!r} is not a number: use an int, a fraction or a string such as 'sqrt(2)/2'")


def _exact_hint(value: float) -> str:
    guess = sympy.nsimplify(value, [sympy.sqrt(2), sympy.sqrt(3)], tolerance=1e-9)
    return f'"{guess}"' if not guess.has(sympy.Float) else f'"{Fraction(value).limit_denominator(1000)}"'


class _Parser:
    """Recursive descent: sum := term (('+'|'-') term)*, term := unary (('*'|'/') unary)*,
    unary := '-' unary | power, power := atom (('^'|'**') unary)?"""

    def __init__(self, text: str) -> None:
        if len(text) > MAX_TEXT:
            raise GroupTheoryError(f"entry of {len(text)} characters is above the limit of {MAX_TEXT}; shorten it")
        self.text = text
        self.depth = 0
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(text):
            match = _TOKEN.match(text, position)
            if not match or match.end() == position:
                if text[position:].strip() == "":
                    break
                raise self._error(position, f"unexpected character {text[position]!r}")
            group = match.lastindex or 0
            kind = ("float", "int", "name", "op")[group - 1]
            start = match.start(group)
            if kind == "float":
                hint = _exact_hint(float(match.group(1)))
                raise self._error(start, f"{match.group(1)} is a decimal, which is not exact; write it as {hint}")
            self.tokens.append((kind, match.group(group), start))
            position = match.end()
        self.index = 0

    def _error(self, position: int, message: str) -> GroupTheoryError:
        return GroupTheoryError(f"{message} at position {position} of {self.text!r}")

    def _peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str, int]:
        if self.index >= len(self.tokens):
            raise self._error(len(self.text), f"expected {expected or 'a value'} but the entry ended")
        token = self.tokens[self.index]
        if expected is not None and token[1] != expected:
            raise self._error(token[2], f"expected {expected!r} but found {token[1]!r}")
        self.index += 1
        return token

    def parse(self) -> sympy.Expr:
        if not self.tokens:
            raise GroupTheoryError("empty entry: write a number such as 0, 1 or 'sqrt(2)/2'")
        value = self._sum()
        if self.index < len(self.tokens):
            raise self._error(self.tokens[self.index][2], f"unexpected {self.tokens[self.index][1]!r}")
        return value

    def _sum(self) -> sympy.Expr:
        value = self._term()
        while self._peek() in ("+", "-"):
            op = self._take()[1]
            right = self._term()
            value = self._bounded(value + right if op == "+" else value - right)
        return value

    def _bounded(self, value: sympy.Expr) -> sympy.Expr:
        """value, unless a rational in it has grown beyond MAX_ENTRY_BITS (which would make every later step slow)."""
        for number in value.atoms(sympy.Rational):
            if max(abs(number.p).bit_length(), number.q.bit_length()) > MAX_ENTRY_BITS:
                raise GroupTheoryError(
                    f"{self.text!r} holds a number above 2^{MAX_ENTRY_BITS}; matrix entries of a finite group are small"
                )
        return value

    def _term(self) -> sympy.Expr:
        value = self._unary()
        while self._peek() in ("*", "/"):
            op = self._take()[1]
            right = self._unary()
            if op == "/" and right == 0:
                raise GroupTheoryError(f"division by zero in {self.text!r}")
            value = self._bounded(value * right if op == "*" else value / right)
        return value

    def _unary(self) -> sympy.Expr:
        negative = False
        while self._peek() in ("-", "+"):
            negative ^= self._take()[1] == "-"
        value = self._power()
        return -value if negative else value

    def _power(self) -> sympy.Expr:
        base = self._atom()
        if self._peek() in ("^", "**"):
            position = self._take()[2]
            self._enter(position)
            exponent = self._unary()
            self.depth -= 1
            if not exponent.is_Rational:
                raise self._error(position, f"the exponent {exponent} is not a rational number")
            if abs(exponent.p) > MAX_ENTRY_EXPONENT or exponent.q > MAX_ENTRY_EXPONENT:
                raise self._error(
                    position,
                    f"the exponent {exponent} is beyond the limit of {MAX_ENTRY_EXPONENT} "
                    "(numerator and denominator); write the entry in a simpler form",
                )
            if base == 0 and exponent < 0:
                raise GroupTheoryError(f"division by zero in {self.text!r}")
            return self._bounded(base**exponent)
        return base

    def _enter(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self._error(position, f"the entry nests deeper than the limit of {MAX_NESTING} levels")

    def _atom(self) -> sympy.Expr:
        kind, text, position = self._take()
        if kind == "int":
            if len(text) > MAX_ENTRY_BITS // 3:
                raise self._error(position, f"an integer of {len(text)} digits is too large for a matrix entry")
            return sympy.Integer(int(text))
        if text == "(" or (kind == "name" and text in _FUNCTIONS):
            self._enter(position)
        if text == "(":
            value = self._sum()
            self._take(")")
            self.depth -= 1
            return value
        if kind == "name" and text in _CONSTANTS:
            return _CONSTANTS[text]
        if kind == "name" and text in _FUNCTIONS:
            self._take("(")
            argument = self._sum()
            self._take(")")
            self.depth -= 1
            function = _FUNCTIONS[text]
            return function(argument) if text in ("sqrt", "exp") else function(argument, evaluate=False)
        known = ", ".join([*_CONSTANTS, *_FUNCTIONS])
        raise self._error(position, f"unknown name {text!r} (known: {known})")


def conductor_of(expr: sympy.Expr) -> int:
    """The smallest M with expr in Q(zeta_M), for the forms that `to_field` accepts."""
    if expr.is_Rational:
        return 1
    if expr is sympy.I:
        return 4
    if isinstance(expr, (sympy.Add, sympy.Mul)):
        return math.lcm(*(conductor_of(arg) for arg in expr.args))
    if isinstance(expr, sympy.Pow):
        base, exponent = expr.args
        if exponent.is_Integer:
            return conductor_of(base)
        if base.is_Rational and max(abs(base.p), base.q) >= MAX_SQRT_ARGUMENT:
            raise GroupTheoryError(
                f"cannot take the root of {base}: numerator and denominator must be below 2^64 "
                "(roots need their factors); a finite group's entries do not need such numbers"
            )
        if base == -1 and exponent.is_Rational:
            return 2 * exponent.q
        if base.is_Rational and exponent.is_Rational and exponent.q == 2:
            return _sqrt_conductor(base)
        if exponent == sympy.Rational(1, 2):
            return _half_angle(expr, conductor_of(base))[1]
    if isinstance(expr, (sympy.cos, sympy.sin, sympy.tan)):
        return math.lcm(2 * _pi_multiple(expr).q, 4)
    if isinstance(expr, sympy.exp):
        return 2 * _pi_multiple(expr, imaginary=True).q
    raise _unsupported(expr)


def to_field(expr: sympy.Expr, field: CyclotomicField) -> Number:
    """expr as an element of field (which must contain it: see `conductor_of`)."""
    return _Converter(field).convert(expr)


class _Converter:
    def __init__(self, field: CyclotomicField) -> None:
        self.field = field

    def convert(self, expr: sympy.Expr) -> Number:
        field = self.field
        if expr.is_Rational:
            return field.rational(Fraction(expr.p, expr.q))
        if expr is sympy.I:
            return field.root_power(field.conductor // 4)
        if isinstance(expr, sympy.Add):
            total: Number = ()
            for arg in expr.args:
                total = field.add(total, self.convert(arg))
            return total
        if isinstance(expr, sympy.Mul):
            product = ONE
            for arg in expr.args:
                product = field.mul(product, self.convert(arg))
            return product
        if isinstance(expr, sympy.Pow):
            return self._power(expr)
        if isinstance(expr, (sympy.cos, sympy.sin, sympy.tan)):
            return self._trig(expr)
        if isinstance(expr, sympy.exp):
            angle = _pi_multiple(expr, imaginary=True)
            return field.root_power(angle.p * field.conductor // (2 * angle.q))
        raise _unsupported(expr)

    def _power(self, expr: sympy.Pow) -> Number:
        field = self.field
        base, exponent = expr.args
        if exponent.is_Integer:
            value = self.convert(base)
            if exponent < 0:
                value, exponent = field.inverse(value), -exponent
            result = ONE
            for _ in range(int(exponent)):
                result = field.mul(result, value)
            return result
        if base == -1:
            return field.root_power(exponent.p * field.conductor // (2 * exponent.q))
        if base.is_Rational:
            root = _sqrt_of_rational(Fraction(base.p, base.q), field)
            result = ONE
            for _ in range(abs(exponent.p)):
                result = field.mul(result, root)
            return field.inverse(result) if exponent.p < 0 else result
        # A nested square root, as sympy writes cos(pi/8): identify it, then check it exactly.
        identified, _ = _half_angle(expr, field.conductor)
        value = self.convert(identified)
        if field.mul(value, value) != self.convert(base):
            raise _unsupported(expr)
        return value

    def _trig(self, expr: sympy.Expr) -> Number:
        field = self.field
        angle = _pi_multiple(expr)
        step = angle.p * field.conductor // (2 * angle.q)
        plus, minus = field.root_power(step), field.root_power(-step)
        cos = field.scale(field.add(plus, minus), Fraction(1, 2))
        # sin = (z - 1/z) / (2i) = -i (z - 1/z) / 2
        minus_i_half = field.scale(field.root_power(-field.conductor // 4), Fraction(1, 2))
        sin = field.mul(field.add(plus, field.neg(minus)), minus_i_half)
        if isinstance(expr, sympy.cos):
            return cos
        if isinstance(expr, sympy.sin):
            return sin
        if not cos:
            raise GroupTheoryError(f"{expr} is undefined (its cosine is 0); use another entry")
        return field.mul(sin, field.inverse(cos))


def _pi_multiple(expr: sympy.Expr, imaginary: bool = False) -> sympy.Rational:
    argument = expr.args[0] / (sympy.I if imaginary else 1)
    ratio = sympy.simplify(argument / sympy.pi)
    if not ratio.is_Rational:
        name = type(expr).__name__
        unit = "I*pi" if imaginary else "pi"
        raise GroupTheoryError(
            f"{name}({expr.args[0]}): the angle is not a rational multiple of {unit}, so the element "
            f"has infinite order (no finite group contains it); use an angle such as 2*pi/7"
        )
    return ratio


def _sqrt_conductor(value: sympy.Rational) -> int:
    conductor = 4 if value < 0 else 1
    for prime in {*sympy.factorint(abs(value.p)), *sympy.factorint(value.q)}:
        if prime == 2:
            conductor = math.lcm(conductor, 8)
        else:
            conductor = math.lcm(conductor, prime if prime % 4 == 1 else 4 * prime)
    return conductor


def _sqrt_of_rational(value: Fraction, field: CyclotomicField) -> Number:
    """sqrt(value) from Gauss sums: sqrt(p) = sum of Legendre(a, p) zeta_p^a (times -i if p = 3 mod 4)."""
    root = field.rational(Fraction(1, value.denominator))
    if value < 0:
        root = field.mul(root, field.root_power(field.conductor // 4))
    factors = sympy.factorint(abs(value.numerator))
    for prime, multiplicity in sympy.factorint(value.denominator).items():
        factors[prime] = factors.get(prime, 0) + multiplicity
    for prime, multiplicity in factors.items():
        square, odd = divmod(multiplicity, 2)
        root = field.scale(root, Fraction(prime**square))
        if odd:
            root = field.mul(root, _sqrt_prime(prime, field))
    return root


def _sqrt_prime(prime: int, field: CyclotomicField) -> Number:
    if prime == 2:  # zeta_8 + zeta_8^-1
        step = field.conductor // 8
        return field.add(field.root_power(step), field.root_power(-step))
    step = field.conductor // prime
    gauss: Number = ()
    for a in range(1, prime):
        sign = 1 if pow(a, (prime - 1) // 2, prime) == 1 else -1
        gauss = field.add(gauss, field.scale(field.root_power(a * step), Fraction(sign)))
    if prime % 4 == 3:
        gauss = field.mul(gauss, field.root_power(-field.conductor // 4))
    return gauss


def _half_angle(expr: sympy.Pow, inner_conductor: int) -> tuple[sympy.Expr, int]:
    """Recognise sqrt(b) as +-cos or +-sin of a rational multiple of pi (sympy's half-angle form)."""
    value = complex(expr.evalf(30))
    if abs(value.imag) < 1e-12 and abs(value.real) <= 1 + 1e-12:
        for function in (sympy.cos, sympy.sin):
            turns = (math.acos if function is sympy.cos else math.asin)(max(-1.0, min(1.0, value.real))) / math.pi
            ratio = Fraction(turns).limit_denominator(8 * inner_conductor)
            if abs(float(ratio) - turns) < 1e-12:
                angle = sympy.Rational(ratio.numerator, ratio.denominator) * sympy.pi
                return function(angle, evaluate=False), math.lcm(2 * ratio.denominator, 4, inner_conductor)
    raise _unsupported(expr)


def _unsupported(expr: sympy.Expr) -> GroupTheoryError:
    return GroupTheoryError(
        f"cannot represent {expr} exactly: entries must be built from rationals, sqrt of rationals, "
        f"I, and cos/sin/tan/exp of rational multiples of pi (write cos(pi/8), not its radical form)"
    )
