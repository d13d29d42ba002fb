"""Outputs never take what the program did not make, and a killed run leaves a complete folder."""

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codegen import cli
from codegen.apps import AppError
from codegen.apps.outputs import MANIFEST, check_output_folder, output_folder
from codegen.generate import DEFAULT_OUT, generate_module, write

SPEC_NAMED_C4 = 'name = "C4"\n[generators]\nr = [[-1, 0], [0, -1]]\n'


def test_a_folder_with_foreign_files_is_refused_before_any_work(tmp_path):
    """--out . or --out .. would have emptied the folder; now nothing is touched and no training starts."""
    (tmp_path / "thesis.tex").write_text("years of work")
    for command in (["demo", "--epochs", "1"], ["train", "--dataset", "digits", "--epochs", "1"]):
        assert cli.main([*command, "--quiet", "--out", str(tmp_path)]) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.tex"]


def test_a_file_as_out_is_refused(tmp_path, capsys):
    target = tmp_path / "results.txt"
    target.write_text("keep")
    assert cli.main(["train", "--dataset", "digits", "--quiet", "--out", str(target)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert target.read_text() == "keep"


def test_an_earlier_output_is_replaced_but_not_one_with_additions(tmp_path):
    out = tmp_path / "run"
    with output_folder(out) as work:
        (work / "a.txt").write_text("1")
    assert json.loads((out / MANIFEST).read_text())["files"] == ["a.txt"]
    with output_folder(out) as work:
        (work / "b.txt").write_text("2")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "b.txt"]
    (out / "notes.txt").write_text("mine")
    with pytest.raises(AppError, match=r"notes\.txt, which gcnn did not write"):
        check_output_folder(out)


def test_a_failed_run_leaves_the_previous_output_and_no_staging(tmp_path):
    out = tmp_path / "run"
    with output_folder(out) as work:
        (work / "a.txt").write_text("old")
    with pytest.raises(RuntimeError), output_folder(out) as work:
        (work / "a.txt").write_text("new")
        raise RuntimeError("killed")
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_a_killed_run_leaves_a_complete_output(tmp_path, signum):
    """Killed while staging: the previous output stays whole; a SIGKILL's staging folder goes at the next run."""
    out = tmp_path / "run"
    with output_folder(out) as work:
        (work / "a.txt").write_text("old")
    script = (
        "import signal, sys, time\n"
        "from pathlib import Path\n"
        "from codegen.apps.outputs import output_folder\n"
        "signal.signal(signal.SIGTERM, lambda s, f: sys.exit(143))\n"
        # A job started in the background inherits SIGINT ignored; Ctrl-C is what is simulated here.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        f"with output_folder(Path({str(out)!r})) as work:\n"
        "    (work / 'a.txt').write_text('new')\n"
        "    print('staged', flush=True)\n"
        "    time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout.readline().strip() == "staged"
        child.send_signal(signum)
        child.wait(timeout=30)
    assert (out / "a.txt").read_text() == "old"
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name != "run")
    assert leftovers == [] or signum == signal.SIGKILL
    with output_folder(out) as work:
        (work / "a.txt").write_text("newer")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_generate_never_replaces_a_catalog_module_with_a_user_spec(tmp_path, capsys):
    spec = tmp_path / "c4.toml"
    spec.write_text(SPEC_NAMED_C4)
    before = (DEFAULT_OUT / "c4.py").read_bytes()
    assert cli.main(["generate", str(spec)]) == 2
    assert "was generated from grouptheory/catalog/c4.toml" in capsys.readouterr().err
    assert (DEFAULT_OUT / "c4.py").read_bytes() == before


def test_a_spec_at_the_catalogs_relative_path_elsewhere_is_not_the_catalogs(tmp_path, capsys, monkeypatch):
    """grouptheory/catalog/c4.toml under another folder declares its own group; the origin check compares
    resolved paths, so it never replaces the catalog's c4 module (here a copy, in --out)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "c4.py").write_bytes((DEFAULT_OUT / "c4.py").read_bytes())
    impostor = tmp_path / "elsewhere" / "grouptheory" / "catalog"
    impostor.mkdir(parents=True)
    (impostor / "c4.toml").write_text('name = "C4"\n[generators]\nr = [[-1, 0], [0, -1]]\n')
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert cli.main(["generate", "grouptheory/catalog/c4.toml", "--out", str(out)]) == 2
    assert "was generated from grouptheory/catalog/c4.toml, not " in capsys.readouterr().err
    assert (out / "c4.py").read_bytes() == (DEFAULT_OUT / "c4.py").read_bytes()


def test_generated_headers_name_the_specs_digest():
    lines = (DEFAULT_OUT / "c4.py").read_text().splitlines()[:3]
    assert lines[1] == '#   "grouptheory/catalog/c4.toml"' and lines[2].startswith("#   (SHA-256 of the spec: ")


def test_generate_never_replaces_a_file_it_did_not_write(tmp_path):
    (tmp_path / "c4.py").write_text("# my own module\n")
    assert cli.main(["generate", "c4", "--out", str(tmp_path)]) == 2
    assert (tmp_path / "c4.py").read_text() == "# my own module\n"


def test_a_group_named_init_cannot_replace_the_package(tmp_path, capsys):
    spec = tmp_path / "init.toml"
    spec.write_text('name = "__init__"\n[generators]\nr = [[-1, 0], [0, -1]]\n')
    assert cli.main(["generate", str(spec), "--out", str(tmp_path / "out")]) == 2
    assert "starts with a letter" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_generate_writes_atomically_and_leaves_no_temporary_files(tmp_path):
    module = generate_module("c4", tmp_path)
    assert write([module]) == [module.path]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["__init__.py", "c4.py"]
    assert oct(module.path.stat().st_mode & 0o777) == "0o644"


def test_generate_out_a_file_or_a_full_disk(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert cli.main(["generate", "c4", "--out", str(blocker)]) == 2
    assert "is a file" in capsys.readouterr().err

    def disk_full(source, target):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr("codegen.generate.os.replace", disk_full)
    out = tmp_path / "out"
    assert cli.main(["generate", "c4", "--out", str(out)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == []


def test_staging_leaves_nothing_after_success(tmp_path):
    started = time.time()
    with output_folder(tmp_path / "run") as work:
        (work / "x").write_text("")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert (tmp_path / "run").stat().st_mtime >= started - 1


def _train_tiny(out) -> int:
    return cli.main(
        [
            "train",
            "--dataset",
            "digits",
            "--epochs",
            "1",
            "--hidden-channels",
            "2",
            "--num-layers",
            "1",
            "--kernel-size",
            "3",
            "--quiet",
            "--out",
            str(out),
        ]
    )


def test_glob_characters_in_out_are_plain_names(tmp_path):
    """--out runs/x** is a folder named x**; --out runs/a* touches no staging folder of runs/ab."""
    neighbour = tmp_path / ".ab.gcnn-staging-keep"
    neighbour.mkdir()
    assert _train_tiny(tmp_path / "x**") == 0
    assert (tmp_path / "x**" / "checkpoint.pt").is_file()
    with output_folder(tmp_path / "a*") as work:
        (work / "a.txt").write_text("1")
    assert neighbour.is_dir()


def test_a_live_runs_staging_folder_is_left_alone(tmp_path):
    """A staging folder whose lock a live run holds is not stale, even for the same --out."""
    out = tmp_path / "run"
    script = (
        "import time\n"
        "from pathlib import Path\n"
        "from codegen.apps.outputs import output_folder\n"
        f"with output_folder(Path({str(out)!r})) as work:\n"
        "    print(work, flush=True)\n"
        "    time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as child:
        live = child.stdout.readline().strip()
        with output_folder(out) as work:
            (work / "a.txt").write_text("mine")
        assert os.path.isdir(live)
        child.kill()
    assert (out / "a.txt").read_text() == "mine"


@pytest.mark.parametrize("where", ["/proc/gcnn-x", "under-a-file"])
def test_an_unwritable_out_fails_before_training(tmp_path, capsys, where):
    if where == "under-a-file":
        (tmp_path / "file").write_text("x")
        where = str(tmp_path / "file" / "run")
    start = time.perf_counter()
    assert _train_tiny(where) == 2
    assert time.perf_counter() - start < 5
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize("dangling", [True, False])
def test_a_symlinked_out_is_refused_and_left_alone(tmp_path, capsys, dangling):
    target = tmp_path / "target"
    if not dangling:
        target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    assert _train_tiny(link) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["link", *([] if dangling else ["target"])])


@pytest.mark.parametrize("folder", ["/usr", "/"])
def test_a_system_folder_is_refused_at_once(folder, capsys):
    start = time.perf_counter()
    with pytest.raises(AppError, match="which gcnn did not write"):
        check_output_folder(Path(folder))
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("addition", ["empty folder", "link to a file", "link to a folder"])
def test_anything_added_inside_an_earlier_output_is_kept(tmp_path, addition):
    out = tmp_path / "run"
    with output_folder(out) as work:
        (work / "a.txt").write_text("1")
    if addition == "empty folder":
        (out / "mine").mkdir()
    else:
        (out / "mine").symlink_to(tmp_path if addition == "link to a folder" else out / "a.txt")
    with pytest.raises(AppError, match="mine"), output_folder(out) as work:
        pass
    assert os.path.lexists(out / "mine")


def test_generate_keeps_a_dangling_init_symlink(tmp_path):
    (tmp_path / "__init__.py").symlink_to(tmp_path / "nowhere.py")
    assert cli.main(["generate", "c4", "--out", str(tmp_path)]) == 2
    assert (tmp_path / "__init__.py").is_symlink() and not (tmp_path / "c4.py").exists()
