"""Data loading, training runs, checkpoints, the demo, and two-process training."""

import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from codegen import cli
from codegen.apps import AppError
from codegen.apps.budget import check_run
from codegen.apps.data import DataError, Split, load_mnist, read_idx, rotate
from codegen.apps.runs import eval_run, load_checkpoint, train_run
from codegen.apps.segmentation import STROKE
from codegen.apps.training import TrainConfig, fit, shifted_batch, turned_batch
from codegen.loading import import_group_module

MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
TINY = TrainConfig(epochs=1, batch_size=64, hidden_channels=4, num_layers=2, kernel_size=3)


def idx_bytes(array: np.ndarray) -> bytes:
    magic = {1: 0x801, 3: 0x803}[array.ndim]
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes()


def write_mnist(folder: Path, count: int = 20, gz: bool = True) -> None:
    images = np.random.default_rng(0).integers(0, 256, size=(count, 28, 28))
    labels = np.arange(count) % 10
    for name, array in (("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labels)):
        data = idx_bytes(array)
        (folder / (name + (".gz" if gz else ""))).write_bytes(gzip.compress(data) if gz else data)


@pytest.mark.parametrize("gz", [True, False])
def test_idx_files_read_gzip_or_raw(tmp_path, gz):
    """IDX files load compressed or not, split by the protocol's rule."""
    write_mnist(tmp_path, gz=gz)
    train, test = load_mnist(tmp_path, train_size=15)
    assert train.images.shape == (15, 1, 28, 28) and len(test) == 5
    assert float(train.images.min()) >= 0 and float(train.images.max()) <= 1


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:-10], "truncated"),
        (lambda data: b"\x00\x00\x09\x03" + data[4:], "magic"),
        (lambda data: data[:5], "truncated"),
    ],
)
def test_corrupt_idx_files_are_named(tmp_path, damage, message):
    """Truncated files and wrong magic numbers name the file and suggest downloading again."""
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(damage(idx_bytes(np.zeros((3, 28, 28)))))
    with pytest.raises(DataError, match=message) as caught:
        read_idx(path)
    assert str(path) in str(caught.value)


def test_missing_data_gets_one_clear_line(tmp_path, capsys):
    """A folder without MNIST files: exit code 2, one line naming the folder; no output folder left."""
    out = tmp_path / "run"
    code = cli.main(["train", "--data-dir", str(tmp_path), "--out", str(out), "--quiet"])
    error = capsys.readouterr().err.strip()
    assert code == 2 and len(error.splitlines()) == 1 and str(tmp_path) in error
    assert not out.exists() and not list(tmp_path.glob(".run-partial-*"))


def test_unknown_group_gets_one_clear_line(capsys):
    """An unknown group names the catalog."""
    assert cli.main(["train", "--group", "c5", "--dataset", "digits", "--quiet"]) == 2
    assert "not a catalog name" in capsys.readouterr().err


def test_too_small_images_are_refused():
    """Networks that would pool images below one pixel are refused before training."""
    with pytest.raises(AppError, match="too small"):
        check_run(TrainConfig(num_layers=9, downsample_every=2), "digits", import_group_module("c4"))


def test_rotations_are_exact_for_quarter_turns_and_consistent_otherwise():
    """rotate() is rot90 for multiples of 90 degrees and agrees with it in the limit."""
    images = torch.rand(3, 1, 9, 9)
    assert torch.equal(rotate(images, 90.0), torch.rot90(images, 1, dims=(-2, -1)))
    assert torch.allclose(rotate(images, 89.9999), torch.rot90(images, 1, dims=(-2, -1)), atol=1e-4)


