"""Representations: irreps, the algebra and decompositions, checked exactly in cyclotomic arithmetic."""

from __future__ import annotations

import math

import numpy as np
import pytest
from reference_groups import BUILDERS

from grouptheory import GroupTheoryError, Representation, cyclic, dihedral, load
from grouptheory._exact_arrays import Exact, exact_field
from grouptheory._representation import embed

GROUPS = [
    "catalog c4",
    "catalog d4",
    "catalog c8",
    "catalog d6",
    "catalog d16",
    "catalog o",
    "catalog oh",
    "catalog i",
    "S4 (permutations)",
    "A5 (presentation)",
    "S5",
    "PSL(2,7) (permutations)",
    "SL(2,3) (presentation)",
    "SL(2,5) (presentation)",
    "Q8",
    "Q16",
    "C5:C4",
    "C7:C3",
    "GL(2,3)",
    "A4 x C3",
    "C3:C8",
    "C9:C3",
]


def block_diag(*blocks: np.ndarray) -> np.ndarray:
    size = sum(b.shape[0] for b in blocks)
    out = np.zeros((size, size), dtype=np.result_type(*blocks))
    start = 0
    for b in blocks:
        out[start : start + len(b), start : start + len(b)] = b
        start += len(b)
    return out


def _group(name: str):
    return BUILDERS[name]()


def assert_homomorphism(rep: Representation) -> None:
    """rho(g) rho(s) = rho(g s) for every element g and generator s, exactly."""
    group, field, dense = rep.group, rep.field, rep.dense()
    for s in group.generators:
        products = field.matmul(dense, dense[[s]])
        assert field.equal(products, dense[group.cayley_table[:, s].astype(np.int64)])


def assert_unitary(rep: Representation) -> None:
    """rho(s)^* D rho(s) = D for every generator s: the form is invariant, so the scaled matrices are unitary;
    and the representation knows it (so that it decomposes, and so do its restrictions)."""
    assert rep.is_unitary
    field, dense = rep.field, rep.dense()
    form = rep._form_or_ones(field)
    d = rep.degree
    diagonal = field.zeros((d, d))
    diagonal.numerators[np.arange(d), np.arange(d)] = form.numerators
    diagonal = Exact(diagonal.numerators, form.denominator)
    for s in rep.group.generators:
        matrix = dense[s]
        adjoint = field.conjugate(Exact(np.swapaxes(matrix.numerators, 0, 1), matrix.denominator))
        assert field.equal(field.matmul(field.matmul(adjoint, diagonal), matrix), diagonal)


