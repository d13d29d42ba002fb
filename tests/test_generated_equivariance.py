"""Equivariance of every generated layer, for every element of every committed group."""

import pytest
import torch
from torch import nn

from codegen.equivariance import assert_equivariant, equivariance_error

DTYPES = [torch.float64, torch.float32]


def spatial(module, *leading, size=9, dtype=torch.float64):
    return torch.randn(*leading, *([size] * module.DIMENSION), dtype=dtype)


def layers(module):
    """One instance of each layer type, with the input it takes."""
    d = module.DIMENSION
    lifting = getattr(module, f"LiftingConv{d}d")
    group_conv = getattr(module, f"GroupConv{d}d")
    norm = getattr(module, f"GroupBatchNorm{d}d")
    network = module.GroupEquivariantCNN if d == 2 else module.GroupEquivariantCNN3d
    unet = module.GroupEquivariantUNet if d == 2 else module.GroupEquivariantUNet3d
    transpose = getattr(module, f"GroupConvTranspose{d}d")
    interpolation = "bilinear" if d == 2 else "trilinear"
    size = 9 if d == 2 else 5
    even = 8 if d == 2 else 4
    kernel = 5 if d == 2 else 3
    image = (2, 3)
    features = (2, 3, module.ORDER)
    return [
        (lifting(3, 4, kernel, padding=kernel // 2, filters="pixel"), image, size),
        (lifting(3, 4, 5, padding=2, filters="continuous"), image, size),
        (lifting(3, 4, 6, padding=1, filters="continuous"), image, size),  # even: centred between pixels, exact
        (lifting(3, 2, 4, padding=0, filters="pixel"), image, size),
        (lifting(3, 2, 3, dilation=2, padding=2, padding_mode="circular", filters="pixel"), image, size),
        (group_conv(3, 4, kernel, padding=kernel // 2, filters="pixel"), features, size),
        (group_conv(3, 4, 5, padding=2, filters="continuous", max_frequency=1), features, size),
        (group_conv(3, 4, 5, padding=2, padding_mode="reflect", bias=False), features, size),  # default filters
        (norm(3), features, size),
        (module.GroupPool("max"), features, size),
        (module.GroupPool("mean"), features, size),
        (network(3, 5, hidden_channels=4, num_layers=3, kernel_size=5), image, size),
        (transpose(3, 2, 4, stride=2, padding=1), features, size),
        (transpose(3, 2, 2, stride=2, bias=False), features, size),
        (transpose(3, 2, 3, padding=1, dilation=2), features, size),
        (module.GroupUpsample(2, "nearest"), features, size),
        (module.GroupUpsample(3, interpolation), features, size),
        (module.GroupMaxPool(2), features, even),
        (module.GroupAvgPool(3, stride=2, padding=1), features, size),
        (module.GroupToScalar("mean"), features, size),
        (module.GroupToScalar("max_mean"), features, size),
        (module.GroupGlobalContext(3), features, size),
        (unet(3, 4, hidden_channels=2, depth=2), image, even),
        (unet(3, 4, hidden_channels=2, depth=1, upsampling="nearest", filters="pixel"), image, even),
        (unet(3, 4, hidden_channels=2, depth=1, upsampling=interpolation), image, even),
        (unet(3, 4, hidden_channels=2, depth=1, group_pool="max_mean"), image, even),
        (unet(3, 4, hidden_channels=2, depth=2, global_context=True), image, even),
    ]


def generating_exact_elements(module) -> list[int]:
    """Exact elements that generate all of EXACT_ELEMENTS (closure under CAYLEY_TABLE), greedily."""
    chosen: list[int] = []
    reached = {0}
    for g in module.EXACT_ELEMENTS:
        if g in reached:
            continue
        chosen.append(g)
        frontier = list(reached)
        while frontier:
            h = frontier.pop()
            for c in chosen:
                product = module.CAYLEY_TABLE[h][c]
                if product not in reached:
                    reached.add(product)
                    frontier.append(product)
    assert reached == set(module.EXACT_ELEMENTS)
    return chosen


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("training", [False, True])
def test_every_layer_is_equivariant_to_exact_elements(group_module, dtype, training):
    """f(g x) = g f(x) within 1e-10 (float64) / 1e-5 (float32): for every grid-exact element in eval mode
    and float64; in the other modes for a set of them that generates the rest (the actions are group
    actions, test_actions_are_group_actions, so equivariance to generators implies it for their products)."""
    every = dtype == torch.float64 and not training
    elements = None if every else generating_exact_elements(group_module)
    for layer, leading, size in layers(group_module):
        layer.train(training)
        assert_equivariant(layer, spatial(group_module, *leading, size=size, dtype=dtype), elements=elements)


def test_stacks_are_equivariant(group_module):
    """A hand-built stack lifting -> norm -> ReLU -> group conv is equivariant as a whole."""
    d = group_module.DIMENSION
    stack = nn.Sequential(
        getattr(group_module, f"LiftingConv{d}d")(2, 3, 5, padding=2),
        getattr(group_module, f"GroupBatchNorm{d}d")(3),
        nn.ReLU(),
        getattr(group_module, f"GroupConv{d}d")(3, 3, 5, padding=2),
    ).eval()
    assert_equivariant(
        stack,
        spatial(group_module, 2, 2, size=7),
        group=group_module,
        input_kind=group_module.GroupPool.output_kind,
        output_kind="features",
    )


def test_strided_layers_are_exact_when_sizes_divide(planar_module):
    """Stride 2 stays exact when (size + 2 padding - span - 1) is divisible by the stride."""
    with pytest.warns(UserWarning, match="stride 2"):
        layer = planar_module.LiftingConv2d(1, 2, 5, stride=2, padding=2)
    assert_equivariant(layer, spatial(planar_module, 1, 1, size=9))


def test_sizes_that_break_exactness_warn_once_or_fail(planar_module):
    """Pooling an odd size warns once, naming the nearest exact size; a U-Net refuses sizes it cannot restore."""
    pool = planar_module.GroupMaxPool(2)
    features = torch.randn(1, 1, planar_module.ORDER, 9, 9)
    with pytest.warns(UserWarning, match="size 9 .* nearest exact size is 10"):
        pool(features)
    pool(features)  # only once: a second warning would fail this test, warnings being errors here
    with pytest.warns(UserWarning, match="output_padding=1"):
        planar_module.GroupConvTranspose2d(1, 1, 3, stride=2, output_padding=1)
    with pytest.raises(ValueError, match=r"multiples of 8, .* got shape \(1, 1, 30, 30\): pad to 32x32"):
        planar_module.GroupEquivariantUNet(1, 2, hidden_channels=1, depth=3)(torch.randn(1, 1, 30, 30))


def test_interpolated_elements_report_their_error():
    """C8's 45-degree rotations resample filters: exact on the grid-exact half, about 5% off on smooth data."""
    from generated import c8

    layer = c8.LiftingConv2d(1, 1, 7, padding=3, bias=False, filters="pixel").double()
    k = torch.linspace(-1, 1, 7, dtype=torch.float64)
    with torch.no_grad():  # a smooth oriented filter: a derivative of a Gaussian
        layer.weight[0, 0] = 2 * k[None, :] * torch.exp(-3 * (k[:, None] ** 2 + k[None, :] ** 2))
    u = torch.linspace(-1, 1, 41, dtype=torch.float64)
    r2 = u[:, None] ** 2 + u[None, :] ** 2
    x = (torch.exp(-6 * r2) * torch.cos(5 * u[:, None] + 2 * u[None, :]) * (r2 < 0.8)).view(1, 1, 41, 41)
    errors = equivariance_error(layer, x)
    for g in c8.EXACT_ELEMENTS:
        assert errors[g] < 1e-12
    off_grid = [errors[g] for g in range(c8.ORDER) if g not in c8.EXACT_ELEMENTS]
    assert 1e-3 < max(off_grid) < 0.1


class _Broken(nn.Module):
    """A lifting layer with a fixed, unrotated filter: not equivariant."""

    input_kind = "image"
    output_kind = "features"

    def __init__(self, module):
        super().__init__()
        self.conv = nn.Conv2d(1, module.ORDER, 3, padding=1)

    def forward(self, x):
        return self.conv(x).unflatten(1, (1, -1))


def test_checker_catches_a_broken_layer():
    """The checker rejects a layer that ignores the group."""
    from generated import c4

    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(_Broken(c4), torch.randn(1, 1, 9, 9, dtype=torch.float64), group=c4)


def test_actions_are_group_actions(group_module):
    """act(act(x, h), g) = act(x, g h) on features and on images: the actions follow the Cayley table."""
    act_on_input = group_module.act_on_image if group_module.DIMENSION == 2 else group_module.act_on_volume
    y = spatial(group_module, 1, 2, group_module.ORDER, size=5)
    x = spatial(group_module, 1, 2, size=5)
    for g in group_module.EXACT_ELEMENTS:
        for h in group_module.EXACT_ELEMENTS:
            gh = group_module.CAYLEY_TABLE[g][h]
            twice = group_module.act_on_features(group_module.act_on_features(y, h), g)
            assert torch.equal(twice, group_module.act_on_features(y, gh))
            assert torch.equal(act_on_input(act_on_input(x, h), g), act_on_input(x, gh))


def test_c4_rotation_is_counterclockwise():
    """Element r of C4 is torch.rot90 (counter-clockwise as displayed, row 0 on top)."""
    from generated import c4

    x = torch.randn(2, 5, 5)
    assert torch.equal(c4.act_on_image(x, 1), torch.rot90(x, 1, dims=(-2, -1)))
