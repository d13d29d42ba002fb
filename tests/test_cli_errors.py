"""Every command-line mistake ends in exit code 2 and one line naming the value and the fix."""

import gzip
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

import numpy as np
import pytest
import torch

from codegen import cli
from codegen.apps import AppError
from codegen.apps.data import DataError, load_mnist, read_idx
from codegen.apps.runs import eval_run, load_checkpoint, train_run
from codegen.apps.training import TrainConfig
from codegen.loading import import_group_module

TINY = TrainConfig(epochs=1, batch_size=64, hidden_channels=4, num_layers=2, kernel_size=3)
TRAIN = ["train", "--dataset", "digits", "--quiet"]


def run(arguments: list[str]) -> int:
    try:
        return cli.main(arguments)
    except SystemExit as exit_:
        return exit_.code


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ([*TRAIN, "--epochs", "0"], "--epochs: 0 is below 1"),
        ([*TRAIN, "--batch-size", "0"], "--batch-size: 0 is below 1"),
        ([*TRAIN, "--hidden-channels", "0"], "--hidden-channels: 0 is below 1"),
        ([*TRAIN, "--lr", "-1"], "--lr: -1 must be a positive finite number"),
        ([*TRAIN, "--lr", "nan"], "--lr: nan must be a positive finite number"),
        ([*TRAIN, "--kernel-size", "4"], "--kernel-size: 4 is even"),
        ([*TRAIN, "--num-layers", "0"], "--num-layers: 0 is below 1"),
        ([*TRAIN, "--downsample-every", "-1"], "--downsample-every: -1 is below 0"),
        ([*TRAIN, "--epochs", "ten"], "'ten' is not an integer"),
        (["demo", "--quiet", "--epochs", "0"], "--epochs: 0 is below 1"),
        ([*TRAIN, "--group", "o"], "group O acts on 3-space"),
        (["bench", "layers", "--group", "o"], "--3d measures O on volumes"),
        (["bench", "layers", "--group", "nope"], "unknown group 'nope'"),
        (["bench", "equivariance", "--samples", "0"], "--samples: 0 is below 1"),
        (["show", "c5"], "unknown group 'c5'"),
        ([*TRAIN, "--hidden-channels", "3000"], "above the limit of"),
        ([*TRAIN, "--kernel-size", "99999"], "--kernel-size: 99999 is above the limit, 31"),
        ([*TRAIN, "--group", "c8", "--kernel-size", "301"], "--kernel-size: 301 is above the limit, 31"),
        ([*TRAIN, "--group", "c8", "--kernel-size", "3"], "continuous filters (the default for C8's CNN) need a"),
        ([*TRAIN, "--filters", "continuous", "--kernel-size", "3"], "continuous filters (given) need a kernel of"),
        ([*TRAIN, "--task", "segmentation", "--kernel-size", "3"], "(the default for C4's U-Net) need a kernel"),
        (["demo", "--filters", "continuous"], "give it with --segmentation"),
        (["demo", "--seed", "-1"], "--seed: -1 is below 0"),
        (["demo", "--seed", str(2**63)], "--seed: 9223372036854775808 is above the largest seed, 2^63 - 1"),
        ([*TRAIN, "--seed", "18446744073709551616"], "--seed: 18446744073709551616 is above the largest seed"),
        ([*TRAIN, "--task", "segmentation", "--canvases", "100000000"], "--canvases: 100000000 is above the limit"),
        ([*TRAIN, "--task", "segmentation", "--canvas-size", "1048576"], "--canvas-size: 1048576 is above"),
        ([*TRAIN, "--task", "segmentation", "--depth", "30"], "--depth: 30 is above the limit, 8"),
        ([*TRAIN, "--task", "segmentation", "--canvases", "1000000"], "GiB (the data"),
        ([*TRAIN, "--task", "segmentation", "--depth", "5", "--canvas-size", "48"], "multiple of 2^depth = 32"),
        ([*TRAIN, "--group", "d4", "--restrict-to", "c8"], "not a catalog subgroup of D4 (its catalog subgroups:"),
        ([*TRAIN, "--restrict-to", "c2", "--restrict-after", "1", "--num-layers", "1"], "from 1 to 0"),
        ([*TRAIN, "--group", "d4", "--restrict-to", "c4"], "--restrict-after 0: give how many of the 4 blocks"),
        ([*TRAIN, "--restrict-after", "2"], "--restrict-after 2: give the subgroup to continue with, --restrict-to"),
        ([*TRAIN, "--fourier-irreps", "0,1,1"], "--fourier-irreps 0,1,1: give distinct indices of C4's 3 irreps"),
        ([*TRAIN, "--fourier-irreps", "0,3"], "from 0 to 2"),
        ([*TRAIN, "--fourier-irreps", "0,-1"], "argument --fourier-irreps: -1 is below 0"),
        ([*TRAIN, "--fourier-irreps", "0", "--group-pool", "max"], "a FourierCNN classifies alone; drop --group-pool"),
        ([*TRAIN, "--fourier-irreps", "0", "--task", "segmentation"], "drop --task segmentation"),
        (
            [*TRAIN, "--group", "d4", "--restrict-to", "c4", "--restrict-after", "1", "--task", "segmentation"],
            "restricted networks are for classification",
        ),
    ],
)
def test_one_line_and_exit_code_2(tmp_path, capsys, arguments, fragment):
    out = tmp_path / "out"
    code = run([*arguments, "--out", str(out)] if arguments[0] in ("train", "demo") else arguments)
    error = capsys.readouterr().err
    assert code == 2
    assert fragment in error
    assert len(error.strip().splitlines()) == 1, error
    assert not out.exists()


