"""Output folders that are written all at once and never take anything the program did not make.

A finished output folder holds a manifest listing every file the run wrote. A later run may
replace such a folder, whole and at once; any other non-empty folder, or a file, is refused
before the run starts. The new output is staged in a hidden sibling folder and swapped in by
one atomic exchange, so after a kill the folder holds the previous complete output or the new
one. A staging folder that a kill left behind is removed by the next run for that folder.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ._errors import AppError

MANIFEST = ".gcnn-output.json"
_STAGING = ".gcnn-staging"


def check_output_folder(out: Path) -> None:
    """Raise unless `out` is absent, empty, or a complete earlier output of gcnn with nothing added.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "notes.txt").write_text("mine")
    >>> check_output_folder(root)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    codegen.apps._errors.AppError: ... holds notes.txt, which gcnn did not write; ...
    """
    if not out.exists():
        if out.parent.exists() and not out.parent.is_dir():
            raise AppError(f"--out {out}: {out.parent} is a file, not a folder; choose another --out")
        return
    if not out.is_dir():
        raise AppError(f"--out {out} is a file, not a folder; choose another --out")
    present = sorted(str(p.relative_to(out)) for p in out.rglob("*") if not p.is_dir())
    if not present and not any(out.iterdir()):
        return
    manifest = out / MANIFEST
    try:
        listed = set(json.loads(manifest.read_text())["files"])
    except (OSError, ValueError, KeyError, TypeError):
        listed = None
    foreign = [name for name in present if name != MANIFEST and (listed is None or name not in listed)]
    if listed is None or foreign:
        example = ", ".join(foreign[:3]) or "folders"
        raise AppError(
            f"--out {out} holds {example}, which gcnn did not write; "
            "gcnn replaces only its own earlier output: give an empty or new folder"
        )


@contextmanager
def output_folder(out: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success it becomes `out` (see the module docstring).

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
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(out)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}{_STAGING}-", dir=out.parent))
    try:
        yield work
        files = sorted(str(p.relative_to(work)) for p in work.rglob("*") if not p.is_dir())
        (work / MANIFEST).write_text(json.dumps({"files": files}, indent=1) + "\n")
        work.chmod(0o755)
        check_output_folder(out)  # again: something may have appeared there during the run
        if out.exists():
            _exchange(work, out)
        else:
            work.rename(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _remove_stale_staging(out: Path) -> None:
    for leftover in out.parent.glob(f".{out.name}{_STAGING}-*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


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
