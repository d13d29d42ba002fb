"""Render a group for people (text, markdown) or programs (JSON): what ``gcnn show`` prints."""

from __future__ import annotations

import json

from ._errors import GroupTheoryError
from ._group import FiniteGroup

DESCRIBE_FORMATS = ("text", "markdown", "json")


def describe(group: FiniteGroup, format: str = "text") -> str:
    """The group's order, generators, elements with their words, Cayley table and invariants.

    >>> from grouptheory import load
    >>> print(describe(load("c2")))  # doctest: +NORMALIZE_WHITESPACE
    C2: Rotations of the plane by 0 and 180 degrees.
    order 2, abelian, exponent 2, grid-exact
    generators: r = element 1
    <BLANKLINE>
    elements:
      0  e  [[1, 0], [0, 1]]  order 1  inverse 0
      1  r  [[-1, 0], [0, -1]]  order 2  inverse 1
    <BLANKLINE>
    Cayley table (row * column):
          e  r
      e   e  r
      r   r  e
    <BLANKLINE>
    conjugacy classes: {e} {r}
    centre: {e, r}
    """
    if format not in DESCRIBE_FORMATS:
        raise GroupTheoryError(f"unknown format {format!r}; choose one of {', '.join(DESCRIBE_FORMATS)}")
    summary = _summary(group)
    if format == "json":
        return json.dumps(summary, indent=2)
    return _markdown(group, summary) if format == "markdown" else _text(group, summary)


EXACT_FORMS_UP_TO = 1000
"""Above this order, matrix groups list words only: building every exact sympy matrix takes long."""


def _element_text(group: FiniteGroup, i: int) -> str:
    if group.has_action:
        return str(group.matrix(i).tolist()) if group.order <= EXACT_FORMS_UP_TO else ""
    element = group.elements[i]
    return str(list(element)) if group.permutations is not None else element


def _summary(group: FiniteGroup) -> dict:
    labels = group.labels
    return {
        "name": group.name,
        "description": group.description,
        "order": group.order,
        "is_abelian": group.is_abelian,
        "exponent": group.exponent,
        "is_grid_exact": group.is_grid_exact,
        "presentation": group.presentation,
        "generators": dict(zip(group.generator_names, group.generators, strict=True)),
        "elements": [
            {
                "index": i,
                "word": labels[i],
                "value": _element_text(group, i),
                "order": int(group.element_orders[i]),
                "inverse": int(group.inverses[i]),
            }
            for i in range(group.order)
        ],
        "cayley_table": group.cayley_table.tolist(),
        "conjugacy_classes": [list(c) for c in group.conjugacy_classes()],
        "center": list(group.center()),
    }


def _flags(summary: dict) -> str:
    flags = [f"order {summary['order']}", "abelian" if summary["is_abelian"] else "non-abelian"]
    flags.append(f"exponent {summary['exponent']}")
    if summary["is_grid_exact"]:
        flags.append("grid-exact")
    return ", ".join(flags)


def _sets(group: FiniteGroup, classes) -> str:
    return " ".join("{" + ", ".join(group.labels[i] for i in c) + "}" for c in classes)


def _text(group: FiniteGroup, summary: dict) -> str:
    labels = group.labels
    lines = [f"{group.name}: {group.description}".rstrip(": "), _flags(summary)]
    if group.presentation:
        lines.append(f"presentation: {group.presentation}")
    lines.append("generators: " + ", ".join(f"{k} = element {v}" for k, v in summary["generators"].items()))
    lines += ["", "elements:"]
    for e in summary["elements"]:
        lines.append(f"  {e['index']}  {e['word']}  {e['value']}  order {e['order']}  inverse {e['inverse']}")
    width = max(len(label) for label in labels)
    lines += [
        "",
        "Cayley table (row * column):",
        "  " + " " * width + "  " + "  ".join(f"{x:>{width}}" for x in labels),
    ]
    for i, row in enumerate(group.cayley_table):
        lines.append(f"  {labels[i]:>{width}}  " + "  ".join(f"{labels[j]:>{width}}" for j in row))
    lines += [
        "",
        f"conjugacy classes: {_sets(group, group.conjugacy_classes())}",
        f"centre: {_sets(group, [group.center()])}",
    ]
    return "\n".join(lines)


def _markdown(group: FiniteGroup, summary: dict) -> str:
    labels = group.labels
    lines = [f"# {group.name}", "", group.description, "", f"*{_flags(summary)}*", ""]
    if group.presentation:
        lines += [f"Presentation: `{group.presentation}`", ""]
    lines += ["| index | word | element | order | inverse |", "| --- | --- | --- | --- | --- |"]
    for e in summary["elements"]:
        lines.append(f"| {e['index']} | `{e['word']}` | `{e['value']}` | {e['order']} | {e['inverse']} |")
    lines += ["", "## Cayley table (row * column)", "", "| | " + " | ".join(f"`{x}`" for x in labels) + " |"]
    lines.append("| --- " * (len(labels) + 1) + "|")
    for i, row in enumerate(group.cayley_table):
        lines.append(f"| `{labels[i]}` | " + " | ".join(f"`{labels[j]}`" for j in row) + " |")
    lines += [
        "",
        f"Conjugacy classes: {_sets(group, group.conjugacy_classes())}",
        "",
        f"Centre: {_sets(group, [group.center()])}",
    ]
    return "\n".join(lines)
