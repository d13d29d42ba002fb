"""Invariants of well-known groups, each built several ways, against GAP's published values."""

import pytest

from grouptheory import FiniteGroup, cyclic, dihedral, from_matrices, from_permutations, from_presentation, load

ROT_Z = [[0, -1, 0], [1, 0, 0], [0, 0, 1]]
ROT_X = [[1, 0, 0], [0, 0, -1], [0, 1, 0]]

# name -> (order, classes, centre order, exponent), as GAP reports them (Size, NrConjugacyClasses,
# Size(Centre), Exponent), and builders for the same group.
CASES = {
    "C4": (
        (4, 4, 4, 4),
        [
            lambda: cyclic(4),
            lambda: load("c4"),
            lambda: from_permutations({"a": "(0 1 2 3)"}),
            lambda: from_presentation("< a | a^4 >"),
        ],
    ),
    "C8": (
        (8, 8, 8, 8),
        [
            lambda: cyclic(8),
            lambda: load("c8"),
            lambda: from_permutations({"a": [*range(1, 8), 0]}),
            lambda: from_presentation("< a | a^8 >"),
        ],
    ),
    "D8": (
        (8, 5, 2, 4),
        [
            lambda: dihedral(4),
            lambda: load("d4"),
            lambda: from_permutations({"r": "(0 1 2 3)", "s": "(1 3)"}),
            lambda: from_presentation("< r, s | r^4, s^2, (s r)^2 >"),
        ],
    ),
    "D12": (
        (12, 6, 2, 6),
        [
            lambda: dihedral(6),
            lambda: from_permutations({"r": "(0 1 2 3 4 5)", "s": "(1 5)(2 4)"}),
            lambda: from_presentation("< r, s | r^6, s^2, s r s = r^-1 >"),
        ],
    ),
    "Q8": (
        (8, 5, 2, 4),
        [
            lambda: from_presentation("< i, j | i^4, i^2 = j^2, j^-1 i j = i^-1 >"),
            lambda: from_matrices({"i": [["I", 0], [0, "-I"]], "j": [[0, 1], [-1, 0]]}),
            lambda: from_permutations({"i": "(0 1 2 3)(4 5 6 7)", "j": "(0 4 2 6)(1 7 3 5)"}),
        ],
    ),
    "S3": (
        (6, 3, 1, 6),
        [
            lambda: dihedral(3),
            lambda: from_permutations({"a": "(0 1 2)", "b": [1, 0, 2]}),
            lambda: from_presentation("< a, b | a^3, b^2, (a b)^2 >"),
        ],
    ),
    "A4": (
        (12, 4, 1, 6),
        [
            lambda: from_permutations({"a": "(0 1 2)", "b": "(0 1)(2 3)"}),
            lambda: from_presentation("< a, b | a^2, b^3, (a b)^3 >"),
            lambda: from_matrices({"c": [[0, 0, 1], [1, 0, 0], [0, 1, 0]], "d": [[1, 0, 0], [0, -1, 0], [0, 0, -1]]}),
        ],
    ),
    "S4": (
        (24, 5, 1, 12),
        [
            lambda: from_permutations({"a": "(0 1 2 3)", "b": "(0 1)"}),
            lambda: from_presentation("< a, b | a^2, b^3, (a b)^4 >"),
        ],
    ),
    "O (rotations of the cube)": (
        (24, 5, 1, 12),
        [
            lambda: load("o"),
            lambda: from_matrices({"z": ROT_Z, "x": ROT_X}),
            lambda: from_presentation("< z, x | z^4, x^4, (z x)^3, (z^2 x)^2 >", action={"z": ROT_Z, "x": ROT_X}),
        ],
    ),
    "Oh (the full cube group, S4 x C2)": (
        (48, 10, 2, 12),
        [lambda: load("oh"), lambda: from_permutations({"a": "(0 1 2 3)", "b": "(0 1)", "c": "(4 5)"})],
    ),
    "C4z": ((4, 4, 4, 4), [lambda: load("c4z")]),
    "D4h (D8 x C2)": (
        (16, 10, 4, 4),
        [lambda: load("d4h"), lambda: from_presentation("< r, s, m | r^4, s^2, (s r)^2, m^2, r m = m r, s m = m s >")],
    ),
    "C4 x C2": (
        (8, 8, 8, 4),
        [
            lambda: from_permutations({"a": "(0 1 2 3)", "b": "(4 5)"}),
            lambda: from_presentation("< a, b | a^4, b^2, a b = b a >"),
            lambda: from_matrices({"a": ROT_Z, "b": [[1, 0, 0], [0, 1, 0], [0, 0, -1]]}),
        ],
    ),
}


def invariants(group: FiniteGroup) -> tuple[int, int, int, int]:
    return group.order, len(group.conjugacy_classes()), len(group.center()), group.exponent


@pytest.mark.parametrize(
    ("name", "expected", "build"),
    [(name, expected, build) for name, (expected, builds) in CASES.items() for build in builds],
)
def test_invariants_match_gap(name, expected, build):
    """Order, class count, centre order and exponent agree with GAP for every construction."""
    group = build()
    group.verify()
    assert invariants(group) == expected, name


@pytest.mark.parametrize("name", list(CASES))
def test_constructions_agree_on_finer_invariants(name):
    """Every construction of a group has the same class sizes and element-order statistics."""
    _, builds = CASES[name]
    fingerprints = set()
    for build in builds:
        group = build()
        sizes = tuple(sorted(len(c) for c in group.conjugacy_classes()))
        orders = tuple(sorted(int(k) for k in group.element_orders))
        fingerprints.add((sizes, orders, group.is_abelian))
    assert len(fingerprints) == 1
