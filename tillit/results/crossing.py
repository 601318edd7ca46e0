"""Background variables shown side by side at one unit, checked as one system.

Part of the disclosure engine (`disclosure.py` decides each variable's table alone). Shown
together, the tables of several variables couple: age "–29" (7 people) beside tenure "< 2
years" (5 people, all under 30) gives the two young people with longer tenure by
subtraction. So the bands of all variables at a unit are checked together.

The atoms are the unit's residual blocks crossed with the full background (one band of every
variable). Published are the blocks (rows: each unit figure is a union of blocks) and, per
variable, each shown band and the hidden bands together. A vector in their span is, on every
non-empty atom, α(block) + Σ_v β_v(band of v): `smallest_joint_group` finds the smallest group
(0/1 vector, by respondents) of that form with a mixed-integer program (SciPy's `milp`, the
HiGHS solver), exact where the one-variable enumeration of `cells.smallest_derivable_group`
would take 3^(bands) steps.

Two reductions keep it small, both exact: a block is at least k (the residual rule), so a
small group takes every block either not at all or in part, and given β a block's part is
forced (its atoms with the higher of its two values of Σβ); so blocks with one single
non-empty atom can be left out, and blocks with the same non-empty atoms are merged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array


def smallest_joint_group(
    table: np.ndarray, codes: Sequence[np.ndarray], below: float = np.inf
) -> float:
    """The size of the smallest non-empty group derivable from the rows of ``table`` (blocks ×
    combinations, respondents) and, per variable, the columns that share a code.

    ``codes[v][c]`` is combination c's band of variable v (hidden bands share one code).
    Returns inf when nothing is derivable; with ``below``, inf also when every derivable group
    is at least that large (only smaller groups are looked for).
    """
    table = np.asarray(table, dtype=np.int64)
    nonempty = table > 0
    multi = nonempty.sum(axis=1) > 1
    if not multi.any():
        return float("inf")
    rows: dict[bytes, np.ndarray] = {}
    for row, mask in zip(table[multi], nonempty[multi], strict=True):
        key = np.packbits(mask).tobytes()
        rows[key] = rows.get(key, 0) + row
    merged = np.array(list(rows.values()), dtype=np.int64)
    return _solve(merged, codes, below)


def _solve(table: np.ndarray, codes: Sequence[np.ndarray], below: float = np.inf) -> float:
    n_rows = table.shape[0]
    atoms = np.argwhere(table > 0)  # (row, combination)
    sizes = table[atoms[:, 0], atoms[:, 1]].astype(np.float64)
    n_atoms = len(atoms)
    # β per (variable, band) but the first band of each variable (fixed at 0: α absorbs it).
    beta_index: dict[tuple[int, int], int] = {}
    for v, variable in enumerate(codes):
        for band in sorted(set(np.asarray(variable).tolist()))[1:]:
            beta_index[(v, band)] = len(beta_index)
    n_vars = n_atoms + n_rows + len(beta_index)
    # x_e − α_r − Σ_v β_{v, band(e)} = 0 for every atom e.
    rows_i, cols_i, values = [], [], []
    for e, (r, c) in enumerate(atoms.tolist()):
        rows_i += [e, e]
        cols_i += [e, n_atoms + r]
        values += [1.0, -1.0]
        for v, variable in enumerate(codes):
            position = beta_index.get((v, int(variable[c])))
            if position is not None:
                rows_i.append(e)
                cols_i.append(n_atoms + n_rows + position)
                values.append(-1.0)
    equal = coo_array((values, (rows_i, cols_i)), shape=(n_atoms, n_vars)).tocsr()
    total = np.zeros(n_vars)
    total[:n_atoms] = sizes
    constraints = [
        LinearConstraint(equal, 0, 0),
        # With `below`, only a group smaller than it is looked for: a feasibility question,
        # which the solver answers far sooner than the minimum.
        LinearConstraint(total.reshape(1, -1), 1, below - 1 if np.isfinite(below) else np.inf),
    ]
    span = len(codes) + 2.0
    lower = np.concatenate([np.zeros(n_atoms), np.full(n_vars - n_atoms, -span)])
    upper = np.concatenate([np.ones(n_atoms), np.full(n_vars - n_atoms, span)])
    integrality = np.concatenate([np.ones(n_atoms), np.zeros(n_vars - n_atoms)])
    found = milp(
        total if not np.isfinite(below) else np.zeros(n_vars),
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(lower, upper),
        options={"time_limit": 5},
    )
    if found.status == 2:  # infeasible: no group at all
        return float("inf")
    if found.x is None:
        # No answer in time: assume the worst, so the caller hides more.
        return 0.0
    return float(np.rint(total @ found.x))


def decide_jointly(
    table: np.ndarray,
    band_of: Sequence[np.ndarray],
    shown: Sequence[np.ndarray],
    sizes: Sequence[np.ndarray],
    k: int,
) -> list[np.ndarray]:
    """Hide bands (the smallest shown one first) until every variable's shown bands, side by
    side, derive no group under k. ``table``: blocks × full combinations; ``band_of[v][c]``:
    combination c's band index in variable v; ``shown[v]``/``sizes[v]``: per band of v.
    Returns the new shown masks; a variable's hidden bands together stay 0 or ≥ k."""
    shown = [np.asarray(s, dtype=bool).copy() for s in shown]
    while True:
        for v in range(len(shown)):
            _complement(shown[v], sizes[v], k)
        active = [v for v in range(len(shown)) if shown[v].any()]
        if len(active) < 2:
            return shown
        codes = [np.where(shown[v][band_of[v]], band_of[v], -1) for v in active]
        if smallest_joint_group(table, codes, below=k) >= k:
            return shown
        v, band = min(
            ((v, b) for v in active for b in np.flatnonzero(shown[v])),
            key=lambda vb: (sizes[vb[0]][vb[1]], vb[0], vb[1]),
        )
        shown[v][band] = False


def _complement(shown: np.ndarray, sizes: np.ndarray, k: int) -> None:
    """Hide the next smallest band while the hidden ones together are under k."""
    while shown.any():
        hidden = sizes[~shown].sum()
        if not 0 < hidden < k:
            return
        band = min(np.flatnonzero(shown), key=lambda b: (sizes[b], b))
        shown[band] = False
