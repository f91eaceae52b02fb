"""Means and percentiles of groups of a compiled replication's values, faster.

``tally.summarise`` gives, for each group (a team's waits, a priority's times to
restore), the mean of its values in the order they were recorded and some percentiles;
numpy calls per group cost more than the arithmetic (a flagship replication has 33
teams). ``summarise`` here gives the same bits in a few calls however many groups:

- groups: a compiled counting sort puts each group's values, in recorded order, in a
  row of a matrix padded with NaN; groups of about the same size (within a factor of
  two) share a matrix, so the padding at most doubles the work;
- means: numpy's own pairwise summation of each row (``_pairwise``: the algorithm of
  numpy's ``pairwise_sum``, block for block), then one division, as ``numpy.mean``;
- percentiles: one numpy sort per matrix (numpy's vectorised sort: a sort compiled
  here mispredicts a branch at every other comparison and is ten times slower), then
  ``tally._pct``'s arithmetic on each row.

tests/test_kernel_summary.py holds them to ``tally.summarise`` on many sizes and shapes.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from whorunsit.engine import compiled  # noqa: F401  (first: numba's cache and WHORUNSIT_JIT)


def summarise(values, groups, n_groups: int,
              qs: tuple[float, ...]) -> tuple[list[float], list[list[float]]]:
    """``tally.summarise``: per group g in range(n_groups), the mean of the values whose
    group is g, in recorded order (NaN for none), and their percentiles qs (values in
    group -1 are left out)."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    groups = np.ascontiguousarray(groups, dtype=np.int64)
    cells, start, counts, blocks, means = _rows(values, groups, n_groups)
    for at, rows, width in blocks.tolist():
        # numpy sorts NaN last: a row's values come first, then its NaN and padding
        cells[at:at + rows * width].reshape(rows, width).sort(axis=1)
    pcts = _percentiles(cells, start, counts, np.asarray(qs, dtype=np.float64))
    return means.tolist(), pcts.tolist()


@njit(cache=True)
def _rows(values, groups, n_groups):
    """Each group's values in recorded order, in a row padded with NaN: ``cells``
    holds the matrices back to back, ``blocks`` says where each starts, its rows and
    width, ``start`` where each group's row starts. Also each group's count and mean."""
    counts = np.zeros(n_groups, np.int64)
    for g in groups:
        if not -1 <= g < n_groups:
            raise ValueError("a group out of range")
        if g >= 0:
            counts[g] += 1
    # size class k: counts in (2**(k-1), 2**k]; each class is one matrix
    classes = 64
    size_class = np.zeros(n_groups, np.int64)
    rows = np.zeros(classes, np.int64)
    width = np.zeros(classes, np.int64)
    for g in range(n_groups):
        c = counts[g]
        if c:
            k = 0
            while (1 << k) < c:
                k += 1
            size_class[g] = k
            rows[k] += 1
            width[k] = max(width[k], c)
    blocks = np.zeros((classes, 3), np.int64)
    n_blocks = 0
    at = 0
    for k in range(classes):
        if rows[k]:
            blocks[n_blocks, 0] = at
            blocks[n_blocks, 1] = rows[k]
            blocks[n_blocks, 2] = width[k]
            n_blocks += 1
            rows[k] = at  # now: where the class's next row goes
            at += blocks[n_blocks - 1, 1] * width[k]
    cells = np.empty(at, np.float64)
    start = np.zeros(n_groups, np.int64)
    for g in range(n_groups):
        if counts[g]:
            k = size_class[g]
            start[g] = rows[k]
            rows[k] += width[k]
            cells[start[g] + counts[g]:start[g] + width[k]] = np.nan
    fill = start.copy()
    for i in range(len(values)):
        g = groups[i]
        if g >= 0:
            cells[fill[g]] = values[i]
            fill[g] += 1
    means = np.full(n_groups, np.nan)
    for g in range(n_groups):
        m = counts[g]
        if m:
            means[g] = (0.0 + _pairwise(cells, start[g], m)) / m
    return cells, start, counts, blocks[:n_blocks], means


@njit(cache=True)
def _percentiles(cells, start, counts, qs):
    """``tally._pct`` of each group's sorted row (NaN for none, or if any is NaN: NaN
    sorts last, so then the row's last value is NaN)."""
    pcts = np.full((len(counts), len(qs)), np.nan)
    for g in range(len(counts)):
        n = counts[g]
        if n == 0 or cells[start[g] + n - 1] != cells[start[g] + n - 1]:
            continue
        row = cells[start[g]:start[g] + n]
        for j in range(len(qs)):
            v = (n - 1) * (qs[j] / 100)
            i = -1 if v >= n - 1 else int(v)
            a = row[n - 1] if i < 0 else row[i]
            b = a if i < 0 else row[i + 1]
            t = v - i
            d = b - a
            pcts[g, j] = b - d * (1 - t) if t >= 0.5 else a + d * t
    return pcts


@njit(cache=True)
def _pairwise(a, lo, n):
    """numpy's ``pairwise_sum`` of a[lo:lo + n]: up to 128 values in ``_block``, more
    cut in two halves (the first a multiple of 8 long) summed alike and added. Written
    with a stack of its own: numba's disk cache cannot hold a recursive function."""
    if n <= 128:
        return _block(a, lo, n)
    # frames: a range, how far it got (0: nothing, 1: its first half summed), that sum
    f_lo = np.empty(64, np.int64)
    f_n = np.empty(64, np.int64)
    f_stage = np.empty(64, np.int64)
    f_left = np.empty(64, np.float64)
    f_right = np.empty(64, np.float64)
    f_lo[0], f_n[0], f_stage[0] = lo, n, 0
    top = 1
    total = 0.0
    while top:
        f = top - 1
        size = f_n[f]
        half = size // 2
        half -= half % 8
        if size <= 128:
            value = _block(a, f_lo[f], size)
        elif f_stage[f] == 0:
            f_stage[f] = 1
            f_lo[top], f_n[top], f_stage[top] = f_lo[f], half, 0
            top += 1
            continue
        elif f_stage[f] == 1:
            f_stage[f] = 2
            f_lo[top], f_n[top], f_stage[top] = f_lo[f] + half, size - half, 0
            top += 1
            continue
        else:
            value = f_left[f] + f_right[f]
        top -= 1
        if top == 0:
            total = value
        elif f_stage[top - 1] == 1:
            f_left[top - 1] = value
        else:
            f_right[top - 1] = value
    return total


@njit(cache=True)
def _block(a, lo, n):
    """Under 8 values one by one, else eight interleaved sums (numpy's unrolling)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = lo + 8
    stop = lo + n - n % 8
    while i < stop:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < lo + n:
        res += a[i]
        i += 1
    return res


@njit(cache=True)
def histogram(ordered, edges):
    """``numpy.histogram(values, edges)[0]`` of values already sorted (NaN last, as
    ``np.sort`` leaves them, and never counted): how many fall below each edge, the last
    one inclusive, in one walk (``tally._histogram``)."""
    n = len(ordered)
    below = np.empty(len(edges), np.int64)
    i = 0
    for j in range(len(edges) - 1):
        while i < n and ordered[i] < edges[j]:
            i += 1
        below[j] = i
    last = edges[len(edges) - 1]
    while i < n and ordered[i] <= last:
        i += 1
    below[len(edges) - 1] = i
    counts = np.empty(len(edges) - 1, np.int64)
    for j in range(len(counts)):
        counts[j] = below[j + 1] - below[j]
    return counts
