"""grouptheory: an exact finite-group engine for declared symmetry groups.

>>> from grouptheory import load
>>> c4 = load("c4")
>>> c4.order, c4.is_abelian, c4.is_grid_exact
(4, True, True)
"""

from ._constructors import from_matrices, from_permutations, from_presentation
from ._errors import GroupTheoryError
from ._group import FiniteGroup, Subgroup
from .named import cyclic, dihedral, trivial
from .spec import catalog_names, load

__all__ = [
    "FiniteGroup",
    "GroupTheoryError",
    "Subgroup",
    "catalog_names",
    "cyclic",
    "dihedral",
    "from_matrices",
    "from_permutations",
    "from_presentation",
    "load",
    "trivial",
]
