"""Output folders that are written all at once and never take anything the program did not make.

A finished output folder holds a manifest listing every file the run wrote. A later run may
replace such a folder, whole and at once; anything else is refused before the run starts: a
non-empty folder without a manifest, or one holding anything the manifest does not list (a file,
a folder, a link), a file, a symbolic link (gcnn never follows or removes links), or a place where
no folder can be made. Everything about the folder is decided when the run begins: the staging
folder, a hidden sibling, is created then, so an unwritable place fails before any training.
The output is staged there and swapped in by one atomic exchange, so after a kill the folder holds
the previous complete output or the new one. A live run holds a lock in its staging folder; a
staging folder whose lock nobody holds was left by a kill and goes at the next run for that folder.
User text is never used as a pattern: staging folders are found by their exact prefix.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ._errors import AppError

MANIFEST = ".gcnn-output.json"
_STAGING = ".gcnn-staging-"
_LOCK = ".gcnn-lock"
MAX_OUTPUT_ENTRIES = 10_000
"""Most entries an earlier output may hold (gcnn writes a handful): beyond that it is not ours."""


def check_output_folder(out: Path) -> None:
    """Raise unless `out` is absent, empty, or a complete earlier output of gcnn with nothing added.

    Decided at once: a non-empty folder without gcnn's manifest is refused from its first entry.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "notes.txt").write_text("mine")
    >>> check_output_folder(root)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    codegen.apps._errors.AppError: ... holds notes.txt, which gcnn did not write; ...
    """
    if out.is_symlink():
        raise AppError(f"--out {out} is a symbolic link; gcnn neither follows nor replaces links: give a real folder")
    if not out.exists():
        ancestor = out.parent
        while not ancestor.exists() and not ancestor.is_symlink() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if ancestor.exists() and not ancestor.is_dir():
            raise AppError(f"--out {out}: {ancestor} is a file, not a folder; choose another --out")
        return
    if not out.is_dir():
        raise AppError(f"--out {out} is a file, not a folder; choose another --out")
    listed = _manifest(out)
    if listed is None:
        try:
            with os.scandir(out) as entries:
                first = next(iter(entries), None)
        except OSError as error:
            raise AppError(f"--out {out}: cannot read it ({error.strerror}); choose another --out") from None
        if first is not None:
            _refuse(out, first.name)
        return
    foreign = _foreign_entry(out, listed)
    if foreign is not None:
        _refuse(out, foreign)


def _refuse(out: Path, name: str) -> None:
    raise AppError(
        f"--out {out} holds {name}, which gcnn did not write; "
        "gcnn replaces only its own earlier output: give an empty or new folder"
    )


def _manifest(out: Path) -> set[str] | None:
    manifest = out / MANIFEST
    if manifest.is_symlink() or not manifest.is_file():
        return None
    try:
        files = json.loads(manifest.read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files)


def _foreign_entry(out: Path, listed: set[str]) -> str | None:
    """The first entry under out that the manifest does not account for: an unlisted file, a folder no
    listed file lies in, or any symbolic link (never followed)."""
    folders = {str(Path(name).parent) for name in listed} - {"."}
    folders |= {str(parent) for name in folders for parent in Path(name).parents if str(parent) != "."}
    ours = listed | {MANIFEST, _LOCK}
    pending, seen = [out], 0
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                seen += 1
                name = str(Path(entry.path).relative_to(out))
                if seen > MAX_OUTPUT_ENTRIES or entry.is_symlink():
                    return name
                if entry.is_dir():
                    if name not in folders:
                        return name + "/"
                    pending.append(Path(entry.path))
                elif name not in ours:
                    return name
    return None


@contextmanager
def output_folder(out: Path) -> Iterator[Path]:
    """Yield an empty staging folder, made now; on success it becomes `out` (see the module docstring).

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for text in ("first", "second"):
    ...     with output_folder(root / "run") as work:
    ...         _ = (work / "table.md").write_text(text)
    >>> (root / "run" / "table.md").read_text(), sorted(p.name for p in root.iterdir())
    ('second', ['run'])
    """
    out = Path(os.path.abspath(out))
    check_output_folder(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(out)
        # Made under another name, locked, then renamed: a folder with the staging prefix is locked while live.
        fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.gcnn-new-", dir=out.parent))
        lock = open(fresh / _LOCK, "w")  # noqa: SIM115 - held, locked, for the whole run
        fcntl.flock(lock, fcntl.LOCK_EX)
        work = fresh.with_name(fresh.name.replace(".gcnn-new-", _STAGING, 1))
        fresh.rename(work)
    except OSError as error:
        raise AppError(
            f"--out {out}: cannot create a folder in {out.parent} ({error.strerror}); choose another --out"
        ) from None
    try:
        yield work
        files = sorted(str(p.relative_to(work)) for p in work.rglob("*") if not p.is_dir() and p.name != _LOCK)
        (work / MANIFEST).write_text(json.dumps({"files": files}, indent=1) + "\n")
        work.chmod(0o755)
        check_output_folder(out)  # again: something may have appeared there during the run
        if out.exists():
            _exchange(work, out)
        else:
            work.rename(out)
        with suppress(FileNotFoundError):
            (out / _LOCK).unlink()
    finally:
        lock.close()
        shutil.rmtree(work, ignore_errors=True)


def _remove_stale_staging(out: Path) -> None:
    """Remove staging folders of `out` (by exact name prefix) whose lock no live run holds."""
    prefix = f".{out.name}{_STAGING}"
    with os.scandir(out.parent) as entries:
        candidates = [e for e in entries if e.name.startswith(prefix) and not e.is_symlink() and e.is_dir()]
    for entry in candidates:
        try:
            with open(os.path.join(entry.path, _LOCK), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a live run's
        except OSError:
            pass  # no lock file: left by a kill before it was made
        shutil.rmtree(entry.path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> None:
    """Swap two folders in one step (Linux renameat2); elsewhere, two renames in a row."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    at_current_folder, rename_exchange = -100, 2
    if (
        renameat2 is not None
        and renameat2(at_current_folder, bytes(a), at_current_folder, bytes(b), rename_exchange) == 0
    ):
        return
    aside = b.with_name(f"{a.name}-previous")
    b.rename(aside)
    a.rename(b)
    aside.rename(a)
