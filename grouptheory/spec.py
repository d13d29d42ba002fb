"""Group specs: TOML files declaring a group, and the catalog shipped with the package.

Schema (unknown keys are an error)::

    name = "D4"                      # a Python identifier; the generated module is its lower case
    description = "..."              # optional
    max_order = 10000                # optional cap on the group's order
    filters = "continuous"           # optional: generated layers' default filters ("pixel" or "continuous")
    [generators]                     # either matrices (lists of rows) or permutations
    r = [[0, -1], [1, 0]]            # entries: ints, or strings "1/2", "sqrt(2)/2", "cos(pi/4)"
    s = [[1, 0], [0, -1]]

or, instead of ``[generators]``::

    presentation = "< r, s | r^4, s^2, (s r)^2 >"
    [action]                         # optional: a matrix per generator, checked against relations
    r = [[0, -1], [1, 0]]
    s = [[1, 0], [0, -1]]
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ._constructors import from_matrices, from_permutations, from_presentation
from ._errors import GroupTheoryError, located
from ._group import DEFAULT_MAX_ORDER, FiniteGroup
from .limits import MAX_SPEC_BYTES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_KEYS = {"name", "description", "max_order", "generators", "presentation", "action", "filters"}
FILTER_KINDS = ("pixel", "continuous")
"""How generated layers may parametrise filters (the spec's ``filters`` key; see codegen)."""


def catalog_names() -> tuple[str, ...]:
    """Names of the specs shipped in the package catalog.

    >>> "c4" in catalog_names()
    True
    """
    folder = resources.files("grouptheory") / "catalog"
    return tuple(sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml")))


def spec_path(spec: str | Path) -> Path:
    """The file behind a catalog name or a path; a clear error when it is neither."""
    text = str(spec)
    if text in catalog_names():
        return Path(str(resources.files("grouptheory") / "catalog" / f"{text}.toml"))
    path = Path(text)
    if path.is_file():
        return path
    raise GroupTheoryError(
        f"unknown group {text!r}: not a catalog name ({', '.join(catalog_names())}) nor an existing spec file; "
        "pass a path to a .toml spec or one of the catalog names"
    )


def load(spec: str | Path) -> FiniteGroup:
    """Load a group from a catalog name (``"c4"``) or a path to a TOML spec.

    >>> load("d4").order
    8
    """
    path = spec_path(spec)
    return _load_file(str(path), path.stat().st_mtime_ns)


def spec_filters(spec: str | Path) -> str | None:
    """The spec's ``filters`` key (how generated layers parametrise filters), or None where it has none.

    >>> spec_filters("c8") is None
    True
    """
    path = spec_path(spec)
    return _read_file(str(path), path.stat().st_mtime_ns).get("filters")


@lru_cache(maxsize=128)
def _load_file(path: str, mtime: int) -> FiniteGroup:
    return from_spec_dict(_read_file(path, mtime), source=path)


@lru_cache(maxsize=128)
def _read_file(path: str, _mtime: int) -> dict:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_SPEC_BYTES + 1)
    except OSError as error:
        raise GroupTheoryError(f"{path}: cannot read the spec ({error.strerror})") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise GroupTheoryError(
            f"{path}: a spec is a small TOML file; this one is above the limit of {MAX_SPEC_BYTES:,} bytes"
        )
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise GroupTheoryError(
            f"{path}: not a UTF-8 text file (byte {error.start}); a spec is TOML, saved as UTF-8"
        ) from None
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        raise GroupTheoryError(f"{path}: not valid TOML: {error}") from None
    return data


def from_spec_dict(data: dict, source: str | None = None) -> FiniteGroup:
    """Build a group from the parsed contents of a spec (see the module docstring for the schema)."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise located(source, unknown[0], f"unknown key; the keys are {', '.join(sorted(_KEYS))}")
    if "name" not in data:
        raise located(source, "name", 'missing: every spec needs a name, e.g. name = "C4"')
    if data.get("filters", "pixel") not in FILTER_KINDS:
        raise located(source, "filters", f"{data['filters']!r} must be one of {', '.join(map(repr, FILTER_KINDS))}")
    name, description = data["name"], data.get("description", "")
    if not isinstance(description, str):
        raise located(source, "description", f"{description!r} must be a string")
    max_order = data.get("max_order", DEFAULT_MAX_ORDER)
    options = {"name": name, "description": description, "max_order": max_order, "source": source}
    has_generators, has_presentation = "generators" in data, "presentation" in data
    if has_generators == has_presentation:
        raise located(source, "generators", "give exactly one of [generators] or presentation")
    if "action" in data and not has_presentation:
        raise located(
            source, "action", "[action] belongs with a presentation; with [generators] the matrices are the action"
        )
    if has_presentation:
        action = data.get("action")
        if action is not None and not isinstance(action, dict):
            raise located(source, "action", "must be a table of generator = matrix")
        return from_presentation(data["presentation"], action=action, **options)
    generators = data["generators"]
    if not isinstance(generators, dict) or not generators:
        raise located(source, "generators", "must be a table with at least one generator, e.g. r = [[0, -1], [1, 0]]")
    kinds = {key: _kind(value) for key, value in generators.items()}
    if len(set(kinds.values())) > 1:
        raise located(source, "generators", f"mixes matrices and permutations ({kinds}); use one kind")
    build = from_matrices if next(iter(kinds.values())) == "matrix" else from_permutations
    return build(generators, **options)


def _kind(value: object) -> str:
    is_matrix = isinstance(value, list) and value and all(isinstance(row, list) for row in value)
    return "matrix" if is_matrix else "permutation"
