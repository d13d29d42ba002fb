"""``gcnn demo``: declare groups, generate their layers, check equivariance, and train on real digits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import torch

from grouptheory import describe, load

from ..equivariance import equivariance_error
from ..loading import import_group_module
from . import figures
from .data import Split, load_digits, random_angles
from .outputs import output_folder
from .training import TrainConfig, accuracy_by_angle, build_network, fit, parameter_count, rotation_accuracies

# Hidden channels chosen so the networks have about the same number of parameters: a group convolution
# has |G| times the weights of a plain one with the same channels. C8's continuous filters (off the grid,
# the 45-degree turns) need kernel 5; they have 10 parameters where a 3x3 pixel filter has 9.
MODELS = (
    ("plain CNN", "trivial", 32, 3),
    ("C4 G-CNN", "c4", 16, 3),
    ("D4 G-CNN", "d4", 11, 3),
    ("C8 G-CNN", "c8", 11, 5),
)
CONDITIONS = ("upright", "rot90", "rot180", "rot270", "random")


def run_demo(out: Path, epochs: int = 15, quiet: bool = False, seed: int = 0, digits: int | None = None) -> dict:
    """The whole demo; returns the results table. Output appears in `out` only once complete. `digits` caps
    the training and test digits (for tests)."""
    torch.manual_seed(seed)
    say = (lambda *args: None) if quiet else print
    with output_folder(out) as work:
        results = _run(work, epochs, quiet, seed, say, digits)
    say(f"\nwrote {', '.join(sorted(p.name for p in out.iterdir() if not p.name.startswith('.')))} to {out}/")
    return results


def _run(work: Path, epochs: int, quiet: bool, seed: int, say, digits: int | None) -> dict:
    say("== 1. Declared groups (grouptheory/catalog/c4.toml, d4.toml, c8.toml)")
    say(describe(load("c4")).split("\nconjugacy")[0])
    say(f"\nD4: order {load('d4').order}, presentation {load('d4').presentation}")
    say(f"C8: order {load('c8').order}; its 45-degree turns leave the pixel grid, so its layers use continuous filters")

    say("\n== 2. Generating their layers and importing the generated code")
    modules_dir = work / "generated"
    groups = {}
    for spec in ("trivial", "c4", "d4", "c8"):
        groups[spec] = import_group_module(spec, folder=modules_dir)
        say(f"  {modules_dir.name}/{spec}.py -> {groups[spec].__name__} ({groups[spec].ORDER} elements)")

    say("\n== 3. Equivariance error of each layer, per element (float64, relative)")
    errors = {spec: _equivariance_table(groups[spec]) for spec in ("c4", "d4")}
    for spec, table in errors.items():
        say(_format_errors(groups[spec], table))

    say(f"\n== 4. Training on upright digits (sklearn, 8x8), {epochs} epochs each")
    train, test = (Split(s.images[:digits], s.labels[:digits]) for s in load_digits(seed=seed))
    say(f"  {len(train)} training digits, {len(test)} held-out digits")
    config = TrainConfig(epochs=epochs, batch_size=32, learning_rate=5e-3, num_layers=4, kernel_size=3, seed=seed)
    rows: list[dict] = []
    curves: dict[str, dict[int, float]] = {}
    trained: dict[str, torch.nn.Module] = {}
    for name, spec, hidden, kernel_size in MODELS:
        torch.manual_seed(seed)
        run = TrainConfig(**{**config.to_dict(), "hidden_channels": hidden, "kernel_size": kernel_size})
        model = build_network(groups[spec], run)
        seconds = fit(model, train, run, progress=not quiet, label=name)
        accuracies = rotation_accuracies(model, test, seed=seed)
        curves[name] = accuracy_by_angle(model, test)
        trained[spec] = model
        rows.append(_result_row(name, groups[spec], model, accuracies, seconds))
        say(f"  {name}: random-rotation accuracy {accuracies['random']:.3f}")

    results_table = _format_results(rows)
    say("\n== 5. Results (accuracy on held-out digits)\n" + results_table)
    (work / "results.md").write_text(results_table + "\n")
    (work / "results.json").write_text(json.dumps({"epochs": epochs, "models": rows, "equivariance": errors}, indent=2))
    figures.cayley_heatmaps([groups["c4"], groups["d4"]], work / "cayley_tables.png")
    digit = test.images[:1].double()
    lifting = trained["c4"].get_submodule("features.0").double()
    figures.feature_maps_under_rotation(groups["c4"], lifting, digit, work / "feature_maps_c4.png")
    figures.accuracy_by_angle(curves, work / "accuracy_by_angle.png")
    shutil.rmtree(modules_dir)
    return {"models": rows, "equivariance": errors}


def run_demo_3d(out: Path, epochs: int = 150, quiet: bool = False, seed: int = 0) -> list[dict]:
    """3D Tetris: O and Oh G-CNNs against a plain 3D CNN of about the same size; writes results_3d.*."""
    from . import tetris

    say = (lambda *args: None) if quiet else print
    with output_folder(out) as work:
        say("== 3D Tetris: eight polycubes, trained in one orientation, tested under random cube rotations")
        groups = {spec: import_group_module(spec) for spec in ("trivial3d", "o", "oh")}
        irreps = {name: 9 for name in ("trivial", "irrep_1", "irrep_2", "irrep_3", "irrep_4")}  # every irrep of O
        models: dict[str, tuple[ModuleType, int | dict[str, int]]] = {
            "plain 3D CNN": (groups["trivial3d"], 20),
            "O G-CNN": (groups["o"], 4),
            "O steerable CNN, irrep fields": (groups["o"], irreps),
            "Oh G-CNN": (groups["oh"], 3),
        }
        rows = tetris.run(models, groups["o"], epochs=epochs, quiet=quiet, seed=seed)
        lines = [
            "| model | group | parameters | train accuracy | rotated test accuracy | training seconds |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for row in rows:
            lines.append(
                f"| {row['model']} | {row['group']} | {row['parameters']:,} | {row['train accuracy']:.3f} | "
                f"{row['rotated test accuracy']:.3f} | {row['seconds']:.1f} |"
            )
        table = "\n".join(lines)
        say(table)
        say("(Oh also contains reflections, so it cannot tell the two chiral shapes apart.)")
        (work / "results_3d.md").write_text(table + "\n")
        (work / "results_3d.json").write_text(json.dumps({"epochs": epochs, "models": rows}, indent=2))
    say(f"\nwrote results_3d.md, results_3d.json to {out}/")
    return rows


class SegmentationModel(NamedTuple):
    """A U-Net of ``gcnn demo --segmentation``: its name, group, fields, and whether it trains on canvases
    turned by random angles (``augment_rotations``) instead of upright ones. Each pools the group axis by its
    module's UNET_GROUP_POOL."""

    name: str
    group: str
    fields: int
    trained_turned: bool = False


