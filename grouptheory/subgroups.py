"""Which catalog groups lie inside a declared group, found by their exact matrices.

A catalog group H is a subgroup of G here when every matrix of H is a matrix of G (the same action on
the same space, compared exactly in G's cyclotomic field); the embedding lists, for each element of H in
H's order, its index in G. Generated modules name quotient fields (on G/H) after these subgroups.

>>> from grouptheory import load
>>> catalog_subgroups(load("d4"))
{'c2': (0, 3), 'c4': (0, 1, 3, 6), 'd2': (0, 3, 2, 7)}
"""

from __future__ import annotations

from ._entries import conductor_of, to_field
from ._group import FiniteGroup
from .spec import catalog_names, load


def catalog_subgroups(group: FiniteGroup) -> dict[str, tuple[int, ...]]:
    """Proper, non-trivial catalog subgroups of a group with an action, by catalog name."""
    if not group.has_action:
        return {}
    index = {matrix: g for g, matrix in enumerate(group._matrices)}
    found = {}
    for name in catalog_names():
        candidate = load(name)
        if (
            not candidate.has_action
            or candidate.dimension != group.dimension
            or not 1 < candidate.order < group.order
            or group.order % candidate.order
        ):
            continue
        embedding = _embedding(group, candidate, index)
        if embedding is not None:
            found[name] = embedding
    return found


def _embedding(group: FiniteGroup, candidate: FiniteGroup, index: dict) -> tuple[int, ...] | None:
    field = group._require_action().field
    embedding = []
    for h in range(candidate.order):
        entries = list(candidate.matrix(h))
        if not all(_field_contains(field.conductor, conductor_of(entry)) for entry in entries):
            return None
        g = index.get(tuple(to_field(entry, field) for entry in entries))
        if g is None:
            return None
        embedding.append(g)
    return tuple(embedding)


def _field_contains(conductor: int, other: int) -> bool:
    """Whether Q(zeta_conductor) contains Q(zeta_other) (Q(zeta_m) = Q(zeta_2m) for odd m)."""
    return conductor % other == 0 or (conductor % 2 == 1 and (2 * conductor) % other == 0)
