"""The engine against queueing theory: M/M/1 and M/M/c (Erlang C), a Jackson tandem
network, and Little's law on every queue.

Each check runs several independent replications with a warm-up, takes the per-
replication mean waits and asks that the closed form lie inside their 99% t interval
(seeds are fixed, so the tests are deterministic; the interval is the tolerance).
"""

from __future__ import annotations

import numpy as np
import pytest

from test_engine_scenarios import D, mmc, scenario, team, tier
from whorunsit.engine.chunks import merge
from whorunsit.engine.erlang import jackson_tandem, mmc_mean_wait
from whorunsit.engine.runner import Runner
from whorunsit.model.calendar import ALWAYS
from whorunsit.stats.intervals import mean_interval


def samples(scn, replications: int, seed: int) -> dict[str, np.ndarray]:
    with Runner(scn, seed, workers=1) as runner:
        return merge(runner.run(0, replications))[0]


def assert_inside(values, expected: float) -> None:
    mean, low, high = mean_interval(values, level=0.99)
    assert low <= expected <= high, f"{expected:.4f} outside [{low:.4f}, {high:.4f}] (mean {mean:.4f})"


@pytest.mark.parametrize(
    ("servers", "load"),
    [(1, 0.5), (1, 0.8), (1, 0.9), (3, 0.7), (5, 0.9)],
)
def test_mmc_mean_wait_matches_erlang_c(servers, load):
    mean_service = 1.0
    rate = load * servers / mean_service
    # enough customers that the interval is a few percent wide, more at heavy load
    horizon = {0.5: 3000.0, 0.7: 3000.0, 0.8: 10000.0, 0.9: 24000.0 / servers}[load]
    scn = mmc(rate, servers, mean_service, horizon=horizon, warmup=horizon / 10)
    s = samples(scn, replications=8, seed=1000 + servers)
    expected = mmc_mean_wait(servers, rate, mean_service)
    assert_inside(s["teams.q.queue_wait.mean"], expected)
    assert_inside(s["teams.q.utilisation"], load)


def test_jackson_tandem_network_and_littles_law():
    # the tiers3 reference network of the benchmarks
    rate = 20.0
    layout = [("l1", 4, 0.15, 0.3), ("l2", 10, 0.5, 0.6), ("l3", 7, 1.0, 1.0)]
    teams = [team(name, servers) for name, servers, _, _ in layout]
    tiers = [tier(name.upper(), name, D.exponential(mean), resolve=resolve)
             for name, _, mean, resolve in layout]
    scn = scenario(teams, tiers, rate=rate, mix=(0, 1, 0, 0), calendar=ALWAYS,
                   horizon=1500.0, warmup=50.0)
    s = samples(scn, replications=10, seed=7)
    for theory in jackson_tandem(rate, [(n, c, m, r) for n, c, m, r in layout]):
        name = theory.name
        assert_inside(s[f"teams.{name}.queue_wait.mean"], theory.mean_wait)
        assert_inside(s[f"teams.{name}.utilisation"], theory.utilisation)
        assert_inside(s[f"teams.{name}.tickets_per_week"] / 168.0, theory.arrival_rate)
        # Little's law holds on every sample path (up to edge effects at the ends)
        arrivals = s[f"teams.{name}.tickets_per_week"] / 168.0
        little = arrivals * s[f"teams.{name}.queue_wait.mean"]
        np.testing.assert_allclose(s[f"teams.{name}.queue_length.mean"], little, rtol=0.02,
                                   atol=0.002)
    # whole-system time in queue is the sum of the tier waits weighted by who gets there
    visits = [1.0, 0.7, 0.28]
    expected = sum(v * t.mean_wait for v, t in
                   zip(visits, jackson_tandem(rate, layout), strict=True))
    assert_inside(s["incidents.queue_wait.mean"], expected)
    assert_inside(s["incidents.handoffs.mean"], 0.7 + 0.28)