SEGMENTATION_MODELS = (
    SegmentationModel("plain U-Net", "trivial", 16),
    SegmentationModel("plain U-Net, trained turned", "trivial", 16, trained_turned=True),
    SegmentationModel("C4 U-Net", "c4", 8),
    SegmentationModel("D4 U-Net", "d4", 6),
    SegmentationModel("C8 U-Net", "c8", 5),
)
"""The plain U-Net trained turned is what the equivariant ones, trained upright, are measured against."""


def run_demo_segmentation(
    out: Path,
    epochs: int = 16,
    quiet: bool = False,
    seed: int = 0,
    canvases: tuple[int, int] = (600, 200),
    filters: str = "continuous",
) -> list[dict]:
    """Segmentation of digit canvases: plain, C4, D4 and C8 U-Nets of about equal size, trained upright on
    `canvases[0]` canvases, and the plain U-Net trained on them turned by random angles; all tested turned
    on `canvases[1]`. Writes results_segmentation.*, segmentation.png (examples), segmentation_curves.png
    (training loss and held-out IoU per epoch) and segmentation_classes.png (IoU per class, upright and at
    random angles).

    C4 and D4 use `filters`: continuous ones of kernel 5 by default (the U-Nets' own default, measured better
    upright and turned), or 3x3 pixel filters (faster). C8, whose 45-degree turns are off the grid, always has
    continuous filters of kernel 5, and the plain U-Net always 3x3 pixel filters."""
    from . import segmentation

    say = (lambda *args: None) if quiet else print
    with output_folder(out) as work:
        say("== Segmentation: canvases of 2-4 sklearn digits (32x32), every stroke pixel labelled with its digit")
        train_digits, test_digits = load_digits(seed=seed)
        train = segmentation.compose(train_digits, canvases[0], 32, seed=seed + 1, digit_size=12)
        test = segmentation.compose(test_digits, canvases[1], 32, seed=seed + 2, digit_size=12)
        turned = segmentation.randomly_turned(test, seed)
        say(f"  {len(train)} training canvases (upright; turned for the second plain U-Net), {len(test)} test canvases")
        rows, models, curves, classes = [], {}, {}, {}
        for name, spec, hidden, trained_turned in SEGMENTATION_MODELS:
            group = import_group_module(spec)
            grid_exact = len(group.EXACT_ELEMENTS) == group.ORDER
            kind = "pixel" if spec == "trivial" else filters if grid_exact else "continuous"
            config = TrainConfig(
                epochs=epochs,
                batch_size=8,
                learning_rate=1e-2,
                hidden_channels=hidden,
                kernel_size=3 if kind == "pixel" else 5,
                filters=kind,
                seed=seed,
                task="segmentation",
                depth=2,
                augment_rotations=trained_turned,
                loss="cross_entropy_dice",
            )
            torch.manual_seed(seed)
            model = build_network(group, config)
            curve: dict[str, list[float]] = {"loss": [], "test": []}

            def record(loss: float, model=model, curve=curve) -> None:
                curve["loss"].append(loss)
                curve["test"].append(segmentation.mean_iou(model, test))

            seconds = fit(model, train.as_split(), config, progress=not quiet, label=name, on_epoch=record)
            ious = segmentation.rotation_ious(model, test, seed=seed)
            by_class = {
                "upright": segmentation.class_ious(model, test),
                "random angles": segmentation.class_ious(model, turned),
            }
            models[name], curves[name], classes[name] = model, curve, by_class
            rows.append({**_result_row(name, group, model, ious, seconds), "curves": curve, "class_ious": by_class})
            say(f"  {name}: mean IoU upright {ious['upright']:.3f}, random angles {ious['random']:.3f}")
        table = _format_results(rows) + "\n\n" + _class_table(classes)
        say("\n== Mean IoU on held-out canvases (11 classes: background and ten digits), then IoU per class\n" + table)
        (work / "results_segmentation.md").write_text(table + "\n")
        (work / "results_segmentation.json").write_text(json.dumps({"epochs": epochs, "models": rows}, indent=2))
        examples = {
            f"turned {angle} degrees" if angle else "upright": segmentation.rotate_canvases(test[:1], float(angle))
            for angle in (0, 90, 37)
        }
        figures.segmentation_examples(
            models,
            {name: (canvas.images[0], canvas.masks[0]) for name, canvas in examples.items()},
            work / "segmentation.png",
        )
        figures.learning_curves(curves, work / "segmentation_curves.png")
        figures.class_ious(classes, work / "segmentation_classes.png")
    say(f"\nwrote results_segmentation.md and .json, segmentation.png, _curves.png and _classes.png to {out}/")
    return rows


