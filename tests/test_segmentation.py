"""Digit canvases, their rotations and mean IoU; the segmentation demo and training runs."""

import json

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from codegen import cli
from codegen.apps import segmentation
from codegen.apps.data import Split, load_digits
from codegen.apps.runs import eval_run, load_checkpoint
from codegen.apps.segmentation import NUM_CLASSES, STROKE, Canvases, compose, mean_iou, rotate_canvases, rotation_ious
from generated import c4, c8, d4, trivial

DIGITS = Split(torch.rand(20, 1, 8, 8), torch.arange(20) % 10)


def test_canvases_hold_two_to_four_separate_digits():
    canvases = compose(DIGITS, count=30, size=32, seed=0)
    for regions in canvases.regions:
        boxes = (regions > 0).sum()
        assert 2 * 64 <= boxes <= 4 * 64  # whole 8x8 squares, never overlapping
    masks = canvases.masks
    assert torch.equal(masks > 0, (canvases.images[:, 0] > STROKE) & (canvases.regions > 0))
    assert torch.equal(compose(DIGITS, count=30, size=32, seed=0).images, canvases.images)


def test_quarter_turns_are_exact_and_labels_follow_the_image():
    canvases = compose(DIGITS, count=4, size=32, seed=1)
    turned = rotate_canvases(canvases, 90.0)
    assert torch.equal(turned.images, torch.rot90(canvases.images, 1, dims=(-2, -1)))
    assert torch.equal(turned.masks, torch.rot90(canvases.masks, 1, dims=(-2, -1)))
    slanted = rotate_canvases(canvases, torch.full((4,), 30.0))
    assert torch.equal(slanted.masks > 0, (slanted.images[:, 0] > STROKE) & (slanted.regions > 0))


class _Oracle(nn.Module):
    """Predicts the true labels of one fixed set of canvases."""

    def __init__(self, masks):
        super().__init__()
        self.masks = masks
        self.anchor = nn.Parameter(torch.zeros(1))

    def forward(self, images):
        return nn.functional.one_hot(self.masks[: len(images)], NUM_CLASSES).permute(0, 3, 1, 2).float()


def test_mean_iou_is_one_for_the_truth_and_lower_otherwise():
    canvases = compose(DIGITS, count=8, size=32, seed=2)
    assert mean_iou(_Oracle(canvases.masks), canvases) == 1.0
    assert mean_iou(_Oracle(torch.zeros_like(canvases.masks)), canvases) < 0.2


@pytest.mark.parametrize("module", [c4, d4], ids=["c4", "d4"])
def test_equivariant_unets_score_the_same_under_every_quarter_turn(module):
    torch.manual_seed(0)
    net = module.GroupEquivariantUNet(1, NUM_CLASSES, hidden_channels=2, depth=2)
    canvases = compose(DIGITS, count=8, size=32, seed=3)
    ious = rotation_ious(net, canvases)
    assert ious["upright"] == ious["rot90"] == ious["rot180"] == ious["rot270"]


def test_mismatched_canvases_are_refused():
    with pytest.raises(ValueError, match="canvases and regions do not match"):
        Canvases(torch.zeros(2, 1, 8, 8), torch.zeros(2, 8, 9, dtype=torch.long))


def test_segmentation_demo_writes_its_tables_and_figures(tmp_path):
    """One epoch on 48 canvases: a row per U-Net with its learning curve and IoU per class, and the figures."""
    from codegen.apps.demo import run_demo_segmentation

    rows = run_demo_segmentation(tmp_path / "seg", epochs=1, quiet=True, canvases=(48, 16))
    names = {p.name for p in (tmp_path / "seg").iterdir()}
    figures = {"segmentation.png", "segmentation_curves.png", "segmentation_classes.png"}
    assert {"results_segmentation.md", "results_segmentation.json", *figures} <= names
    assert [row["group"] for row in rows] == ["trivial", "trivial", "C4", "D4", "C8"]
    for row in rows:
        assert len(row["curves"]["loss"]) == len(row["curves"]["test"]) == 1
        assert row["curves"]["test"][-1] == row["upright"]  # the last point is the final model's score
        assert [len(ious) for ious in row["class_ious"].values()] == [NUM_CLASSES, NUM_CLASSES]
    for row in rows[2:]:
        assert row["upright"] == row["rot90"] == row["rot180"] == row["rot270"]
    assert json.loads((tmp_path / "seg" / "results_segmentation.json").read_text())["epochs"] == 1
    table = (tmp_path / "seg" / "results_segmentation.md").read_text()
    assert "| C8 U-Net | random angles |" in table


