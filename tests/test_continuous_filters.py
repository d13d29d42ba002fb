"""Continuous filters: sampled exactly at every element's turned offsets, measured off the grid."""

import pytest
import torch
from torch import nn

from codegen.equivariance import centre_error, equivariance_error
from generated import c4, c6, c8, c12, c16, d6, d8, d16, i
from grouptheory import GroupTheoryError, load

OFF_GRID = [c6, c8, c12, c16, d6, d8, d16]


@pytest.mark.parametrize("module", [c4, c8, d16], ids=lambda m: m.GROUP_NAME)
@pytest.mark.parametrize("kernel_size", [5, 6, 7])
def test_grid_exact_elements_permute_the_samples_to_1e12(module, kernel_size):
    """For an element that maps the grid onto itself, the turned filter is the filter's samples, moved."""
    layer = module.LiftingConv2d(1, 1, kernel_size, filters="continuous").double()
    filters = layer.expanded_weight()[:, 0]  # (|G|, k, k): the filter turned by each element
    for g in module.EXACT_ELEMENTS:
        assert torch.allclose(filters[g], module.act_on_image(filters[0], g), rtol=0, atol=1e-12)


@pytest.mark.parametrize("module", OFF_GRID, ids=lambda m: m.GROUP_NAME)
def test_off_grid_centre_error_is_within_the_steerable_targets(module):
    """The issue's protocol (kernel 7, 4 fields, smooth analytic input): lifting within 1.1%, and lifting,
    ReLU and a group convolution within 3%, for every element (escnn, measured the same way: 1.6% and 2.2%).
    Without the edge ring the lifting layer is within 0.5%."""
    lift = centre_error(lambda: module.LiftingConv2d(1, 4, 7, padding=3), module, samples=8)
    stack = centre_error(
        lambda: nn.Sequential(
            module.LiftingConv2d(1, 4, 7, padding=3), nn.ReLU(), module.GroupConv2d(4, 4, 7, padding=3)
        ),
        module,
        samples=8,
    )
    tight = centre_error(lambda: module.LiftingConv2d(1, 4, 7, padding=3, edge_ring=False), module, samples=8)
    assert max(lift.values()) < 0.011
    assert max(stack.values()) < 0.03
    assert max(tight.values()) < 0.005
    assert max(lift[g] for g in module.EXACT_ELEMENTS) < 1e-12


def test_icosahedral_filters_turn_exactly_on_the_grid_and_closely_off_it():
    """I: the 12 elements of T permute the voxel samples to 1e-12; the other 48 are measured at the centre
    (kernel 5, 2 fields, no padding on the smallest volume that reaches the centre; see bench_equivariance)."""
    filters = i.LiftingConv3d(1, 1, 5, filters="continuous").double().expanded_weight()[:, 0]
    for g in i.EXACT_ELEMENTS:
        assert torch.allclose(filters[g], i.act_on_volume(filters[0], g), rtol=0, atol=1e-12)
    lift = centre_error(lambda: i.LiftingConv3d(1, 2, 5), i, samples=4, size=5)
    stack = centre_error(
        lambda: nn.Sequential(i.LiftingConv3d(1, 2, 5), nn.ReLU(), i.GroupConv3d(2, 2, 5)), i, samples=4, size=9
    )
    assert max(lift[g] for g in i.EXACT_ELEMENTS) < 1e-12
    assert max(lift.values()) < 0.01
    assert max(stack.values()) < 0.03


def test_pixel_filters_are_far_off_grid():
    """The measure tells the two parametrisations apart: pixel filters are off by tens of percent."""
    errors = centre_error(lambda: c8.LiftingConv2d(1, 4, 7, padding=3, filters="pixel"), c8, samples=4)
    assert max(errors.values()) > 0.2


def test_defaults_and_parameter_counts():
    assert c4.FILTERS == "pixel" and c8.FILTERS == "continuous"
    layer = c8.GroupConv2d(2, 3, 7, padding=3)
    assert layer.weight.shape == (3, 2, 8, 17)
    assert "filters='continuous' (136 parameters a filter)" in repr(layer)
    assert c8.GroupConv2d(2, 3, 7, padding=3, max_frequency=0).weight.shape[-1] < 17
    narrow = c8.GroupConv2d(2, 3, 7, padding=3, edge_ring=False)
    assert narrow.weight.shape[-1] == 14 and repr(narrow).endswith("(112 parameters a filter), edge_ring=False)")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kernel_size": 3}, "continuous filters need kernel_size >= 5"),
        ({"kernel_size": 5, "filters": "smooth"}, "filters must be 'pixel' or 'continuous'; got 'smooth'"),
        ({"kernel_size": 5, "max_frequency": -1}, "max_frequency must be an int >= 0"),
        ({"kernel_size": 5, "edge_ring": "no"}, "edge_ring must be True or False; got 'no'"),
    ],
)
def test_bad_options_name_the_value_and_fix(options, message):
    with pytest.raises(ValueError, match=message):
        c8.LiftingConv2d(1, 1, **options)


def test_a_spec_chooses_the_default(tmp_path):
    from codegen.generate import generate_module

    spec = tmp_path / "rot6.toml"
    spec.write_text(
        'name = "Rot6"\nfilters = "pixel"\n[generators]\nr = [["1/2", "-sqrt(3)/2"], ["sqrt(3)/2", "1/2"]]\n'
    )
    assert 'FILTERS = "pixel"' in generate_module(str(spec), tmp_path).source
    spec.write_text('name = "Rot6"\nfilters = "smooth"\n[generators]\nr = [[0, -1], [1, 0]]\n')
    with pytest.raises(GroupTheoryError, match="filters: 'smooth' must be one of 'pixel', 'continuous'"):
        load(spec)


def test_the_new_catalog_groups():
    orders = {name: load(name).order for name in ("c6", "d6", "c12", "c16", "d16", "i")}
    assert orders == {"c6": 6, "d6": 12, "c12": 12, "c16": 16, "d16": 32, "i": 60}
    assert len(i.EXACT_ELEMENTS) == 12 and i.FILTERS == "continuous"
    assert [c16.LABELS[g] for g in c16.EXACT_ELEMENTS] == ["e", "r^4", "r^8", "r^12"]


def test_centre_error_needs_an_odd_size():
    with pytest.raises(ValueError, match="odd size"):
        centre_error(lambda: c8.LiftingConv2d(1, 1, 5), c8, samples=1, size=32)


def test_equivariance_error_needs_a_nonempty_batch():
    with pytest.raises(ValueError, match="non-empty"):
        equivariance_error(c4.LiftingConv2d(1, 1, 3), torch.randn(0, 1, 7, 7))
