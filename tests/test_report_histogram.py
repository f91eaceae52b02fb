"""Terminal histograms from pooled counts over HISTOGRAM_EDGES."""

import numpy as np

from whorunsit.model.bins import HISTOGRAM_EDGES
from whorunsit.report.histogram import BLOCKS, draw, trimmed


def counts_of(hours):
    return np.histogram(np.asarray(hours, float), bins=HISTOGRAM_EDGES)[0]


def test_trimmed_keeps_the_bins_between_the_first_and_last_non_empty():
    c = np.zeros(len(HISTOGRAM_EDGES) - 1)
    c[[5, 9]] = [3, 1]
    assert trimmed(c) == (5, 10)
    assert trimmed(np.zeros(4)) == (0, 0)


def test_nothing_to_draw():
    assert draw(np.zeros(len(HISTOGRAM_EDGES) - 1)) == []


def test_chart_fits_the_width_and_labels_hours_and_days():
    rng = np.random.default_rng(3)
    c = counts_of(rng.lognormal(np.log(3.0), 1.2, 5000))
    for width in (40, 80, 120):
        lines = draw(c, width=width)
        assert lines, width
        assert all(len(line) <= width for line in lines), width
        assert lines[-2].lstrip().startswith("└")
        assert "1h" in lines[-1] and "1d" in lines[-1]


def test_tallest_column_is_full_and_scale_is_its_share():
    c = np.zeros(len(HISTOGRAM_EDGES) - 1, int)
    c[20], c[21] = 30, 10  # 75% of items in the tallest bin
    lines = draw(c, width=80, height=4)
    assert lines[0].startswith("  75%")
    bars = [line.split("│", 1)[1] for line in lines[:4]]
    assert bars[0].startswith(BLOCKS[8])  # full block at the top of the tallest column
    assert all(b.startswith(BLOCKS[8]) for b in bars)  # and all the way down


def test_rare_long_tail_stays_visible():
    c = np.zeros(len(HISTOGRAM_EDGES) - 1, int)
    c[10], c[40] = 100000, 1
    lines = draw(c, width=80)
    bottom = lines[-3].split("│", 1)[1]
    assert bottom.rstrip()[-1] != " " and bottom.rstrip()[-1] in BLOCKS[1:]


def test_too_many_bins_for_the_width_are_merged():
    c = np.ones(len(HISTOGRAM_EDGES) - 1, int)
    lines = draw(c, width=30)
    assert all(len(line) <= 30 for line in lines)
