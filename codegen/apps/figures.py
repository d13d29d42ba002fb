"""The demo's figures (matplotlib, written as PNG)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import torch


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def cayley_heatmaps(groups: list[ModuleType], path: Path) -> None:
    """Each group's Cayley table as a heat map, cells labelled with the product's word."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(groups), figsize=(5.2 * len(groups), 5.6))
    for ax, group in zip(list(axes) if len(groups) > 1 else [axes], groups, strict=True):
        table = np.array(group.CAYLEY_TABLE)
        ax.imshow(table, cmap="tab20" if group.ORDER <= 20 else "viridis")
        ticks = range(group.ORDER)
        ax.set_xticks(ticks, group.LABELS, rotation=90)
        ax.set_yticks(ticks, group.LABELS)
        if group.ORDER <= 16:
            for i in ticks:
                for j in ticks:
                    ax.text(j, i, group.LABELS[table[i, j]], ha="center", va="center", fontsize=8)
        ax.set_title(f"{group.GROUP_NAME}: row * column")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def feature_maps_under_rotation(group: ModuleType, lifting: torch.nn.Module, digit: torch.Tensor, path: Path) -> None:
    """The tutorial's figure: one digit rotated by each rotation of the group (rows), and one channel of
    the lifting layer's output over the group axis (columns): maps rotate and shift along the axis."""
    plt = _pyplot()
    rotations = [g for g in group.EXACT_ELEMENTS if _is_rotation(group, g)]
    with torch.no_grad():
        maps = [lifting(group.act_on_image(digit, g))[0, 0].numpy() for g in rotations]
    columns = group.ORDER + 1
    fig, axes = plt.subplots(len(rotations), columns, figsize=(1.6 * columns, 1.7 * len(rotations)), squeeze=False)
    low, high = min(float(m.min()) for m in maps), max(float(m.max()) for m in maps)
    for row, (g, feature) in enumerate(zip(rotations, maps, strict=True)):
        axes[row, 0].imshow(group.act_on_image(digit, g)[0, 0].numpy(), cmap="gray")
        axes[row, 0].set_ylabel(f"input {group.LABELS[g]}", fontsize=9)
        for h in range(group.ORDER):
            axes[row, h + 1].imshow(feature[h], cmap="magma", vmin=low, vmax=high)
            if row == 0:
                axes[row, h + 1].set_title(f"h = {group.LABELS[h]}", fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"{group.GROUP_NAME} lifting layer, channel 0: rotating the input rotates each map and permutes h")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _is_rotation(group: ModuleType, g: int) -> bool:
    matrix = torch.tensor(group.MATRICES[g], dtype=torch.float64)
    return bool(torch.linalg.det(matrix) > 0)


