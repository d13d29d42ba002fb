"""What a run may ask for, decided before any data is read or any network built.

`check_config` validates every field of a `TrainConfig` (type and range: the command line's and a
checkpoint's alike); `check_run` then estimates the memory the run needs, from the group's order, the
image size and the hyper-parameters, and refuses a run above `memory_limit()` in one line that names
the limit and the largest term. The estimate errs high: the activations a training step keeps for
backward (each layer's convolution, normalisation and nonlinearity outputs and their gradients), the
expanded filters and their gradients, and the data held in memory.

>>> from codegen.apps.training import TrainConfig
>>> check_config(TrainConfig(seed=2**70))
Traceback (most recent call last):
...
codegen.apps._errors.AppError: --seed: 1180591620717411303424 is above the largest seed, 2^63 - 1
"""

from __future__ import annotations

import math
import os
from dataclasses import fields
from types import ModuleType
from typing import TYPE_CHECKING

from ._errors import AppError

if TYPE_CHECKING:
    from .training import TrainConfig

MAX_SEED = 2**63 - 1
MAX_KERNEL_SIZE = 31
"""Largest filter: wider than any image here (MNIST is 28 pixels) and 961 values a filter."""
MAX_DEPTH = 8
MAX_CANVAS_SIZE = 1024
IMAGE_SIDES = {"mnist": 28, "digits": 8}
_BYTES = 4  # float32


