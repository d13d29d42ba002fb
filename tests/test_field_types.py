"""Field types and steerable convolutions: exact kernel spaces, their dimensions, and equivariance."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import itertools
import math
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from codegen.equivariance import centre_error
from grouptheory import catalog_subgroups, harmonic_polynomials, kernel_spaces, load
from grouptheory._exact_arrays import exact_field
from grouptheory._kernel_spaces import harmonic_matrices
from grouptheory._spherical import spherical_harmonic_matrices

GRID_EXACT = ["trivial", "c2", "d2", "c4", "d4", "c4z", "t", "o", "d4h", "oh"]
PLANAR = ["c4", "d4", "c6", "c8", "d8", "c16", "d16"]
SPATIAL = ["c4z", "t", "o", "d4h", "oh", "i"]


def module(name: str):
    return importlib.import_module(f"generated.{name}")


def every_field(m) -> dict[str, int]:
    """One field of each kind the module knows: trivial, regular, standard, each irrep, each quotient."""
    return {name: 1 for name in m._FIELD_NAMES}


@pytest.mark.parametrize("name", GRID_EXACT)
def test_engine_bases_intertwine_are_orthonormal_and_have_the_predicted_dimension(name):
    group = load(name)
    spaces = kernel_spaces(group)  # raises where a dimension differs from the characters' prediction
    irreps = [rep.float_matrices() for rep in spaces.irreps]
    for stabiliser, bases, dimensions in zip(spaces.stabilisers, spaces.bases, spaces.dimensions, strict=True):
        for (j, i), basis in bases.items():
            found, predicted = dimensions[(j, i)]
            assert found == predicted == len(basis)
            if not basis:
                continue
            x = np.array(basis)
            gram = np.einsum("nab,mab->nm", x, x)
            np.testing.assert_allclose(gram, np.eye(len(x)), atol=1e-12)
            for s in stabiliser:
                np.testing.assert_allclose(irreps[j][s] @ x, x @ irreps[i][s], atol=1e-12)


@pytest.mark.parametrize("name", ["c4", "d4", "c6", "c8", "o", "oh", "i"])
def test_engine_harmonic_tensors_are_equivariant_and_have_the_predicted_dimension(name):
    """sum_c A(g)[c, c'] X[c] = out(g) X[c'] in(g)^T for every element, A(g) the harmonics' exact matrices
    (phi(g u) = A(g) phi(u)): then K(u) = sum_c phi_c(u) X[c] has K(g u) = out(g) K(u) in(g)^T."""
    group = load(name)
    spaces = kernel_spaces(group)
    irreps = [rep.float_matrices() for rep in spaces.irreps]
    moves = harmonic_matrices if group.dimension == 2 else spherical_harmonic_matrices
    for degree, (tensors, dimensions) in enumerate(zip(spaces.harmonics, spaces.harmonic_dimensions, strict=True)):
        conductor, exact = moves(group, degree)
        harmonics = exact_field(conductor).to_complex(exact).real
        for (j, i), basis in tensors.items():
            assert dimensions[(j, i)][0] == dimensions[(j, i)][1] == len(basis)
            for x in map(np.array, basis):
                moved = np.einsum("gcd,cab->gdab", harmonics, x)
                expected = np.einsum("gab,dbe,gfe->gdaf", irreps[j], x, irreps[i])
                np.testing.assert_allclose(moved, expected, atol=1e-12)


@pytest.mark.parametrize("name", ["o", "i"])
def test_spherical_harmonics_are_harmonic_and_move_by_their_exact_matrices(name):
    """h(g u) = A(g) h(u) at random points, and the Laplacian of every harmonic polynomial is zero."""
    group = load(name)
    matrices = group.float_matrices()
    points = np.random.default_rng(0).normal(size=(20, 3))
    for degree in range(4):
        monomials, polynomials = harmonic_polynomials(degree)
        assert len(polynomials) == 2 * degree + 1
        exponents = np.array(monomials)
        coefficients = np.array(polynomials, dtype=float)

        def evaluate(u, e=exponents, c=coefficients):
            return np.prod(u[:, None, :] ** e, axis=-1) @ c.T  # (points, 2l + 1)

        conductor, exact = spherical_harmonic_matrices(group, degree)
        a = exact_field(conductor).to_complex(exact).real
        for g in range(group.order):
            np.testing.assert_allclose(evaluate(points @ matrices[g].T), evaluate(points) @ a[g].T, atol=1e-10)
        lowered = exponents[:, None, :] - 2 * np.eye(3, dtype=int)  # (monomial, axis, 3): d^2/d(axis)^2
        second = exponents * (exponents - 1)  # (monomial, axis)
        terms = second[None] * np.prod(points[:, None, None, :] ** np.maximum(lowered, 0), axis=-1)
        np.testing.assert_allclose(terms.sum(axis=2) @ coefficients.T, 0, atol=1e-9)  # every polynomial's Laplacian


def test_catalog_subgroups_are_found_by_their_exact_matrices():
    assert catalog_subgroups(load("d4")) == {"c2": (0, 3), "c4": (0, 1, 3, 6), "d2": (0, 3, 2, 7)}
    assert set(catalog_subgroups(load("oh"))) == {"c4z", "d4h", "o", "t"}
    assert set(catalog_subgroups(load("i"))) == {"t"}  # the twelve rotations I shares with the cube
    assert set(catalog_subgroups(load("d16"))) == {"c2", "c4", "c8", "c16", "d2", "d4", "d8"}
    assert catalog_subgroups(load("c4z")) == {}


def assert_cosets_move_as_the_points_on_the_axis(m, subgroup: str, points: int) -> None:
    """The cosets g H of a subgroup H fixing an axis point p (up the axis of H's first non-identity element) are
    the points g p: the quotient field permutes them as the rotations move those points."""
    matrices = torch.tensor(m.MATRICES, dtype=torch.float64)
    eigenvalues, eigenvectors = torch.linalg.eig(matrices[m.SUBGROUPS[subgroup][1]])
    axis = eigenvectors[:, (eigenvalues - 1).abs().argmin()].real
    moves = torch.tensor(m.FIELD_PERMUTATIONS[f"quotient_{subgroup}"])  # moves[g][x]: where g takes coset x
    point = {int(moves[g][0]): matrices[g] @ axis for g in range(m.ORDER)}  # coset x = g H -> g (axis)
    stacked = torch.stack(list(point.values()))
    assert len(point) == points and torch.cdist(stacked, stacked).add(torch.eye(points)).min() > 0.5  # distinct
    for g in range(m.ORDER):
        for x in range(points):
            torch.testing.assert_close(matrices[g] @ point[x], point[int(moves[g][x])])


def test_i_names_a_quotient_field_for_every_kind_of_subgroup_and_c5s_are_the_vertices():
    """i.toml declares C2, C3, C5, D2, D3 and D5 (T is a catalog group): with the trivial group and I itself,
    one subgroup of each of I's nine conjugacy classes. The cosets of C5, the stabiliser of the 5-fold axis of
    f, are the icosahedron's 12 vertices."""
    m = module("i")
    orders = {name: len(members) for name, members in m.SUBGROUPS.items()}
    assert orders == {"t": 12, "c2": 2, "c3": 3, "c5": 5, "d2": 4, "d3": 6, "d5": 10}
    assert set(m.RESTRICTIONS) == {"t"}  # the declared ones have no module to continue with
    assert_cosets_move_as_the_points_on_the_axis(m, "c5", 12)


def test_o_names_quotient_fields_on_the_parts_of_the_cube():
    """o.toml declares the stabilisers of a vertex (C3), an edge (C2 about its midpoint), a body diagonal (D3)
    and an axis (D4), beside the catalog C4z and T. The cosets of C3 are the cube's 8 vertices."""
    m = module("o")
    orders = {name: len(members) for name, members in m.SUBGROUPS.items()}
    assert orders == {"c4z": 4, "t": 12, "c3": 3, "c2_edge": 2, "d3": 6, "d4": 8}
    assert set(m.RESTRICTIONS) == {"c4z", "t"}
    assert_cosets_move_as_the_points_on_the_axis(m, "c3", 8)
    assert_cosets_move_as_the_points_on_the_axis(m, "c2_edge", 12)  # the edges' midpoints


def test_oh_names_quotient_fields_on_the_faces_vertices_and_edges_of_the_cube():
    """oh.toml declares the stabilisers of a face (C4v), a vertex (C3v), an edge (C2v) and a body diagonal (D3d),
    each a rotation axis with the mirrors through it, beside the catalog C4z, D4h, O and T."""
    m = module("oh")
    orders = {name: len(members) for name, members in m.SUBGROUPS.items()}
    assert orders == {"c4z": 4, "d4h": 16, "o": 24, "t": 12, "c4v": 8, "c3v": 6, "c2v": 4, "d3d": 12}
    assert set(m.RESTRICTIONS) == {"c4z", "d4h", "o", "t"}
    assert_cosets_move_as_the_points_on_the_axis(m, "c4v", 6)
    assert_cosets_move_as_the_points_on_the_axis(m, "c3v", 8)
    assert_cosets_move_as_the_points_on_the_axis(m, "c2v", 12)


@pytest.mark.parametrize("name", [*GRID_EXACT, "c8", "d16", "i"])
def test_field_representations_are_homomorphisms(name):
    m = module(name)
    table = torch.tensor(m.CAYLEY_TABLE)
    for field in m._FIELD_NAMES:
        rho = m._field_matrices(field)
        products = torch.einsum("gab,hbc->ghac", rho, rho)
        torch.testing.assert_close(products, rho[table], atol=1e-12, rtol=0)
        torch.testing.assert_close(rho @ rho.transpose(1, 2), torch.eye(rho.shape[1]).expand_as(rho).double())
        blocks, q = m._field_blocks(field)
        irreps = [m._field_matrices(f"irrep_{k}") for k in blocks]
        diagonal = torch.stack([torch.block_diag(*(rho[g] for rho in irreps)) for g in range(m.ORDER)])
        torch.testing.assert_close(q @ diagonal @ q.T, rho, atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", GRID_EXACT)
def test_kernel_dimensions_are_the_counts_the_characters_predict(name):
    """dim = (1/|G|) sum_g fix(g) chi_out(g) chi_in(g), fix(g) the kernel positions g fixes."""
    m = module(name)
    kernel_size = 3
    conv_class = getattr(m, f"SteerableConv{m.DIMENSION}d")
    fields = every_field(m)
    conv = conv_class(m.FieldType(**fields), m.FieldType(**fields), kernel_size)
    images = m._kernel_sources(kernel_size)
    fixed = (images == torch.arange(images.shape[1])).sum(1).double()
    for out, inp, count in conv.kernel_dimensions():
        chi_out = m._field_matrices(out).diagonal(dim1=1, dim2=2).sum(1)
        chi_in = m._field_matrices(inp).diagonal(dim1=1, dim2=2).sum(1)
        predicted = (fixed * chi_out * chi_in).mean().item()
        assert count == round(predicted), (out, inp)


@pytest.mark.parametrize("name", ["c4", "d4", "oh"])
def test_lifting_and_group_convolutions_are_the_permutation_special_cases(name):
    m = module(name)
    conv_class = getattr(m, f"SteerableConv{m.DIMENSION}d")
    lifting = conv_class(m.FieldType(trivial=1), m.FieldType(regular=1), 3)
    group = conv_class(m.FieldType(regular=1), m.FieldType(regular=1), 3)
    assert lifting.weight.numel() == 3**m.DIMENSION
    assert group.weight.numel() == m.ORDER * 3**m.DIMENSION


@pytest.mark.parametrize("name", GRID_EXACT)
@pytest.mark.parametrize("train", [True, False])
def test_steerable_layers_are_equivariant_for_every_pair_of_fields(name, train):
    """One conv from every field kind to every field kind, then the nonlinearity and the invariants:
    float32, every element (they all map the grid onto itself)."""
    torch.manual_seed(0)
    m = module(name)
    conv_class = getattr(m, f"SteerableConv{m.DIMENSION}d")
    field_type = m.FieldType(**every_field(m))
    conv = conv_class(field_type, field_type, kernel_size=3, padding=1)
    norm, relu, invariants = m.FieldBatchNorm(field_type), m.FieldReLU(field_type), m.FieldInvariants(field_type)
    size = 7 if m.DIMENSION == 2 else 5
    x = torch.randn(2, field_type.size, *(size,) * m.DIMENSION)
    with torch.no_grad():
        relu.threshold.uniform_(0.0, 0.5)
        norm.weight.uniform_(0.5, 1.5)
        norm.bias.uniform_(-0.5, 0.5)
        norm(conv(x))  # running statistics that are not the initial ones
    layers = torch.nn.Sequential(conv, norm, relu).train(train)
    y = layers(x)
    for g in range(m.ORDER):
        moved = layers(field_type.act(x, g))
        expected = field_type.act(y, g)
        assert (moved - expected).abs().max() <= 1e-5 * y.abs().max(), (name, g)
        act = m.act_on_image if m.DIMENSION == 2 else m.act_on_volume
        torch.testing.assert_close(invariants(moved), act(invariants(y), g), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    ("name", "counts"),
    [
        ("c8", {"regular": 1, "standard": 2, "irrep_1": 1, "trivial": 2}),
        ("i", {"trivial": 2, "irrep_4": 2, "regular": 1}),
    ],
)
def test_field_relu_in_training_has_the_gradients_of_its_formula(name, counts):
    """In training, FieldReLU's backward works from its output and the fields' norms: the same gradients as
    autograd through its formula (eval mode), for the input and the thresholds, with negative thresholds and
    fields that are exactly zero (their norm at the clamp's floor), and gradcheck passes."""
    m = module(name)
    field_type = m.FieldType(**counts)
    relu = m.FieldReLU(field_type).double()
    torch.manual_seed(0)
    with torch.no_grad():
        relu.threshold.uniform_(-0.5, 1.0)
    y = torch.randn(3, field_type.size, *(4,) * m.DIMENSION, dtype=torch.float64)
    y[:, :, 0] = 0.0
    y.requires_grad_(True)
    grad = torch.randn_like(y)
    results = []
    for train in (True, False):
        out = relu.train(train)(y)
        results.append((out, *torch.autograd.grad(out, (y, relu.threshold), grad)))
    for trained, formula in zip(*results, strict=True):
        torch.testing.assert_close(trained, formula, rtol=1e-12, atol=1e-12)
    relu.train()
    small = torch.randn(2, field_type.size, *(3,) * m.DIMENSION, dtype=torch.float64, requires_grad=True)
    threshold = relu.threshold.detach().clone().requires_grad_(True)
    buffers = relu.members.double(), relu.pointwise, relu.normed_field_of_channel, relu.normed_channels
    assert torch.autograd.gradcheck(lambda y, b: m._FieldReLUFunction.apply(y, b, *buffers)[0], (small, threshold))


def test_field_relu_in_training_works_under_torch_func():
    """Per-sample gradients through FieldReLU in training (torch.func.vmap of torch.func.grad) are autograd's."""
    m = module("c8")
    field_type = m.FieldType(regular=1, standard=2, irrep_2=1)
    relu = m.FieldReLU(field_type).train()
    with torch.no_grad():
        relu.threshold.uniform_(0.0, 0.5)
    y = torch.randn(3, field_type.size, 4, 4)
    per_sample = torch.func.vmap(torch.func.grad(lambda sample: relu(sample[None]).square().sum()))(y)
    for sample, gradient in zip(y, per_sample, strict=True):
        sample = sample[None].clone().requires_grad_(True)
        torch.testing.assert_close(gradient, torch.autograd.grad(relu(sample).square().sum(), sample)[0][0])


def test_field_relu_in_training_keeps_only_its_output_and_the_norms():
    """What FieldReLU keeps for backward in training: its output (which the next convolution keeps anyway) and
    one channel per normed field, where autograd through its formula keeps nearly four times its output."""
    m = module("c8")
    field_type = m.FieldType(regular=2, standard=3, irrep_2=2)
    relu = m.FieldReLU(field_type).train()
    y = torch.randn(2, field_type.size, 6, 6, requires_grad=True)
    saved = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        saved[tensor.untyped_storage().data_ptr()] = tensor.untyped_storage().nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        out = relu(y)
    normed = 5  # three standard fields, two of irrep_2
    assert out.untyped_storage().data_ptr() in saved
    assert sum(saved.values()) <= out.untyped_storage().nbytes() * (1 + normed / field_type.size) + 4096


def test_field_invariants_are_each_fields_max_or_norm():
    """The max over each permutation field's channels and the norm of each other field, in field order."""
    m = module("d4")
    field_type = m.FieldType(regular=2, standard=2, trivial=1, irrep_1=1)
    y = torch.randn(3, field_type.size, 4, 4)
    fields = y.split([m.FieldType.degree(name) for name in field_type.copies], dim=1)
    expected = [
        f.amax(1) if name in ("regular", "trivial") else f.norm(dim=1)
        for f, name in zip(fields, field_type.copies, strict=True)
    ]
    torch.testing.assert_close(m.FieldInvariants(field_type)(y), torch.stack(expected, dim=1), rtol=0, atol=0)


@pytest.mark.parametrize("name", ["d4", "c8"])
def test_the_trivial_irrep_is_the_trivial_field_under_its_irrep_name(name):
    """irrep_0 (what FourierReLU's functions start with) gets what `trivial` gets: the same kernels, a pointwise
    ReLU, a shifted batch norm and its value as its invariant, so one network computes the same with either."""
    torch.manual_seed(0)
    m = module(name)
    assert m.FIELD_BLOCKS["trivial"] == (0,) and m.FIELD_PERMUTATIONS["irrep_0"] == m.FIELD_PERMUTATIONS["trivial"]

    def network(scalar: str) -> torch.nn.Sequential:
        field_type = m.FieldType(**{scalar: 2, "regular": 1})
        return torch.nn.Sequential(
            m.SteerableConv2d(m.FieldType(**{scalar: 1}), field_type, 5, padding=2),
            m.FieldBatchNorm(field_type),
            m.FieldReLU(field_type),
            m.FieldInvariants(field_type),
        )

    trivial, irrep = network("trivial"), network("irrep_0")
    with torch.no_grad():
        for p in trivial.parameters():
            p.uniform_(-1, 1)
    irrep.load_state_dict(trivial.state_dict())
    x = torch.randn(4, 1, 6, 6)
    torch.testing.assert_close(irrep(x), trivial(x), rtol=0, atol=0)


@pytest.mark.parametrize("name", ["d4", "c8", "oh"])
def test_gated_nonlinearity_is_equivariant(name):
    torch.manual_seed(0)
    m = module(name)
    fields = {field: 1 for field in m._FIELD_NAMES if field != "trivial"}
    gate = m.FieldGate(m.FieldType(**fields))
    conv = getattr(m, f"SteerableConv{m.DIMENSION}d")(
        m.FieldType(trivial=1), gate.in_type, 5 if m.DIMENSION == 2 else 3
    )
    layers = torch.nn.Sequential(conv, gate)
    x = torch.randn(2, 1, *(9 if m.DIMENSION == 2 else 7,) * m.DIMENSION)
    y = layers(x)
    assert y.shape[1] == gate.field_type.size
    act = m.act_on_image if m.DIMENSION == 2 else m.act_on_volume
    for g in m.EXACT_ELEMENTS:
        assert (layers(act(x, g)) - gate.field_type.act(y, g)).abs().max() <= 1e-5 * y.abs().max(), (name, g)
    with pytest.raises(ValueError, match="trivial fields need no gate"):
        m.FieldGate(m.FieldType(trivial=1, regular=1))


@pytest.mark.parametrize("name", ["d4", "c8", "oh"])
def test_steerable_networks_give_invariant_logits_and_vectors_that_turn(name):
    """SteerableCNN with both heads, in train and eval mode, for every element that maps the grid onto itself."""
    torch.manual_seed(0)
    m = module(name)
    hidden = m.FieldType(regular=1, standard=1, **({"quotient_c4": 1} if name == "d4" else {}))
    kernel = 3 if m.FILTERS == "pixel" else 5
    classes = m.SteerableCNN(1, 3, hidden, num_layers=2, kernel_size=kernel, downsample_every=1)
    vectors = m.SteerableCNN(1, 2, hidden, num_layers=2, kernel_size=kernel, head="vectors")
    blurred = m.SteerableCNN(
        1, 2, hidden, num_layers=2, kernel_size=kernel, downsample_every=1, pool="blur", head="vectors"
    )
    act = m.act_on_image if m.DIMENSION == 2 else m.act_on_volume
    x = torch.randn(3, 1, *(8 if m.DIMENSION == 2 else 6,) * m.DIMENSION)
    generators = m.EXACT_ELEMENTS if m.DIMENSION == 2 else (1, 2, 3)  # Oh's z, x and i: the rest follow
    for train in (True, False):
        logits, turned, turned_blurred = classes.train(train)(x), vectors.train(train)(x), blurred.train(train)(x)
        assert logits.shape == (3, 3) and turned.shape == turned_blurred.shape == (3, 2, m.DIMENSION)
        for g in generators:
            matrix = torch.tensor(m.MATRICES[g], dtype=torch.float32)
            torch.testing.assert_close(classes(act(x, g)), logits, atol=1e-5, rtol=1e-5)
            torch.testing.assert_close(vectors(act(x, g)), turned @ matrix.T, atol=1e-5, rtol=1e-5)
            torch.testing.assert_close(blurred(act(x, g)), turned_blurred @ matrix.T, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="head must be 'classes' or 'vectors'"):
        m.SteerableCNN(1, 2, hidden, head="vector")
    with pytest.raises(ValueError, match="pool must be 'average' or 'blur'"):
        m.SteerableCNN(1, 2, hidden, pool="max")


@pytest.mark.parametrize("name", ["c8", "o"])
def test_blur_pool_low_passes_then_halves_each_side(name):
    """BlurPool keeps constants (away from the zero padding), halves odd sides as the average pool does, and,
    unlike it, passes little of a pattern near the coarser grid's limit: a wave of period 3 sites along an axis
    (the average pool keeps 0.50 of its amplitude, the binomial filter 0.13 before the stride)."""
    m = module(name)
    nd, pool = m.DIMENSION, m.BlurPool()
    average = getattr(torch.nn, f"AvgPool{nd}d")(2)
    assert pool(torch.ones(1, 2, *(9,) * nd)).shape == average(torch.ones(1, 2, *(9,) * nd)).shape == (1, 2, *(4,) * nd)
    inner = (slice(None), slice(None), *(slice(1, -1),) * nd)
    assert torch.allclose(pool(torch.ones(1, 2, *(12,) * nd))[inner], torch.ones(()))
    wave = torch.cos(2 * math.pi * torch.arange(24.0) / 3).expand(*(24,) * nd)[None, None]
    assert pool(wave)[inner].abs().max() < 0.15
    assert average(wave)[inner].abs().max() > 0.45
    assert "kernel" not in pool.state_dict()


@pytest.mark.parametrize("name", ["d4", "c8", "o", "i"])
def test_unets_with_a_vector_head_output_dense_fields_that_turn(name):
    """Every site's vectors turn with the input and move with it: out(g x) = FieldType(standard=2).act(out(x), g)."""
    torch.manual_seed(0)
    m = module(name)
    unet = m.GroupEquivariantUNet if m.DIMENSION == 2 else m.GroupEquivariantUNet3d
    net = unet(1, 2, hidden_channels=1, depth=1, head="vectors")
    act = m.act_on_image if m.DIMENSION == 2 else m.act_on_volume
    x = torch.randn(2, 1, *(8 if m.DIMENSION == 2 else 4,) * m.DIMENSION)
    generators = (1, 2) if name == "o" else m.EXACT_ELEMENTS  # O's two generators: the rest follow
    vectors = m.FieldType(standard=2)
    for train in (True, False):
        out = net.train(train)(x)
        assert out.shape == (2, vectors.size, *x.shape[2:])
        for g in generators:
            torch.testing.assert_close(net(act(x, g)), vectors.act(out, g), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="head must be 'classes' or 'vectors'"):
        unet(1, 2, head="vector")
    with pytest.raises(ValueError, match="group_pool must be 'max', 'mean' or 'max_mean'; got 'avg'"):
        unet(1, 2, head="vectors", group_pool="avg")


def test_errors_name_the_field_and_the_fix():
    m = module("c4")
    with pytest.raises(ValueError, match="no field 'irrep_9'"):
        m.FieldType(irrep_9=1)
    with pytest.raises(ValueError, match="at least one field"):
        m.FieldType()
    with pytest.raises(ValueError, match="take filters 'pixel' or 'continuous'; got 'smooth'"):
        m.SteerableConv2d(m.FieldType(trivial=1), m.FieldType(regular=1), 5, filters="smooth")
    with pytest.raises(ValueError, match=r"expects \(B, 4, H, W\)"):
        m.SteerableConv2d(m.FieldType(regular=1), m.FieldType(regular=1), 3)(torch.randn(1, 3, 8, 8))


@pytest.mark.parametrize("name", PLANAR)
@pytest.mark.parametrize("train", [True, False])
def test_continuous_steerable_layers_are_equivariant_for_every_pair_of_fields(name, train):
    """Continuous filters (circular harmonics): every field kind to every field kind, float32, for every element
    that maps the grid onto itself (the others are measured by the centre error below)."""
    torch.manual_seed(0)
    m = module(name)
    field_type = m.FieldType(**every_field(m))
    layers = torch.nn.Sequential(
        m.SteerableConv2d(field_type, field_type, 5, padding=2, filters="continuous"), m.FieldReLU(field_type)
    ).train(train)
    x = torch.randn(2, field_type.size, 9, 9)
    y = layers(x)
    for g in m.EXACT_ELEMENTS:
        assert (layers(field_type.act(x, g)) - field_type.act(y, g)).abs().max() <= 1e-5 * y.abs().max(), (name, g)


@pytest.mark.parametrize(
    ("name", "kernel", "padding"),
    [("d4", 4, 1), ("c8", 6, 2), ("o", 4, 1), ("i", 6, 2)],  # pixel, continuous, pixel and continuous in space
)
def test_transposed_steerable_convolutions_double_sizes_equivariantly_as_adjoints(name, kernel, padding):
    """Stride 2, kernel = 2 + 2 * padding: the output is twice the input and centred on it, equivariant to 1e-5 in
    float32 for every element that maps the grid onto itself (fields of every kind; for I a smaller mix), and the
    adjoint of the strided convolution from out_type to in_type with each kernel transposed:
    <up(x), y> = <x, conv(y)>."""
    torch.manual_seed(0)
    m = module(name)
    nd = m.DIMENSION
    fields = every_field(m) if name != "i" else {"regular": 1, "standard": 1, "quotient_c5": 1, "irrep_4": 1}
    in_type, out_type = m.FieldType(**fields), m.FieldType(**dict(reversed(fields.items())))
    up = getattr(m, f"SteerableConvTranspose{nd}d")(in_type, out_type, kernel, stride=2, padding=padding, bias=False)
    size = 4 if nd == 2 else 3
    x = torch.randn(2, in_type.size, *(size,) * nd)
    for train in (True, False):
        y = up.train(train)(x)
        assert y.shape == (2, out_type.size, *(2 * size,) * nd)
        for g in m.EXACT_ELEMENTS:
            assert (up(in_type.act(x, g)) - out_type.act(y, g)).abs().max() <= 1e-5 * y.abs().max(), (name, g, train)
    conv = getattr(F, f"conv{nd}d")
    target = torch.randn_like(y)
    with torch.no_grad():
        adjoint = conv(target, up.expanded_weight().transpose(0, 1), stride=2, padding=padding)
        torch.testing.assert_close((up(x) * target).sum(), (x * adjoint).sum(), rtol=1e-4, atol=1e-3)


def test_transposed_steerable_convolutions_refuse_what_breaks_them():
    m = module("d4")
    ft = m.FieldType(regular=1)
    with pytest.raises(ValueError, match="padding \\(an int: transposed convolutions pad with zeros\\)"):
        m.SteerableConvTranspose2d(ft, ft, 4, stride=2, padding="same")
    with pytest.raises(ValueError, match="output_padding must be smaller than stride or dilation; got 2"):
        m.SteerableConvTranspose2d(ft, ft, 4, stride=2, padding=1, output_padding=2)
    with pytest.warns(UserWarning, match="output_padding=1 adds rows on one side only"):
        m.SteerableConvTranspose2d(ft, ft, 3, stride=2, padding=1, output_padding=1)
    up = m.SteerableConvTranspose2d(ft, ft, 2, stride=2, filters="pixel")
    assert "output_padding=0" in repr(up) and pickle.loads(pickle.dumps(up)).output_padding == 0


def turned(field_type, y: torch.Tensor, g: int) -> torch.Tensor:
    """rho(g) on every site's fields, the sites left in place: the action of a pointwise layer's symmetry."""
    return torch.einsum("ij,bj...->bi...", field_type.representation(g).to(y), y)


@pytest.mark.parametrize("name", ["d4", "c8", "o", "i"])
def test_irrep_decomposition_is_exact_orthogonal_and_equivariant(name):
    """Every field kind, read as irreps: norms kept, undone by the inverse, and rho_out(g) D = D rho_in(g) for every
    element; a regular field (its Fourier transform) holds each irrep as often as the characters say."""
    torch.manual_seed(0)
    m = module(name)
    field_type = m.FieldType(**every_field(m))
    decompose = m.IrrepDecomposition(field_type)
    y = torch.randn(2, field_type.size, *(3,) * m.DIMENSION, dtype=torch.float64)
    z = decompose.double()(y)
    close = functools.partial(torch.testing.assert_close, rtol=1e-5, atol=1e-6)  # the map is kept in float32
    close(z.norm(dim=1), y.norm(dim=1))
    close(decompose.inverse().double()(z), y)
    for g in range(m.ORDER):
        close(decompose(turned(field_type, y, g)), turned(decompose.out_type, z, g))
    # A real irrep of real type appears as often as its dimension; one of complex (quaternionic) type, realified,
    # half (a quarter) as often.
    share = {"real": 1, "complex": 2, "quaternionic": 4}
    expected = {f"irrep_{k}": len(irrep[0]) // share[m.IRREP_KINDS[k]] for k, irrep in enumerate(m.IRREPS)}
    assert dict(m.IrrepDecomposition(m.FieldType(regular=1)).out_type.fields) == expected


@pytest.mark.parametrize("name", ["d4", "c8", "o", "i"])
def test_fourier_relu_is_equivariant_for_every_element_and_the_relu_on_scalars(name):
    torch.manual_seed(0)
    m = module(name)
    fourier = m.FourierReLU(copies=3)
    y = torch.randn(2, fourier.field_type.size, *(3,) * m.DIMENSION)
    out = fourier(y)
    assert out.shape == y.shape and not torch.allclose(out, y)
    for g in range(m.ORDER):
        torch.testing.assert_close(fourier(turned(fourier.field_type, y, g)), turned(fourier.field_type, out, g))
    for g in m.EXACT_ELEMENTS:  # and with the sites moved, where the grid allows
        torch.testing.assert_close(fourier(fourier.field_type.act(y, g)), fourier.field_type.act(out, g))
    scalars = torch.randn(2, 3, *(3,) * m.DIMENSION)
    torch.testing.assert_close(m.FourierReLU(copies=3, irreps=(0,))(scalars), torch.relu(scalars))
    with pytest.raises(ValueError, match="irreps must be distinct indices of IRREPS"):
        m.FourierReLU(copies=1, irreps=(1, 1))
    with pytest.raises(ValueError, match="FourierReLU expects"):
        fourier(y[:, :-1])


@pytest.mark.parametrize("name", ["c8", "c16", "o"])
def test_fourier_relu_with_max_pool_and_fourier_networks_are_equivariant(name):
    """FourierReLU(max_pool=2) is the ReLU and the max pool of the functions' values, projected back onto the band;
    elements permute the values as a regular field's (so it moves with the sites as GroupMaxPool does); and
    FourierCNN's logits are invariant, in train and eval mode, for the elements that map the grid onto itself."""
    torch.manual_seed(0)
    m = module(name)
    irreps = (0, 1, 2) if m.DIMENSION == 2 else (0, 1, 3)
    fourier = m.FourierReLU(copies=3, irreps=irreps, max_pool=2)
    y = torch.randn(2, fourier.field_type.size, *(6,) * m.DIMENSION)
    out = fourier(y)
    assert out.shape == (*y.shape[:2], *(3,) * m.DIMENSION)
    values = torch.relu(fourier.values(y))
    pooled = (F.max_pool2d if m.DIMENSION == 2 else F.max_pool3d)(values.flatten(1, 2), 2).view_as(fourier.values(out))
    band = fourier.transform @ fourier.transform.T  # the projection onto the functions of these irreps
    torch.testing.assert_close(fourier.values(out), torch.einsum("gh,bch...->bcg...", band, pooled))
    generators = m.EXACT_ELEMENTS if m.DIMENSION == 2 else (1, 2)
    for g in generators:
        torch.testing.assert_close(fourier(fourier.field_type.act(y, g)), fourier.field_type.act(out, g))
    net = m.FourierCNN(1, 4, copies=2, irreps=irreps, num_layers=3, downsample_every=1)
    act = m.act_on_image if m.DIMENSION == 2 else m.act_on_volume
    x = torch.randn(3, 1, *(8,) * m.DIMENSION)
    for train in (True, False):
        logits = net.train(train)(x)
        for g in generators:
            torch.testing.assert_close(net(act(x, g)), logits, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    ("name", "pairs"),
    [
        ("d4", [("regular", "regular"), ("quotient_c4", "regular"), ("trivial", "quotient_c2")]),
        ("oh", [("regular", "quotient_c3v"), ("quotient_c2v", "quotient_d3d"), ("trivial", "trivial")]),
    ],
)
def test_orbits_of_kernel_entries_are_those_of_the_whole_group_numbered_by_their_first_entry(name, pairs):
    """`_orbit_index` finds the orbits from the stabiliser of one output basis vector; they are the orbits of
    every element acting on (out basis, in basis, kernel position), numbered as before (checkpoints keep their
    meaning)."""
    m = module(name)
    images = m._position_images(3)
    for out, inp in pairs:
        moves_out, moves_in = (torch.tensor(m.FIELD_PERMUTATIONS[field]) for field in (out, inp))
        d_out, d_in, volume = moves_out.shape[1], moves_in.shape[1], images.shape[1]
        y, x, u = torch.meshgrid(torch.arange(d_out), torch.arange(d_in), torch.arange(volume), indexing="ij")
        first = torch.stack([(moves_out[g][y] * d_in + moves_in[g][x]) * volume + images[g][u] for g in range(m.ORDER)])
        expected = torch.unique(first.min(0).values, return_inverse=True)[1]
        assert torch.equal(m._orbit_index(out, inp, 3), expected), (out, inp)


@pytest.mark.parametrize(
    ("name", "filters", "in_counts", "out_counts"),
    [
        ("c4", "pixel", {"regular": 2, "quotient_c2": 1, "irrep_1": 1}, {"trivial": 1, "regular": 1, "standard": 2}),
        ("d16", "continuous", {"regular": 2, "trivial": 1}, {"regular": 1, "standard": 1, "irrep_6": 2}),
    ],
)
def test_every_block_of_the_kernel_is_its_weight_times_its_basis(name, filters, in_counts, out_counts):
    """The kernel, built by a few batched products and one gather, is block by block what each pair of fields'
    parameters give: one value per orbit gathered (C4's pixel filters between permutation fields), or the
    weight times the dense orthonormal basis, including the factored block above DENSE_BASIS_ENTRIES (D16's
    regular -> regular, 320 x 25,600 entries) and blocks with no kernel (D16's trivial -> irrep_6: degree 3
    and up, above the rings' harmonics)."""
    m = module(name)
    conv = m.SteerableConv2d(m.FieldType(**in_counts), m.FieldType(**out_counts), 5, filters=filters).double()
    kinds = {b.kind for b in itertools.chain(*conv._rows)}
    assert kinds == ({"orbits", "dense"} if filters == "pixel" else {"factored", "dense"})
    assert any(not b.count for b in itertools.chain(*conv._rows)) == (name == "d16")
    kernel = conv.expanded_weight().detach().flatten(2)
    top = 0
    for row in conv._rows:
        left = 0
        for b in row:
            weight = conv.weight[b.start : b.start + b.m_out * b.m_in * b.count].detach().view(b.m_out, b.m_in, -1)
            if b.kind == "orbits":
                orbit = m._orbit_index(b.out, b.inp, 5)
                basis = (orbit[None] == torch.arange(b.count)[:, None, None, None]).double()
            else:
                basis = (
                    m._stacked_bases(((b.out, b.inp),), 5, filters)[0]
                    .double()
                    .view(b.count, b.d_out, b.d_in, kernel.shape[-1])
                )
            expected = torch.einsum("ion,nabk->iaobk", weight, basis).reshape(b.m_out * b.d_out, b.m_in * b.d_in, -1)
            block = kernel[top : top + b.m_out * b.d_out, left : left + b.m_in * b.d_in]
            torch.testing.assert_close(block, expected, atol=1e-6, rtol=1e-5)
            left += b.m_in * b.d_in
        top += row[0].m_out * row[0].d_out


@pytest.mark.parametrize(
    "out_counts", [{"regular": 3}, {"trivial": 2, "standard": 1, "quotient_c2": 2}, {"standard": 1, "regular": 1}]
)
def test_the_bias_is_one_value_per_invariant_vector_of_the_output_fields(out_counts):
    m = module("c4")
    out_type = m.FieldType(**out_counts)
    conv = m.SteerableConv2d(m.FieldType(trivial=1), out_type, 3).double()
    bases = [m._bias_basis(name) for name in out_type.copies]
    assert conv.bias.numel() == sum(basis.shape[1] for basis in bases)
    values = conv.bias.detach().split([basis.shape[1] for basis in bases])
    expected = torch.cat([basis @ value for basis, value in zip(bases, values, strict=True)])
    torch.testing.assert_close(conv.expanded_bias().detach(), expected)


@pytest.mark.parametrize("name", ["c8", "d16", "i"])
def test_continuous_lifting_and_group_convolutions_are_the_permutation_special_cases(name):
    m = module(name)
    nd = m.DIMENSION
    conv = getattr(m, f"SteerableConv{nd}d")
    lifting = conv(m.FieldType(trivial=1), m.FieldType(regular=1), 5)
    group = conv(m.FieldType(regular=1), m.FieldType(regular=1), 5)
    assert lifting.filters == group.filters == "continuous"
    assert lifting.weight.numel() == getattr(m, f"LiftingConv{nd}d")(1, 1, 5).weight.numel()
    assert group.weight.numel() == getattr(m, f"GroupConv{nd}d")(1, 1, 5).weight.numel()


def test_off_grid_centre_error_of_mixed_fields_is_within_one_and_a_half_times_the_regular_layers():
    """C8 at 45 degrees: lift -> every field kind -> ReLU -> regular, against lift -> ReLU -> group conv."""
    m = module("c8")
    mixed = m.FieldType(**every_field(m))

    def steerable():
        return torch.nn.Sequential(
            m.SteerableConv2d(m.FieldType(trivial=1), mixed, 7, padding=3),
            m.FieldReLU(mixed),
            m.SteerableConv2d(mixed, m.FieldType(regular=4), 7, padding=3),
            torch.nn.Unflatten(1, (4, m.ORDER)),
        )

    def regular():
        return torch.nn.Sequential(
            m.LiftingConv2d(1, 4, 7, padding=3), torch.nn.ReLU(), m.GroupConv2d(4, 4, 7, padding=3)
        )

    off_grid = [g for g in range(m.ORDER) if g not in m.EXACT_ELEMENTS]
    ours = centre_error(steerable, m, samples=4, size=25)
    reference = centre_error(regular, m, samples=4, size=25)
    assert max(ours[g] for g in off_grid) <= 1.5 * max(reference[g] for g in off_grid)


def test_pixel_filters_need_a_group_that_maps_the_grid_onto_itself():
    c8, i = module("c8"), module("i")
    with pytest.raises(ValueError, match="take filters 'continuous'; got 'pixel'"):
        c8.SteerableConv2d(c8.FieldType(trivial=1), c8.FieldType(regular=1), 5, filters="pixel")
    with pytest.raises(ValueError, match="take filters 'continuous'; got 'pixel'"):
        i.SteerableConv3d(i.FieldType(trivial=1), i.FieldType(regular=1), 5, filters="pixel")
    with pytest.raises(ValueError, match=r"kernel_size 1 \(the centre alone\) or >= 5"):
        i.SteerableConv3d(i.FieldType(trivial=1), i.FieldType(regular=1), 3)


@pytest.mark.parametrize("name", SPATIAL)
@pytest.mark.parametrize("train", [True, False])
def test_continuous_steerable_layers_in_space_are_equivariant_for_every_pair_of_fields(name, train):
    """Continuous filters (spherical harmonics): every field kind to every field kind, float32, for every element
    that maps the voxel grid onto itself (I's twelve tetrahedral rotations; the rest are measured off the grid)."""
    torch.manual_seed(0)
    m = module(name)
    field_type = m.FieldType(**every_field(m))
    layers = torch.nn.Sequential(
        m.SteerableConv3d(field_type, field_type, 5, padding=2, filters="continuous"), m.FieldReLU(field_type)
    ).train(train)
    x = torch.randn(1, field_type.size, 7, 7, 7)
    y = layers(x)
    for g in m.EXACT_ELEMENTS:
        assert (layers(field_type.act(x, g)) - field_type.act(y, g)).abs().max() <= 1e-5 * y.abs().max(), (name, g)


def test_continuous_steerable_layers_of_i_are_as_good_off_the_grid_as_its_regular_layers():
    """I's 48 rotations off the grid: lift -> every field kind -> ReLU -> regular, against lift -> ReLU -> group
    conv, kernel 5 (centre error, 16 random stacks each; README reports more)."""
    m = module("i")
    mixed = m.FieldType(**every_field(m))

    def steerable():
        return torch.nn.Sequential(
            m.SteerableConv3d(m.FieldType(trivial=1), mixed, 5),
            m.FieldReLU(mixed),
            m.SteerableConv3d(mixed, m.FieldType(regular=2), 5),
            torch.nn.Unflatten(1, (2, m.ORDER)),
        )

    def regular():
        return torch.nn.Sequential(m.LiftingConv3d(1, 2, 5), torch.nn.ReLU(), m.GroupConv3d(2, 2, 5))

    off_grid = [g for g in range(m.ORDER) if g not in m.EXACT_ELEMENTS]
    ours = centre_error(steerable, m, samples=16, size=9)
    reference = centre_error(regular, m, samples=16, size=9)
    assert max(ours[g] for g in off_grid) <= 1.5 * max(reference[g] for g in off_grid)
    assert max(ours[g] for g in m.EXACT_ELEMENTS) < 1e-6  # float32 bases: exact to their rounding


@pytest.mark.parametrize(("kernel_size", "least"), [(5, 1 / 4), (7, 0.32)])
def test_no_field_type_of_i_has_fewer_channels_at_equal_parameters_than_scalars_alone(kernel_size, least):
    """README's bound on I's activation memory. With m_A fields of each kind A (d_A channels), a hidden layer has
    d.m channels and m.N.m parameters (N_AB kernels from a field of B to one of A). Scalars alone have
    channels^2 = parameters / N_tt; every entry of N_tt d d^T - N is >= 0, and 0 only for scalars to scalars, so
    every other mix has more channels at equal parameters. Against regular fields scalars have ``least``."""
    m = module("i")
    names = ["trivial", "regular", *(f"irrep_{k}" for k in range(1, len(m.IRREPS)))]
    dims = torch.tensor([m.FieldType(**{name: 1}).size for name in names], dtype=torch.float64)
    counts = torch.tensor(
        [
            [m.SteerableConv3d(m.FieldType(**{b: 1}), m.FieldType(**{a: 1}), kernel_size).weight.numel() for b in names]
            for a in names
        ],
        dtype=torch.float64,
    )
    per_root_parameter = dims / counts.diagonal().sqrt()  # channels per square root of parameters, one kind alone
    margin = counts[0, 0] * torch.outer(dims, dims) - counts  # a scalar field is one channel
    assert margin.min() == 0 and torch.nonzero(margin == 0).tolist() == [[0, 0]]
    assert per_root_parameter[0] / per_root_parameter[1] == pytest.approx(least, abs=0.005)


def test_steerable_layers_cache_in_eval_pickle_and_take_float64():
    torch.manual_seed(0)
    m = module("d4")
    in_type, out_type = m.FieldType(regular=1, standard=1), m.FieldType(irrep_4=2, trivial=1)
    conv = m.SteerableConv2d(in_type, out_type, 3, padding=1).eval()
    x = torch.randn(1, in_type.size, 6, 6)
    with torch.no_grad():
        before = conv(x)
        conv.weight.data.mul_(2)  # an edit that the cache must notice
        bias = conv.expanded_bias().view(1, -1, 1, 1)  # only the trivial field's channel is biased
        torch.testing.assert_close(conv(x), 2 * before - bias)
    copy = pickle.loads(pickle.dumps(conv))
    fresh = m.SteerableConv2d(in_type, out_type, 3, padding=1)
    fresh.load_state_dict(conv.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(copy(x), conv(x))
        torch.testing.assert_close(fresh.eval()(x), conv(x))
        assert conv.double()(x.double()).dtype == torch.float64


def mixed_network(m) -> torch.nn.Sequential:
    """Image -> regular, standard and an irrep field -> norm -> ReLU -> a vector field and two scalars, and for
    I a regular field too (its regular -> regular block is the factored kind)."""
    conv = getattr(m, f"SteerableConv{m.DIMENSION}d")
    kernel = 3 if m.FILTERS == "pixel" else 5
    hidden = m.FieldType(regular=1, standard=1, irrep_1=1)
    return torch.nn.Sequential(
        conv(m.FieldType(trivial=1), hidden, kernel, padding=1),
        m.FieldBatchNorm(hidden),
        m.FieldReLU(hidden),
        conv(hidden, m.FieldType(regular=int(m.GROUP_NAME == "I"), standard=1, trivial=2), kernel, padding=1),
    )


def fourier_network(m) -> torch.nn.Sequential:
    """Image -> two regular fields -> their Fourier transform -> FourierReLU -> back -> a transposed convolution
    that doubles the size (C8: abelian, so the transform is one copy of each irrep per regular field)."""
    decompose = m.IrrepDecomposition(m.FieldType(regular=2))
    fourier = m.FourierReLU(copies=2)
    assert decompose.out_type == fourier.field_type
    return torch.nn.Sequential(
        m.SteerableConv2d(m.FieldType(trivial=1), decompose.field_type, 5, padding=2),
        decompose,
        fourier,
        decompose.inverse(),
        m.SteerableConvTranspose2d(decompose.field_type, m.FieldType(standard=1, trivial=1), 6, stride=2, padding=2),
    )


def fourier_cnn(m) -> torch.nn.Module:
    """C16's FourierCNN of the MNIST table: functions of irreps 0 to 3, max-pooled on their values."""
    return m.FourierCNN(1, 10, copies=2, irreps=(0, 1, 2, 3), num_layers=3, downsample_every=2)


def blurred_vector_cnn(m) -> torch.nn.Module:
    """The orientation demo's kind of network: a vector head, blur pooling between the blocks."""
    return m.SteerableCNN(1, 1, m.FieldType(regular=1), num_layers=2, downsample_every=1, pool="blur", head="vectors")


@pytest.mark.parametrize(
    ("name", "network"),
    [
        ("c8", mixed_network),
        ("oh", mixed_network),
        ("i", mixed_network),
        ("c8", fourier_network),
        ("c16", fourier_cnn),
        ("c16", blurred_vector_cnn),
    ],
)  # continuous filters, pixel ones in 3D, continuous in 3D; the Fourier nonlinearity and a transposed convolution;
# the Fourier network of band-limited functions; blur pooling and a vector head
def test_field_networks_export_and_run_in_onnxruntime(name, network):
    m = module(name)
    net = network(m).eval()
    x = torch.randn(2, 1, *(8,) * m.DIMENSION)
    torch.testing.assert_close(torch.export.export(net, (x,)).module()(x), net(x))
    if importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnxscript") is None:
        pytest.skip("onnx export needs the optional extra: pip install '.[onnx]'")
    import onnxruntime

    program = torch.onnx.export(net, (x,), dynamo=True, verbose=False)
    session = onnxruntime.InferenceSession(program.model_proto.SerializeToString(), providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    torch.testing.assert_close(torch.from_numpy(output), net(x), rtol=1e-4, atol=1e-5)


def test_field_networks_compile_in_train_and_eval():
    """Compiled, a field network computes what it does eagerly, forward in both modes and backward in training.
    D16's trivial -> irrep_1 block has no kernel at kernel 5: its zero-size products used to crash the compiled
    backward (a segmentation fault in inductor's code), so empty blocks are now constant zeros."""
    m = module("d16")
    net = mixed_network(m)
    assert ("irrep_1", "trivial", 0) in net[0].kernel_dimensions()
    x = torch.randn(2, 1, 8, 8)
    for train in (False, True):
        compiled = torch.compile(net.train(train), fullgraph=True)
        torch.testing.assert_close(compiled(x), net(x))
    compiled(x).square().sum().backward()
    expected = torch.autograd.grad(net(x).square().sum(), list(net.parameters()))
    for parameter, gradient in zip(net.parameters(), expected, strict=True):
        torch.testing.assert_close(parameter.grad, gradient, rtol=1e-4, atol=1e-4)  # summed in another order


@pytest.mark.parametrize(
    ("name", "subgroup"),
    [
        ("d4", "c4"),
        ("d4", "d2"),
        ("c8", "c4"),
        ("d16", "c16"),
        ("d16", "d8"),
        ("oh", "o"),
        ("oh", "d4h"),
        ("o", "t"),
        ("i", "t"),
    ],
)
def test_restriction_reads_fields_as_the_subgroups_fields(name, subgroup):
    """R rho_G(h) = rho_H(h) R for every element h of H, R orthogonal, and regular fields stay regular."""
    m, h_module = module(name), module(subgroup)
    field_type = m.FieldType(**every_field(m))
    restrict = m.RestrictField(field_type, subgroup)
    h_type = h_module.FieldType(**restrict.fields)
    assert h_type.size == field_type.size
    r = restrict.matrix.double()  # float32, like the layers' other buffers
    torch.testing.assert_close(r @ r.T, torch.eye(len(r), dtype=torch.float64), atol=1e-6, rtol=0)
    for h, g in enumerate(m.SUBGROUPS[subgroup]):
        torch.testing.assert_close(r @ field_type.representation(g), h_type.representation(h) @ r, atol=1e-6, rtol=0)
    regular = m.RestrictField(m.FieldType(regular=2), subgroup)
    assert regular.fields == {"regular": 2 * m.ORDER // h_module.ORDER}
    assert torch.equal(regular.matrix.abs().sum(1), torch.ones(2 * m.ORDER))  # channels reordered only
    y = torch.randn(2, 2 * m.ORDER, *(3,) * m.DIMENSION)
    assert regular.index is not None and torch.equal(regular(y), torch.einsum("ij,bj...->bi...", regular.matrix, y))


@pytest.mark.parametrize(("name", "subgroup"), [("d4", "c4"), ("i", "t")])
def test_a_network_continues_with_its_subgroups_layers(name, subgroup):
    """G's layers, RestrictField, then H's own layers: equivariant to every element of H (D4 then C4; I, with
    continuous filters, then T, with pixel filters, as T maps the voxel grid onto itself)."""
    torch.manual_seed(0)
    g_module, h_module = module(name), module(subgroup)
    nd = g_module.DIMENSION
    hidden = g_module.FieldType(regular=1, standard=1)
    restrict = g_module.RestrictField(hidden, subgroup)
    h_hidden = h_module.FieldType(**restrict.fields)
    g_kernel = 3 if g_module.FILTERS == "pixel" else 5
    net = torch.nn.Sequential(
        getattr(g_module, f"SteerableConv{nd}d")(
            g_module.FieldType(trivial=1), hidden, g_kernel, padding=g_kernel // 2
        ),
        g_module.FieldReLU(hidden),
        restrict,
        getattr(h_module, f"SteerableConv{nd}d")(h_hidden, h_module.FieldType(regular=1), 3, padding=1),
    )
    x = torch.randn(2, 1, *(7,) * nd)
    y = net(x)
    act = g_module.act_on_image if nd == 2 else g_module.act_on_volume
    for h, g in enumerate(g_module.SUBGROUPS[subgroup]):
        moved = h_module.FieldType(regular=1).act(y, h)
        torch.testing.assert_close(net(act(x, g)), moved, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match=f"'c8' is not a catalog subgroup of {g_module.GROUP_NAME}"):
        g_module.RestrictField(hidden, "c8")
