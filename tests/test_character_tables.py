"""Character tables: identical to GAP's (recorded in tests/data), and exact identities checked exactly."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from reference_groups import BUILDERS

from grouptheory import GroupTheoryError, cyclic, from_permutations, load
from grouptheory._cyclotomic import field_of_conductor

GAP_TABLES = json.loads((Path(__file__).parent / "data" / "gap_character_tables.json").read_text())
_TERM = re.compile(r"([+-]?)(?:(\d+)\*?)?(?:E\((\d+)\)(?:\^(\d+))?)?")


def gap_terms(text: str) -> list[tuple[int, int, int]]:
    """GAP's cyclotomic text as (coefficient, root order, exponent) terms: '-2*E(5)^3+1' -> [(-2, 5, 3), (1, 1, 0)]."""
    terms, position = [], 0
    while position < len(text):
        match = _TERM.match(text, position)
        assert match and match.end() > position, f"cannot parse {text!r} at {position}"
        sign, count, order, exponent = match.groups()
        coefficient = (-1 if sign == "-" else 1) * int(count or 1)
        terms.append((coefficient, int(order or 1), int(exponent or (1 if order else 0))))
        position = match.end()
    return terms


def canonical(terms: list[tuple[int, int, int]], conductor: int) -> tuple:
    """The terms' sum in the power basis of Q(zeta_conductor): equal numbers give equal tuples."""
    field = field_of_conductor(conductor)
    total: tuple = ()
    for coefficient, order, exponent in terms:
        total = field.add(total, field.scale(field.root_power(exponent * conductor // order), Fraction(coefficient)))
    return total


def ours(table, row: int, cls: int) -> list[tuple[int, int, int]]:
    order = table.orders[cls]
    return [(m, order, power) for power, m in enumerate(table.eigenvalue_multiplicities(row, cls)) if m]


@pytest.mark.parametrize("name", list(BUILDERS))
def test_table_is_gaps(name):
    """Same characters as GAP, value by value exactly (rows matched as a set), and the same indicators."""
    group, gap = BUILDERS[name](), GAP_TABLES[name]
    table = group.character_table()
    assert len(table) == len(gap["rows"]) == len(table.classes)
    our_columns = [table.class_of(element) for element in gap["class_elements"]]
    assert sorted(our_columns) == list(range(len(table.classes)))
    conductor = group.exponent
    ours_rows = {
        tuple(canonical(ours(table, row, k), conductor) for k in our_columns): row for row in range(len(table))
    }
    matched = []
    for gap_row in gap["rows"]:
        key = tuple(canonical(gap_terms(text), conductor) for text in gap_row)
        assert key in ours_rows, f"GAP's character {gap_row} is not in our table"
        matched.append(ours_rows[key])
    assert sorted(matched) == list(range(len(table)))
    assert [table.indicators[row] for row in matched] == gap["indicators"]


@pytest.mark.parametrize("name", ["catalog i", "PSL(2,7) (permutations)", "SL(2,5) (presentation)", "C3:C8", "GL(2,3)"])
def test_orthogonality_relations_hold_exactly(name):
    """Rows and columns are orthogonal, exactly in Q(zeta_e), and the squared degrees sum to |G|."""
    group = BUILDERS[name]()
    table = group.character_table()
    e, field = group.exponent, field_of_conductor(group.exponent)
    values = [[canonical(ours(table, i, k), e) for k in range(len(table.classes))] for i in range(len(table))]
    conjugates = [[field.conjugate(v, -1) for v in row] for row in values]
    for i in range(len(table)):
        for j in range(len(table)):
            total: tuple = ()
            for k, size in enumerate(table.class_sizes):
                total = field.add(total, field.scale(field.mul(values[i][k], conjugates[j][k]), Fraction(size)))
            assert total == field.rational(group.order if i == j else 0)
    for k in range(len(table.classes)):
        for m in range(len(table.classes)):
            total = ()
            for i in range(len(table)):
                total = field.add(total, field.mul(values[i][k], conjugates[i][m]))
            assert total == field.rational(table.centralizer_orders[k] if k == m else 0)
    assert sum(d * d for d in table.degrees) == group.order


def test_rows_come_in_a_useful_order():
    """Trivial first, then by degree; cyclic groups by frequency with each conjugate pair adjacent."""
    table = cyclic(8).character_table()
    angles = [round(math.degrees(np.angle(v))) % 360 for v in table.float_values()[:, 1]]  # class 1: r
    assert angles == [0, 45, 315, 90, 270, 135, 225, 180]
    assert load("o").character_table().degrees == (1, 1, 2, 3, 3)
    d8 = load("d8").character_table()
    assert [round(d8.float_values()[i, 1].real, 3) for i in range(4, 7)] == [1.414, 0.0, -1.414]


def test_values_are_readable_exact_numbers():
    """Values are sympy numbers in radicals where sympy finds them, and GAP strings on request."""
    table = load("i").character_table()
    assert {str(v) for v in table.values[1]} >= {"1/2 + sqrt(5)/2", "1/2 - sqrt(5)/2", "-1", "0", "3"}
    assert table.gap_value(1, 2) in ("1+E(5)+E(5)^4", "1+E(5)^2+E(5)^3")
    assert table.character(0) == (1,) * 60


def test_abelian_groups_need_no_splitting():
    """An abelian group's table comes from the centre alone: C(2000) is within the class limit."""
    table = from_permutations({"a": [*range(1, 2000), 0]}).character_table()
    assert len(table) == 2000 and set(table.degrees) == {1}


def test_class_limit_is_checked_first():
    with pytest.raises(GroupTheoryError, match="conjugacy classes"):
        from_permutations({"a": [*range(1, 2001), 0]}).character_table()
