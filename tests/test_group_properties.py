"""Property tests: axioms, the regular representation, and agreement between constructors."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from grouptheory import FiniteGroup, cyclic, dihedral, from_matrices, from_permutations, from_presentation


def fingerprint(group: FiniteGroup) -> tuple:
    return (
        group.order,
        group.is_abelian,
        group.exponent,
        tuple(sorted(len(c) for c in group.conjugacy_classes())),
        len(group.center()),
        tuple(sorted(int(k) for k in group.element_orders)),
    )


def check_regular_representation(group: FiniteGroup) -> None:
    rho = group.regular_matrices().astype(np.int64)
    table = group.cayley_table
    for g in range(group.order):
        for h in range(group.order):
            assert np.array_equal(rho[g] @ rho[h], rho[table[g, h]])


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=24))
def test_cyclic_and_dihedral_agree_with_presentations(n):
    """cyclic(n) and dihedral(n) match their presentations and satisfy the axioms."""
    for matrices, presentation in (
        (cyclic(n), f"< r | r^{n} >"),
        (dihedral(n), f"< r, s | r^{n}, s^2, (s r)^2 >"),
    ):
        matrices.verify()
        assert fingerprint(matrices) == fingerprint(from_presentation(presentation))


permutation = st.integers(min_value=1, max_value=6).flatmap(lambda m: st.permutations(list(range(m))))


@settings(max_examples=40, deadline=None)
@given(st.lists(permutation, min_size=1, max_size=3))
def test_random_permutation_groups(generators):
    """Random permutation groups: axioms hold, rho is a homomorphism, matrices give the same table."""
    named = {f"g{i}": list(p) for i, p in enumerate(generators)}
    group = from_permutations(named)
    group.verify()
    if group.order <= 24:
        check_regular_representation(group)
    degree = max(len(p) for p in generators)
    # Transposed permutation matrices multiply in the same order as "apply x, then g".
    matrices = {
        name: np.eye(degree, dtype=int)[list(p) + list(range(len(p), degree))].tolist() for name, p in named.items()
    }
    as_matrices = from_matrices(matrices)
    assert np.array_equal(as_matrices.cayley_table, group.cayley_table)
    assert fingerprint(as_matrices) == fingerprint(group)


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=2, max_value=12), st.integers(min_value=1, max_value=11))
def test_rotation_powers_are_exact(n, k):
    """The rotation by 2*pi*k/n has order n / gcd(n, k) exactly, even where sympy's == fails."""
    angle = f"2*pi*{k}/{n}"
    group = from_matrices({"r": [[f"cos({angle})", f"-sin({angle})"], [f"sin({angle})", f"cos({angle})"]]})
    assert group.order == n // np.gcd(n, k)


def test_element_numbering_is_breadth_first():
    """Identity first, then elements by shortest word: cyclic groups are numbered e, r, r^2, ..."""
    assert cyclic(6).labels == ("e", "r", "r^2", "r^3", "r^4", "r^5")
    d4 = dihedral(4)
    lengths = [0 if w == "e" else sum(int(p.split("^")[1]) if "^" in p else 1 for p in w.split()) for w in d4.labels]
    assert lengths == sorted(lengths)
    for i, word in enumerate(d4.labels):
        assert d4.word(i) == word


def test_declared_subgroups_are_generated_by_their_words_and_shown():
    """A subgroup named by words is the closure of their elements (inverses and brackets as in presentations),
    and `gcnn show` lists it by its elements' words."""
    import json

    from grouptheory import describe, load

    d4 = dihedral(4).with_subgroups({"turns": ["r^-1"], "klein": ["[r, s]", "s"]})
    turns, klein = (set(d4.declared_subgroups[name]) for name in ("turns", "klein"))
    assert turns == set(dihedral(4).subgroup([1]).embedding) and len(klein) == 4 and 1 not in klein
    assert "subgroup c5: {e, f, f^2, f^3, c f c}" in describe(load("i")).splitlines()
    assert json.loads(describe(d4, "json"))["declared_subgroups"]["turns"] == [0, 6, 3, 1]  # powers of r^-1
    assert "Subgroup `klein`" in describe(d4, "markdown")