def memory_limit() -> int:
    """Bytes a run may plan to use: 60% of this machine's memory, at most 64 GiB."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        physical = 16 * 2**30
    return min(int(0.6 * physical), 64 * 2**30)


def _flag(name: str) -> str:
    return "--" + {"learning_rate": "lr"}.get(name, name.replace("_", "-"))


def check_config(config: TrainConfig) -> TrainConfig:
    """Raise AppError unless every field has its type and lies in its range."""
    from grouptheory import FILTER_KINDS

    from .segmentation import LOSSES

    integers = {
        "epochs": (1, 100_000),
        "batch_size": (1, 1_000_000),
        "hidden_channels": (1, 100_000),
        "num_layers": (1, 1000),
        "kernel_size": (1, MAX_KERNEL_SIZE),
        "downsample_every": (0, 1000),
        "seed": (0, MAX_SEED),
        "depth": (0, MAX_DEPTH),
        "canvas_size": (1, MAX_CANVAS_SIZE),
        "canvases": (1, 10_000_000),
        "restrict_after": (0, 1000),
    }
    choices = {
        "group_pool": (None, "max", "mean", "max_mean"),
        "task": ("classification", "segmentation"),
        "filters": (None, *FILTER_KINDS),
        "upsampling": (None, "transposed", "nearest", "bilinear"),
        "loss": LOSSES,
    }
    for field in fields(config):
        name, value = field.name, getattr(config, field.name)
        if name in integers:
            low, high = integers[name]
            if isinstance(value, bool) or not isinstance(value, int):
                raise AppError(f"{_flag(name)}: {value!r} is not an integer")
            if value < low:
                raise AppError(f"{_flag(name)}: {value} is below {low}")
            if value > high:
                limit = "2^63 - 1" if high == MAX_SEED else f"{high:,}"
                what = "the largest seed" if name == "seed" else "the limit"
                raise AppError(f"{_flag(name)}: {value} is above {what}, {limit}")
        elif name in choices:
            if value not in choices[name]:
                raise AppError(f"{_flag(name)}: {value!r} is not one of {', '.join(map(repr, choices[name]))}")
        elif name in ("augment_rotations", "augment_shifts", "global_context"):
            if not isinstance(value, bool):
                raise AppError(f"{_flag(name)}: {value!r} is not true or false")
        elif name == "fourier_irreps":
            if value is not None and not (
                isinstance(value, tuple)
                and value
                and all(isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in value)
            ):
                raise AppError(f"{_flag(name)}: {value!r} is not a list of irrep indices, such as 0,1,2,3")
        elif name == "restrict_to":
            if value is not None and not (isinstance(value, str) and value.isidentifier()):
                raise AppError(f"{_flag(name)}: {value!r} is not a catalog group's name, such as c8")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise AppError(f"{_flag(name)}: {value!r} must be a finite number >= 0")
    if config.learning_rate <= 0:
        raise AppError(f"--lr: {config.learning_rate} must be positive")
    if config.kernel_size % 2 == 0:
        raise AppError(f"--kernel-size: {config.kernel_size} is even; 'same' padding needs an odd size")
    return config


def check_run(config: TrainConfig, dataset: str, group: ModuleType) -> None:
    """Refuse, before any work, a run whose network or data cannot be built: continuous filters below
    kernel 5, canvases a U-Net cannot restore, or an estimated memory above `memory_limit()`."""
    check_config(config)
    side = IMAGE_SIDES[dataset]
    segmentation = config.task == "segmentation"
    default, network = (group.UNET_FILTERS, "U-Net") if segmentation else (group.FILTERS, "CNN")
    if (config.filters or default) == "continuous" and config.kernel_size < 5:
        whose = "given" if config.filters else f"the default for {group.GROUP_NAME}'s {network}"
        raise AppError(
            f"--kernel-size {config.kernel_size}: continuous filters ({whose}) need a "
            "kernel of at least 5 pixels; use --kernel-size 5 or --filters pixel"
        )
    if config.fourier_irreps is not None:
        _check_fourier(config, group)
    if config.restrict_to is not None:
        _check_restriction(config, group)
    elif config.restrict_after:
        raise AppError(f"--restrict-after {config.restrict_after}: give the subgroup to continue with, --restrict-to")
    if config.loss != "cross_entropy" and not segmentation:
        raise AppError(f"--loss {config.loss}: the Dice loss scores pixels; use it with --task segmentation")
    if config.upsampling is not None and not segmentation:
        raise AppError(f"--upsampling {config.upsampling}: only the U-Nets of --task segmentation upsample")
    if config.global_context and not segmentation:
        raise AppError("--global-context: a classifier already pools all of its input; use it with --task segmentation")
    if segmentation:
        if config.canvas_size % 2**config.depth or config.canvas_size < 2 * side:
            raise AppError(
                f"--canvas-size {config.canvas_size} must be a multiple of 2^depth = {2**config.depth} "
                f"(--depth {config.depth}) and hold two {side}-pixel digits side by side"
            )
    elif config.downsample_every:
        pools = (config.num_layers - 1) // config.downsample_every
        if side < 2**pools:
            raise AppError(
                f"images of {side}x{side} pixels are too small for {pools} poolings (--num-layers "
                f"{config.num_layers}, --downsample-every {config.downsample_every}); use fewer layers or a larger "
                "--downsample-every"
            )
    terms = estimate_bytes(config, group.ORDER, side)
    total = sum(terms.values())
    if total > memory_limit():
        largest = max(terms, key=terms.__getitem__)
        raise AppError(
            f"this run needs about {total / 2**30:.1f} GiB ({largest} {terms[largest] / 2**30:.1f} GiB), above the "
            f"limit of {memory_limit() / 2**30:.1f} GiB (60% of this machine's memory); use a smaller "
            "--hidden-channels, --batch-size, --kernel-size, --canvases or --canvas-size"
        )


def _check_fourier(config: TrainConfig, group: ModuleType) -> None:
    irreps, count = config.fourier_irreps or (), len(group.IRREPS)
    if len(set(irreps)) != len(irreps) or max(irreps) >= count:
        raise AppError(
            f"--fourier-irreps {','.join(map(str, irreps))}: give distinct indices of {group.GROUP_NAME}'s "
            f"{count} irreps, from 0 to {count - 1}"
        )
    others = {
        "--task segmentation": config.task != "classification",
        "--restrict-to": config.restrict_to is not None,
        f"--group-pool {config.group_pool} (a FourierCNN takes each function's mean over the group)": config.group_pool
        not in (None, "mean"),
    }
    for flag, given in others.items():
        if given:
            raise AppError(f"--fourier-irreps: a FourierCNN classifies alone; drop {flag}")


def _check_restriction(config: TrainConfig, group: ModuleType) -> None:
    subgroups = getattr(group, "RESTRICTIONS", {})  # the catalog subgroups, whose modules a network continues with
    if config.restrict_to not in subgroups:
        known = ", ".join(subgroups) or "none"
        raise AppError(
            f"--restrict-to {config.restrict_to}: not a catalog subgroup of {group.GROUP_NAME} (its catalog "
            f"subgroups: {known})"
        )
    if config.task != "classification":
        raise AppError("--restrict-to: restricted networks are for classification; drop it with --task segmentation")
    if not 1 <= config.restrict_after < config.num_layers:
        raise AppError(
            f"--restrict-after {config.restrict_after}: give how many of the {config.num_layers} blocks (--num-layers) "
            f"are equivariant to all of {group.GROUP_NAME}, from 1 to {config.num_layers - 1}"
        )


def estimate_bytes(config: TrainConfig, order: int, side: int) -> dict[str, float]:
    """An upper estimate of a training run's memory, by term."""
    batch, kernel, hidden = config.batch_size, config.kernel_size, config.hidden_channels
    if config.task == "segmentation":
        size = config.canvas_size
        widths = [hidden * 2**level for level in range(config.depth + 1)]
        sides = [size / 2**level for level in range(config.depth + 1)]
        # per level: two convolutions down, an upsampling and two convolutions (one on twice the channels) up:
        # about six w x w convolutions, each expanded filter kept with its gradient
        activations = sum(12 * batch * w * order * s * s * _BYTES for w, s in zip(widths, sides, strict=True))
        filters = sum(12 * (w * order) ** 2 * kernel**2 * _BYTES for w in widths)
        data = (config.canvases + config.canvases // 4) * size * size * (_BYTES + 8)
    else:
        sides = []
        current = side
        for layer in range(config.num_layers):
            sides.append(current)
            if config.downsample_every and (layer + 1) % config.downsample_every == 0:
                current = max(1, current // 2)
        activations = sum(8 * batch * hidden * order * s * s * _BYTES for s in sides)
        filters = config.num_layers * 3 * (hidden * order) ** 2 * kernel**2 * _BYTES
        data = 70_000 * side * side * (_BYTES + 8)
    return {
        "the activations of one batch": float(activations),
        "the expanded filters": float(filters),
        "the data": float(data),
    }
