"""The brute-force disclosure oracle of ANONYMITY.md, independent of the engine.

Atoms are disjoint groups of respondents with known sizes (a unit's direct respondents, or
those crossed with a background band). A published cell is the set of atoms a published
figure sums over. A group G (a union of atoms) is disclosed when its indicator vector lies in
the span of the cells' indicator vectors; a leak is a disclosed G with 1 ≤ |G| < k respondents.

Method (exact, rational): the span is the orthogonal complement of the null space of the cell
matrix M, so 1_G is in the span iff N · 1_G = 0 for a basis N of {x : M x = 0}. N comes from
our own Gaussian elimination over Fractions, scaled to integers; then every union of non-empty
atoms with fewer than k respondents (atoms of size ≥ k cannot be in one) is enumerated by
depth-first search with running column sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from math import lcm


def null_space(matrix: Sequence[Sequence[int]], n_columns: int) -> list[list[int]]:
    """An integer basis of {x : matrix · x = 0}, by exact Gaussian elimination."""
    rows = [[Fraction(v) for v in row] for row in matrix]
    pivots: list[int] = []
    rank = 0
    for column in range(n_columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        head = rows[rank][column]
        rows[rank] = [v / head for v in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        pivots.append(column)
        rank += 1
    basis = []
    for free in (c for c in range(n_columns) if c not in pivots):
        vector = [Fraction(0)] * n_columns
        vector[free] = Fraction(1)
        for r, column in enumerate(pivots):
            vector[column] = -rows[r][free]
        scale = lcm(*(v.denominator for v in vector))
        basis.append([int(v * scale) for v in vector])
    return basis


def find_leak(sizes: Sequence[int], cells: Iterable[Iterable[int]], k: int) -> list[int] | None:
    """A union of atoms with 1..k-1 respondents that the cells disclose, or None.

    ``sizes[a]`` is atom a's number of respondents; each cell is an iterable of atom indices.
    """
    live = [a for a, size in enumerate(sizes) if size > 0]
    position = {a: i for i, a in enumerate(live)}
    matrix = []
    for cell in cells:
        row = [0] * len(live)
        for atom in cell:
            if atom in position:
                row[position[atom]] = 1
        matrix.append(row)
    basis = null_space(matrix, len(live))
    columns = [tuple(vector[i] for vector in basis) for i in range(len(live))]
    small = [i for i in range(len(live)) if sizes[live[i]] < k]
    found: list[int] | None = None

    def search(start: int, total: int, chosen: list[int], sums: list[int]) -> bool:
        nonlocal found
        for j in range(start, len(small)):
            i = small[j]
            size = sizes[live[i]]
            if total + size >= k:
                continue
            new_sums = [a + b for a, b in zip(sums, columns[i], strict=True)]
            chosen.append(i)
            if not any(new_sums):
                found = [live[c] for c in chosen]
                return True
            if search(j + 1, total + size, chosen, new_sums):
                return True
            chosen.pop()
        return False

    search(0, 0, [], [0] * len(basis))
    return found
