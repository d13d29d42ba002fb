"""How each named field of a group reads as fields of a catalog subgroup H, for a module's restrictions.

Restricted to H, a field of G is a sum of H's own fields, y_H = R y_G with R orthogonal. A permutation
field (trivial, regular, quotient) splits into the H-orbits of its basis; an orbit whose stabiliser in
H is trivial is an H-regular field, H itself an H-trivial one, and one of H's catalog subgroups K (or a
conjugate: then another point of the orbit has K itself) an H-quotient field on H/K; there R only
reorders channels. Any other field, and a permutation field with an orbit of another kind, is decomposed
into H's real irreps by the engine (R = Q^T, exact to rounding).

>>> from grouptheory import load
>>> d4 = load("d4")
>>> fields, channels = restriction(d4, d4.regular_representation(), "c4", (0, 1, 3, 6))
>>> fields, channels   # the 8 rotations and reflections are two copies of C4's regular field
((('regular', 4), ('regular', 4)), (0, 1, 3, 6, 2, 4, 7, 5))
"""

from __future__ import annotations

import functools

import numpy as np

from grouptheory import FiniteGroup, Representation, Subgroup, catalog_subgroups, load

from .constants import Matrix, matrix_literal

Rows = tuple[int, ...] | Matrix
"""Source channels (H channel c reads G channel rows[c]) for a reordering, else the matrix R."""
Fields = tuple[tuple[str, int], ...]
"""H's fields in order, each with its degree."""


def restriction(group: FiniteGroup, rep: Representation, name: str, embedding: tuple[int, ...]) -> tuple[Fields, Rows]:
    """The H fields (in order, with their degrees) that a G field with representation rep splits into, and R."""
    subgroup = load(name)
    if rep.permutation_images is not None:
        split = _permutation_fields(subgroup, _named_subgroups(name), rep.permutation_images, embedding)
        if split is not None:
            return split
    return _irrep_fields(rep.restrict(Subgroup(subgroup, embedding, parent=group)))


def _permutation_fields(
    subgroup: FiniteGroup, inner: dict[frozenset[int], str], images: np.ndarray, embedding: tuple[int, ...]
) -> tuple[Fields, tuple[int, ...]] | None:
    moves = images[list(embedding)]  # moves[h, x]: where element h of H sends basis vector x
    fields, channels, seen = [], [], set()
    for start in range(images.shape[1]):
        if start in seen:
            continue
        orbit = sorted(set(moves[:, start].tolist()))
        seen.update(orbit)
        found = None
        for point in orbit:
            stabiliser = frozenset(int(h) for h in np.flatnonzero(moves[:, point] == point))
            if len(stabiliser) == 1:
                found = ("regular", [int(moves[h, point]) for h in range(subgroup.order)])
            elif len(stabiliser) == subgroup.order:
                found = ("trivial", [point])
            elif stabiliser in inner:
                _, representatives = subgroup.cosets(sorted(stabiliser))
                found = (f"quotient_{inner[stabiliser]}", [int(moves[t, point]) for t in representatives])
            if found is not None:
                break
        if found is None:
            return None
        fields.append((found[0], len(found[1])))
        channels += found[1]
    return tuple(fields), tuple(channels)


@functools.cache
def _named_subgroups(name: str) -> dict[frozenset[int], str]:
    """The catalog subgroups of a catalog group, by their sets of elements."""
    return {frozenset(members): k for k, members in catalog_subgroups(load(name)).items()}


def _irrep_fields(restricted: Representation) -> tuple[Fields, Matrix]:
    decomposition = restricted.decompose(real=True)
    irreps = restricted.group.irreps(real=True)
    fields = tuple((f"irrep_{irreps.index(block)}", block.degree) for block in decomposition.blocks)
    return fields, matrix_literal(decomposition.float_change_of_basis.T)
