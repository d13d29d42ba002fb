"""Hostile declarations end in the engine's own error, naming the limit, before the expensive work.

Each case here used to run for minutes, exhaust memory or crash with another exception.
"""

import time

import pytest

from grouptheory import GroupTheoryError, cyclic, dihedral, from_matrices, from_permutations, from_presentation, load
from grouptheory.limits import (
    MAX_ARITHMETIC,
    MAX_COSET_WORK,
    MAX_DIMENSION,
    MAX_ENTRY_EXPONENT,
    MAX_FIELD_DEGREE,
    MAX_NESTING,
    MAX_ORDER,
    MAX_PERMUTATION_DEGREE,
    MAX_RELATOR_LETTERS,
)

SEMIPRIME = (10**50 + 7) * (10**50 + 9)


def diagonal(entry: str) -> dict:
    return {"r": [[entry, 0], [0, 1]]}


def rotation(n: int) -> dict:
    angle = f"2*pi/{n}"
    return {"r": [[f"cos({angle})", f"-sin({angle})"], [f"sin({angle})", f"cos({angle})"]]}


CASES = {
    "tower of powers": (lambda: from_matrices(diagonal("10^10^10")), [f"limit of {MAX_ENTRY_EXPONENT}"]),
    "2**2**2**2**2**30": (lambda: from_matrices(diagonal("2**2**2**2**2**30")), ["exponent 1073741824"]),
    "huge power of a cosine": (lambda: from_matrices(diagonal("cos(pi/3)^100000000")), ["exponent 100000000"]),
    "sqrt of a semiprime": (lambda: from_matrices(diagonal(f"sqrt({SEMIPRIME})")), ["below 2^64"]),
    "sqrt of a large negative": (lambda: from_matrices(diagonal("sqrt(-" + "3" * 60 + ")")), ["below 2^64"]),
    "5000-digit integer": (lambda: from_matrices(diagonal("9" * 5000)), ["5000 digits"]),
    "nesting 300 deep": (lambda: from_matrices(diagonal("(" * 300 + "1" + ")" * 300)), [f"limit of {MAX_NESTING}"]),
    "tan(pi/2)": (lambda: from_matrices(diagonal("tan(pi/2)")), ["tan(pi/2) is undefined"]),
    "rotation by 2*pi/20011": (lambda: from_matrices(rotation(20011)), [f"limit of {MAX_FIELD_DEGREE}"]),
    "exp(I*pi/10^8)": (lambda: from_matrices(diagonal("exp(I*pi/100000000)")), ["Q(zeta_200000000)"]),
    "cyclic(9973)": (lambda: cyclic(9973), [f"limit of {MAX_FIELD_DEGREE}"]),
    "cyclic(3000)": (lambda: cyclic(3000), [f"{MAX_ARITHMETIC:,} exact coefficient products"]),
    "dihedral(6000)": (lambda: dihedral(6000), ["order 12000", f"limit of {MAX_ORDER}"]),
    "200x200 matrix": (
        lambda: from_matrices({"r": [[int(i == j) for j in range(200)] for i in range(200)]}),
        [f"limit is {MAX_DIMENSION}x{MAX_DIMENSION}"],
    ),
    "r^(10^12)": (lambda: from_presentation("< r | r^1000000000000 >"), [f"{MAX_RELATOR_LETTERS:,} letters"]),
    "powers of powers": (lambda: from_presentation("< a | ((a^1000)^1000)^1000 >"), ["letters (the limit)"]),
    "presentation nested 300 deep": (
        lambda: from_presentation("< a | " + "(" * 300 + "a" + ")" * 300 + " >"),
        [f"limit of {MAX_NESTING}"],
    ),
    "r^10000 scans too long": (lambda: from_presentation("< r | r^10000 >"), [f"{MAX_COSET_WORK:,} relator letters"]),
    "(0 100000000)": (lambda: from_permutations({"a": "(0 100000000)"}), [f"limit is {MAX_PERMUTATION_DEGREE}"]),
    "5000 points": (lambda: from_permutations({"a": [*range(1, 5000), 0]}), [f"limit is {MAX_PERMUTATION_DEGREE}"]),
    "max_order 10^12": (
        lambda: from_presentation("< a, b | a^2, b^3 >", max_order=10**12),
        [
            "max_order",
            f"limit of {MAX_ORDER}",
        ],
    ),
    "max_order 0": (lambda: from_presentation("< a | a^2 >", max_order=0), ["max_order: 0 must be a positive"]),
    "max_order '10'": (lambda: from_presentation("< a | a^2 >", max_order="10"), ["max_order: '10'"]),
    "max_order 0 for matrices": (lambda: from_matrices(diagonal("-1"), max_order=0), ["max_order: 0"]),
    "subgroup of strings": (lambda: load("c4").subgroup(["x"]), ["element indices"]),
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_gets_the_engines_error(case):
    """The project's own error, with the limit or the bad value in its message."""
    build, fragments = CASES[case]
    with pytest.raises(GroupTheoryError) as caught:
        build()
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_a_12x12_permutation_matrix_is_fine():
    """Large generator matrices no longer cost a factorial determinant."""
    shift = [[int(j == (i + 1) % 12) for j in range(12)] for i in range(12)]
    assert from_matrices({"p": shift}).order == 12


def test_groups_within_the_limits_still_build():
    """The catalog's large cases stay inside the limits."""
    assert cyclic(2000).order == 2000
    assert dihedral(500).order == 1000
    assert from_presentation("< r, s | r^500, s^2, (s r)^2 >").order == 1000


def test_the_offending_eigenvalue_is_named():
    """A singular-looking generator names its small eigenvalue, not the largest one."""
    with pytest.raises(GroupTheoryError, match=r"modulus 0\.5,"):
        from_matrices(diagonal("1/2"))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (bytes(range(256)), "not a UTF-8 text file"),
        ('name = "Cé"\n'.encode("latin-1"), "not a UTF-8 text file"),
        (b"a = " + b"[" * 5000 + b"]" * 5000, "not valid TOML"),
        (b"#" * 2_000_000, "above the limit"),
    ],
)
def test_unreadable_spec_files(tmp_path, content, fragment):
    """Binary, Latin-1, deeply nested and oversized spec files are refused by name."""
    path = tmp_path / "spec.toml"
    path.write_bytes(content)
    with pytest.raises(GroupTheoryError, match=fragment) as caught:
        load(path)
    assert str(path) in str(caught.value)


def test_dense_entries_in_a_large_field_are_refused_before_one_product():
    """cos(2 pi / 1001) is dense in Q(zeta_4004): one product of two such entries would take minutes; the
    budget is charged with a product's cost before it is computed (this used to hang)."""
    start = time.perf_counter()
    with pytest.raises(GroupTheoryError, match="exact coefficient products"):
        dihedral(1001)
    assert time.perf_counter() - start < 10
