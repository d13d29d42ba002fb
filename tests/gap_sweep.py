"""Sweep GAP's SmallGroups library: our character tables and irreps against GAP, group by group.

Not a test (about an hour and a half on one core); the README quotes its result. GAP is not a
dependency: install it beside the project (``pip install passagemath-gap`` in its own venv) and run,
from the project root::

    python tests/gap_sweep.py path/to/site-packages/gap [largest order, default 200] [groups per order, default 40]

For each order, GAP exports every group (or that many, evenly spread over the library's numbering) as a
small permutation group; the engine declares it from those permutations, and GAP's table of the same
permutation group is compared value by value (exact cyclotomics) and indicator by indicator. The unitary
irreps and the real orthogonal ones are then checked exactly: homomorphisms on the generators, their
invariant form kept, their characters the table's rows.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gap_reference import gap_script, parse
from test_character_tables import canonical, gap_terms, ours
from test_representations import assert_character_is, assert_homomorphism, assert_unitary

from grouptheory import from_permutations

EXPORT = """SetPrintFormattingStatus("*stdout*", false);;
for n in [2..{largest}] do
  k := NrSmallGroups(n);;
  ids := [1..k];;
  if k > {per_order} then ids := Set(List([1..{per_order}], j -> 1 + QuoInt((j - 1) * k, {per_order})));; fi;
  for i in ids do
    P := Image(IsomorphismPermGroup(SmallGroup(n, i)));;
    P := Image(SmallerDegreePermutationRepresentation(P));;
    d := Maximum(1, LargestMovedPoint(P));;
    Print(n, "\\t", i, "\\t", List(GeneratorsOfGroup(P), g -> ListPerm(g, d) - 1), "\\n");
  od;
od;
QUIT;
"""


def run_gap(gap_folder: str, script: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".g", delete=False) as handle:
        handle.write(script)
    command = ["./gap", "-q", "-A", "-l", ".", handle.name]
    return subprocess.run(command, cwd=gap_folder, capture_output=True, text=True, check=True).stdout


def check(group, gap: dict) -> tuple[float, float]:
    """Compare one group with GAP's record; returns the seconds for its table and for its irreps."""
    start = time.perf_counter()
    table = group.character_table()
    table_seconds = time.perf_counter() - start
    columns = [table.class_of(element) for element in gap["class_elements"]]
    e = group.exponent
    mine = {tuple(canonical(ours(table, row, k), e) for k in columns) for row in range(len(table))}
    theirs = {tuple(canonical(gap_terms(value), e) for value in row) for row in gap["rows"]}
    if mine != theirs:
        raise AssertionError("the character table differs from GAP's")
    if sorted(table.indicators) != sorted(gap["indicators"]):
        raise AssertionError("the indicators differ from GAP's")
    start = time.perf_counter()
    irreps, real = group.irreps(), group.irreps(real=True)
    irreps_seconds = time.perf_counter() - start
    for row, rho in enumerate(irreps):
        assert_homomorphism(rho)
        assert_unitary(rho)
        assert_character_is(rho, row)
    for rho in real:
        if not rho.is_real:
            raise AssertionError(f"{rho.name} is not real")
        assert_homomorphism(rho)
        assert_unitary(rho)
        assert_character_is(rho, rho.character_index)
    return table_seconds, irreps_seconds


def main(gap_folder: str, largest: int = 200, per_order: int = 40) -> None:
    groups = {}
    for line in run_gap(gap_folder, EXPORT.format(largest=largest, per_order=per_order)).splitlines():
        order, number, generators = line.split("\t")
        permutations = json.loads(generators.replace(" ", ""))
        name = f"SmallGroup({order},{number})"
        groups[name] = from_permutations({f"g{j}": p for j, p in enumerate(permutations)}, name="G")
    tables = parse(run_gap(gap_folder, gap_script(groups)))
    print(f"{len(groups)} groups of order 2 to {largest} from GAP's SmallGroups library", flush=True)
    slowest_table, slowest_irreps, failures = (0.0, ""), (0.0, ""), 0
    for name, group in groups.items():
        try:
            table_seconds, irreps_seconds = check(group, tables[name])
        except Exception as error:  # a sweep reports every failure and goes on
            failures += 1
            print(f"FAIL {name}: {error!r}", flush=True)
            continue
        slowest_table = max(slowest_table, (table_seconds, name))
        slowest_irreps = max(slowest_irreps, (irreps_seconds, name))
    print(f"slowest table: {slowest_table[1]}, {slowest_table[0]:.2f} s")
    print(f"slowest irreps: {slowest_irreps[1]}, {slowest_irreps[0]:.2f} s")
    print(f"{len(groups) - failures} of {len(groups)} groups agree with GAP and have exact irreps")


if __name__ == "__main__":
    main(sys.argv[1], *(int(argument) for argument in sys.argv[2:]))
