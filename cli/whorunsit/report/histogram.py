"""Terminal histograms drawn with block characters from pooled counts.

The engine pools every incident's time to restore (and every deployment's lead time)
into counts over the log-spaced ``HISTOGRAM_EDGES``, so the chart's x axis is
logarithmic: minutes, hours and days each get room. Columns are bins, eighths of a
block give the height resolution, and empty tails are trimmed.
"""

from __future__ import annotations

import math

import numpy as np

from whorunsit.model.bins import HISTOGRAM_EDGES

BLOCKS = " ▁▂▃▄▅▆▇█"
#: durations worth a tick label (hours, label), preferred left to right where they fit
TICKS = ((1 / 60, "1m"), (5 / 60, "5m"), (0.25, "15m"), (0.5, "30m"), (1.0, "1h"),
         (2.0, "2h"), (4.0, "4h"), (8.0, "8h"), (24.0, "1d"), (48.0, "2d"), (96.0, "4d"),
         (168.0, "1w"), (336.0, "2w"), (672.0, "4w"), (2184.0, "13w"), (4368.0, "26w"),
         (8760.0, "52w"))
AXIS_WIDTH = 6


def trimmed(counts: np.ndarray) -> tuple[int, int]:
    """Index range [start, stop) of the bins between the first and last non-empty one."""
    nz = np.flatnonzero(np.asarray(counts) > 0)
    if len(nz) == 0:
        return (0, 0)
    return (int(nz[0]), int(nz[-1]) + 1)


def _position(hours: float, edges: np.ndarray) -> float:
    """Where ``hours`` falls in bin-index units (bin i spans i..i+1), log-interpolated."""
    finite = np.flatnonzero(np.isfinite(edges) & (edges > 0))
    logs = np.log(edges[finite])
    return float(np.interp(math.log(hours), logs, finite.astype(float)))


def draw(counts, *, width: int = 80, height: int = 6,
         edges: np.ndarray = HISTOGRAM_EDGES) -> list[str]:
    """Lines of a column chart of ``counts`` over ``edges`` fitting in ``width`` columns.

    The left axis shows the share of all items in the tallest column (the scale of the
    chart); tick labels under the axis are durations. Returns [] when there is nothing to draw.
    """
    counts = np.asarray(counts, dtype=float)
    start, stop = trimmed(counts)
    total = counts.sum()
    if stop == start or total <= 0:
        return []
    shown = counts[start:stop]
    bins = len(shown)
    col = max(1, min(3, (width - AXIS_WIDTH - 1) // bins))
    if bins * col > width - AXIS_WIDTH - 1:  # too many bins even at one column each: merge
        factor = math.ceil(bins / (width - AXIS_WIDTH - 1))
        pad = (-bins) % factor
        shown = np.concatenate((shown, np.zeros(pad))).reshape(-1, factor).sum(axis=1)
        bins, col = len(shown), 1
        last = len(edges) - 1
        edges = np.array([edges[min(start + i * factor, last)] for i in range(bins + 1)])
        start, stop = 0, bins
    peak = shown.max()
    eighths = np.rint(shown / peak * height * 8).astype(int)
    # a non-empty bin always shows at least a sliver, so rare long tails stay visible
    eighths[(shown > 0) & (eighths == 0)] = 1

    lines = []
    for row in range(height, 0, -1):
        level = np.clip(eighths - (row - 1) * 8, 0, 8)
        bars = "".join(BLOCKS[int(v)] * col for v in level)
        label = f"{peak / total:.0%}" if row == height else ""
        lines.append(f"{label:>{AXIS_WIDTH - 1}} │{bars}".rstrip())
    axis, ticks = _axis(start, stop, col, edges, width - AXIS_WIDTH - 1)
    lines.append(" " * (AXIS_WIDTH - 1) + " └" + axis)
    lines.append(" " * (AXIS_WIDTH + 1) + ticks.rstrip())
    return lines


def _axis(start: int, stop: int, col: int, edges: np.ndarray, room: int) -> tuple[str, str]:
    """The axis rule with ┬ at each tick, and the tick labels under it, without overlap."""
    n = (stop - start) * col
    axis = ["─"] * n
    labels = [" "] * room
    free_from = 0
    for t, text in TICKS:
        x = int(round((_position(t, edges) - start) * col))
        if x < 0 or x >= n:
            continue
        if x < free_from or x + len(text) > len(labels):
            continue
        axis[x] = "┬"
        labels[x:x + len(text)] = text
        free_from = x + len(text) + 1
    return "".join(axis), "".join(labels)