def test_a_binary_spec_path_is_one_line(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_bytes(bytes(range(256)))
    assert run(["show", str(spec)]) == 2
    assert "not a UTF-8 text file" in capsys.readouterr().err


def test_show_into_a_closed_pipe_is_quiet():
    """gcnn show c4 | head: no BrokenPipeError traceback."""
    command = f"{sys.executable} -m codegen show d8 | head -1"
    finished = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120, check=False)
    assert finished.stdout.startswith("D8")
    assert "Traceback" not in finished.stderr and "BrokenPipe" not in finished.stderr


def test_generate_check_of_one_group_checks_only_it(capsys):
    assert run(["generate", "--check", "c4"]) == 0
    assert "1 generated modules are up to date" in capsys.readouterr().out


def test_catalog_modules_import_from_generated_and_others_leave_no_files(tmp_path):
    before = set(os.listdir(tempfile.gettempdir()))
    assert import_group_module("c4").__name__ == "generated.c4"
    spec = tmp_path / "klein.toml"
    spec.write_text('name = "Klein"\n[generators]\na = [[-1, 0], [0, 1]]\nb = [[1, 0], [0, -1]]\n')
    assert import_group_module(str(spec)).ORDER == 4
    assert set(os.listdir(tempfile.gettempdir())) == before


def idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_a_corrupt_deflate_stream_is_named(tmp_path):
    packed = bytearray(gzip.compress(idx(np.zeros((20, 28, 28)))))
    packed[20:40] = b"\xff" * 20
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(DataError, match="cannot read"):
        read_idx(path)


def test_labels_outside_0_to_9_are_refused(tmp_path):
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(idx(np.zeros((20, 28, 28))))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx(np.full(20, 12)))
    with pytest.raises(DataError, match="label 12 is not a digit"):
        load_mnist(tmp_path, train_size=10)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    train_run("c4", "digits", None, TINY, folder / "run", quiet=True)
    return folder / "run" / "checkpoint.pt"


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        (lambda c: c.pop("config"), "'config' is missing or malformed"),
        (lambda c: c.update(spec=4), "'spec' is missing or malformed"),
        (lambda c: c.update(config={"bogus": 1}), "do not fit"),
        (lambda c: c["state_dict"].popitem(), "do not fit"),
        (lambda c: c["config"].update(hidden_channels=5), "do not fit"),
        (lambda c: c.update(data={}), "data.dataset is None"),
        (lambda c: c["data"].update(train_size="abc"), "data.train_size is 'abc'"),
        (lambda c: c["config"].update(seed=2**70), "config --seed: 1180591620717411303424 is above"),
        (lambda c: c["config"].update(hidden_channels=3000), "above the limit of"),
        (lambda c: c["config"].update(kernel_size=3.5), "--kernel-size: 3.5 is not an integer"),
        (lambda c: c["config"].pop("depth"), "no 'depth'"),
        (lambda c: c["config"].update(augment_rotations=1), "--augment-rotations: 1 is not true or false"),
        (lambda c: c["config"].update(loss="dice"), "--loss: 'dice' is not one of 'cross_entropy'"),
        (lambda c: c["config"].update(restrict_to="c8", restrict_after=1), "--restrict-to c8: not a catalog subgroup"),
        (lambda c: c["config"].update(restrict_to=["c2"]), r"--restrict-to: \['c2'\] is not a catalog group's name"),
        (lambda c: c["config"].update(fourier_irreps=[0, 1]), r"--fourier-irreps: \[0, 1\] is not a list of irrep"),
        (lambda c: c["config"].update(fourier_irreps=(0, 7)), "--fourier-irreps 0,7: give distinct indices"),
        (lambda c: c["state_dict"].update({"head.weight": torch.zeros(3)}), r"'head.weight' is \(3,\)"),
    ],
)
def test_damaged_checkpoints_are_named(tmp_path, checkpoint, damage, fragment):
    content = torch.load(checkpoint, weights_only=True)
    damage(content)
    path = tmp_path / "damaged.pt"
    torch.save(content, path)
    with pytest.raises(AppError, match=fragment):
        load_checkpoint(path)