def accuracy_by_angle(curves: dict[str, dict[int, float]], path: Path) -> None:
    """Accuracy against the rotation angle of the test set, one line per model."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, curve in curves.items():
        ax.plot(list(curve), list(curve.values()), marker="o", markersize=3, label=name)
    ax.set_xticks(range(0, 361, 45))
    ax.set_xlabel("rotation of every test digit (degrees)")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Trained upright, tested rotated")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def segmentation_examples(models: dict[str, torch.nn.Module], rows: dict[str, tuple], path: Path) -> None:
    """For each condition (a row: a turned canvas and its labels), the input, the truth and every model's
    prediction; classes in one colour map, background black."""
    plt = _pyplot()
    columns = 2 + len(models)
    fig, axes = plt.subplots(len(rows), columns, figsize=(2.1 * columns, 2.2 * len(rows)), squeeze=False)
    colours = plt.get_cmap("tab10")
    palette = np.vstack([[0, 0, 0], colours(np.arange(10))[:, :3]])
    for row, (condition, (image, mask)) in enumerate(rows.items()):
        with torch.no_grad():
            predictions = [model.eval()(image[None])[0].argmax(0) for model in models.values()]
        panels = [("input", image[0].numpy(), "gray"), ("truth", palette[mask.numpy()], None)]
        panels += [(name, palette[p.numpy()], None) for name, p in zip(models, predictions, strict=True)]
        for column, (title, picture, cmap) in enumerate(panels):
            axes[row, column].imshow(picture, cmap=cmap, interpolation="nearest")
            if row == 0:
                axes[row, column].set_title(title, fontsize=9)
        axes[row, 0].set_ylabel(condition, fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    from matplotlib.patches import Patch

    legend = [Patch(color=palette[digit + 1], label=str(digit)) for digit in range(10)]
    fig.legend(handles=legend, loc="lower center", ncol=10, fontsize=8, frameon=False)
    fig.suptitle("Colours are digits, black is background; all but the model trained turned saw only upright canvases")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def orientation_arrows(
    models: dict[str, torch.nn.Module], images: torch.Tensor, degrees: torch.Tensor, path: Path
) -> None:
    """Turned digits with the true upright direction (black) and each model's answer as arrows."""
    from .data import rotate
    from .orientation import directions, upright_directions

    plt = _pyplot()
    turned = rotate(images, degrees)
    answers = {name: torch.nn.functional.normalize(directions(model, turned), dim=1) for name, model in models.items()}
    truth = upright_directions(degrees).float()
    colours = dict(zip(answers, ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple"], strict=False))
    fig, axes = plt.subplots(1, len(images), figsize=(2.0 * len(images), 2.5))
    centre = (turned.shape[-1] - 1) / 2
    scale = 0.4 * turned.shape[-1]
    for k, ax in enumerate(axes):
        ax.imshow(turned[k, 0].numpy(), cmap="gray_r")
        arrows = [("truth", truth[k], "black"), *((name, a[k], colours[name]) for name, a in answers.items())]
        for label, (row, column), colour in arrows:
            ax.annotate(
                "",
                xy=(centre + scale * float(column), centre + scale * float(row)),
                xytext=(centre, centre),
                arrowprops={"arrowstyle": "->", "color": colour, "lw": 2},
            )
            if k == 0:
                ax.plot([], [], color=colour, label=label)
        ax.set_title(f"{float(degrees[k]):.0f} deg", fontsize=9)
        ax.axis("off")
    fig.legend(loc="lower center", ncol=len(arrows), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def learning_curves(histories: dict[str, dict[str, list[float]]], path: Path) -> None:
    """Each model's training loss and held-out score per epoch (``{"loss": [...], "test": [...]}``), side by side."""
    plt = _pyplot()
    fig, (loss_ax, score_ax) = plt.subplots(1, 2, figsize=(10, 3.8))
    for name, history in histories.items():
        epochs = range(1, len(history["loss"]) + 1)
        loss_ax.plot(epochs, history["loss"], marker="o", markersize=3, label=name)
        score_ax.plot(epochs, history["test"], marker="o", markersize=3, label=name)
    loss_ax.set_yscale("log")
    loss_ax.set_ylabel("training loss")
    score_ax.set_ylabel("held-out mean IoU, upright")
    score_ax.set_ylim(0, 1.02)
    for ax in (loss_ax, score_ax):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    score_ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def class_ious(scores: dict[str, dict[str, list[float | None]]], path: Path) -> None:
    """Per-class IoU (background, then the digits) as grouped bars: one panel per condition, one bar per model
    (none for a class absent from the set)."""
    plt = _pyplot()
    conditions = list(next(iter(scores.values())))
    fig, axes = plt.subplots(len(conditions), 1, figsize=(10, 2.8 * len(conditions)), squeeze=False)
    names = ["background", *map(str, range(10))]
    width = 0.8 / len(scores)
    for ax, condition in zip(axes[:, 0], conditions, strict=True):
        for k, (model, by_condition) in enumerate(scores.items()):
            positions = np.arange(len(names)) + (k - (len(scores) - 1) / 2) * width
            heights = [np.nan if iou is None else iou for iou in by_condition[condition]]
            ax.bar(positions, heights, width, label=model)
        ax.set_xticks(range(len(names)), names)
        ax.set_ylim(0, 1.02)
        ax.set_ylabel(f"IoU, {condition}")
        ax.grid(axis="y", alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(scores), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path, dpi=120)
    plt.close(fig)
