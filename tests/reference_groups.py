"""Groups with character tables recorded from GAP (tests/data/gap_character_tables.json), each built the
way a user would declare it: catalog specs, permutations, presentations and matrices."""

from __future__ import annotations

from collections.abc import Callable

from grouptheory import FiniteGroup, catalog_names, dihedral, from_matrices, from_permutations, from_presentation, load


def _matrix_permutations(generators: dict[str, list[list[int]]], prime: int) -> dict[str, list[int]]:
    """Matrices over GF(prime) as permutations of the nonzero vectors of GF(prime)^2."""
    vectors = [(x, y) for x in range(prime) for y in range(prime) if (x, y) != (0, 0)]

    def image(m: list[list[int]]) -> list[int]:
        return [
            vectors.index(((m[0][0] * x + m[0][1] * y) % prime, (m[1][0] * x + m[1][1] * y) % prime))
            for x, y in vectors
        ]

    return {name: image(m) for name, m in generators.items()}


BINARY_TETRAHEDRAL = {  # unit quaternions i and (1 + i + j + k)/2 as matrices in SU(2)
    "i": [["I", 0], [0, "-I"]],
    "w": [["(1 + I)/2", "(1 + I)/2"], ["(-1 + I)/2", "(1 - I)/2"]],
}

BUILDERS: dict[str, Callable[[], FiniteGroup]] = {
    **{f"catalog {name}": (lambda name=name: load(name)) for name in catalog_names()},
    "S4 (permutations)": lambda: from_permutations({"a": "(0 1 2 3)", "b": "(0 1)"}, name="S4"),
    "S4 (presentation)": lambda: from_presentation("< a, b | a^2, b^3, (a b)^4 >", name="S4"),
    "A5 (permutations)": lambda: from_permutations({"a": "(0 1 2)", "b": "(0 1 2 3 4)"}, name="A5"),
    "A5 (presentation)": lambda: from_presentation("< a, b | a^2, b^3, (a b)^5 >", name="A5"),
    "S5": lambda: from_permutations({"a": "(0 1 2 3 4)", "b": "(0 1)"}, name="S5"),
    "PSL(2,7) (permutations)": lambda: from_permutations({"a": "(0 1 2 3 4 5 6)", "b": "(1 2)(3 6)"}, name="L2_7"),
    "PSL(2,7) (presentation)": lambda: from_presentation("< a, b | a^2, b^3, (a b)^7, (a b a b^-1)^4 >"),
    "SL(2,3) (presentation)": lambda: from_presentation("< s, t | s^3 = t^3, s^3 = (s t)^2 >", name="SL2_3"),
    "SL(2,3) (quaternion matrices)": lambda: from_matrices(BINARY_TETRAHEDRAL, name="SL2_3"),
    "SL(2,5) (presentation)": lambda: from_presentation("< s, t | s^3 = t^5, s^3 = (s t)^2 >", name="SL2_5"),
    "Q8": lambda: from_presentation("< i, j | i^4, i^2 = j^2, j^-1 i j = i^-1 >", name="Q8"),
    "Q16": lambda: from_presentation("< a, b | a^8, b^2 = a^4, b^-1 a b = a^-1 >", name="Q16"),
    "C5:C4": lambda: from_permutations({"a": "(0 1 2 3 4)", "b": "(1 2 4 3)"}, name="F20"),
    "C7:C3": lambda: from_permutations({"a": "(0 1 2 3 4 5 6)", "b": "(1 2 4)(3 6 5)"}, name="F21"),
    "GL(2,3)": lambda: from_permutations(
        _matrix_permutations({"a": [[1, 1], [0, 1]], "b": [[0, 1], [2, 0]], "c": [[2, 0], [0, 1]]}, 3), name="GL2_3"
    ),
    "A4 x C3": lambda: from_permutations({"a": "(0 1 2)", "b": "(0 1)(2 3)", "c": "(4 5 6)"}, name="A4xC3"),
    "C3:C8": lambda: from_presentation("< a, b | a^3, b^8, b^-1 a b = a^-1 >", name="C3_C8"),
    "D7 (order 14)": lambda: dihedral(7),
    "C4 x C2 x C2": lambda: from_presentation("< a, b, c | a^4, b^2, c^2, a b = b a, a c = c a, b c = c b >"),
    "C9:C3": lambda: from_presentation("< a, b | a^9, b^3, b^-1 a b = a^4 >", name="C9_C3"),
    "GL(2,5)": lambda: from_permutations(
        _matrix_permutations({"a": [[2, 0], [0, 1]], "b": [[4, 1], [4, 0]]}, 5), name="GL2_5"
    ),
}