def test_train_and_eval_a_segmentation_run(tmp_path):
    out = tmp_path / "run"
    arguments = ["train", "--task", "segmentation", "--dataset", "digits", "--group", "c4", "--quiet"]
    arguments += ["--canvas-size", "32", "--depth", "2", "--canvases", "40", "--epochs", "1", "--hidden-channels", "2"]
    assert cli.main([*arguments, "--global-context", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())["mean_iou"]
    assert len({results[k] for k in ("upright", "rot90", "rot180", "rot270")}) == 1
    assert eval_run(out / "checkpoint.pt", None, "c4")["mean_iou"] == results


def test_unets_upsample_by_transposed_convolution_only_where_it_is_exact():
    """Off the grid a turned 2x2 transposed kernel is blurred (README: the C8 U-Net at 45 degrees), so U-Nets of
    such groups upsample by interpolation and a 1x1 group convolution."""
    assert (c4.UNET_UPSAMPLING, c8.UNET_UPSAMPLING) == ("transposed", "bilinear")
    assert isinstance(c4.GroupEquivariantUNet(1, 2, hidden_channels=1, depth=1).up[0], c4.GroupConvTranspose2d)
    assert isinstance(c8.GroupEquivariantUNet(1, 2, hidden_channels=1, depth=1).up[0][0], c8.GroupUpsample)


def test_unets_of_groups_beyond_four_elements_pool_by_the_maximum_and_the_mean_unless_told_otherwise(tmp_path):
    """The pair was measured better upright than the maximum alone for D4 and C8, not for C4 (README)."""
    assert (trivial.UNET_GROUP_POOL, c4.UNET_GROUP_POOL, d4.UNET_GROUP_POOL, c8.UNET_GROUP_POOL) == (
        "max",
        "max",
        "max_mean",
        "max_mean",
    )
    net = d4.GroupEquivariantUNet(1, 2, hidden_channels=3, depth=1)
    assert net.to_scalar.mode == "max_mean" and net.head.in_channels == 6
    assert d4.GroupEquivariantUNet(1, 2, hidden_channels=3, depth=1, group_pool="max").head.in_channels == 3
    assert c4.GroupEquivariantUNet(1, 2, hidden_channels=3, depth=1).to_scalar.mode == "max"
    out = tmp_path / "run"
    arguments = ["train", "--task", "segmentation", "--dataset", "digits", "--group", "d4", "--quiet", "--epochs", "1"]
    arguments += ["--canvas-size", "32", "--depth", "1", "--canvases", "8", "--hidden-channels", "1"]
    assert cli.main([*arguments, "--out", str(out)]) == 0
    model, loaded = load_checkpoint(out / "checkpoint.pt")
    assert model.to_scalar.mode == loaded["config"]["group_pool"] == "max_mean"  # recorded, not left to a default
    assert (loaded["config"]["filters"], loaded["config"]["upsampling"]) == ("continuous", "transposed")


def test_a_segmentation_checkpoint_written_before_the_upsampling_option_loads_transposed(tmp_path):
    """Its U-Net had transposed convolutions, then every U-Net's decoder, whatever its group's default is now;
    and it was trained upright, before augmentation existed, on the cross-entropy alone."""
    out = tmp_path / "run"
    arguments = ["train", "--task", "segmentation", "--dataset", "digits", "--group", "c8", "--quiet", "--epochs", "1"]
    arguments += ["--canvas-size", "32", "--depth", "1", "--canvases", "8", "--hidden-channels", "1"]
    arguments += ["--upsampling", "transposed", "--augment-rotations", "--augment-shifts"]
    assert cli.main([*arguments, "--out", str(out)]) == 0
    content = torch.load(out / "checkpoint.pt", weights_only=True)
    assert content["config"]["augment_rotations"] is content["config"]["augment_shifts"] is True
    assert content["config"]["loss"] == "cross_entropy_dice"  # segmentation's default
    for added_later in ("upsampling", "augment_rotations", "augment_shifts", "global_context", "loss"):
        del content["config"][added_later]
    torch.save(content, tmp_path / "older.pt")
    model, loaded = load_checkpoint(tmp_path / "older.pt")
    assert loaded["config"]["upsampling"] == "transposed" and isinstance(model.up[0], c8.GroupConvTranspose2d)
    assert loaded["config"]["augment_rotations"] is loaded["config"]["augment_shifts"] is False
    assert loaded["config"]["global_context"] is False and isinstance(model.context, torch.nn.Identity)
    assert loaded["config"]["loss"] == "cross_entropy"


def test_upsampling_is_refused_for_classification(tmp_path, capsys):
    arguments = ["train", "--dataset", "digits", "--quiet", "--out", str(tmp_path / "o"), "--upsampling", "bilinear"]
    assert cli.main(arguments) == 2
    assert "only the U-Nets of --task segmentation upsample" in capsys.readouterr().err


def test_the_global_context_is_refused_for_classification(tmp_path, capsys):
    arguments = ["train", "--dataset", "digits", "--quiet", "--out", str(tmp_path / "o"), "--global-context"]
    assert cli.main(arguments) == 2
    assert "--global-context: a classifier already pools all of its input" in capsys.readouterr().err


def test_the_global_context_lets_every_pixel_see_the_whole_canvas():
    """Beyond the receptive field (about 20 pixels here): a change in one quarter reaches the opposite corner."""
    torch.manual_seed(0)
    net = c8.GroupEquivariantUNet(1, 3, hidden_channels=2, depth=1, global_context=True).eval()
    local = c8.GroupEquivariantUNet(1, 3, hidden_channels=2, depth=1).eval()
    canvas = torch.rand(1, 1, 48, 48)
    changed = canvas.clone()
    changed[..., :16, :16] = 0
    with torch.no_grad():
        assert not torch.allclose(net(canvas)[..., -4:, -4:], net(changed)[..., -4:, -4:])
        assert torch.equal(local(canvas)[..., -4:, -4:], local(changed)[..., -4:, -4:])


def test_the_dice_loss_is_refused_for_classification(tmp_path, capsys):
    arguments = ["train", "--dataset", "digits", "--quiet", "--out", str(tmp_path / "o")]
    assert cli.main([*arguments, "--loss", "cross_entropy_dice"]) == 2
    assert "use it with --task segmentation" in capsys.readouterr().err


def test_the_dice_loss_falls_as_predictions_cover_each_class():
    """It averages over classes: a rare class missed costs as much as the background missed."""
    labels = torch.zeros(1, 8, 8, dtype=torch.long)
    labels[0, 0, :2] = 1  # two pixels of class 1 on a background of 62
    right = 20 * F.one_hot(labels, 2).movedim(-1, 1).float()
    background_only = 20 * F.one_hot(torch.zeros_like(labels), 2).movedim(-1, 1).float()
    assert segmentation.dice_loss(right, labels) < 1e-3
    assert segmentation.dice_loss(background_only, labels) > 0.3  # class 1 scores 1/3 (smoothing) of its Dice
    assert F.cross_entropy(background_only, labels) < 0.7  # while the cross-entropy barely notices


def test_canvas_sizes_the_unet_cannot_restore_are_refused(tmp_path, capsys):
    arguments = ["train", "--task", "segmentation", "--dataset", "digits", "--quiet", "--out", str(tmp_path / "o")]
    assert cli.main([*arguments, "--canvas-size", "30", "--depth", "2"]) == 2
    assert "multiple of 2^depth = 4" in capsys.readouterr().err


def test_sklearn_digits_compose(tmp_path):
    train, _ = load_digits()
    canvases = compose(train, count=2, size=32, seed=0, digit_size=12)
    assert canvases.images.shape == (2, 1, 32, 32) and int(canvases.masks.max()) <= 10
