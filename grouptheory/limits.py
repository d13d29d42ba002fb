"""Every size the engine accepts, checked before the work that the size would cost.

Each limit keeps one declaration within about two seconds and well under 1 GiB on a small
machine; an input beyond one fails at once with a `GroupTheoryError` that names the limit.

How large a group each part accepts: a group has at most MAX_ORDER elements; its character table is
computed when it has at most MAX_TABLE_CLASSES classes (an abelian group of order 2,000 takes about
1.5 s here, any group up to order 1,000 under 0.5 s); its irreducible representations when its order
is at most MAX_IRREPS_ORDER, each within MAX_MATRIX_ENTRIES; ``gcnn show --characters`` prints tables
of at most MAX_SHOWN_CLASSES classes.

>>> from grouptheory.limits import MAX_ORDER, check_max_order
>>> check_max_order(24)
24
>>> check_max_order(MAX_ORDER + 1)
Traceback (most recent call last):
...
grouptheory._errors.GroupTheoryError: 10001 is above the engine's limit of 10000 elements
"""

from __future__ import annotations

from ._errors import GroupTheoryError

MAX_ORDER = 10_000
"""Largest group order (and largest ``max_order``): a Cayley table of 10,000^2 int16 is 200 MB."""

MAX_DIMENSION = 16
"""Largest matrix size for generators and actions."""

MAX_FIELD_DEGREE = 2048
"""Largest degree of the cyclotomic field that holds the matrix entries (cos(2*pi/n) needs about n)."""

MAX_ARITHMETIC = 400_000
"""Exact coefficient products a matrix group may spend on its closure (under two seconds here;
C2000 from its rotation needs 360,000, D500 205,000)."""

MAX_PERMUTATION_DEGREE = 4096
"""Most points a permutation may move."""

MAX_PERMUTATION_WORK = 20_000_000
"""Points x elements x generators that closing a permutation group may touch."""

MAX_RELATOR_LETTERS = 100_000
"""Total letters of a presentation's relators once powers are expanded."""

MAX_COSET_WORK = 30_000_000
"""Relator letters that coset enumeration may scan (about two seconds here)."""

MAX_ENTRY_EXPONENT = 64
"""Largest absolute integer power in a matrix entry, such as ``(1/2)^3``."""

MAX_ENTRY_BITS = 1024
"""Largest numerator or denominator, in bits, of a rational inside a matrix entry."""

MAX_SQRT_ARGUMENT = 2**64
"""sqrt(n) needs n's factors; numerator and denominator must stay below this."""

MAX_NESTING = 50
"""Deepest parenthesised nesting in an entry or a presentation."""

MAX_TEXT = 10_000
"""Longest entry string or presentation, in characters."""

MAX_SPEC_BYTES = 1_000_000
"""Largest spec file."""

MAX_DECLARED_SUBGROUPS = 32
"""Most subgroups a spec may name (each becomes a quotient field of the generated module)."""

MAX_SUBGROUP_WORDS = 32
"""Most words generating one named subgroup (any subgroup of a group of MAX_ORDER elements needs at
most 13)."""

MAX_IRREPS_ORDER = 2000
"""Largest group whose irreducible representations are built (each is induced from a subgroup and
projected; above this order the search over subgroups alone takes seconds)."""

MAX_MATRIX_ENTRIES = 16_000_000
"""Most entries |G| * d^2 of a representation's matrices held at once (exact or float): the regular
representation of a group of order 250, or degree 40 for a group of order 10,000."""

MAX_SHOWN_CLASSES = 100
"""Most classes of a table that ``gcnn show --characters`` prints with exact values (about 2 s here)."""

MAX_TABLE_CLASSES = 2000
"""Most conjugacy classes a character table is computed for (its values modulo p fill classes^2 int64s,
32 MB; an abelian group of order 2,000 takes about a second here)."""


def check_max_order(value: object) -> int:
    """value as a max_order: an int from 1 to MAX_ORDER."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise GroupTheoryError(f"{value!r} must be a positive integer such as 1000")
    if value < 1:
        raise GroupTheoryError(f"{value} must be a positive integer such as 1000")
    if value > MAX_ORDER:
        raise GroupTheoryError(f"{value} is above the engine's limit of {MAX_ORDER} elements")
    return value