def test_a_checkpoint_written_before_restrictions_loads(tmp_path, checkpoint):
    """Checkpoints without the restriction fields (written before they existed) mean no restriction."""
    content = torch.load(checkpoint, weights_only=True)
    del content["config"]["restrict_to"], content["config"]["restrict_after"]
    torch.save(content, tmp_path / "older.pt")
    model, loaded = load_checkpoint(tmp_path / "older.pt")
    assert loaded["config"]["restrict_to"] is None and type(model).__name__ == "GroupEquivariantCNN"


def test_a_checkpoint_records_its_data(checkpoint):
    data = torch.load(checkpoint, weights_only=True)["data"]
    assert data["dataset"] == "digits" and data["train_size"] == 8000 and len(data["test_fingerprint"]) == 16


def test_eval_refuses_other_test_digits(tmp_path, checkpoint):
    content = torch.load(checkpoint, weights_only=True)
    content["data"]["test_fingerprint"] = "0" * 16
    path = tmp_path / "other.pt"
    torch.save(content, path)
    with pytest.raises(AppError, match="not the ones"):
        eval_run(path, None, None)


def test_a_relative_spec_checkpoint_evaluates_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "klein.toml").write_text('name = "Klein"\n[generators]\na = [[-1, 0], [0, 1]]\nb = [[1, 0], [0, -1]]\n')
    results = train_run("klein.toml", "digits", None, TINY, tmp_path / "run", quiet=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    (tmp_path / "klein.toml").unlink()
    assert eval_run(tmp_path / "run" / "checkpoint.pt", None, None)["accuracy"] == results["accuracy"]


def test_eval_compares_the_group_not_only_its_name(tmp_path, monkeypatch):
    """A checkpoint of a user group named C4 (order 2) is not a C4 network: --group c4 refuses it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fake.toml").write_text('name = "C4"\n[generators]\nr = [[-1, 0], [0, -1]]\n')
    train_run("fake.toml", "digits", None, TINY, tmp_path / "run", quiet=True)
    with pytest.raises(AppError, match="not the group of --group c4"):
        eval_run(tmp_path / "run" / "checkpoint.pt", None, "c4")


def test_an_idx_decompression_bomb_stops_at_its_header(tmp_path):
    """A valid header for 2 images, then 64 MiB of zeros (65 KB compressed): refused after reading the
    2 images, not after inflating everything."""
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as handle:
        handle.write(compressor.compress(struct.pack(">HBB3I", 0, 8, 3, 2, 28, 28)))
        for _ in range(64):
            handle.write(compressor.compress(bytes(2**20)))
        handle.write(compressor.flush())
    assert path.stat().st_size < 100_000
    with pytest.raises(DataError, match="more data than its header declares"):
        read_idx(path)


def test_an_idx_header_promising_too_much_is_refused_before_reading(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(struct.pack(">HBB3I", 0, 8, 3, 2**20, 28, 28))
    with pytest.raises(DataError, match="above the limit"):
        read_idx(path)


def test_a_checkpoint_zip_bomb_is_refused_before_loading(tmp_path, monkeypatch):
    """An archive entry that inflates past the limit (here lowered to 1 MiB) is refused from the zip
    directory alone."""
    monkeypatch.setattr("codegen.apps.runs.MAX_CHECKPOINT_BYTES", 2**20)
    path = tmp_path / "checkpoint.pt"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", bytes(8 * 2**20))
    assert path.stat().st_size < 100_000
    with pytest.raises(AppError, match="inflates to 8,388,608 bytes, above the limit"):
        load_checkpoint(path)


def test_a_non_orthogonal_action_is_refused_with_the_reason(tmp_path, capsys):
    """An integer matrix of order 3 (120 degrees on a hexagonal lattice, axial coordinates) is not a
    rotation of Cartesian coordinates: generating layers for it is refused, not silently wrong."""
    spec = tmp_path / "hex.toml"
    spec.write_text('name = "Hex"\n[generators]\nr = [[0, -1], [1, -1]]\n')
    assert run(["generate", str(spec), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "is not orthogonal" in error and "Cartesian" in error and len(error.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_ctrl_c_during_train_is_one_line():
    script = (
        "import signal, sys\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from codegen.cli import main\n"
        "arguments = ['train', '--dataset', 'digits', '--epochs', '500', '--hidden-channels', '2']\n"
        "sys.exit(main([*arguments, '--out', sys.argv[1]]))\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        child = subprocess.Popen(
            [sys.executable, "-c", script, os.path.join(folder, "run")], stderr=subprocess.PIPE, text=True
        )
        first = child.stderr.readline()  # the first epoch's line: training has begun
        child.send_signal(2)
        _, rest = child.communicate(timeout=60)
        assert child.returncode == 130 and "epoch 1/500" in first
        assert rest.strip().splitlines()[-1] == "gcnn: interrupted" and "Traceback" not in rest
        assert os.listdir(folder) == []
