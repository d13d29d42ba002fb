"""Render a group for people (text, markdown) or programs (JSON): what ``gcnn show`` prints."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import sympy

from ._errors import GroupTheoryError
from ._group import FiniteGroup
from .limits import MAX_SHOWN_CLASSES

if TYPE_CHECKING:
    from ._characters import CharacterTable

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
        "declared_subgroups": {name: list(members) for name, members in group.declared_subgroups.items()},
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
    lines += [f"subgroup {name}: {_sets(group, [members])}" for name, members in group.declared_subgroups.items()]
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
    for name, members in group.declared_subgroups.items():
        lines += ["", f"Subgroup `{name}`: {_sets(group, [members])}"]
    return "\n".join(lines)


def describe_characters(group: FiniteGroup, format: str = "text") -> str:
    """The character table: GAP's ``Display`` layout as text, a table as markdown, exact strings as JSON.

    >>> from grouptheory import load
    >>> print(describe_characters(load("c4")))  # doctest: +NORMALIZE_WHITESPACE
    C4: character table (4 classes)
    <BLANKLINE>
         2    2  2  2  2
    <BLANKLINE>
             1a 4a 2a 4b
         2P  1a 2a 1a 2a
    <BLANKLINE>
    X.1   +   1  1  1  1
    X.2   o   1  A -1 /A
    X.3   o   1 /A -1  A
    X.4   +   1 -1  1 -1
    <BLANKLINE>
    A = E(4)
      = I
    """
    if format not in DESCRIBE_FORMATS:
        raise GroupTheoryError(f"unknown format {format!r}; choose one of {', '.join(DESCRIBE_FORMATS)}")
    classes = len(group.conjugacy_classes())
    if classes > MAX_SHOWN_CLASSES:
        raise GroupTheoryError(
            f"{group.name} has {classes} classes; tables are printed for at most {MAX_SHOWN_CLASSES} (a limit in "
            "grouptheory/limits.py); use group.character_table() from Python for larger ones"
        )
    table = group.character_table()
    if format == "json":
        return json.dumps(_character_summary(table), indent=2)
    return _characters_markdown(table) if format == "markdown" else display_character_table(table)


_INDICATOR_MARKS = {1: "+", 0: "o", -1: "-"}


def class_names(table: CharacterTable) -> list[str]:
    """ATLAS-style class names: the element order, then a letter for each class of that order (1a, 2a, 4b)."""
    seen: dict[int, int] = {}
    names = []
    for order in table.orders:
        index = seen.get(order, 0)
        seen[order] = index + 1
        names.append(f"{order}{_letters(index)}")
    return names


def _letters(index: int) -> str:
    text = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        text = chr(ord("a") + remainder) + text
    return text


def _character_summary(table: CharacterTable) -> dict:
    names = class_names(table)
    primes = sorted(sympy.primefactors(table.group.order))
    return {
        "group": table.group.name,
        "order": table.group.order,
        "classes": [
            {
                "name": names[k],
                "elements": list(members),
                "size": table.class_sizes[k],
                "element_order": table.orders[k],
                "centralizer_order": table.centralizer_orders[k],
            }
            for k, members in enumerate(table.classes)
        ],
        "power_maps": {str(p): [names[k] for k in table.power_map(p)] for p in primes},
        "characters": [
            {
                "degree": table.degrees[i],
                "indicator": table.indicators[i],
                "values": [str(table.value(i, k)) for k in range(len(table.classes))],
                "gap": [table.gap_value(i, k) for k in range(len(table.classes))],
            }
            for i in range(len(table))
        ],
    }


def _named_values(table: CharacterTable) -> tuple[list[list[str]], list[tuple[str, str, str]]]:
    """Cells of the table, with each irrational value named once (A, B, ...; /A is A's complex conjugate,
    -A its negative). Values are told apart by their floats, which is enough to name them: the legend
    prints each name's exact value."""
    values = table.float_values()
    names: dict[tuple[float, float], str] = {}
    legend: list[tuple[str, str, str]] = []

    def key(z: complex) -> tuple[float, float]:
        return round(z.real, 9) + 0.0, round(z.imag, 9) + 0.0

    rows = []
    for i in range(len(table)):
        row = []
        for k in range(len(table.classes)):
            z = complex(values[i, k])
            if abs(z.imag) < 1e-9 and abs(z.real - round(z.real)) < 1e-9:
                row.append("." if round(z.real) == 0 else str(round(z.real)))
                continue
            if key(z) not in names:
                conjugate, negative = names.get(key(z.conjugate()), "/"), names.get(key(-z), "-")
                if conjugate[0] not in "/-":
                    names[key(z)] = "/" + conjugate
                elif negative[0] not in "/-":
                    names[key(z)] = "-" + negative
                else:
                    letter = _letters(len(legend)).upper()
                    names[key(z)] = letter
                    legend.append((letter, table.gap_value(i, k), str(table.value(i, k))))
            row.append(names[key(z)])
        rows.append(row)
    return rows, legend


def display_character_table(table: CharacterTable) -> str:
    """GAP's ``Display(CharacterTable(G))`` layout, with a column of Frobenius-Schur indicators."""
    group = table.group
    names = class_names(table)
    primes = sorted(sympy.primefactors(group.order))
    cells, legend = _named_values(table)
    power_rows = [[names[k] for k in table.power_map(p)] for p in primes]
    exponents = [[sympy.multiplicity(p, c) or "." for c in table.centralizer_orders] for p in primes]
    width = max(len(x) for column in [names, *cells, *power_rows] for x in column) + 1
    width = max(width, max((len(str(e)) for row in exponents for e in row), default=1) + 1)

    def line(label: str, entries: list) -> str:
        return f"{label:<8}" + "".join(f"{e!s:>{width}}" for e in entries)

    out = [f"{group.name}: character table ({len(table.classes)} classes)", ""]
    out += [line(f"{p:>6}", row) for p, row in zip(primes, exponents, strict=True)]
    out += ["", line("", names)]
    out += [line(f"{f'{p}P':>7}", row) for p, row in zip(primes, power_rows, strict=True)]
    out.append("")
    for i, row in enumerate(cells):
        out.append(line(f"X.{i + 1:<3}{_INDICATOR_MARKS[table.indicators[i]]:>2}", row))
    for letter, gap, value in legend:
        out += ["", f"{letter} = {gap}", f"  = {value}"]
    return "\n".join(line.rstrip() for line in out)


def _characters_markdown(table: CharacterTable) -> str:
    names = class_names(table)
    cells, legend = _named_values(table)
    lines = [
        f"# {table.group.name}: character table",
        "",
        "| | ind | " + " | ".join(names) + " |",
        "| --- " * (len(names) + 2) + "|",
        "| class size | | " + " | ".join(str(s) for s in table.class_sizes) + " |",
    ]
    for i, row in enumerate(cells):
        lines.append(f"| X.{i + 1} | {_INDICATOR_MARKS[table.indicators[i]]} | " + " | ".join(row) + " |")
    if legend:
        lines += ["", *(f"- {letter} = `{gap}` = `{value}`" for letter, gap, value in legend)]
    return "\n".join(lines)
