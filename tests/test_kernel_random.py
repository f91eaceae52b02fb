"""``kernel_random`` draws numpy's numbers: PCG64 streams, uniforms, Poisson counts and
stream seeding, compared value for value with numpy's own generator."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from whorunsit.engine.random import kernel_random as kr
from whorunsit.engine.random.streams import entropy_words, key, states, stream

KEYS = [(purpose, f"app-{i}") for i in range(12)
        for purpose in ("arrivals", "support", "deployments", "change-support", "rework")]


@njit
def _doubles(st, k, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = kr.random(st, k)
    return out


@njit
def _poissons(st, k, means):
    out = np.empty(len(means), np.int64)
    for i in range(len(means)):
        out[i] = kr.poisson(st, k, means[i])
    return out


@pytest.mark.parametrize(("seed", "replication"), [
    (0, 0), (7, 3), (2**40 + 5, 123_456), (12_345_678_901_234_567_890, 2**33 + 1)])
def test_seeded_states_are_numpys(seed, replication):
    words = np.asarray([key(p, e) for p, e in KEYS], np.uint64)
    mine = kr.seeded(np.asarray(entropy_words(seed, replication), np.uint64), words)
    assert np.array_equal(mine, kr.state_rows(states(seed, replication, KEYS)))
    for k in (0, 17, len(KEYS) - 1):
        assert np.array_equal(_doubles(mine, k, 5), stream(seed, replication, *KEYS[k]).random(5))


def test_random_is_numpys_random():
    st = kr.state_rows(states(7, 3, KEYS))
    for k, (purpose, entity) in enumerate(KEYS):
        assert np.array_equal(_doubles(st, k, 300), stream(7, 3, purpose, entity).random(300))


def test_fill_is_numpys_uniform_row_by_row():
    st = kr.state_rows(states(1, 2, KEYS[:1]))
    out = np.full((50, 4), -1.0)
    kr.fill(st, 0, out, 10, 40, 3, 168.0)
    want = stream(1, 2, *KEYS[0]).uniform(0.0, 168.0, 90).reshape(30, 3)
    assert np.array_equal(out[10:40, :3], want)
    assert (out[:10] == -1.0).all() and (out[40:] == -1.0).all() and (out[:, 3] == -1.0).all()


def test_poisson_is_numpys_for_small_and_large_means():
    rng = np.random.default_rng(0)
    # below 10 numpy multiplies uniforms; from 10 on it uses PTRS with rejections
    means = np.concatenate([rng.uniform(0.0, 12.0, 2000), rng.uniform(10.0, 30.0, 2000),
                            rng.uniform(30.0, 8000.0, 2000), [0.0, 1e-9, 10.0, 9.999999]])
    st = kr.state_rows(states(5, 1, KEYS[:4]))
    for k in range(4):
        theirs = stream(5, 1, *KEYS[k])
        assert np.array_equal(_poissons(st, k, means), [theirs.poisson(m) for m in means])
        assert np.array_equal(_doubles(st, k, 3), theirs.random(3))  # and in step after
