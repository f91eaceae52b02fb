"""The fast path's compiled pieces: the Kiefer-Wolfowitz step against a plain
event-by-event queue, and the time sort against numpy on every path it can take."""

from __future__ import annotations

import heapq

import numpy as np
import pytest

from whorunsit.engine.fastpath.fastpath_kernel import kw_step, sort_by_time


def heap_queue(arrivals, pickup, work, servers):
    """A FIFO c-server queue played customer by customer (the obvious way)."""
    free = [0.0] * servers
    starts, ends = [], []
    for a, p, w in zip(arrivals, pickup, work, strict=True):
        start = max(a, free[0])
        end = start + p + w
        heapq.heapreplace(free, end)
        starts.append(start)
        ends.append(end)
    return starts, ends


@pytest.mark.parametrize("servers", [1, 2, 5])
def test_the_recursion_is_a_fifo_queue(servers):
    rng = np.random.default_rng(servers)
    n = 400
    arrivals = np.sort(rng.uniform(0, 100, n))
    pickup = rng.exponential(0.1, n)
    work = rng.exponential(0.8 * servers / 4, n)
    free = np.zeros(servers)
    got = [kw_step(free, a, p, w) for a, p, w in zip(arrivals, pickup, work, strict=True)]
    starts, ends = heap_queue(arrivals, pickup, work, servers)
    assert [s for s, _ in got] == starts
    assert [e for _, e in got] == ends


def _jittered(rng, n, spread):
    """Nearly sorted times: each displaced by up to ``spread`` mean gaps."""
    return np.arange(n) + rng.uniform(0, spread, n)


@pytest.mark.parametrize("nearly", [True, False])
@pytest.mark.parametrize(("name", "make"), [
    ("empty", lambda rng: np.empty(0)),
    ("one", lambda rng: np.array([3.0])),
    ("sorted", lambda rng: np.arange(500.0)),
    ("nearly sorted", lambda rng: _jittered(rng, 2000, 5.0)),
    ("two sorted runs", lambda rng: np.concatenate([np.sort(rng.uniform(0, 9, 700)),
                                                    np.sort(rng.uniform(0, 9, 900))])),
    ("random", lambda rng: rng.exponential(1.0, 3000)),
    ("clustered", lambda rng: np.concatenate([rng.uniform(0, 1e-6, 2000), [1e6]])),
    ("ties", lambda rng: rng.integers(0, 20, 1500).astype(float)),
    ("all equal", lambda rng: np.full(300, 2.5)),
    ("reversed", lambda rng: np.arange(3000.0)[::-1].copy()),
])
def test_sorting_by_time_is_a_stable_sort(name, make, nearly):
    times = make(np.random.default_rng(len(name)))
    n = len(times)
    order = np.arange(n)
    want = np.lexsort((order, times))
    # room either side is left alone
    t, o = np.concatenate([[-1.0], times, [-1.0]]), np.concatenate([[-1], order, [-1]])
    sort_by_time(t, o, 1, n + 1, nearly)
    np.testing.assert_array_equal(o[1:-1], want, err_msg=name)
    np.testing.assert_array_equal(t[1:-1], times[want], err_msg=name)
    assert t[0] == t[-1] == -1.0 and o[0] == o[-1] == -1