def _class_table(classes: dict[str, dict[str, list[float | None]]]) -> str:
    """IoU per class (background, then the digits), a row per model and condition; '-' for an absent class."""
    lines = [
        "| model | condition | background | " + " | ".join(map(str, range(10))) + " |",
        "| --- | --- |" + " ---: |" * 11,
    ]
    for model, by_condition in classes.items():
        for condition, ious in by_condition.items():
            cells = ("-" if iou is None else f"{iou:.3f}" for iou in ious)
            lines.append(f"| {model} | {condition} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


ORIENTATION_MODELS = (
    ("plain CNN", "trivial", 16, False),
    ("C8 steerable CNN", "c8", 8, False),
    ("C16 steerable CNN", "c16", 6, False),
    ("C16 steerable CNN, trained at every angle", "c16", 6, True),
)
"""(name, group, regular fields, trained at every angle): the last breaks the task's rule, as a reference."""
ORIENTATION_TURNS = 4
"""Turned copies each test digit's answer is averaged over in the table's last columns (``orientation.directions``)."""


def run_demo_orientation(
    out: Path, epochs: int = 15, quiet: bool = False, seed: int = 0, digits: int | None = None
) -> list[dict]:
    """Orientation: a plain CNN and C8 / C16 steerable CNNs with a vector head and blur pooling, of about equal
    size, trained to output the upright direction of upright digits (half of every batch shifted by sub-pixel
    offsets), tested on digits turned by random angles, on their own and averaged over turned copies; then the
    C16 network trained at every angle, for reference. Writes results_orientation.* and orientation.png.
    `digits` caps the training and test digits (for tests)."""
    from . import orientation

    say = (lambda *args: None) if quiet else print
    with output_folder(out) as work:
        say("== Orientation: the upright direction of sklearn digits (24x24) as a vector, trained upright only")
        train, test = (Split(orientation.prepare(s.images[:digits]), s.labels[:digits]) for s in load_digits(seed=seed))
        degrees = random_angles(len(test), seed)
        upright = torch.zeros(len(test), dtype=torch.float64)
        say(f"  {len(train)} upright training digits, {len(test)} test digits at random angles")
        rows, models = [], {}
        for name, spec, fields, every_angle in ORIENTATION_MODELS:
            group = import_group_module(spec)
            torch.manual_seed(seed)
            hidden = group.FieldType(regular=fields)
            model = group.SteerableCNN(
                1, 1, hidden, num_layers=3, kernel_size=5, downsample_every=1, head="vectors", pool="blur"
            )
            seconds = orientation.fit(
                model, train, epochs, 5e-3, seed, augment_shifts=not every_angle, every_angle=every_angle
            )
            errors = {
                (turns, at): orientation.angular_errors(model, test.images, angles, turns)
                for turns in (1, ORIENTATION_TURNS)
                for at, angles in (("upright", upright), ("random", degrees))
            }
            turned = errors[1, "random"]
            scores = {
                "upright": errors[1, "upright"].mean().item(),
                "random": turned.mean().item(),
                "random_median": turned.median().item(),
                "averaged_upright": errors[ORIENTATION_TURNS, "upright"].mean().item(),
                "averaged_random": errors[ORIENTATION_TURNS, "random"].mean().item(),
            }
            by_digit = [turned[test.labels == d].mean().item() for d in range(10)]
            rows.append({**_result_row(name, group, model, scores, seconds), "random_by_digit": by_digit})
            if not every_angle:
                models[name] = model
            say(
                f"  {name}: mean angular error upright {scores['upright']:.1f}, random angles {scores['random']:.1f}"
                f" degrees; averaged over {ORIENTATION_TURNS} turns {scores['averaged_random']:.1f}"
            )
        averaged = f"{ORIENTATION_TURNS} turns averaged"
        lines = [
            "| model | group | parameters | upright | random angles | median | "
            f"{averaged}: upright | {averaged}: random | s / epoch |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *(
                f"| {r['model']} | {r['group']} | {r['parameters']:,} | {r['upright']:.1f} | {r['random']:.1f} | "
                f"{r['random_median']:.1f} | {r['averaged_upright']:.1f} | {r['averaged_random']:.1f} | "
                f"{r['seconds_per_epoch']:.2f} |"
                for r in rows
            ),
        ]
        lines += [
            "",
            "| model | " + " | ".join(f"{digit}" for digit in range(10)) + " |",
            "| --- |" + " ---: |" * 10,
            *(f"| {r['model']} | " + " | ".join(f"{e:.1f}" for e in r["random_by_digit"]) + " |" for r in rows),
        ]
        table = "\n".join(lines)
        say("\n== Mean angular error in degrees on held-out digits (then at random angles, by digit)\n" + table)
        (work / "results_orientation.md").write_text(table + "\n")
        (work / "results_orientation.json").write_text(json.dumps({"epochs": epochs, "models": rows}, indent=2))
        figures.orientation_arrows(models, test.images[:8], degrees[:8], work / "orientation.png")
    say(f"\nwrote results_orientation.md, results_orientation.json, orientation.png to {out}/")
    return rows


