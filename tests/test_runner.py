"""How the runner cuts replications into chunks for its workers, and which engine plays
a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from whorunsit.engine.chunks import chunk_ranges

ROOT_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "you-build-it-ops-run-it.yaml"


@pytest.mark.parametrize(("start", "stop", "workers"), [
    (0, 1000, 2), (0, 1, 2), (5, 12, 2), (100, 357, 3), (0, 64, 1)])
def test_chunks_cover_the_range_in_order_and_shrink_towards_the_end(start, stop, workers):
    ranges = chunk_ranges(start, stop, workers)
    assert ranges[0][0] == start and ranges[-1][1] == stop
    assert all(a < b for a, b in ranges)
    assert all(prev[1] == nxt[0] for prev, nxt in zip(ranges, ranges[1:], strict=False))
    sizes = [b - a for a, b in ranges]
    assert max(sizes) <= 32
    assert sizes == sorted(sizes, reverse=True)


def test_the_last_chunks_are_single_replications_on_a_big_run():
    sizes = [b - a for a, b in chunk_ranges(0, 1000, 2)]
    assert sizes[0] == 32 and sizes[-1] == 1
    assert len(sizes) < 100  # still few enough that sending them costs nothing


def test_a_small_run_plays_in_this_process_on_the_one_engine():
    from whorunsit import api
    from whorunsit.engine import runner

    scn = api.load(ROOT_SCENARIO)
    items = runner.expected_items(scn, 1)
    small = max(1, int(runner.SMALL_RUN_ITEMS // items) - 1)
    large = int(runner.SMALL_RUN_ITEMS // items) + 1
    quick = runner.Runner(scn, 1, 2, replications=small)
    assert (quick.engine, quick.fast, quick.workers) == ("kernel", False, 1)
    full = runner.Runner(scn, 1, 2, replications=large)
    assert (full.engine, full.workers) == ("kernel", 2)
    assert runner.Runner(scn, 1, 2).workers == 2  # size unknown: the workers asked for
