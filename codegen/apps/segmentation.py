"""Digit segmentation: canvases composed of handwritten digits, each pixel labelled with its digit.

Canvases hold two to four digits at random places (a fixed seed), drawn from upright digits; a
pixel's label is 0 for background and 1 + the digit for the strokes of a digit (its intensity
above STROKE). Models are trained upright and tested on canvases turned by quarter turns (exact)
and by random angles, by mean intersection over union. A turned canvas is labelled like an upright
one: the image is resampled (bilinear), each digit's square region is turned with it (nearest),
and its strokes are the pixels of the turned image above STROKE, so labels follow the image.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ._errors import AppError
from .data import Split, random_angles, rotate, rotate_labels

NUM_CLASSES = 11
"""Background and the ten digits."""

STROKE = 0.3
"""Intensity above which a digit's pixel counts as its stroke."""


@dataclass(frozen=True)
class Canvases:
    """Images (N, 1, S, S) in [0, 1], and regions (N, S, S): 1 + the digit on each digit's square, else 0."""

    images: torch.Tensor
    regions: torch.Tensor

    def __post_init__(self) -> None:
        n, s = len(self.images), self.images.shape[-1]
        if self.images.shape != (n, 1, s, s) or self.regions.shape != (n, s, s):
            raise AppError(
                f"canvases and regions do not match: images {tuple(self.images.shape)}, regions "
                f"{tuple(self.regions.shape)}; expected (N, 1, S, S) and (N, S, S)"
            )

    @property
    def masks(self) -> torch.Tensor:
        """Per-pixel labels (N, S, S): the region's class on strokes, 0 elsewhere."""
        return torch.where(self.images[:, 0] > STROKE, self.regions, 0)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: slice) -> Canvases:
        return Canvases(self.images[index], self.regions[index])

    def as_split(self) -> Split:
        return Split(self.images, self.masks)


def compose(digits: Split, count: int, size: int, seed: int, digit_size: int | None = None) -> Canvases:
    """`count` canvases of size x size, each with 2 to 4 of `digits` placed without overlap.

    >>> digits = Split(torch.rand(10, 1, 8, 8), torch.arange(10))
    >>> canvases = compose(digits, count=3, size=32, seed=0)
    >>> canvases.images.shape, canvases.masks.shape, int(canvases.masks.max()) <= 10
    (torch.Size([3, 1, 32, 32]), torch.Size([3, 32, 32]), True)
    """
    source = digits.images
    if digit_size is not None and digit_size != source.shape[-1]:
        source = F.interpolate(source, size=(digit_size, digit_size), mode="bilinear", align_corners=False)
    side = source.shape[-1]
    if not 0 < side <= size // 2:
        raise AppError(f"digits of {side} pixels do not fit twice on a canvas of {size}; use a larger canvas")
    generator = torch.Generator().manual_seed(seed)
    images = torch.zeros(count, 1, size, size)
    regions = torch.zeros(count, size, size, dtype=torch.long)
    for n in range(count):
        wanted = int(torch.randint(2, 5, (1,), generator=generator))
        placed: list[tuple[int, int]] = []
        for _ in range(50 * wanted):  # rejection sampling of places that do not overlap
            if len(placed) == wanted:
                break
            row, column = (int(v) for v in torch.randint(0, size - side + 1, (2,), generator=generator))
            if any(abs(row - r) < side and abs(column - c) < side for r, c in placed):
                continue
            placed.append((row, column))
            pick = int(torch.randint(0, len(source), (1,), generator=generator))
            digit = source[pick, 0].clamp(0, 1)
            window = (slice(row, row + side), slice(column, column + side))
            images[n, 0][window] = digit
            regions[n][window] = 1 + digits.labels[pick]
    return Canvases(images, regions)


def rotate_canvases(canvases: Canvases, degrees: torch.Tensor | float) -> Canvases:
    """Canvases turned counter-clockwise about their centres: exact for quarter turns, else the
    image bilinear and the regions nearest, with background outside."""
    return Canvases(rotate(canvases.images, degrees), rotate_labels(canvases.regions, degrees))


def mean_iou(model: nn.Module, canvases: Canvases, batch_size: int = 64) -> float:
    """Intersection over union per class, summed over the whole set, averaged over the classes present."""
    scores = [iou for iou in class_ious(model, canvases, batch_size) if iou is not None]
    return sum(scores) / len(scores)


@torch.no_grad()
def class_ious(model: nn.Module, canvases: Canvases, batch_size: int = 64) -> list[float | None]:
    """Intersection over union of each class (background, then the digits 0-9) over the whole set; None for a
    class that is neither present nor predicted."""
    model.eval()
    device = next(model.parameters()).device
    intersection = torch.zeros(NUM_CLASSES, dtype=torch.long)
    union = torch.zeros(NUM_CLASSES, dtype=torch.long)
    classes = torch.arange(NUM_CLASSES).view(-1, 1, 1, 1)
    for start in range(0, len(canvases), batch_size):
        predicted = model(canvases.images[start : start + batch_size].to(device)).argmax(1).cpu()
        truth = canvases.masks[start : start + batch_size]
        hit, wanted = predicted.unsqueeze(0) == classes, truth.unsqueeze(0) == classes
        intersection += (hit & wanted).flatten(1).sum(1)
        union += (hit | wanted).flatten(1).sum(1)
    return [int(i) / int(u) if u else None for i, u in zip(intersection, union, strict=True)]


def dice_loss(logits: torch.Tensor, labels: torch.Tensor, smoothing: float = 1.0) -> torch.Tensor:
    """One minus the soft Dice score, averaged over the classes: for each class, twice the overlap of its
    predicted probabilities with its pixels, over the sum of both, taken over the whole batch. Every class
    counts alike however few its pixels, so digits' strokes weigh as much as the background that covers
    most of a canvas; added to the cross-entropy, it takes the U-Nets off their strokes-only plateau sooner.

    >>> labels = torch.tensor([[[0, 1], [1, 2]]])
    >>> certain = 50 * F.one_hot(labels, 3).permute(0, 3, 1, 2).float()
    >>> round(float(dice_loss(certain, labels)), 4), round(float(dice_loss(torch.zeros(1, 3, 2, 2), labels)), 2)
    (0.0, 0.49)
    """
    probabilities = logits.softmax(1)
    truth = F.one_hot(labels, logits.shape[1]).movedim(-1, 1).to(probabilities.dtype)
    axes = (0, *range(2, logits.dim()))
    overlap = (probabilities * truth).sum(axes)
    both = probabilities.sum(axes) + truth.sum(axes)
    return 1 - ((2 * overlap + smoothing) / (both + smoothing)).mean()


LOSSES = ("cross_entropy", "cross_entropy_dice")
"""Training losses: the cross-entropy alone, or plus `dice_loss` (segmentation's default, measured in README)."""


def randomly_turned(test: Canvases, seed: int = 0) -> Canvases:
    """Each canvas turned by its own angle, uniform in [0, 360) with a fixed seed."""
    return rotate_canvases(test, random_angles(len(test), seed))


def rotation_ious(model: nn.Module, test: Canvases, seed: int = 0) -> dict[str, float]:
    """Mean IoU upright, under each quarter turn, and under random angles (one per canvas, fixed seed)."""
    results = {"upright": mean_iou(model, test)}
    for degrees in (90, 180, 270):
        results[f"rot{degrees}"] = mean_iou(model, rotate_canvases(test, float(degrees)))
    results["random"] = mean_iou(model, randomly_turned(test, seed))
    return results
