"""Import the generated module of any group: committed ones directly, others generated on the fly."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from grouptheory import catalog_names

from .generate import DEFAULT_OUT, generate_module, stale, write


def import_group_module(spec: str, folder: Path | None = None) -> ModuleType:
    """The generated module for a catalog name or spec path.

    Catalog groups whose committed module is fresh import as ``generated.<name>``; any other spec
    is generated into `folder` (a temporary one by default) and imported from there.
    """
    if spec in catalog_names() and folder is None:
        module = generate_module(spec, DEFAULT_OUT)
        if not stale([module], DEFAULT_OUT):
            return importlib.import_module(f"generated.{module.path.stem}")
    folder = Path(folder or tempfile.mkdtemp(prefix="gcnn-"))
    module = generate_module(spec, folder)
    write([module])
    name = f"gcnn_generated_{module.path.stem}"
    loader = importlib.util.spec_from_file_location(name, module.path)
    imported = importlib.util.module_from_spec(loader)
    sys.modules[name] = imported
    loader.loader.exec_module(imported)
    return imported
