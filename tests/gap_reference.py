"""Record GAP's character tables of the reference groups in tests/data/gap_character_tables.json.

GAP is not a dependency; the tests read the recorded file. To record it again, install GAP beside the
project (``pip install passagemath-gap`` in its own venv) and run, from the project root::

    python tests/gap_reference.py path/to/site-packages/gap

Each group goes to GAP as its right regular permutation representation, so GAP's class representatives
name our element indices directly (point 1 goes to element g + 1) and GAP's rows can be matched to ours
class by class.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from reference_groups import BUILDERS

OUT = Path(__file__).parent / "data" / "gap_character_tables.json"


def gap_script(groups: dict) -> str:
    lines = ['SetPrintFormattingStatus("*stdout*", false);;']
    for name, group in groups.items():
        table = group.cayley_table
        perms = ", ".join(
            "PermList([" + ",".join(str(int(table[h, g]) + 1) for h in range(group.order)) + "])"
            for g in group.generators
        )
        lines += [
            f"G := Group([{perms}], ());;",
            "t := CharacterTable(G);;",
            f'Print("GROUP\\t{name}\\t", StructureDescription(G), "\\n");',
            'Print("CLASSES\\t", List(ConjugacyClasses(t), c -> 1^Representative(c) - 1), "\\n");',
            'Print("INDICATORS\\t", Indicator(t, 2), "\\n");',
            'for chi in Irr(t) do Print("ROW\\t", JoinStringsWithSeparator(List(chi, String), ";"), "\\n"); od;',
        ]
    lines.append("QUIT;")
    return "\n".join(lines)


def parse(output: str) -> dict:
    tables: dict = {}
    current: dict = {}
    for line in output.splitlines():
        kind, _, rest = line.partition("\t")
        if kind == "GROUP":
            name, structure = rest.split("\t")
            current = tables[name] = {"structure": structure, "rows": []}
        elif kind == "CLASSES":
            current["class_elements"] = json.loads(rest.replace(" ", ""))
        elif kind == "INDICATORS":
            current["indicators"] = json.loads(rest.replace(" ", ""))
        elif kind == "ROW":
            current["rows"].append(rest.split(";"))
    return tables


def main(gap_folder: str) -> None:
    groups = {name: build() for name, build in BUILDERS.items()}
    with tempfile.NamedTemporaryFile("w", suffix=".g", delete=False) as handle:
        handle.write(gap_script(groups))
    finished = subprocess.run(
        ["./gap", "-q", "-A", "-l", ".", handle.name], cwd=gap_folder, capture_output=True, text=True, check=True
    )
    tables = parse(finished.stdout)
    missing = set(groups) - set(tables)
    if missing:
        raise SystemExit(f"GAP gave no table for {sorted(missing)}:\n{finished.stderr}")
    OUT.parent.mkdir(exist_ok=True)
    body = ",\n".join(f" {json.dumps(name)}: {json.dumps(table)}" for name, table in tables.items())
    OUT.write_text("{\n" + body + "\n}\n")
    print(f"wrote {OUT} ({len(tables)} groups)")


if __name__ == "__main__":
    main(sys.argv[1])
