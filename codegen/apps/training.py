"""Training and evaluation of generated networks on image classification (CPU or GPU, DDP-ready)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from types import ModuleType

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from .data import Split, random_rotations, rotate, rotate_labels
from .segmentation import NUM_CLASSES, STROKE, dice_loss


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a run; saved with checkpoints."""

    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 3e-3
    weight_decay: float = 1e-4
    hidden_channels: int = 16
    num_layers: int = 4
    kernel_size: int = 5
    downsample_every: int = 0
    group_pool: str | None = None  # None: the mean for classification, the module's UNET_GROUP_POOL for U-Nets
    seed: int = 0
    task: str = "classification"  # or "segmentation": a U-Net on canvases of digits
    depth: int = 3  # U-Net levels (segmentation)
    canvas_size: int = 64  # segmentation canvases are canvas_size^2 pixels
    canvases: int = 2000  # training canvases; a quarter as many are composed for testing
    filters: str | None = None  # "pixel" or "continuous"; None: the generated module's default
    upsampling: str | None = None  # the U-Net's decoder; None: the generated module's UNET_UPSAMPLING
    global_context: bool = False  # the U-Net's deepest level adds GroupGlobalContext (the input's orientation)
    restrict_to: str | None = None  # a catalog subgroup the network continues with (classification)
    restrict_after: int = 0  # blocks of the whole group before restricting to `restrict_to`
    fourier_irreps: tuple[int, ...] | None = None  # a FourierCNN: hidden_channels functions made of these irreps
    augment_rotations: bool = False  # every batch turned by random angles: the baseline G-CNNs trained upright face
    augment_shifts: bool = False  # half of every batch shifted by random sub-pixel offsets (upright; see README)
    loss: str = "cross_entropy"  # or "cross_entropy_dice" (segmentation): plus the soft Dice loss of every class

    def to_dict(self) -> dict:
        return asdict(self)


def pooling_of(group: ModuleType, config: TrainConfig) -> str:
    """How the run's network pools the group axis: as configured, else by the mean for classification and by
    the module's UNET_GROUP_POOL for its U-Net."""
    if config.group_pool is not None:
        return config.group_pool
    return group.UNET_GROUP_POOL if config.task == "segmentation" else "mean"


def as_built(group: ModuleType, config: TrainConfig) -> TrainConfig:
    """The config with the module defaults it leaves open filled in (group pool, filters, and a U-Net's
    upsampling), so that a checkpoint rebuilds the network it was trained as even after a default changes. A
    restricted network's filters stay open: each of its two groups takes its own."""
    segmentation = config.task == "segmentation"
    filters = config.filters
    if filters is None and config.restrict_to is None:
        filters = group.UNET_FILTERS if segmentation else group.FILTERS
    upsampling = config.upsampling
    if upsampling is None and segmentation:
        upsampling = group.UNET_UPSAMPLING
    return replace(config, group_pool=pooling_of(group, config), filters=filters, upsampling=upsampling)


