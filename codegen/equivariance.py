"""Measure and assert equivariance of generated layers (in the spirit of e3nn's checker).

Generated layers declare what they take and return (``input_kind``: "image", "volume" or
"features"; ``output_kind``: those or "invariant"), and the group's actions are found in the
module that defines the layer, so checking a layer takes one line.
"""

from __future__ import annotations

import copy
import statistics
import sys
from collections.abc import Callable
from types import ModuleType

import torch
from torch import nn

TOLERANCES = {torch.float64: 1e-10, torch.float32: 1e-5}


def _group_of(layer: nn.Module, group: ModuleType | None) -> ModuleType:
    if group is not None:
        return group
    module = sys.modules[type(layer).__module__]
    if not hasattr(module, "act_on_features"):
        raise TypeError(f"{type(layer).__name__} is not a generated layer: pass group=<generated module>")
    return module


def _action(group: ModuleType, kind: str):
    if kind == "features":
        return group.act_on_features
    if kind == "invariant":
        return lambda y, g: y
    return getattr(group, f"act_on_{kind}")


def equivariance_error(
    layer: nn.Module,
    x: torch.Tensor,
    *,
    group: ModuleType | None = None,
    input_kind: str | None = None,
    output_kind: str | None = None,
    elements: list[int] | None = None,
) -> dict[int, float]:
    """The relative error max|f(g x) - g f(x)| / max|f(x)| for each element g, in x's dtype.

    The layer is copied to x's dtype and device; its mode (train or eval) is kept.

    >>> from generated import c4
    >>> errors = equivariance_error(c4.LiftingConv2d(1, 2, 3, padding=1), torch.randn(1, 1, 9, 9, dtype=torch.float64))
    >>> max(errors.values()) < 1e-12
    True
    """
    group = _group_of(layer, group)
    if x.numel() == 0:
        raise ValueError(f"equivariance_error needs a non-empty input; got shape {tuple(x.shape)}")
    act_in = _action(group, input_kind or str(layer.input_kind))
    act_out = _action(group, output_kind or str(layer.output_kind))
    probe = copy.deepcopy(layer).to(dtype=x.dtype, device=x.device)
    errors = {}
    with torch.no_grad():
        reference = probe(x)
        scale = reference.abs().max().clamp_min(torch.finfo(x.dtype).tiny)
        for g in range(group.ORDER) if elements is None else elements:
            difference = probe(act_in(x, g)) - act_out(reference, g)
            errors[g] = float(difference.abs().max() / scale)
    return errors


def assert_equivariant(
    layer: nn.Module,
    x: torch.Tensor,
    *,
    group: ModuleType | None = None,
    input_kind: str | None = None,
    output_kind: str | None = None,
    elements: list[int] | None = None,
    tolerance: float | None = None,
) -> dict[int, float]:
    """Assert equivariance to the elements that act exactly on the grid (by default), return the errors.

    Tolerance by dtype: 1e-10 for float64, 1e-5 for float32 (relative).

    >>> from generated import d4
    >>> _ = assert_equivariant(d4.GroupConv2d(2, 2, 3, padding=1), torch.randn(1, 2, 8, 7, 7, dtype=torch.float64))
    """
    group = _group_of(layer, group)
    elements = list(group.EXACT_ELEMENTS) if elements is None else elements
    if tolerance is None:
        if x.dtype not in TOLERANCES:
            raise ValueError(f"no default tolerance for {x.dtype}; pass tolerance=")
        tolerance = TOLERANCES[x.dtype]
    errors = equivariance_error(
        layer, x, group=group, input_kind=input_kind, output_kind=output_kind, elements=elements
    )
    failing = {g: e for g, e in errors.items() if not e <= tolerance}
    if failing:
        details = ", ".join(f"{group.LABELS[g]} (element {g}): {e:.3g}" for g, e in failing.items())
        raise AssertionError(f"{type(layer).__name__} is not equivariant within {tolerance:g}: {details}")
    return errors


def centre_error(
    build: Callable[[], nn.Module],
    group: ModuleType,
    *,
    samples: int = 20,
    size: int = 33,
    blobs: int = 6,
    seed: int = 0,
) -> dict[int, float]:
    """Equivariance error of an image (or volume) -> group-features layer or stack, per element, without resampling.

    The input is smooth and analytic: a sum of `blobs` Gaussian blobs (sigma 2 pixels) with random
    signs and centres within 7 pixels of the middle of a grid of `size` pixels a side. Turning it by g
    turns the blob centres, so both orientations are sampled exactly. At the centre of the output,
    where g only permutes the group axis, ``f(g x)[:, :, h]`` is compared with ``f(x)[:, :, g^-1 h]``:
    the relative L2 error over channels and group, for a fresh ``build()`` and input each time,
    median over `samples`. In float64. This is the measure for elements that do not map the grid onto
    itself. Since only the centre is compared, a stack without padding on the smallest input that
    reaches it (size 2 * reach + 1) gives the same figures as a padded one on a large input, at a
    fraction of the cost: that is how volumes are measured.

    >>> from generated import c4
    >>> errors = centre_error(lambda: c4.LiftingConv2d(1, 2, 5, padding=2), c4, samples=2)
    >>> max(errors.values()) < 1e-12
    True
    """
    if size % 2 == 0 or size < 1:
        raise ValueError(
            f"centre_error compares outputs at the centre pixel, which needs an odd size; got {size} (try {size + 1})"
        )
    generator = torch.Generator().manual_seed(seed)
    matrices = torch.tensor(group.MATRICES, dtype=torch.float64)
    dimension = group.DIMENSION
    axis = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    # Offsets in array axis order, as MATRICES act on them: (size, ..., size, dimension).
    points = torch.stack(torch.meshgrid(*[axis] * dimension, indexing="ij"), dim=-1)
    errors: dict[int, list[float]] = {g: [] for g in range(group.ORDER)}
    for _ in range(samples):
        torch.manual_seed(int(torch.randint(0, 2**31, (1,), generator=generator)))
        layer = build().double().eval()
        # Uniform in the ball of radius 7: a uniform direction, and a radius with density ~ r^(dimension - 1).
        directions = torch.randn(blobs, dimension, generator=generator, dtype=torch.float64)
        radius = 7 * torch.rand(blobs, 1, generator=generator, dtype=torch.float64) ** (1 / dimension)
        centres = radius * directions / directions.norm(dim=1, keepdim=True)
        signs = torch.randint(0, 2, (blobs,), generator=generator).double() * 2 - 1

        def image(centres: torch.Tensor, signs: torch.Tensor = signs) -> torch.Tensor:
            distances = ((points[..., None, :] - centres) ** 2).sum(-1)
            return (signs * torch.exp(-distances / 8)).sum(-1).view(1, 1, *points.shape[:-1])

        def centre(output: torch.Tensor) -> torch.Tensor:
            index: tuple[int | slice, ...] = (0, slice(None), slice(None), *((n - 1) // 2 for n in output.shape[3:]))
            return output[index]

        with torch.no_grad():
            reference = centre(layer(image(centres)))
            for g in range(group.ORDER):
                turned = centre(layer(image(centres @ matrices[g].T)))
                expected = reference[:, list(group.CAYLEY_TABLE[group.INVERSES[g]])]
                errors[g].append(float((turned - expected).norm() / expected.norm()))
    return {g: statistics.median(values) for g, values in errors.items()}
