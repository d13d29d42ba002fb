"""Import the generated module of any group: committed ones directly, others compiled in memory."""

from __future__ import annotations

import hashlib
import importlib
import linecache
import sys
from pathlib import Path
from types import ModuleType

from grouptheory import catalog_names

from .generate import DEFAULT_OUT, Generated, generate_module, stale, write


def import_group_module(spec: str, folder: Path | None = None) -> ModuleType:
    """The generated module for a catalog name or spec path.

    A catalog group whose committed module is fresh imports as ``generated.<name>``. Any other
    spec is generated and imported from memory (nothing is left on disk), or, given `folder`,
    written there first so that its source can be read.

    >>> import_group_module("c4").__name__
    'generated.c4'
    """
    if spec in catalog_names() and folder is None:
        module = generate_module(spec, DEFAULT_OUT)
        if not stale([module], DEFAULT_OUT):
            return importlib.import_module(f"generated.{module.path.stem}")
    module = generate_module(spec, folder or Path("<memory>"))
    if folder is not None:
        write([module])
    return _import_source(module)


def _import_source(module: Generated) -> ModuleType:
    """Execute a module's source under a name unique to its content (pickle finds it in sys.modules)."""
    digest = hashlib.sha256(module.source.encode()).hexdigest()[:12]
    name = f"gcnn_generated_{module.path.stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    filename = str(module.path) if module.path.exists() else f"<gcnn generated {module.path.stem} {digest}>"
    lines = module.source.splitlines(keepends=True)
    linecache.cache[filename] = (len(module.source), None, lines, filename)  # tracebacks and inspect show it
    imported = ModuleType(name, None)
    imported.__file__ = filename
    sys.modules[name] = imported
    try:
        exec(compile(module.source, filename, "exec"), imported.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return imported
