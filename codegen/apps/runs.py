"""``gcnn train`` and ``gcnn eval``: train a generated network on MNIST or digits, save and re-evaluate it.

Under ``torchrun`` the same command trains with DistributedDataParallel (gloo on CPU, NCCL on
GPUs): each process takes a shard of every epoch, rank 0 logs, evaluates and saves.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import tempfile
import zipfile
from contextlib import ExitStack
from dataclasses import fields
from pathlib import Path

import torch
import torch.distributed as dist

from grouptheory import catalog_names, spec_path

from ..loading import import_group_module
from . import segmentation
from ._errors import AppError
from .budget import check_config, check_run
from .data import DataError, Split, fingerprint, load_digits, load_mnist
from .outputs import check_output_folder, output_folder
from .segmentation import Canvases
from .training import (
    TrainConfig,
    accuracy_by_angle,
    as_built,
    build_network,
    fit,
    parameter_count,
    rotation_accuracies,
)

CHECKPOINT_FORMAT = "gcnn-checkpoint/2"


def load_dataset(name: str, data_dir: str | None, train_size: int, seed: int) -> tuple[Split, Split]:
    if name == "digits":
        return load_digits(seed=seed)
    if data_dir is None:
        raise DataError("--dataset mnist needs --data-dir pointing at the folder with MNIST's IDX files")
    return load_mnist(data_dir, train_size=train_size)


def task_data(train: Split, test: Split, config: TrainConfig) -> tuple[Split, Split | Canvases]:
    """What the task trains and tests on: the digits themselves, or canvases composed of them."""
    if config.task == "classification":
        return train, test
    canvases = segmentation.compose(train, config.canvases, config.canvas_size, seed=config.seed + 1)
    test_canvases = segmentation.compose(test, max(1, config.canvases // 4), config.canvas_size, seed=config.seed + 2)
    return canvases.as_split(), test_canvases


def evaluate(model: torch.nn.Module, test: Split | Canvases, config: TrainConfig) -> dict:
    """Accuracy, or mean IoU for segmentation, upright, under quarter turns and under random angles."""
    if isinstance(test, Canvases):
        return {"mean_iou": segmentation.rotation_ious(model, test, seed=config.seed)}
    return {
        "accuracy": rotation_accuracies(model, test, seed=config.seed),
        # Between the quarter turns is where groups finer than C4 differ; every 15 degrees up to 90.
        "accuracy_by_angle": accuracy_by_angle(model, test, range(0, 91, 15)),
    }


def train_run(
    group_spec: str,
    dataset: str,
    data_dir: str | None,
    config: TrainConfig,
    out: Path,
    train_size: int = 8000,
    quiet: bool = False,
) -> dict:
    """Train, evaluate on rotated test images, save checkpoint and results into `out` (rank 0)."""
    check_output_folder(out)
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    device = _device()
    if distributed:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    try:
        rank = dist.get_rank() if distributed else 0
        group = import_group_module(group_spec)
        if group.DIMENSION != 2:
            raise AppError(
                f"group {group.GROUP_NAME} acts on {group.DIMENSION}-space and gcnn train trains on images: "
                "choose a planar group such as c4 or d4"
            )
        check_run(config, dataset, group)
        config = as_built(group, config)  # recorded as the network is built
        spec_text = None if group_spec in catalog_names() else spec_path(group_spec).read_text(encoding="utf-8")
        with ExitStack() as stack:
            # The output folder is made (staged) now, so a place that cannot take it fails before training.
            work = stack.enter_context(output_folder(out)) if rank == 0 else None
            digits, held_out = load_dataset(dataset, data_dir, train_size, config.seed)
            train, test = task_data(digits, held_out, config)
            torch.manual_seed(config.seed)
            model = build_network(group, config).to(device)
            wrapped = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
            seconds = fit(wrapped, train, config, progress=not quiet, label=group.GROUP_NAME)
            in_sync = _ranks_hold_identical_weights(model) if distributed else True
            # Release DDP's reducer (and the gloo work it holds) now, not during interpreter shutdown,
            # where freeing it can abort the process.
            del wrapped
            gc.collect()
            results = {}
            if work is not None:
                results = {
                    "group": group.GROUP_NAME,
                    "spec": group_spec,
                    "dataset": dataset,
                    "parameters": parameter_count(model),
                    "epochs": config.epochs,
                    "seconds_per_epoch": sum(seconds) / len(seconds),
                    "processes": dist.get_world_size() if distributed else 1,
                    "ranks_in_sync": in_sync,
                    **evaluate(model, test, config),
                }
                data = {"dataset": dataset, "train_size": train_size, "test_fingerprint": fingerprint(held_out)}
                _save(work, model, group, {"spec": group_spec, "spec_text": spec_text}, data, config, results)
        if rank == 0 and not quiet:
            print(json.dumps(results, indent=2))
        if distributed:
            dist.barrier()  # gloo aborts a process that leaves while its peers still run
        return results
    finally:
        if distributed:
            dist.destroy_process_group()


def _device() -> torch.device:
    if torch.cuda.is_available():
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        return torch.device("cuda", local)
    return torch.device("cpu")


def _ranks_hold_identical_weights(model: torch.nn.Module) -> bool:
    """Compare a digest of every rank's parameters (batch-norm running statistics are per rank until
    DDP's next forward broadcasts rank 0's)."""
    digest = hashlib.sha256()
    for tensor in model.parameters():
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    digests: list[str | None] = [None] * dist.get_world_size()
    dist.all_gather_object(digests, digest.hexdigest())
    return len(set(digests)) == 1


def _save(work: Path, model, group, spec: dict, data: dict, config: TrainConfig, results: dict) -> None:
    """Write checkpoint and results into the staging folder (it becomes --out when the run ends well)."""
    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "group": group.GROUP_NAME,
        **spec,
        "data": data,
        "config": config.to_dict(),
        "state_dict": model.state_dict(),
    }
    torch.save(checkpoint, work / "checkpoint.pt")
    (work / "results.json").write_text(json.dumps(results, indent=2))


_CHECKPOINT_KEYS: dict[str, type | tuple[type, ...]] = {
    "group": str,
    "spec": str,
    "spec_text": (str, type(None)),
    "data": dict,
    "config": dict,
    "state_dict": dict,
}


def load_checkpoint(path: Path, expected_group: str | None = None) -> tuple[torch.nn.Module, dict]:
    """Rebuild the network a checkpoint was trained as, with its weights (strict).

    A checkpoint of a spec file carries the spec's text, so it rebuilds from any folder.
    """
    _check_archive_size(path)
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise AppError(f"checkpoint {path} does not exist; pass the checkpoint.pt written by gcnn train") from None
    except Exception as error:
        raise AppError(f"{path} is not a gcnn checkpoint ({type(error).__name__}); pass a checkpoint.pt") from None
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise AppError(f"{path} is not a {CHECKPOINT_FORMAT} file; pass a checkpoint.pt written by this gcnn train")
    for key, kind in _CHECKPOINT_KEYS.items():
        if not isinstance(checkpoint.get(key), kind):
            raise AppError(f"{path}: checkpoint key {key!r} is missing or malformed; train again to rebuild it")
    group = _checkpoint_group(checkpoint)
    if expected_group is not None:
        expected = import_group_module(expected_group)
        if checkpoint["group"] != expected.GROUP_NAME:
            raise AppError(
                f"{path} holds a {checkpoint['group']} network, not {expected.GROUP_NAME}; pass --group "
                f"{checkpoint['spec']} or a checkpoint trained for that group"
            )
        if (expected.CAYLEY_TABLE, expected.ELEMENTS) != (group.CAYLEY_TABLE, group.ELEMENTS):
            raise AppError(
                f"{path} holds a network for a group named {group.GROUP_NAME} (order {group.ORDER}) that is not the "
                f"group of --group {expected_group} (order {expected.ORDER}): their tables or matrices differ; "
                "pass the spec it was trained with"
            )
    if checkpoint["group"] != group.GROUP_NAME:
        raise AppError(f"{path} was trained for {checkpoint['group']} but its spec now declares {group.GROUP_NAME}")
    config, data = _checked_fields(path, checkpoint)
    try:
        check_run(config, data["dataset"], group)
    except AppError as error:
        raise AppError(f"{path}: {error}") from None
    model = build_network(group, config)
    _check_weights(path, model, checkpoint["state_dict"])
    try:
        model.load_state_dict(checkpoint["state_dict"], strict=True)
    except (TypeError, ValueError, RuntimeError) as error:
        first_line = str(error).strip().splitlines()[0]
        raise AppError(f"{path}: the weights do not fit the network it describes ({first_line})") from None
    return model, {**checkpoint, "config": config.to_dict(), "data": data}


def _added_later(raw: dict) -> dict:
    """Config fields that checkpoints written before them lack, with what those checkpoints meant: no restriction,
    no FourierCNN, no augmentation of either kind, the cross-entropy alone, and for U-Nets the transposed
    convolutions that were every decoder then and no global context."""
    upsampling = "transposed" if raw.get("task") == "segmentation" else None
    return {
        "restrict_to": None,
        "restrict_after": 0,
        "fourier_irreps": None,
        "upsampling": upsampling,
        "augment_rotations": False,
        "augment_shifts": False,
        "global_context": False,
        "loss": "cross_entropy",
    }


def _checked_fields(path: Path, checkpoint: dict) -> tuple[TrainConfig, dict]:
    """The checkpoint's config and data record, every field validated (types and ranges) before use."""
    raw, data = checkpoint["config"], checkpoint["data"]
    known = {field.name for field in fields(TrainConfig)}
    older = _added_later(raw)
    unknown = sorted(set(raw) - known)
    missing = sorted(known - set(raw) - set(older))
    if unknown or missing:
        which = f"unknown key {unknown[0]!r}" if unknown else f"no {missing[0]!r}"
        raise AppError(f"{path}: its config has {which}; the weights do not fit the network it describes")
    try:
        config = check_config(TrainConfig(**{**older, **raw}))
    except AppError as error:
        raise AppError(f"{path}: config {error}") from None
    if data.get("dataset") not in ("mnist", "digits"):
        raise AppError(f"{path}: data.dataset is {data.get('dataset')!r}, not 'mnist' or 'digits'")
    train_size = data.get("train_size")
    if isinstance(train_size, bool) or not isinstance(train_size, int) or not 0 < train_size < 10_000_000:
        raise AppError(f"{path}: data.train_size is {train_size!r}, not a positive number of images")
    fingerprint_ = data.get("test_fingerprint")
    if not isinstance(fingerprint_, str) or len(fingerprint_) != 16:
        raise AppError(f"{path}: data.test_fingerprint is {fingerprint_!r}, not a 16-digit digest")
    return config, data