class InputSpy(torch.nn.Module):
    """Two-class per-pixel logits from one parameter; keeps every batch it is given in ``seen``."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.seen: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(x.detach().clone())
        return self.scale * torch.cat([1 - x, x], dim=1)


def test_augmented_training_turns_every_batch_afresh_and_its_labels_with_it():
    """Each epoch the network sees new angles; per-pixel labels turn with their canvases (nearest)."""
    images = torch.zeros(4, 1, 9, 9)
    images[:, 0, 4, 4:] = 1  # a stroke from the centre to the edge, labelled 1
    masks = images[:, 0].long()
    config = TrainConfig(epochs=2, batch_size=4, augment_rotations=True)
    spy = InputSpy()
    fit(spy, Split(images, masks), config, progress=False)
    first, second = spy.seen
    assert not torch.equal(first, images) and not torch.equal(first, second)
    for turned in (first, second):
        assert torch.allclose(turned.sum(dim=(1, 2, 3)), images.sum(dim=(1, 2, 3)), rtol=0.35)
    turned, labels = turned_batch(images, masks, torch.Generator().manual_seed(5))
    assert not torch.equal(labels, masks) and all(4 <= n <= 6 for n in labels.sum(dim=(1, 2)).tolist())
    assert bool((turned[:, 0][labels == 1] > 0.4).all())  # labelled pixels are the turned stroke's


def test_shifted_training_moves_half_the_canvases_by_less_than_a_pixel_and_their_strokes_with_them():
    """Sub-pixel shifts keep a canvas upright: its ink is kept (up to the border), it moves by under a pixel,
    and the labels are the shifted image's strokes, with their digit."""
    images = torch.zeros(64, 1, 9, 9)
    images[:, 0, 3:6, 3:6] = torch.rand(3, 3) * 0.5 + 0.5  # one digit's strokes, labelled 1
    masks = (images[:, 0] > STROKE).long()
    spy = InputSpy()
    fit(spy, Split(images, masks), TrainConfig(epochs=1, batch_size=64, augment_shifts=True), progress=False)
    (batch,) = spy.seen
    moved = [not torch.equal(a, b) for a, b in zip(batch, images, strict=True)]
    assert 16 < sum(moved) < 48  # about half
    assert torch.allclose(batch.sum(dim=(1, 2, 3)), images.sum(dim=(1, 2, 3)), rtol=1e-4)
    shifted, labels = shifted_batch(images, masks * 7, torch.Generator().manual_seed(3), share=1.0)
    assert torch.equal(labels, torch.where(shifted[:, 0] > STROKE, 7, 0))

    def centre_row(x: torch.Tensor) -> torch.Tensor:
        return (x[:, 0].sum(2) * torch.arange(9.0)).sum(1) / x.sum(dim=(1, 2, 3))

    moves = (centre_row(shifted) - centre_row(images)).abs()
    assert bool((moves < 1).all()) and bool((moves > 1e-3).any())


def test_orientation_training_can_shift_half_of_every_batch_or_turn_every_digit():
    """`orientation.fit(augment_shifts=True)` gives the network about half of the digits shifted (by sub-pixel
    offsets: `shifted_batch`, tested above), `every_angle=True` every digit turned, and neither every digit as
    it is."""
    from codegen.apps import orientation

    images = torch.zeros(64, 1, 9, 9)
    images[:, 0, 3:6, 3:6] = 1.0

    class DirectionSpy(InputSpy):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return super().forward(x).mean(dim=(2, 3))  # one 2D vector a digit

    digits = Split(images, torch.zeros(64, dtype=torch.long))
    for shifts, every_angle, expected in ((False, False, {0}), (True, False, range(17, 48)), (False, True, {64})):
        spy = DirectionSpy()
        orientation.fit(spy, digits, 1, 1e-3, seed=0, augment_shifts=shifts, every_angle=every_angle)
        moved = sum(not torch.equal(x, images[0]) for x in torch.cat(spy.seen))  # two batches of 32
        assert moved in expected


