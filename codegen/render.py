"""Render a module model through the Jinja2 template into formatted Python source."""

from __future__ import annotations

from functools import cache

import jinja2

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
    environment.filters["py"] = python_literal
    environment.filters["primed"] = lambda axes: ", ".join(f"{a}'" for a in axes.split(", "))
    environment.filters["halved"] = lambda axes: ", ".join(f"{a}/2" for a in axes.split(", "))
    return environment


def python_literal(value: object) -> str:
    """repr(), with strings in double quotes where that needs no escaping (the style ruff formats to).

    >>> print(python_literal("it's"), python_literal('say "hi"'), python_literal(3))
    "it's" 'say "hi"' 3
    """
    text = repr(value)
    if isinstance(value, str) and text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


def literal(name: str, value: tuple, one_per_line: bool = False) -> str:
    """``NAME = (...)``, on one line if it fits, else one item a line, each wrapped within the line length.

    >>> print(literal("INVERSES", (0, 3, 2, 1)))
    INVERSES = (0, 3, 2, 1)
    >>> print(literal("NAME", "C4"))
    NAME = "C4"
    >>> print(literal("TABLE", ((0, 1), (1, 0)), one_per_line=True))
    TABLE = (
        (0, 1),
        (1, 0),
    )
    """
    flat = f"{name} = {python_literal(value)}"
    if len(flat) <= LINE_LENGTH and not one_per_line:
        return flat
    if isinstance(value, str):
        return "\n".join([f"{name} = (", *(f"    {python_literal(chunk)}" for chunk in _chunks(value)), ")"])
    lines = [f"{name} = ("]
    for item in value:
        if isinstance(item, str) and len(repr(item)) > LINE_LENGTH - 8:
            lines += ["    (", *(f"        {python_literal(chunk)}" for chunk in _chunks(item)), "    ),"]
        else:
            lines.extend(_wrapped(repr(item) + ",", indent="    "))
    lines.append(")")
    return "\n".join(lines)


def _chunks(text: str, width: int = 80) -> list[str]:
    """Pieces of text, broken after spaces where possible, that concatenate back to text exactly.

    >>> _chunks("a long line of words", width=8)
    ['a long ', 'line of ', 'words']
    """
    words = text.split(" ")
    pieces, current = [], ""
    for i, word in enumerate(words):
        piece = word + (" " if i < len(words) - 1 else "")
        if current and len(current) + len(piece) > width:
            pieces.append(current)
            current = ""
        current += piece
    pieces.append(current)
    return [piece[j : j + width] for piece in pieces for j in range(0, max(len(piece), 1), width)]


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
    """The generated module's source; the template is written so that the output is ruff-formatted."""
    nd = model.dimension
    sizes = "8, 8" if nd == 2 else "6, 6, 6"
    exact = [model.permutations[g] for g in range(model.order)]
    tables = {
        "description": literal("DESCRIPTION", model.description),
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
    source_line = f"#   {python_literal(model.source)}"
    if len(source_line) > LINE_LENGTH:
        source_line += "  # noqa: E501"
    context = {
        "model": model,
        "source_line": source_line,
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
    return _environment().get_template(TEMPLATE).render(**context)