def _result_row(name: str, group, model: torch.nn.Module, scores: dict[str, float], seconds: list[float]) -> dict:
    """One model's line of a results table: its size, its scores per condition and its speed."""
    return {
        "model": name,
        "group": group.GROUP_NAME,
        "parameters": parameter_count(model),
        **scores,
        "seconds_per_epoch": sum(seconds) / len(seconds),
    }


def _equivariance_table(group) -> dict[str, list[float]]:
    torch.manual_seed(0)
    image = torch.randn(2, 3, 9, 9, dtype=torch.float64)
    features = torch.randn(2, 3, group.ORDER, 9, 9, dtype=torch.float64)
    cases = {
        "LiftingConv2d": (group.LiftingConv2d(3, 4, 5, padding=2), image),
        "GroupConv2d": (group.GroupConv2d(3, 4, 5, padding=2), features),
        "GroupBatchNorm2d": (group.GroupBatchNorm2d(3), features),
        "GroupPool": (group.GroupPool("max"), features),
        "GroupEquivariantCNN": (group.GroupEquivariantCNN(3, 10, 4, 3, 3).eval(), image),
    }
    return {name: list(equivariance_error(layer, x).values()) for name, (layer, x) in cases.items()}


def _format_errors(group, table: dict[str, list[float]]) -> str:
    header = f"  {group.GROUP_NAME:<20}" + "".join(f"{label:>9}" for label in group.LABELS)
    lines = [header]
    for name, values in table.items():
        lines.append(f"  {name:<20}" + "".join(f"{v:9.1e}" for v in values))
    return "\n".join(lines)


def _format_results(rows: list[dict]) -> str:
    lines = [
        "| model | group | parameters | " + " | ".join(CONDITIONS) + " | s / epoch |",
        "| --- | --- | ---: | " + " | ".join("---:" for _ in CONDITIONS) + " | ---: |",
    ]
    for row in rows:
        cells = " | ".join(f"{row[c]:.3f}" for c in CONDITIONS)
        lines.append(
            f"| {row['model']} | {row['group']} | {row['parameters']:,} | {cells} | {row['seconds_per_epoch']:.2f} |"
        )
    return "\n".join(lines)
