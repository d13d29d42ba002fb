"""The representation data a generated module bakes in for its field types and steerable layers.

Derived once, exactly, by the engine: the real orthogonal irreducible representations, the named
representations a field may carry (trivial, regular, standard = the declared action, and the quotient
representations on G/H for the catalog subgroups H and those the spec declares) with their decompositions
into irreps, how each field restricts to the catalog subgroups, and the
intertwiner bases per lattice stabiliser and per circular harmonic degree (`grouptheory.kernel_spaces`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from grouptheory import FiniteGroup, field_subgroups, harmonic_polynomials, kernel_spaces

from .constants import Matrix, matrix_literal, matrix_literals
from .restrictions import Fields, Rows, restriction


@dataclass(frozen=True)
class FieldsModel:
    """Constants of a module's field types, as plain Python numbers (ints where they are exact)."""

    irreps: tuple[tuple[Matrix, ...], ...]
    irrep_kinds: tuple[str, ...]
    blocks: dict[str, tuple[int, ...]]
    changes_of_basis: dict[str, Matrix]
    permutations: dict[str, tuple[tuple[int, ...], ...]]
    subgroups: dict[str, tuple[int, ...]]
    """Every subgroup with a quotient field (catalog and declared), by name: its embedding."""
    stabilisers: tuple[tuple[int, ...], ...]
    intertwiners: tuple[dict[tuple[int, int], tuple[Matrix, ...]], ...]
    harmonics: tuple[dict[tuple[int, int], tuple[tuple[Matrix, ...], ...]], ...]
    harmonic_polynomials: tuple[tuple[dict[tuple[int, int, int], float], ...], ...]
    """In space, per harmonic degree: its harmonic polynomials (exponents -> coefficient); empty on the plane."""
    restrictions: dict[str, dict[str, tuple[Fields, Rows]]]
    """Per catalog subgroup (whose module a network can continue with), how each field reads as its fields."""


@functools.lru_cache(maxsize=64)
def build_fields(group: FiniteGroup) -> FieldsModel:
    """The fields model of a group: its kernels solved on the pixel grid (grid-exact groups) and in circular
    (planar) or spherical (3D) harmonics. Kept per group object (groups are immutable, and `load` makes a new
    one when a spec changes): generating and then checking a module costs the exact work once."""
    irreps = group.irreps(real=True)
    subgroups = field_subgroups(group)
    named = {
        "trivial": group.trivial_representation(),
        "regular": group.regular_representation(),
        "standard": group.standard_representation(),
        **{f"quotient_{name}": group.quotient_representation(list(members)) for name, members in subgroups.items()},
    }
    decompositions = {name: rep.decompose(real=True) for name, rep in named.items()}
    permutations = {
        name: tuple(tuple(int(x) for x in row) for row in images)
        for name, rep in named.items()
        if (images := rep.permutation_images) is not None
    }
    # The trivial irrep is the trivial field under its irrep name (FourierReLU's functions have it): it moves
    # nothing, so layers treat it as the permutation field it is (pointwise ReLU, shifted batch norm).
    permutations[f"irrep_{irreps.index(decompositions['trivial'].blocks[0])}"] = permutations["trivial"]
    spaces = kernel_spaces(group)
    return FieldsModel(
        irreps=tuple(matrix_literals(rep.float_matrices()) for rep in irreps),
        irrep_kinds=tuple(str(rep.kind) for rep in irreps),
        blocks={name: tuple(irreps.index(b) for b in d.blocks) for name, d in decompositions.items()},
        changes_of_basis={name: matrix_literal(d.float_change_of_basis) for name, d in decompositions.items()},
        permutations=permutations,
        subgroups=subgroups,
        # The trivial stabiliser (a generic offset) admits every matrix: layers use the unit matrices there.
        stabilisers=tuple(s for s in spaces.stabilisers if len(s) > 1),
        intertwiners=tuple(b for s, b in zip(spaces.stabilisers, spaces.bases, strict=True) if len(s) > 1),
        harmonics=spaces.harmonics,
        harmonic_polynomials=tuple(_polynomials(degree) for degree in range(len(spaces.harmonics)))
        if group.dimension == 3
        else (),
        restrictions={
            name: {
                field: restriction(group, rep, name, members)
                for field, rep in {**named, **{f"irrep_{k}": rep for k, rep in enumerate(irreps)}}.items()
            }
            for name, members in subgroups.items()
            if name not in group.declared_subgroups  # catalog groups only: their modules exist
        },
    )


def _polynomials(degree: int) -> tuple[dict[tuple[int, int, int], float], ...]:
    """The harmonic polynomials of a degree as {exponents: coefficient}, nonzero terms only (ints where whole)."""
    monomials, polynomials = harmonic_polynomials(degree)
    return tuple(
        {e: int(c) if c.denominator == 1 else float(c) for e, c in zip(monomials, p, strict=True) if c}
        for p in polynomials
    )