def _check_weights(path: Path, model: torch.nn.Module, state_dict: dict) -> None:
    """Every tensor of the checkpoint has the name and shape of the network's, before any is copied."""
    expected = model.state_dict()
    for name, tensor in state_dict.items():
        if name not in expected:
            raise AppError(f"{path}: the weights do not fit the network it describes (unexpected {name!r})")
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != tuple(expected[name].shape):
            shape = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__
            raise AppError(
                f"{path}: the weights do not fit the network it describes ({name!r} is {shape}, the network's "
                f"{tuple(expected[name].shape)})"
            )
    absent = sorted(set(expected) - set(state_dict))
    if absent:
        raise AppError(f"{path}: the weights do not fit the network it describes (no {absent[0]!r})")


MAX_CHECKPOINT_BYTES = 512 * 2**20
"""Largest checkpoint read, on disk or once inflated (a checkpoint is a zip archive)."""


def _check_archive_size(path: Path) -> None:
    """Refuse a checkpoint whose file, or the sum of its archive entries once inflated, exceeds
    MAX_CHECKPOINT_BYTES, before torch reads any of it."""
    try:
        size = path.stat().st_size
        entries = None
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                entries = sum(info.file_size for info in archive.infolist())
    except FileNotFoundError:
        return  # torch.load names the missing file below
    except (OSError, zipfile.BadZipFile) as error:
        raise AppError(f"{path} is not a readable gcnn checkpoint ({error}); pass a checkpoint.pt") from None
    for what, value in (("is", size), ("inflates to", entries)):
        if value is not None and value > MAX_CHECKPOINT_BYTES:
            raise AppError(
                f"{path} {what} {value:,} bytes, above the limit of {MAX_CHECKPOINT_BYTES:,} for a checkpoint; "
                "it is not one gcnn train wrote"
            )


def _checkpoint_group(checkpoint: dict):
    if checkpoint["spec_text"] is None:
        return import_group_module(checkpoint["spec"])
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / Path(checkpoint["spec"]).name
        spec.write_text(checkpoint["spec_text"], encoding="utf-8")
        return import_group_module(str(spec))


def eval_run(path: Path, data_dir: str | None, expected_group: str | None) -> dict:
    """Re-evaluate a checkpoint on exactly the test digits it was held out from; refuse other data."""
    model, checkpoint = load_checkpoint(path, expected_group)
    config = TrainConfig(**checkpoint["config"])  # validated by load_checkpoint
    data = checkpoint["data"]
    digits, held_out = load_dataset(data["dataset"], data_dir, data["train_size"], config.seed)
    if fingerprint(held_out) != data["test_fingerprint"]:
        raise AppError(
            f"the test digits in {data_dir or data['dataset']} are not the ones {path} was held out on "
            f"(train size {data['train_size']}); pass the --data-dir it was trained with"
        )
    _, test = task_data(digits, held_out, config)
    return {"group": checkpoint["group"], **evaluate(model, test, config)}