def table_character(group, row: int, conductor: int) -> Exact:
    """Row of the character table on every element, in Q(zeta_conductor)."""
    table = group.character_table()
    cyclic_values = np.zeros((group.order, conductor), dtype=np.int64)
    for g in range(group.order):
        k = table.class_of(g)
        for power, m in enumerate(table.eigenvalue_multiplicities(row, k)):
            cyclic_values[g, power * conductor // table.orders[k]] += m
    return exact_field(conductor).from_cyclic(cyclic_values)


def assert_character_is(rep: Representation, row: int, times: int = 1) -> None:
    conductor = math.lcm(rep.conductor, rep.group.exponent)
    field = exact_field(conductor)
    ours = embed(rep._character, rep.conductor, conductor)
    expected = table_character(rep.group, row, conductor)
    if rep.kind in ("complex", "quaternionic") and rep.degree > rep.group.character_table().degrees[row]:
        conjugate = rep.group.character_table().conjugate_index(row)
        expected = field.add(expected, table_character(rep.group, conjugate, conductor))
    assert field.equal(ours, field.scale(expected, times))


@pytest.mark.parametrize("name", GROUPS)
def test_irreps_are_exact_unitary_and_match_the_table(name):
    """One irrep per character, in table order: a homomorphism, unitary, irreducible, with that character."""
    group = _group(name)
    table = group.character_table()
    irreps = group.irreps()
    assert [rho.degree for rho in irreps] == list(table.degrees)
    assert sum(rho.degree**2 for rho in irreps) == group.order
    for row, rho in enumerate(irreps):
        assert (
            rho.character_index == row
            and rho.kind == {1: "real", 0: "complex", -1: "quaternionic"}[table.indicators[row]]
        )
        assert_homomorphism(rho)
        assert_unitary(rho)
        assert rho.is_irreducible()
        assert_character_is(rho, row)
        floats = rho.float_matrices()
        eye = np.eye(rho.degree)
        assert np.abs(np.einsum("gji,gjk->gik", floats.conj(), floats) - eye).max() < 1e-12
    for a in range(len(irreps)):
        for b in range(a + 1, len(irreps)):
            assert irreps[a] != irreps[b]


@pytest.mark.parametrize("name", GROUPS)
def test_real_irreps_are_real_orthogonal(name):
    """One real irrep per real character, per pair of complex characters and per quaternionic character."""
    group = _group(name)
    table = group.character_table()
    real = group.irreps(real=True)
    expected = [
        (table.degrees[i] * (1 if table.indicators[i] == 1 else 2), table.indicators[i])
        for i in range(len(table))
        if table.indicators[i] != 0 or table.conjugate_index(i) > i
    ]
    assert [(rho.degree, {"real": 1, "complex": 0, "quaternionic": -1}[rho.kind]) for rho in real] == expected
    for rho in real:
        assert rho.is_real
        assert_homomorphism(rho)
        assert_unitary(rho)
        assert_character_is(rho, rho.character_index)
        assert rho.is_irreducible() == (rho.kind == "real")
        floats = rho.float_matrices()
        assert floats.dtype == np.float64
        assert np.abs(np.einsum("gji,gjk->gik", floats, floats) - np.eye(rho.degree)).max() < 1e-12


def test_declared_actions_are_the_irreps_where_they_can_be():
    """C_n, D_n, O and I keep their declared rotation matrices as the (real) irrep they are."""
    for name, row in (("c8", 1), ("d8", 4), ("o", 3), ("i", 1)):
        group = load(name)
        rho, standard = group.irreps(real=True)[row], group.standard_representation()
        assert rho == standard
        assert np.array_equal(rho.float_matrices(), standard.float_matrices())


@pytest.mark.parametrize("name", ["catalog d4", "catalog o", "catalog i", "SL(2,3) (presentation)", "C3:C8", "Q8"])
def test_regular_representation_contains_each_irrep_degree_times(name):
    """Complex: d copies of each irrep of degree d. Real: d for real ones, d for realified complex pairs,
    d/2 for realified quaternionic ones. The change of basis block-diagonalises every element."""
    group = _group(name)
    regular = group.regular_representation()
    table = group.character_table()
    complex_split = regular.decompose(real=False)
    assert complex_split.multiplicities == table.degrees
    real_split = regular.decompose()
    for rho, m in zip(real_split.irreps, real_split.multiplicities, strict=True):
        d = table.degrees[rho.character_index]
        assert m == (d // 2 if rho.kind == "quaternionic" else d)
    for split in (complex_split, real_split):
        q = split.float_change_of_basis
        blocks = [b.float_matrices() for b in split.blocks]
        floats = regular.float_matrices()
        assert np.abs(q.conj().T @ q - np.eye(group.order)).max() < 1e-12
        for g in range(group.order):
            assert np.abs(q.conj().T @ floats[g] @ q - block_diag(*(b[g] for b in blocks))).max() < 1e-12


def test_change_of_basis_is_exact_in_sympy():
    """For D4's standard representation squared, Q^T Q = I and Q^T rho(g) Q is block diagonal, in sympy."""
    import sympy

    group = load("d4")
    rho = group.standard_representation() * group.standard_representation()
    split = rho.decompose()
    q = split.change_of_basis
    assert sympy.simplify(q.T * q - sympy.eye(4)) == sympy.zeros(4)
    for g in range(group.order):
        blocks = sympy.diag(*(b.matrix(g) for b in split.blocks))
        assert sympy.simplify(q.T * rho.matrix(g) * q - blocks) == sympy.zeros(4)


def test_character_algebra_is_exact():
    """Characters of sums, tensor products and duals are sums, products and conjugates, exactly."""
    group = load("o")
    a, b = group.irreps()[3], group.irreps()[2]
    field = exact_field(math.lcm(a.conductor, b.conductor))
    x, y = embed(a._character, a.conductor, field.conductor), embed(b._character, b.conductor, field.conductor)
    total = a + b
    product = a * b
    assert field.equal(embed(total._character, total.conductor, field.conductor), field.add(x, y))
    assert field.equal(embed(product._character, product.conductor, field.conductor), field.multiply(x, y))
    q16 = BUILDERS["Q16"]()
    rho = q16.irreps()[4]
    assert field_equal_conjugate(rho.dual(), rho)
    assert (a * b).degree == 6 and (a + b).degree == 5
    assert (a * b).decompose().multiplicities == (0, 0, 0, 1, 1)


def field_equal_conjugate(dual: Representation, rho: Representation) -> bool:
    field = rho.field
    return field.equal(dual.lifted(rho.conductor)._character, field.conjugate(rho._character))


@pytest.mark.parametrize("name", ["catalog o", "catalog i", "S4 (permutations)", "C3:C8", "SL(2,3) (presentation)"])
def test_frobenius_reciprocity(name):
    """<Ind_H psi, chi>_G = <psi, Res_H chi>_H for cyclic and larger subgroups H, irreps psi and chi."""
    group = _group(name)
    candidates = [group.subgroup([g]) for g in (1, 2)] + [group.subgroup([1, 2])]
    for subgroup in candidates:
        if subgroup.group.order == group.order:
            continue
        for psi in subgroup.group.irreps():
            induced = group.induced_representation(subgroup, psi)
            assert induced.degree == psi.degree * group.order // subgroup.group.order
            assert_homomorphism(induced)
            up = induced.multiplicities()
            for row, chi in enumerate(group.irreps()):
                assert up[row] == chi.restrict(subgroup).multiplicities()[psi.character_index]


def test_quotient_representation_counts_fixed_cosets():
    """The character of G acting on G/H is the number of cosets each element fixes."""
    group = load("oh")
    subgroup = group.subgroup([1, 2])
    quotient = group.quotient_representation(subgroup)
    members = set(subgroup.embedding)
    table, inverses = group.cayley_table, group.inverses
    reps = sorted({min(int(table[x, h]) for h in members) for x in range(group.order)})
    field = quotient.field
    for g in range(group.order):
        fixed = sum(int(table[inverses[t], table[g, t]]) in members for t in reps)
        assert field.equal(quotient._character[g], field.scale(field.root(0), fixed))
    assert quotient.degree == group.order // subgroup.group.order


def test_restriction_from_d16_to_c16_splits_as_expected():
    """D16's 2-dim irreps restrict to C16 as conjugate pairs of characters: the D16 | C16 hand-over."""
    d16 = load("d16")
    rotations = d16.subgroup([1])
    for rho in d16.irreps():
        if rho.degree == 2:
            restricted = rho.restrict(rotations)
            m = restricted.multiplicities()
            assert sum(m) == 2 and max(m) == 1


def test_misuse_gets_clear_errors():
    c4, d4 = cyclic(4), dihedral(4)
    with pytest.raises(GroupTheoryError, match="same group"):
        c4.irreps()[1] + d4.irreps()[1]
    with pytest.raises(GroupTheoryError, match="subgroup"):
        c4.irreps()[1].restrict(d4.subgroup([1]))
    with pytest.raises(GroupTheoryError, match="not real"):
        c4.irreps()[1].decompose(real=True)
    with pytest.raises(GroupTheoryError, match="not an element index"):
        c4.irreps()[1].matrix(4)
    with pytest.raises(GroupTheoryError, match="limit"):
        dihedral(500).regular_representation().float_matrices()
    with pytest.raises(GroupTheoryError, match="no matrix action"):
        BUILDERS["Q8"]().standard_representation()
