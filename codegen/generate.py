"""Generate modules into a folder, rewriting only what changed, and check that a folder is fresh.

Each module is written atomically (a temporary file, then a rename), and only over a file that
``gcnn generate`` wrote from the same spec: a user spec never replaces a catalog module.
"""

from __future__ import annotations

import ast
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grouptheory import catalog_names, load, spec_filters, spec_path

from ._errors import CodegenError
from .model import build_model
from .render import HEADER, render

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "generated"
PACKAGE_INIT = '"""Generated G-CNN modules, one per group; written by ``gcnn generate``."""\n'


@dataclass(frozen=True)
class Generated:
    """One module: where it goes, the spec it comes from (as its header names it) and its source."""

    path: Path
    origin: str
    source: str


def spec_source(spec: str) -> str:
    """How the header names a spec: ``grouptheory/catalog/<name>.toml`` for the catalog's own files (by
    name, or by any path that resolves to one), else the spec file's resolved absolute path, so that a
    file elsewhere that happens to sit at a relative path like the catalog's is never taken for it.

    >>> spec_source("c4")
    'grouptheory/catalog/c4.toml'
    """
    if spec in catalog_names():
        return f"grouptheory/catalog/{spec}.toml"
    resolved = spec_path(spec).resolve()
    for name in catalog_names():
        if spec_path(name).resolve() == resolved:
            return f"grouptheory/catalog/{name}.toml"
    return str(resolved)


def spec_digest(spec: str) -> str:
    """The first 16 hex digits of the SHA-256 of the spec file's bytes (recorded in module headers)."""
    return hashlib.sha256(spec_path(spec).read_bytes()).hexdigest()[:16]


def generate_module(spec: str | Path, out: Path) -> Generated:
    """Render the module for one spec (a catalog name or a path) without writing it."""
    spec = str(spec)
    group = load(spec)
    origin = spec_source(spec)
    model = build_model(group, origin, spec_filters(spec), spec_digest(spec))
    return Generated(out / f"{model.module_name}.py", origin, render(model))


def plan(specs: list[str], out: Path) -> list[Generated]:
    """The modules for specs; two specs that would write the same file are an error."""
    modules: dict[Path, tuple[str, Generated]] = {}
    for spec in specs:
        module = generate_module(spec, out)
        if module.path in modules:
            raise CodegenError(f"{spec} and {modules[module.path][0]} both generate {module.path}; rename one group")
        modules[module.path] = (spec, module)
    return [module for _, module in modules.values()]


def origin_of(path: Path) -> str | None:
    """The spec named in a generated file's header; None for a file that gcnn did not generate.

    >>> origin_of(DEFAULT_OUT / "c4.py")
    'grouptheory/catalog/c4.toml'
    """
    try:
        with open(path, encoding="utf-8") as handle:
            first, second = handle.readline(), handle.readline()
    except (OSError, UnicodeDecodeError):
        return None
    if not first.startswith(HEADER) or not second.startswith("#   "):
        return None
    try:
        origin = ast.literal_eval(second[4:].split("  # noqa")[0].strip())
    except (ValueError, SyntaxError):
        return None
    return origin if isinstance(origin, str) else None


def write(modules: list[Generated]) -> list[Path]:
    """Write the modules whose content changed; return the paths written.

    Every target is checked before anything is written: a file that gcnn did not generate, or
    generated from another spec, is never replaced.
    """
    for module in modules:
        _check_target(module)
    written = []
    for module in modules:
        folder = module.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "__init__.py").exists():
            _write_atomically(folder / "__init__.py", PACKAGE_INIT)
        if not module.path.exists() or module.path.read_text(encoding="utf-8") != module.source:
            _write_atomically(module.path, module.source)
            written.append(module.path)
    return written


def _check_target(module: Generated) -> None:
    path = module.path
    if path.parent.exists() and not path.parent.is_dir():
        raise CodegenError(f"--out {path.parent} is a file, not a folder; choose a folder")
    package = path.parent / "__init__.py"
    if package.is_symlink() or (package.exists() and not package.is_file()):
        raise CodegenError(f"{package} is a link or not a file; gcnn neither follows nor replaces it: move it away")
    if not path.exists() and not path.is_symlink():
        return
    origin = origin_of(path) if path.is_file() and not path.is_symlink() else None
    if origin is None:
        raise CodegenError(f"{path} exists and was not written by gcnn generate; move it away or choose another --out")
    if origin != module.origin:
        raise CodegenError(
            f"{path} was generated from {origin}, not {module.origin}: give the group another name, "
            "or choose another --out"
        )


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def stale(modules: list[Generated], out: Path, whole_folder: bool = False) -> list[Path]:
    """Files that differ from what would be written now; with whole_folder, also generated files no spec produces."""
    expected = {module.path: module.source for module in modules}
    changed = [p for p, source in expected.items() if not p.exists() or p.read_text(encoding="utf-8") != source]
    if not whole_folder:
        return changed
    orphans = [p for p in sorted(out.glob("*.py")) if p not in expected and origin_of(p) is not None]
    return changed + orphans
