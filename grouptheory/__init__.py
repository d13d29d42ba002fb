"""grouptheory: an exact finite-group engine for declared symmetry groups.

>>> from grouptheory import load
>>> c4 = load("c4")
>>> c4.order, c4.is_abelian, c4.is_grid_exact
(4, True, True)
"""

from ._characters import CharacterTable
from ._constructors import from_matrices, from_permutations, from_presentation
from ._errors import GroupTheoryError
from ._group import FiniteGroup, Subgroup
from ._kernel_spaces import KernelSpaces, kernel_spaces
from ._representation import Decomposition, Representation
from ._spherical import harmonic_polynomials
from .describe import DESCRIBE_FORMATS, describe
from .named import cyclic, dihedral, trivial
from .spec import FILTER_KINDS, catalog_names, from_spec_dict, load, spec_filters, spec_path
from .subgroups import catalog_subgroups, field_subgroups

__all__ = [
    "DESCRIBE_FORMATS",
    "FILTER_KINDS",
    "CharacterTable",
    "Decomposition",
    "FiniteGroup",
    "GroupTheoryError",
    "KernelSpaces",
    "Representation",
    "Subgroup",
    "catalog_names",
    "catalog_subgroups",
    "cyclic",
    "describe",
    "dihedral",
    "field_subgroups",
    "from_matrices",
    "from_permutations",
    "from_presentation",
    "from_spec_dict",
    "harmonic_polynomials",
    "kernel_spaces",
    "load",
    "spec_filters",
    "spec_path",
    "trivial",
]
