"""Render a module model through the Jinja2 template into formatted Python source."""

from __future__ import annotations

import subprocess
import sys
from functools import cache

import jinja2

from ._errors import CodegenError
from .model import SPATIAL, ModuleModel

TEMPLATE = "module.py.j2"
LINE_LENGTH = 120


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("codegen", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    environment.filters["py"] = repr
    environment.filters["primed"] = lambda axes: ", ".join(f"{a}'" for a in axes.split(", "))
    environment.filters["halved"] = lambda axes: ", ".join(f"{a}/2" for a in axes.split(", "))
    return environment


def literal(name: str, value: tuple, one_per_line: bool = False) -> str:
    """``NAME = (...)``, on one line if it fits, else one item a line, each wrapped within the line length.

    >>> print(literal("INVERSES", (0, 3, 2, 1)))
    INVERSES = (0, 3, 2, 1)
    >>> print(literal("TABLE", ((0, 1), (1, 0)), one_per_line=True))
    TABLE = (
        (0, 1),
        (1, 0),
    )
    """
    flat = f"{name} = {value!r}"
    if len(flat) <= LINE_LENGTH and not one_per_line:
        return flat
    lines = [f"{name} = ("]
    for item in value:
        if isinstance(item, str) and len(repr(item)) > LINE_LENGTH - 8:
            chunks = [item[i : i + 80] for i in range(0, len(item), 80)]
            lines += ["    (", *(f"        {chunk!r}" for chunk in chunks), "    ),"]
        else:
            lines.extend(_wrapped(repr(item) + ",", indent="    "))
    lines.append(")")
    return "\n".join(lines)


def _wrapped(text: str, indent: str) -> list[str]:
    """Break a literal of numbers and punctuation (no strings) at spaces."""
    if len(indent + text) <= LINE_LENGTH:
        return [indent + text]
    lines, current = [], indent
    for token in text.split(" "):
        if len(current) + len(token) + 1 > LINE_LENGTH and current.strip():
            lines.append(current.rstrip())
            current = indent + " "
        current += token + " "
    lines.append(current.rstrip())
    return lines


def render(model: ModuleModel) -> str:
    """The generated module's source, formatted by ruff."""
    nd = model.dimension
    sizes = "8, 8" if nd == 2 else "6, 6, 6"
    exact = [model.permutations[g] for g in range(model.order)]
    tables = {
        "cayley_table": literal("CAYLEY_TABLE", model.cayley_table, one_per_line=True),
        "inverses": literal("INVERSES", model.inverses),
        "labels": literal("LABELS", model.labels),
        "elements": literal("ELEMENTS", model.elements),
        "matrices": literal("MATRICES", model.matrices, one_per_line=True),
        "exact_elements": literal("EXACT_ELEMENTS", model.exact_elements),
        "axes": literal("_AXES", tuple(p and p.axes for p in exact)),
        "flips": literal("_FLIPS", tuple(p and p.flips for p in exact)),
    }
    suffix = f"{nd}d"
    context = {
        "model": model,
        "nd": nd,
        "tables": tables,
        "spatial": SPATIAL[nd],
        "act": f"act_on_{SPATIAL[nd]}",
        "axes": "H, W" if nd == 2 else "D, H, W",
        "lifting": f"LiftingConv{suffix}",
        "group_conv": f"GroupConv{suffix}",
        "norm": f"GroupBatchNorm{suffix}",
        "network": "GroupEquivariantCNN" if nd == 2 else "GroupEquivariantCNN3d",
        "conv_class": f"Conv{suffix}",
        "conv_fn": f"conv{suffix}",
        "example_sizes": sizes,
        "example_input": f"torch.randn(2, 1, {sizes})",
        "example_numel": 3**nd,
        "example_shape": ", ".join(["3"] * nd),
        "example_element": next((g for g in model.exact_elements if g), 0),
        "exact_labels": ", ".join(model.labels[g] for g in model.exact_elements),
    }
    source = _environment().get_template(TEMPLATE).render(**context)
    return format_source(source, f"{model.module_name}.py")


def format_source(source: str, filename: str) -> str:
    """Format with the pinned ruff, isolated from any project configuration (deterministic)."""
    command = [sys.executable, "-m", "ruff", "format", "--isolated", f"--line-length={LINE_LENGTH}"]
    command += ["--stdin-filename", filename, "-"]
    try:
        result = subprocess.run(command, input=source, capture_output=True, text=True, check=False)
    except OSError as error:  # pragma: no cover
        raise CodegenError(f"cannot run ruff to format {filename}: {error}") from None
    if result.returncode != 0:
        raise CodegenError(f"ruff could not format {filename} (is ruff installed?): {result.stderr.strip()}")
    return result.stdout
