"""Data for the demo and ``gcnn train``: sklearn's digits, MNIST's IDX files, and rotations."""

from __future__ import annotations

import gzip
import hashlib
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ._errors import AppError

IDX_MAGIC = {2049: "labels", 2051: "images"}


class DataError(AppError):
    """A data set that is missing, truncated or malformed."""


@dataclass(frozen=True)
class Split:
    """Images (N, 1, H, W) as float32 in [0, 1], and integer labels (N,)."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)


def load_digits(test_fraction: float = 0.3, seed: int = 0) -> tuple[Split, Split]:
    """sklearn's 1,797 handwritten digits (8x8, shipped inside scikit-learn: no download), split at random."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:  # pragma: no cover
        raise DataError("the demo needs scikit-learn: pip install 'gcnn-codegen[demo]'") from None
    digits = sklearn_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    labels = torch.tensor(digits.target, dtype=torch.long)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    cut = int(len(labels) * (1 - test_fraction))
    return Split(images[order[:cut]], labels[order[:cut]]), Split(images[order[cut:]], labels[order[cut:]])


MAX_IDX_BYTES = 256 * 2**20
"""Largest IDX body read (MNIST's 60,000 training images are 47 MB): a header promising more is refused
before anything is read, and a stream is never inflated past what its header promises."""


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (gzip-compressed or raw), validating its magic number, rank and size.

    The file is streamed: its header says how many bytes follow, and no more than that (plus one, to
    notice extra data) is ever decompressed, so a small file that inflates to gigabytes costs nothing.
    """
    try:
        with open(path, "rb") as handle:
            compressed = handle.read(2) == b"\x1f\x8b"
        with gzip.open(path, "rb") if compressed else open(path, "rb") as stream:
            return _read_idx_stream(path, stream)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: cannot read ({error}); download the file again") from None


def _read_idx_stream(path: Path, stream) -> np.ndarray:
    head = stream.read(4)
    if len(head) < 4:
        raise DataError(f"{path}: truncated ({len(head)} bytes); download the file again")
    zero, dtype, rank = struct.unpack(">HBB", head)
    if zero != 0 or dtype != 0x08 or rank not in (1, 3):
        raise DataError(
            f"{path}: not an MNIST IDX file (magic 0x{int.from_bytes(head, 'big'):08x}); "
            "expected 0x00000801 (labels) or 0x00000803 (images)"
        )
    dimensions = stream.read(4 * rank)
    if len(dimensions) < 4 * rank:
        raise DataError(f"{path}: truncated in its header; download the file again")
    shape = struct.unpack(f">{rank}I", dimensions)
    size = math.prod(shape)
    if size > MAX_IDX_BYTES:
        raise DataError(
            f"{path}: its header declares {shape} ({size:,} bytes), above the limit of {MAX_IDX_BYTES:,}; "
            "this is not an MNIST file"
        )
    body = stream.read(size)
    if len(body) != size:
        raise DataError(
            f"{path}: truncated: header says {shape} ({size} bytes), found {len(body)}; download the file again"
        )
    if stream.read(1):
        raise DataError(
            f"{path}: holds more data than its header declares ({shape}, {size} bytes); download the file again"
        )
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def _find(directory: Path, stem: str) -> Path | None:
    for name in (f"{stem}.gz", stem):
        if (directory / name).is_file():
            return directory / name
    return None


def _pair(directory: Path, prefix: str) -> Split | None:
    images, labels = _find(directory, f"{prefix}-images-idx3-ubyte"), _find(directory, f"{prefix}-labels-idx1-ubyte")
    if images is None or labels is None:
        return None
    pixels, targets = read_idx(images), read_idx(labels)
    if pixels.ndim != 3 or targets.ndim != 1 or len(pixels) != len(targets):
        raise DataError(f"{images} and {labels} do not match: {pixels.shape} images, {targets.shape} labels")
    if targets.size and targets.max() > 9:
        raise DataError(f"{labels}: label {int(targets.max())} is not a digit 0..9; download the file again")
    return Split(
        torch.from_numpy(pixels.copy()).float().unsqueeze(1) / 255.0, torch.from_numpy(targets.astype(np.int64))
    )


def fingerprint(*splits: Split) -> str:
    """A digest of the images and labels of splits: equal digests mean the same digits in the same order."""
    digest = hashlib.sha256()
    for split in splits:
        digest.update(split.images.numpy().tobytes())
        digest.update(split.labels.numpy().tobytes())
    return digest.hexdigest()[:16]


def load_mnist(directory: str | Path, train_size: int = 8000) -> tuple[Split, Split]:
    """MNIST from a folder of IDX files (t10k-*, and train-* where present).

    With only the 10,000 test images (the shared protocol), train on the first `train_size` and
    test on the rest; with the training files too, train on those and test on t10k.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"--data-dir {directory} is not a folder; point it at the folder holding the MNIST IDX files")
    test = _pair(directory, "t10k")
    if test is None:
        raise DataError(
            f"{directory} has no t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]; "
            "point --data-dir at the folder with MNIST's IDX files"
        )
    train = _pair(directory, "train")
    if train is not None:
        return train, test
    if not 0 < train_size < len(test):
        raise DataError(f"--train-size {train_size} must lie between 0 and {len(test)}")
    return Split(test.images[:train_size], test.labels[:train_size]), Split(
        test.images[train_size:], test.labels[train_size:]
    )


def rotate(images: torch.Tensor, degrees: torch.Tensor | float, mode: str = "bilinear") -> torch.Tensor:
    """Rotate (N, C, H, W) images counter-clockwise about their centres: exact for multiples of 90,
    else resampled (``mode`` of grid_sample: 'bilinear', or 'nearest' for labels) with zero fill."""
    angles = torch.as_tensor(degrees, dtype=torch.float64).expand(len(images))
    quarter = torch.remainder(angles, 90) == 0
    if quarter.all() and len(set(angles.tolist())) == 1:
        return torch.rot90(images, int(angles[0] // 90) % 4, dims=(-2, -1))
    radians = torch.deg2rad(angles)
    cos, sin = torch.cos(radians), torch.sin(radians)
    # grid_sample's affine grid maps output (x, y) to input coordinates; y points down the rows.
    theta = torch.stack(
        [torch.stack([cos, -sin, torch.zeros_like(cos)], 1), torch.stack([sin, cos, torch.zeros_like(cos)], 1)], 1
    ).to(images)
    grid = F.affine_grid(theta, list(images.shape), align_corners=True)
    out = F.grid_sample(images, grid, mode=mode, padding_mode="zeros", align_corners=True)
    for k in range(4):
        exact = quarter & (torch.remainder(angles, 360) == 90 * k)
        if exact.any():
            out[exact] = torch.rot90(images[exact], k, dims=(-2, -1))
    return out


def rotate_labels(labels: torch.Tensor, degrees: torch.Tensor | float) -> torch.Tensor:
    """Per-pixel class labels (N, H, W) turned like ``rotate``'s images, by nearest sampling; 0 outside."""
    turned = rotate(labels.unsqueeze(1).to(torch.float32), degrees, mode="nearest")
    return turned.squeeze(1).round().long()


def random_angles(count: int, seed: int) -> torch.Tensor:
    """`count` angles in degrees, uniform in [0, 360), float64, the same for the same seed."""
    return torch.rand(count, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 360


def random_rotations(split: Split, seed: int) -> Split:
    """Each image rotated by its own angle drawn uniformly from [0, 360) with a fixed seed."""
    return Split(rotate(split.images, random_angles(len(split), seed)), split.labels)
