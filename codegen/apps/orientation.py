"""Orientation regression: networks that output the upright direction of a digit as a 2D vector.

Trained on upright digits only, where the answer is always "up"; tested on digits turned by random
angles, where the right answer turns with them. A plain CNN learns the constant and is wrong by the angle
(about 90 degrees on average); a ``SteerableCNN`` with a vector head turns its answer with the input by
construction, exactly for the elements that map the grid onto itself. Between those, ``directions`` can
average a network's answers over copies of the input turned within a quarter turn.
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F

from .data import Split, rotate
from .training import shifted_batch

BATCH_SIZE = 32


def prepare(images: torch.Tensor) -> torch.Tensor:
    """sklearn's 8x8 digits padded to 12x12 and doubled to 24x24, so that turning them loses no corner."""
    return F.interpolate(F.pad(images, (2, 2, 2, 2)), scale_factor=2, mode="bilinear", align_corners=False)


def upright_directions(degrees: torch.Tensor) -> torch.Tensor:
    """Where "up" points after a counter-clockwise turn by `degrees` (as `data.rotate` turns images), in array
    coordinates (row, column): the coordinates the generated modules' matrices act on.

    >>> upright_directions(torch.tensor([0.0, 90.0])).round().tolist()
    [[-1.0, -0.0], [-0.0, -1.0]]
    """
    radians = torch.deg2rad(degrees.double())
    return torch.stack([-torch.cos(radians), -torch.sin(radians)], dim=1)


def turned(directions: torch.Tensor, degrees: float) -> torch.Tensor:
    """(N, 2) directions in array coordinates turned counter-clockwise by `degrees`, as `data.rotate` turns images.

    >>> turned(upright_directions(torch.zeros(1)), 90.0).round().tolist()
    [[-0.0, -1.0]]
    """
    radians = math.radians(degrees)
    cos, sin = math.cos(radians), math.sin(radians)
    row, column = directions.unbind(1)
    return torch.stack([cos * row - sin * column, sin * row + cos * column], dim=1)


def directions(model: torch.nn.Module, images: torch.Tensor, turns: int = 1) -> torch.Tensor:
    """The model's direction for each image (N, 2), float64. With `turns` > 1 it is the mean of its answers for
    copies of the image turned by 0, 90 / turns, 2 * 90 / turns, ... degrees, each turned back: an average over
    a quarter turn, which with the exact quarter turns of a C4-equivariant network covers the whole circle, so
    the answer no longer depends on where the digit lies between the grid's exact angles (README)."""
    if isinstance(turns, bool) or not isinstance(turns, int) or turns < 1:
        raise ValueError(f"directions: turns must be a positive int (1: the model's own answer); got {turns!r}")
    model.eval()
    with torch.no_grad():
        answers = [
            turned(model(rotate(images, 90.0 * k / turns)).flatten(1).double(), -90.0 * k / turns) for k in range(turns)
        ]
    return torch.stack(answers).mean(dim=0)


def angular_errors(model: torch.nn.Module, images: torch.Tensor, degrees: torch.Tensor, turns: int = 1) -> torch.Tensor:
    """The angle, in degrees, between each predicted direction and the true one, for images turned by `degrees`
    (answers averaged over `turns` turned copies, see ``directions``)."""
    predicted = directions(model, rotate(images, degrees), turns)
    cosine = F.cosine_similarity(predicted, upright_directions(degrees), dim=1).clamp(-1.0, 1.0)
    return torch.rad2deg(torch.acos(cosine))


def fit(
    model: torch.nn.Module,
    train: Split,
    epochs: int,
    learning_rate: float,
    seed: int,
    augment_shifts: bool = False,
    every_angle: bool = False,
) -> list[float]:
    """Adam with a one-cycle schedule on |predicted - up|^2, upright digits only; seconds per epoch.

    The squared distance to the unit vector, not 1 - cos(predicted, up): it asks for a vector of length 1, not
    only a direction, and the steerable CNNs err less for it (C8 9.7 degrees upright and 29.1 at random angles
    against 13.4 and 33.1; C16 10.3 and 23.4 against 15.4 and 30.3; README). With ``augment_shifts`` half of
    every batch is shifted by random sub-pixel offsets (``training.shifted_batch``), still upright but
    resampled as a turned test digit is: 2.5 to 6 degrees less error at random angles (README). With
    ``every_angle`` each digit is turned by a random angle and its target with it instead: not the task's
    rule, but the reference of what the network reaches when it sees every angle."""
    generator = torch.Generator().manual_seed(seed)
    shifts = torch.Generator().manual_seed(seed + 2) if augment_shifts else None
    angles = torch.Generator().manual_seed(seed + 3) if every_angle else None
    target = upright_directions(torch.zeros(1)).float()
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    steps = epochs * math.ceil(len(train) / BATCH_SIZE)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, learning_rate, total_steps=steps)
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.train()
        for batch in torch.randperm(len(train), generator=generator).split(BATCH_SIZE):
            images = train.images[batch]
            if shifts is not None:
                images = shifted_batch(images, train.labels[batch], shifts)[0]
            if angles is not None:
                degrees = torch.rand(len(batch), generator=angles, dtype=torch.float64) * 360
                images, target = rotate(images, degrees), upright_directions(degrees).float()
            predicted = model(images).flatten(1)
            loss = (predicted - target).square().sum(dim=1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        seconds.append(time.perf_counter() - start)
    return seconds
