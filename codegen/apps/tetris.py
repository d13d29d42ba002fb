"""3D Tetris: eight polycube shapes, trained in one orientation, tested under random cube rotations.

The classic benchmark of Tensor Field Networks (and e3nn's examples), on a voxel grid: the two
chiral shapes are mirror images, so a network invariant to rotations (O) tells them apart while one
invariant to reflections too (Oh) cannot.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import ModuleType

import torch

from .data import Split
from .training import TrainConfig, accuracy, fit, parameter_count

SHAPES = {
    "chiral 1": [(0, 0, 0), (0, 0, 1), (1, 0, 0), (1, 1, 0)],
    "chiral 2": [(0, 0, 0), (0, 0, 1), (1, 0, 0), (1, -1, 0)],
    "square": [(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0)],
    "line": [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 0, 3)],
    "corner": [(0, 0, 0), (0, 0, 1), (0, 1, 0), (1, 0, 0)],
    "L": [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 0)],
    "T": [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1, 1)],
    "zigzag": [(0, 0, 0), (1, 0, 0), (1, 1, 0), (2, 1, 0)],
}


def voxelize(size: int = 7) -> torch.Tensor:
    """The eight shapes as (8, 1, size, size, size) occupancy grids, each placed near the centre."""
    grids = torch.zeros(len(SHAPES), 1, size, size, size)
    for index, cubes in enumerate(SHAPES.values()):
        low = [min(c[axis] for c in cubes) for axis in range(3)]
        for cube in cubes:
            grids[(index, 0, *(size // 2 - 1 + c - m for c, m in zip(cube, low, strict=True)))] = 1.0
    return grids


def datasets(rotations: ModuleType, test_per_shape: int = 24, seed: int = 0) -> tuple[Split, Split]:
    """Training: one orientation per shape. Test: each shape under random elements of `rotations`
    (a generated module for a cube group), applied exactly by voxel permutation."""
    shapes = voxelize()
    labels = torch.arange(len(SHAPES))
    generator = torch.Generator().manual_seed(seed)
    elements = torch.randint(rotations.ORDER, (len(SHAPES), test_per_shape), generator=generator)
    test = torch.cat(
        [torch.stack([rotations.act_on_volume(shapes[k], int(g)) for g in elements[k]]) for k in range(len(SHAPES))]
    )
    return Split(shapes, labels), Split(test, labels.repeat_interleave(test_per_shape))


def network(group: ModuleType, hidden: int | dict[str, int], num_layers: int, kernel_size: int) -> torch.nn.Module:
    """A G-CNN of `hidden` regular fields, or, for a dict of field counts, a `SteerableCNN` of that field type."""
    if isinstance(hidden, int):
        return group.GroupEquivariantCNN3d(1, len(SHAPES), hidden, num_layers, kernel_size)
    return group.SteerableCNN(1, len(SHAPES), group.FieldType(**hidden), num_layers, kernel_size)


def run(
    groups: Mapping[str, tuple[ModuleType, int | dict[str, int]]],
    rotations: ModuleType,
    epochs: int = 150,
    quiet: bool = False,
    seed: int = 0,
) -> list[dict]:
    """Train each (module, hidden regular fields or field counts) on the canonical shapes; report accuracy on
    rotated ones."""
    train, test = datasets(rotations, seed=seed)
    rows = []
    for name, (group, hidden) in groups.items():
        torch.manual_seed(seed)
        config = TrainConfig(
            epochs=epochs,
            batch_size=len(train),
            learning_rate=1e-2,
            weight_decay=0.0,
            hidden_channels=hidden if isinstance(hidden, int) else group.FieldType(**hidden).size,
            num_layers=3,
            kernel_size=3,
            seed=seed,
        )
        model = network(group, hidden, config.num_layers, config.kernel_size)
        start = time.perf_counter()
        fit(model, train, config, progress=not quiet, label=name)
        rows.append(
            {
                "model": name,
                "group": group.GROUP_NAME,
                "parameters": parameter_count(model),
                "train accuracy": accuracy(model, train),
                "rotated test accuracy": accuracy(model, test),
                "seconds": time.perf_counter() - start,
            }
        )
    return rows
