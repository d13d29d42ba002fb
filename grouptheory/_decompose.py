"""Decomposing a representation into irreducible ones, with an exact unitary change of basis.

For each irreducible psi occurring k times in rho, intertwiners T (rho(g) T = T psi(g)) come from
averaging: T_i = sum_g rho(g) E_i0 psi(g^-1), i = 0, 1, ... Each new one is made orthogonal to the
copies already found, T' = T - sum_a T_a D_psi^-1 (T_a^* D_rho T) / c_a (an intertwiner again: that is
Schur's lemma; it works the same for real irreducible representations of complex or quaternionic type,
whose intertwiners form C or H), and kept when T' != 0, until k copies are found. The copy's columns in
Q are D_rho^(1/2) T' D_psi^(-1/2) / sqrt(c), c = (T'^* D_rho T')_00 / D_psi,0: orthonormal. Both defining
identities, rho T' = T' psi on the generators and T'^* D_rho T' = c D_psi between copies (0 between
different ones), are checked in exact arithmetic before the result is returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy

from ._errors import GroupTheoryError
from ._exact_arrays import Exact, ExactField, exact_field
from ._representation import Decomposition, Representation


@dataclass(frozen=True)
class _Copy:
    irrep: int  # position in the irreps tuple
    intertwiner: Exact  # (d_rho, d_psi) in the common field
    scale: Exact  # c: T'^* D_rho T' = c D_psi


def decompose(rep: Representation, real: bool) -> Decomposition:
    group = rep.group
    if real and not rep.is_real:
        raise GroupTheoryError(f"{rep!r} is not real: decompose it with real=False (into complex irreps)")
    if not rep.is_unitary:
        raise GroupTheoryError(
            f"{rep!r} has no known invariant form, so no unitary change of basis; its multiplicities() still work"
        )
    irreps = group.irreps(real=real)
    per_character = rep.multiplicities()
    multiplicities = tuple(_count(per_character, psi) for psi in irreps)
    if sum(m * psi.degree for m, psi in zip(multiplicities, irreps, strict=True)) != rep.degree:
        raise GroupTheoryError(f"{rep!r}: the multiplicities do not add up to its degree (please report)")
    conductor = math.lcm(rep.conductor, *(psi.conductor for psi, m in zip(irreps, multiplicities, strict=True) if m))
    field = exact_field(conductor)
    rho = rep.lifted(conductor)
    copies: list[_Copy] = []
    for position, (psi, count) in enumerate(zip(irreps, multiplicities, strict=True)):
        if count:
            copies += _copies(field, rho, psi.lifted(conductor), position, count)
    _check(field, rho, irreps, copies)
    return Decomposition(
        irreps=irreps,
        multiplicities=multiplicities,
        _field=field,
        _rho=rho,
        _copies=tuple(copies),
        _irreps_lifted=tuple(
            psi.lifted(conductor) if m else psi for psi, m in zip(irreps, multiplicities, strict=True)
        ),
    )


def _count(per_character: tuple[int, ...], psi: Representation) -> int:
    """Copies of psi: a real quaternionic irrep (character 2 chi) takes two copies of chi."""
    index = psi.character_index
    if index is None:
        raise GroupTheoryError(f"{psi!r} is not one of the group's irreps")
    realified_quaternion = psi.kind == "quaternionic" and psi.degree > psi.group.character_table().degrees[index]
    return per_character[index] // 2 if realified_quaternion else per_character[index]


def _copies(field: ExactField, rho: Representation, psi: Representation, position: int, count: int) -> list[_Copy]:
    form_rho = rho._form_or_ones(field)
    form_psi = psi._form_or_ones(field)
    psi_inverse_rows = _first_rows_of_inverses(psi)  # psi(g^-1)[0, :] for every g
    found: list[_Copy] = []
    for i in range(rho.degree):
        t = _averaged(field, rho, psi_inverse_rows, i)
        for copy in found:
            overlap = _adjoint_product(field, copy.intertwiner, form_rho, t)  # T_a^* D_rho T
            correction = field.matmul(copy.intertwiner, _divide_rows(field, overlap, form_psi))
            t = field.subtract(t, _divide(field, correction, copy.scale))
        if np.all(field.is_zero(t)):
            continue
        gram = _adjoint_product(field, t, form_rho, t)
        scale = field.multiply(gram[0, 0], field.inverse(form_psi[0]))
        found.append(_Copy(position, t, scale))
        if len(found) == count:
            return found
    raise GroupTheoryError(f"{rho!r}: found {len(found)} of {count} copies of {psi!r} (please report)")


def _first_rows_of_inverses(psi: Representation) -> Exact:
    dense = psi.dense()
    return dense[psi.group.inverses, 0]  # (n, d_psi)


def _averaged(field: ExactField, rho: Representation, psi_rows: Exact, i: int) -> Exact:
    """sum_g rho(g) e_i psi(g^-1)[0, :], a (d_rho, d_psi) intertwiner (maybe 0)."""
    d_psi = psi_rows.shape[1]
    if rho._monomial is not None:
        m = rho._monomial
        scaled = field.times_root(psi_rows, m.exponents[:, i][:, None])  # (n, d_psi)
        numerators = np.zeros((rho.degree, d_psi, field.degree), dtype=object)
        np.add.at(numerators, m.images[:, i], scaled.numerators.astype(object))
        return field.normalised(Exact(numerators, scaled.denominator))
    column = rho.dense()[:, :, i]  # (n, d_rho)
    product = field.multiply(column[:, :, None], psi_rows[:, None, :])
    return field.normalised(Exact(product.numerators.sum(axis=0), product.denominator))


def _adjoint_product(field: ExactField, a: Exact, form: Exact, b: Exact) -> Exact:
    """a^* diag(form) b."""
    weighted = field.multiply(form[:, None], b)
    adjoint = field.conjugate(Exact(np.swapaxes(a.numerators, 0, 1), a.denominator))
    return field.matmul(adjoint, weighted)


def _divide_rows(field: ExactField, matrix: Exact, form: Exact) -> Exact:
    """diag(form)^-1 matrix."""
    inverse = field.inverse_entries(form)
    return field.multiply(inverse[:, None], matrix)


def _divide(field: ExactField, matrix: Exact, scalar: Exact) -> Exact:
    return field.multiply(matrix, field.inverse(scalar))


def _check(field: ExactField, rho: Representation, irreps: tuple[Representation, ...], copies: list[_Copy]) -> None:
    """rho(s) T = T psi(s) for every generator s and copy; T_a^* D T_b = delta_ab c_a D_psi."""
    group = rho.group
    generators = list(group.generators)
    form = rho._form_or_ones(field)
    for copy in copies:
        psi = irreps[copy.irrep].lifted(field.conductor)
        left = rho.act(generators, copy.intertwiner)
        right = field.matmul(copy.intertwiner, psi.dense()[generators])
        if not field.equal(left, right):
            raise GroupTheoryError(f"{rho!r}: an intertwiner fails rho T = T psi (please report)")
    for a, first in enumerate(copies):
        for second in copies[a:]:
            product = _adjoint_product(field, first.intertwiner, form, second.intertwiner)
            if first is second:
                expected = field.multiply(irreps_form(field, irreps[first.irrep]), first.scale)
                expected_matrix = _diagonal(field, expected)
            else:
                expected_matrix = field.zeros(product.shape)
            if not field.equal(product, expected_matrix):
                raise GroupTheoryError(f"{rho!r}: the copies are not orthogonal (please report)")


def irreps_form(field: ExactField, psi: Representation) -> Exact:
    return psi.lifted(field.conductor)._form_or_ones(field)


def _diagonal(field: ExactField, values: Exact) -> Exact:
    d = values.shape[0]
    numerators = np.zeros((d, d, field.degree), dtype=values.numerators.dtype)
    numerators[np.arange(d), np.arange(d)] = values.numerators
    return Exact(numerators, values.denominator)


def change_of_basis_sympy(decomposition: Decomposition) -> sympy.ImmutableMatrix:
    field, rho = decomposition._field, decomposition._rho
    form_rho = [field.to_sympy(x) for x in _entries(rho._form_or_ones(field))]
    columns: list[list[sympy.Expr]] = []
    for copy in decomposition._copies:
        psi = decomposition._irreps_lifted[copy.irrep]
        form_psi = [field.to_sympy(x) for x in _entries(psi._form_or_ones(field))]
        scale = field.to_sympy(copy.scale)
        t = copy.intertwiner
        for c in range(t.shape[1]):
            columns.append(
                [sympy.sqrt(form_rho[r] / (form_psi[c] * scale)) * field.to_sympy(t[r, c]) for r in range(t.shape[0])]
            )
    return sympy.ImmutableMatrix(columns).T


def change_of_basis_float(decomposition: Decomposition) -> np.ndarray:
    field, rho = decomposition._field, decomposition._rho
    form_rho = np.sqrt(field.to_complex(rho._form_or_ones(field)).real)
    blocks = []
    for copy in decomposition._copies:
        psi = decomposition._irreps_lifted[copy.irrep]
        form_psi = np.sqrt(field.to_complex(psi._form_or_ones(field)).real)
        scale = math.sqrt(field.to_complex(copy.scale).real)
        blocks.append(form_rho[:, None] * field.to_complex(copy.intertwiner) / (form_psi[None, :] * scale))
    q = np.concatenate(blocks, axis=1)
    return q.real.copy() if rho.is_real and all(psi.is_real for psi in decomposition.irreps) else q


def _entries(values: Exact) -> list[Exact]:
    return [values[i] for i in range(values.shape[0])]
