"""Bad declarations fail fast with one clear GroupTheoryError naming the source, value and fix."""

import pytest

from grouptheory import GroupTheoryError, from_matrices, from_permutations, from_presentation, load

ROTATION_BY_ONE_RADIAN = [["cos(1)", "-sin(1)"], ["sin(1)", "cos(1)"]]

PYTHON_CASES = [
    (lambda: from_matrices({"r": [[0, -1, 0], [1, 0]]}), ["generators.r", "not square"]),
    (lambda: from_matrices({"r": [[1, 1], [1, 1]]}), ["generators.r", "singular"]),
    (lambda: from_matrices({"r": [[0.5, 0], [0, 1]]}), ["generators.r[0][0]", "float", '"1/2"']),
    (lambda: from_matrices({"r": [["0.7071", 0], [0, 1]]}), ["generators.r[0][0]", "decimal"]),
    (
        lambda: from_matrices({"r": [[0, -1], [1, 0]], "t": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}),
        ["generators.t", "one size"],
    ),
    (lambda: from_matrices({"r": ROTATION_BY_ONE_RADIAN}), ["cos(1)", "rational multiple of pi", "infinite order"]),
    (lambda: from_matrices({"r": [[1, 1], [0, 1]]}), ["generators.r", "infinite order"]),
    (lambda: from_matrices({"r": [["3/5", "-4/5"], ["4/5", "3/5"]]}), ["generators.r", "infinite order"]),
    (lambda: from_matrices({"r": [[2, 0], [0, 1]]}), ["generators.r", "infinite order"]),
    (lambda: from_matrices({"r": [["cbrt(2)", 0], [0, 1]]}), ["unknown name 'cbrt'"]),
    (lambda: from_matrices({"r": [["__import__('os')", 0], [0, 1]]}), ["generators.r[0][0]"]),
    (lambda: from_presentation("< a, b | a^2, b^3 >"), ["infinite", "max_order"]),
    (lambda: from_presentation("< a | a^20 >", max_order=10), ["max_order=10"]),
    (lambda: from_presentation("< a, b | a^2, (a b >"), ["position 19", "expected ')'"]),
    (lambda: from_presentation("< a, b | a^2, ab >"), ["unknown generator 'ab'", "'a b'"]),
    (lambda: from_presentation("< a, b | a^2, c >"), ["unknown generator 'c'"]),
    (lambda: from_presentation("< a, a | a^2 >"), ["declared twice"]),
    (lambda: from_presentation("< r | r^4 >", action={"r": [[0, -1], [1, -1]]}), ["action", "'r^4'"]),
    (lambda: from_presentation("< r | r^4 >", action={"s": [[0, 1], [1, 0]]}), ["action", "missing"]),
    (lambda: from_matrices({"class": [[1, 0], [0, 1]]}), ["keyword"]),
    (lambda: from_matrices({"r": [[1, 0], [0, 1]]}, name="my group"), ["name", "identifier"]),
    (lambda: from_permutations({"a": "(0 1 1)"}), ["distinct"]),
    (lambda: from_permutations({"a": [0, 2]}), ["not a permutation"]),
]


@pytest.mark.parametrize(("build", "fragments"), PYTHON_CASES)
def test_python_errors_name_the_problem(build, fragments):
    """Each bad declaration raises GroupTheoryError whose message contains the key facts."""
    with pytest.raises(GroupTheoryError) as caught:
        build()
    for fragment in fragments:
        assert fragment in str(caught.value)


D4_SPEC = 'name = "D4"\npresentation = "< r, s | r^4, s^2, (s r)^2 >"\n[subgroups]\n'

SPEC_CASES = [
    ('name = "G"\ncolour = "red"\n[generators]\nr = [[1, 0], [0, 1]]\n', ["colour", "unknown key"]),
    ('name = "G"\n[generators]\nr = [[0.5, 0], [0, 1]]\n', ["generators.r[0][0]", "float"]),
    ('name = "G"\n', ["generators"]),
    ('description = "no name"\n[generators]\nr = [[1, 0], [0, 1]]\n', ["name", "missing"]),
    ('name = "import os"\n[generators]\nr = [[1, 0], [0, 1]]\n', ["name", "identifier"]),
    ('name = "G"\npresentation = "< a | a^"\n', ["presentation", "position"]),
    ('name = "G"\nmax_order = 0\n[generators]\nr = [[1, 0], [0, 1]]\n', ["max_order"]),
    ('name = "G"\n[generators]\nr = [[0, 1], [1, 0]]\n[action]\nr = [[0, 1], [1, 0]]\n', ["action", "presentation"]),
    ('name = "G"\n[generators\n', ["not valid TOML"]),
    (D4_SPEC + 'c4 = ["r"]\nturns = ["r^-1", "r^2"]\n', ["subgroups.turns", "same subgroup as subgroups.c4"]),
    (D4_SPEC + 'h = ["r", "s"]\n', ["subgroups.h", "generate all of D4", "proper, non-trivial"]),
    (D4_SPEC + 'h = ["r^4", "1"]\n', ["subgroups.h", "generate only the identity"]),
    (D4_SPEC + 'h = ["r t"]\n', ["subgroups.h", "unknown generator 't'", "position 2 of the word"]),
    (D4_SPEC + 'h = ["r s)"]\n', ["subgroups.h", "unexpected text after the word"]),
    (D4_SPEC + 'h = "r"\n', ["subgroups.h", "must be a list of words"]),
    (D4_SPEC + "h = []\n", ["subgroups.h", "must be a list of words"]),
    (D4_SPEC + "h = [2]\n", ["subgroups.h", "a word must be a string"]),
    (D4_SPEC + '"quotient-1" = ["r"]\n', ["subgroups.quotient-1", "not a valid identifier"]),
    (D4_SPEC + "h = [" + ", ".join(['"r"'] * 33) + "]\n", ["subgroups.h", "33 words; the limit is 32"]),
    (D4_SPEC + "".join(f'h{k} = ["r"]\n' for k in range(33)), ["subgroups", "33 subgroups; the limit is 32"]),
    (D4_SPEC + 'h = ["(r s)^60000"]\n', ["subgroups.h", "the word expands to more than 100,000 letters"]),
    (D4_SPEC + 'h = ["(r s)^30000", "(s r)^30000"]\n', ["subgroups.h", "the words expand to more than 100,000"]),
    ('name = "G"\nsubgroups = ["r"]\n[generators]\nr = [[0, -1], [1, 0]]\n', ["subgroups", "must be a table"]),
]


@pytest.mark.parametrize(("text", "fragments"), SPEC_CASES)
def test_spec_errors_name_the_file_and_key(tmp_path, text, fragments):
    """Errors from a spec file start with the file's path and name the key."""
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(GroupTheoryError) as caught:
        load(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_unknown_catalog_name_lists_the_catalog():
    """An unknown group name lists what the catalog has."""
    with pytest.raises(GroupTheoryError, match=r"not a catalog name \(c12, c16, c2, c4, "):
        load("c5")
