"""Write an output folder all at once: nothing half-written is ever left where the user looks."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """Yield an empty sibling folder of `out`; on success it replaces `out`, on failure it is removed.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with staged_folder(root / "run") as work:
    ...     _ = (work / "table.md").write_text("| a |")
    >>> sorted(p.name for p in (root / "run").iterdir())
    ['table.md']
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-partial-", dir=out.parent))
    try:
        yield work
        if out.exists():
            shutil.rmtree(out)
        work.chmod(0o755)
        work.rename(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