def test_orientation_directions_average_turned_copies_and_keep_the_exact_quarter_turns():
    """`orientation.directions(model, x, turns)` is the mean of the answers for x turned by 0, 90 / turns, ...
    degrees, each turned back (for a constant answer: the mean of its turns back); for a network exact under
    quarter turns the average stays exact under them."""
    from codegen.apps import orientation

    up = orientation.upright_directions(torch.zeros(1))

    class Constant(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return up.float().expand(len(x), 2)

    images = torch.rand(3, 1, 12, 12)
    expected = torch.cat([orientation.turned(up, -22.5 * k) for k in range(4)]).mean(dim=0)
    assert torch.allclose(orientation.directions(Constant(), images, turns=4), expected.expand(3, 2), atol=1e-6)
    c8 = import_group_module("c8")
    torch.manual_seed(0)
    hidden = c8.FieldType(regular=2)
    network = c8.SteerableCNN(1, 1, hidden, num_layers=2, kernel_size=5, downsample_every=1, head="vectors")
    with torch.no_grad():
        assert torch.equal(orientation.directions(network, images), network.eval()(images).flatten(1).double())
    averaged = orientation.directions(network, images, turns=4)
    quarter = orientation.directions(network, torch.rot90(images, 1, dims=(-2, -1)), turns=4)
    assert torch.allclose(quarter, orientation.turned(averaged, 90.0), atol=1e-5 * averaged.abs().max().item())
    with pytest.raises(ValueError, match="turns must be a positive int"):
        orientation.directions(network, images, turns=0)


def test_train_save_and_evaluate_a_checkpoint(tmp_path):
    """A run writes checkpoint and results; eval reproduces its accuracy; another group is refused."""
    results = train_run("c4", "digits", None, TINY, tmp_path / "run", quiet=True)
    assert set(results["accuracy"]) == {"upright", "rot90", "rot180", "rot270", "random"}
    # C4 invariance: every quarter turn gives the upright accuracy exactly.
    assert len({results["accuracy"][k] for k in ("upright", "rot90", "rot180", "rot270")}) == 1
    checkpoint = tmp_path / "run" / "checkpoint.pt"
    assert eval_run(checkpoint, None, "c4")["accuracy"] == results["accuracy"]
    recorded = load_checkpoint(checkpoint)[1]["config"]  # the defaults the network took, not None
    assert (recorded["filters"], recorded["group_pool"], recorded["upsampling"]) == ("pixel", "mean", None)
    with pytest.raises(Exception, match="holds a C4 network, not D4"):
        load_checkpoint(checkpoint, expected_group="d4")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(Exception, match="not a gcnn checkpoint"):
        load_checkpoint(tmp_path / "junk.pt")


def test_a_restricted_network_is_invariant_to_the_subgroup_and_reloads(tmp_path):
    """D4 for the first block, then C4: logits invariant to the rotations exactly, not to the mirrors; the
    D4 block's fields reach C4 as twice as many fields by a gather; eval rebuilds it from the checkpoint."""
    from codegen.apps.restricted import RestrictedCNN

    d4 = import_group_module("d4")
    torch.manual_seed(0)
    net = RestrictedCNN(d4, "c4", 1, 10, hidden_channels=2, num_layers=3, restrict_after=1, kernel_size=3)
    net = net.double().eval()
    assert net.features[3].restrict.index is not None and net.features[4].in_channels == 4
    x = torch.randn(3, 1, 8, 8, dtype=torch.float64)
    logits = net(x)
    for g in d4.SUBGROUPS["c4"]:
        torch.testing.assert_close(net(d4.act_on_image(x, g)), logits, atol=1e-12, rtol=0)
    assert (net(d4.act_on_image(x, 4)) - logits).abs().max() > 1e-4  # a mirror: only C4 is kept
    with pytest.raises(ValueError, match="'c8' is not a catalog subgroup of D4"):
        RestrictedCNN(d4, "c8", 1, 10, hidden_channels=2, num_layers=3, restrict_after=1)
    config = TrainConfig(epochs=1, hidden_channels=2, num_layers=3, kernel_size=3, restrict_to="c4", restrict_after=2)
    results = train_run("d4", "digits", None, config, tmp_path / "run", quiet=True)
    assert len({results["accuracy"][k] for k in ("upright", "rot90", "rot180", "rot270")}) == 1
    assert eval_run(tmp_path / "run" / "checkpoint.pt", None, "d4")["accuracy"] == results["accuracy"]
    assert load_checkpoint(tmp_path / "run" / "checkpoint.pt")[1]["config"]["filters"] is None  # each group's own


def test_a_fourier_network_is_invariant_and_reloads(tmp_path):
    """`gcnn train --fourier-irreps`: C8's FourierCNN of band-limited functions (irreps 0 to 2), its ReLU and max pool
    on the functions' values: logits invariant to the quarter turns exactly; eval rebuilds it from the checkpoint."""
    config = TrainConfig(epochs=1, hidden_channels=2, num_layers=3, downsample_every=1, fourier_irreps=(0, 1, 2))
    results = train_run("c8", "digits", None, config, tmp_path / "run", quiet=True)
    assert len({results["accuracy"][k] for k in ("upright", "rot90", "rot180", "rot270")}) == 1
    model, checkpoint = load_checkpoint(tmp_path / "run" / "checkpoint.pt")
    assert type(model).__name__ == "FourierCNN" and checkpoint["config"]["fourier_irreps"] == (0, 1, 2)
    assert eval_run(tmp_path / "run" / "checkpoint.pt", None, "c8")["accuracy"] == results["accuracy"]


def test_a_user_declared_group_trains_with_no_code(tmp_path):
    """--group takes a spec path: the module is generated on the fly."""
    spec = tmp_path / "klein.toml"
    spec.write_text('name = "Klein"\n[generators]\na = [[-1, 0], [0, 1]]\nb = [[1, 0], [0, -1]]\n')
    results = train_run(str(spec), "digits", None, TINY, tmp_path / "run", quiet=True)
    assert results["group"] == "Klein" and (tmp_path / "run" / "checkpoint.pt").exists()


@pytest.mark.skipif(not MNIST.is_dir(), reason="the shared MNIST test set (../shared/data/mnist) is absent")
def test_shared_mnist_follows_the_protocol():
    """The shared set: train on the first 8,000 upright digits, test on the last 2,000."""
    train, test = load_mnist(MNIST)
    assert len(train) == 8000 and len(test) == 2000
    counts = torch.bincount(torch.cat([train.labels, test.labels]), minlength=10)
    assert counts.tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_demo_writes_its_table_and_figures(tmp_path):
    """The demo (one epoch, 200 digits) writes the table in markdown and JSON and three figures."""
    from codegen.apps.demo import run_demo

    out = tmp_path / "demo"
    results = run_demo(out, epochs=1, quiet=True, digits=200)
    names = {p.name for p in out.iterdir()}
    figures = {"cayley_tables.png", "feature_maps_c4.png", "accuracy_by_angle.png"}
    assert names == {"results.md", "results.json", ".gcnn-output.json", *figures}
    assert [row["group"] for row in results["models"]] == ["trivial", "C4", "D4", "C8"]
    assert max(max(v) for v in results["equivariance"]["c4"].values()) < 1e-12
    assert json.loads((out / "results.json").read_text())["epochs"] == 1


@pytest.mark.parametrize(
    ("flag", "demo"),
    [
        ([], "run_demo"),
        (["--3d"], "run_demo_3d"),
        (["--segmentation"], "run_demo_segmentation"),
        (["--orientation"], "run_demo_orientation"),
    ],
)
def test_demo_seed_reaches_each_demo(tmp_path, monkeypatch, flag, demo):
    """`gcnn demo --seed 7` hands 7 to the demo it runs (the default stays 0)."""
    import codegen.apps.demo
    import codegen.apps.threads

    calls = []
    monkeypatch.setattr(codegen.apps.threads, "use_idle_cores", lambda: 1)
    monkeypatch.setattr(codegen.apps.demo, demo, lambda out, **options: calls.append(options))
    for extra in (["--seed", "7"], []):
        assert cli.main(["demo", *flag, "--quiet", *extra, "--out", str(tmp_path / "out")]) == 0
    assert [(options["seed"], options["quiet"]) for options in calls] == [(7, True), (0, True)]


@pytest.mark.skipif(
    shutil.which("torchrun") is None and not Path(sys.executable).with_name("torchrun").exists(),
    reason="torchrun is not installed",
)
def test_two_processes_train_in_sync(tmp_path):
    """torchrun with two CPU processes (gloo): both ranks end with identical weights."""
    torchrun = Path(sys.executable).with_name("torchrun")
    command = [
        str(torchrun) if torchrun.exists() else "torchrun",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "codegen",
        "train",
        "--dataset",
        "digits",
        "--group",
        "c4",
        "--epochs",
        "1",
        "--hidden-channels",
        "4",
        "--num-layers",
        "2",
        "--kernel-size",
        "3",
        "--quiet",
        "--out",
        str(tmp_path / "ddp"),
    ]
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    results = json.loads((tmp_path / "ddp" / "results.json").read_text())
    assert results["processes"] == 2 and results["ranks_in_sync"] is True


def test_orientation_demo_writes_its_table_and_figure(tmp_path):
    """The orientation demo on 64 digits, one epoch: a row per model, the table and the arrows figure."""
    from codegen.apps.demo import run_demo_orientation

    out = tmp_path / "orientation"
    rows = run_demo_orientation(out, epochs=1, quiet=True, digits=64)
    assert {p.name for p in out.iterdir()} == {
        "results_orientation.md",
        "results_orientation.json",
        "orientation.png",
        ".gcnn-output.json",
    }
    assert [row["group"] for row in rows] == ["trivial", "C8", "C16", "C16"]  # the last trained at every angle
    errors = ("upright", "random", "random_median", "averaged_upright", "averaged_random")
    assert all(0 <= row[key] <= 180 for row in rows for key in errors)
    assert all(len(row["random_by_digit"]) == 10 for row in rows)
    by_digit = (out / "results_orientation.md").read_text().split("\n\n")[1].splitlines()
    assert by_digit[0] == "| model | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |" and len(by_digit) == 2 + len(rows)