def build_network(group: ModuleType, config: TrainConfig, in_channels: int = 1, num_classes: int = 10) -> nn.Module:
    """The group's GroupEquivariantCNN (or, for segmentation, its U-Net; with ``restrict_to``, a `RestrictedCNN`;
    with ``fourier_irreps``, its FourierCNN of ``hidden_channels`` band-limited functions) with the run's
    hyper-parameters."""
    group_pool = pooling_of(group, config)
    if config.task == "segmentation":
        return group.GroupEquivariantUNet(
            in_channels,
            NUM_CLASSES,
            hidden_channels=config.hidden_channels,
            depth=config.depth,
            kernel_size=config.kernel_size,
            group_pool=group_pool,
            filters=config.filters,
            upsampling=config.upsampling,
            global_context=config.global_context,
        )
    if config.restrict_to is not None:
        from .restricted import RestrictedCNN

        return RestrictedCNN(
            group,
            config.restrict_to,
            in_channels,
            num_classes,
            hidden_channels=config.hidden_channels,
            num_layers=config.num_layers,
            restrict_after=config.restrict_after,
            kernel_size=config.kernel_size,
            group_pool=group_pool,
            downsample_every=config.downsample_every,
            filters=config.filters,
        )
    if config.fourier_irreps is not None:
        return group.FourierCNN(
            in_channels,
            num_classes,
            copies=config.hidden_channels,
            irreps=config.fourier_irreps,
            num_layers=config.num_layers,
            kernel_size=config.kernel_size,
            downsample_every=config.downsample_every,
            filters=config.filters,
        )
    return group.GroupEquivariantCNN(
        in_channels,
        num_classes,
        hidden_channels=config.hidden_channels,
        num_layers=config.num_layers,
        kernel_size=config.kernel_size,
        group_pool=group_pool,
        downsample_every=config.downsample_every,
        filters=config.filters,
    )


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def fit(
    model: nn.Module,
    train: Split,
    config: TrainConfig,
    progress: bool = True,
    label: str = "",
    on_epoch: Callable[[float], None] | None = None,
) -> list[float]:
    """Train with AdamW and a one-cycle schedule; returns the seconds each epoch took. ``on_epoch`` is called
    after every epoch with the epoch's mean training loss (for learning curves; not timed).

    Labels are one class per image, or one per pixel for segmentation (logits (B, classes, H, W)), and the
    loss is the cross-entropy, plus the soft Dice loss of every class with ``config.loss`` 'cross_entropy_dice'.
    With ``config.augment_rotations`` every batch is turned, each image by its own random angle
    (``turned_batch``), fresh every epoch; with ``config.augment_shifts`` half of it is shifted by sub-pixel
    offsets (``shifted_batch``).

    Under ``torch.distributed`` each process trains on its shard (a distributed sampler) and only
    rank 0 shows progress; wrap `model` in DistributedDataParallel before calling.
    """
    distributed = dist.is_available() and dist.is_initialized()
    rank = dist.get_rank() if distributed else 0
    dataset = torch.utils.data.TensorDataset(train.images, train.labels)
    sampler: torch.utils.data.DistributedSampler | None = (
        torch.utils.data.DistributedSampler(dataset, seed=config.seed) if distributed else None
    )
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=config.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        generator=torch.Generator().manual_seed(config.seed),
        drop_last=False,
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.learning_rate, total_steps=config.epochs * len(loader)
    )
    device = next(model.parameters()).device
    turns = torch.Generator().manual_seed(config.seed + 1 + rank) if config.augment_rotations else None
    shifts = torch.Generator().manual_seed(config.seed + 2 + rank) if config.augment_shifts else None
    seconds = []
    for epoch in range(config.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        model.train()
        start = time.perf_counter()
        interactive = progress and rank == 0 and sys.stderr.isatty()
        bar = _progress(loader, f"{label} epoch {epoch + 1}/{config.epochs}") if interactive else loader
        seen = correct = labelled = 0
        total_loss = 0.0
        for images, labels in bar:
            images, labels = images.to(device), labels.to(device)
            if turns is not None:
                images, labels = turned_batch(images, labels, turns)
            if shifts is not None:
                images, labels = shifted_batch(images, labels, shifts)
            logits = model(images)
            loss = F.cross_entropy(logits, labels)
            if config.loss == "cross_entropy_dice":
                loss = loss + dice_loss(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            seen += len(labels)
            labelled += labels.numel()  # images, or pixels for segmentation
            correct += int((logits.argmax(1) == labels).sum())
            total_loss += loss.detach().item() * len(labels)
            if interactive and hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{total_loss / seen:.3f}", acc=f"{correct / labelled:.3f}")
        seconds.append(time.perf_counter() - start)
        if progress and rank == 0 and not interactive:  # a log gets one line an epoch, not a bar's redraws
            print(
                f"{label} epoch {epoch + 1}/{config.epochs}: loss {total_loss / seen:.3f}, "
                f"accuracy {correct / labelled:.3f}, {seconds[-1]:.1f} s",
                file=sys.stderr,
                flush=True,
            )
        if on_epoch is not None:
            on_epoch(total_loss / seen)
    return seconds


def turned_batch(
    images: torch.Tensor, labels: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each image turned by its own angle, uniform in [0, 360) (bilinear), and per-pixel labels (B, H, W)
    with it (nearest); class labels (B,) unchanged.

    >>> images, masks = torch.zeros(2, 1, 5, 5), torch.zeros(2, 5, 5, dtype=torch.long)
    >>> images[:, 0, 2, 1:] = masks[:, 2, 1:] = 1  # a stroke from the centre to the right edge
    >>> turned, labels = turned_batch(images, masks, torch.Generator().manual_seed(0))
    >>> labels.sum(dim=(1, 2)).tolist(), bool((turned[:, 0][labels == 1] > 0.4).all())  # strokes stay on strokes
    ([4, 4], True)
    """
    angles = torch.rand(len(images), generator=generator, dtype=torch.float64) * 360
    if labels.dim() == images.dim() - 1:
        labels = rotate_labels(labels, angles)
    return rotate(images, angles), labels


def shifted_batch(
    images: torch.Tensor, labels: torch.Tensor, generator: torch.Generator, share: float = 0.5
) -> tuple[torch.Tensor, torch.Tensor]:
    """About ``share`` of the images shifted, each by its own offset in (-1, 1) pixels along each axis
    (bilinear, zero fill), the rest unchanged: upright images resampled as a turned test image is. Per-pixel
    labels (B, H, W) follow: a pixel is a stroke where the shifted image is above STROKE, and takes the
    digit of the strokes that moved next to it; class labels (B,) are unchanged.

    >>> images, masks = torch.zeros(4, 1, 6, 6), torch.zeros(4, 6, 6, dtype=torch.long)
    >>> images[:, 0, 2:4, 2:4], masks[:, 2:4, 2:4] = 1.0, 3  # a square stroke of digit 2
    >>> shifted, labels = shifted_batch(images, masks, torch.Generator().manual_seed(0), share=1.0)
    >>> bool(((shifted[:, 0] > STROKE) == (labels == 3)).all()), labels.unique().tolist()
    (True, [0, 3])
    """
    count, size = len(images), images.shape[-2:]
    offsets = torch.rand(count, 2, generator=generator, dtype=torch.float64) * 2 - 1
    offsets[torch.rand(count, generator=generator) >= share] = 0
    theta = torch.zeros(count, 2, 3, dtype=torch.float64)
    theta[:, 0, 0] = theta[:, 1, 1] = 1
    theta[:, 0, 2] = offsets[:, 0] * 2 / (size[1] - 1)  # affine_grid's units: half the image (align_corners)
    theta[:, 1, 2] = offsets[:, 1] * 2 / (size[0] - 1)
    grid = F.affine_grid(theta.to(images), list(images.shape), align_corners=True)
    shifted = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=True)
    if labels.dim() == images.dim() - 1:
        moved = F.grid_sample(labels.unsqueeze(1).to(images), grid, mode="nearest", align_corners=True)
        # A stroke's bilinear value comes from strokes at most a pixel away: the 3x3 maximum finds their digit.
        nearby = F.max_pool2d(moved, 3, stride=1, padding=1).squeeze(1).round().long()
        labels = torch.where(shifted[:, 0] > STROKE, nearby, 0)
    return shifted, labels


def _progress(iterable, description: str):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return iterable
    return tqdm(iterable, desc=description, leave=False, dynamic_ncols=True)


@torch.no_grad()
def accuracy(model: nn.Module, split: Split, batch_size: int = 500) -> float:
    """Top-1 accuracy in eval mode."""
    model.eval()
    device = next(model.parameters()).device
    correct = 0
    for start in range(0, len(split), batch_size):
        images = split.images[start : start + batch_size].to(device)
        correct += int((model(images).argmax(1).cpu() == split.labels[start : start + batch_size]).sum())
    return correct / len(split)


def rotation_accuracies(model: nn.Module, test: Split, seed: int = 0) -> dict[str, float]:
    """Accuracy upright, under each multiple of 90 degrees (exact), and under random angles (bilinear)."""
    results = {"upright": accuracy(model, test)}
    for degrees in (90, 180, 270):
        results[f"rot{degrees}"] = accuracy(model, Split(rotate(test.images, float(degrees)), test.labels))
    results["random"] = accuracy(model, random_rotations(test, seed))
    return results


def accuracy_by_angle(model: nn.Module, test: Split, angles: range = range(0, 361, 15)) -> dict[int, float]:
    """Accuracy when every test image is rotated by the same angle, for each angle in degrees."""
    return {angle: accuracy(model, Split(rotate(test.images, float(angle)), test.labels)) for angle in angles}
