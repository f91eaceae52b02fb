"""Random streams: reproducible, independent of worker count, common across scenarios."""

from __future__ import annotations

import dataclasses

import numpy as np

from test_engine_scenarios import D, scenario, team, tier
from whorunsit import api
from whorunsit.engine.plan.plan import Plan
from whorunsit.engine.random.draws import Incidents
from whorunsit.engine.random.streams import stream
from whorunsit.model.calendar import ALWAYS


def two_tier(work2=None, rate=0.3):
    teams = [team("l1", 2), team("l2", 2)]
    tiers = [tier("L1", "l1", D.exponential(0.5), resolve=0.4, misroute=0.1,
                  misroute_triage=D.fixed(0.25)),
             tier("L2", "l2", work2 or D.lognormal(1.0, 4.0))]
    return scenario(teams, tiers, rate=rate, horizon=4 * 168.0, warmup=24.0,
                    replications=12, seed=42)


def test_same_seed_same_samples_for_one_and_two_workers(monkeypatch):
    from whorunsit.engine import runner

    monkeypatch.setattr(runner, "SMALL_RUN_ITEMS", 0)  # real workers, however small the run
    scn = two_tier()
    one = api.simulate(scn, workers=1)
    two = api.simulate(scn, workers=2)
    assert one.names == two.names
    for name in one.names:
        np.testing.assert_array_equal(one.samples[name], two.samples[name], err_msg=name)
    for name, counts in one.histograms.items():
        np.testing.assert_array_equal(counts, two.histograms[name])


def test_different_seeds_differ():
    scn = two_tier()
    a = api.simulate(scn, replications=3, workers=1, seed=1)
    b = api.simulate(scn, replications=3, workers=1, seed=2)
    assert not np.array_equal(a.samples["incidents.count"], b.samples["incidents.count"])


def test_changing_one_tiers_work_keeps_arrivals_and_priorities():
    base = Plan(two_tier())
    other = Plan(two_tier(work2=D.exponential(3.0)))
    for r in range(3):
        x = Incidents(base, base.apps[0], 42, r)
        y = Incidents(other, other.apps[0], 42, r)
        assert x.start == y.start
        assert x.prio == y.prio
        assert x.alert == y.alert
        # the routing luck at every tier is the same too
        assert x.tiers[0][2] == y.tiers[0][2]
    a = api.simulate(two_tier(), workers=1)
    b = api.simulate(two_tier(work2=D.exponential(3.0)), workers=1)
    np.testing.assert_array_equal(a.samples["incidents.count"], b.samples["incidents.count"])
    assert not np.array_equal(a.samples["incidents.time_to_restore.mean"],
                              b.samples["incidents.time_to_restore.mean"])


def test_adding_an_application_leaves_the_others_draws_alone():
    scn = two_tier()
    extra = dataclasses.replace(scn.applications[0], name="other", incident_rate=1.0)
    bigger = dataclasses.replace(scn, applications=(*scn.applications, extra))
    p1, p2 = Plan(scn), Plan(bigger)
    assert Incidents(p1, p1.apps[0], 42, 5).start == Incidents(p2, p2.apps[0], 42, 5).start


def test_streams_are_keyed_by_names():
    a = stream(7, 3, "arrivals", "checkout").random(4)
    b = stream(7, 3, "arrivals", "checkout").random(4)
    c = stream(7, 3, "arrivals", "payments").random(4)
    d = stream(7, 4, "arrivals", "checkout").random(4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, d)


def test_replication_results_do_not_depend_on_which_batch_ran_them():
    scn = dataclasses.replace(two_tier(), calendar=ALWAYS)
    whole = api.simulate(scn, replications=6, workers=1)
    first = api.simulate(scn, replications=3, workers=1)
    np.testing.assert_array_equal(whole.samples["cost.total"][:3], first.samples["cost.total"])


def test_compiled_seeding_is_numpys_seed_sequence_and_pcg64():
    from whorunsit.engine.random.kernel_random import fill, seeded, state_rows
    from whorunsit.engine.random.streams import entropy_words, key, states
    keys = [(p, f"app-{i}") for p in ("arrivals", "support", "rework") for i in range(5)]
    keys += [("x", ""), ("", ""), ("é", "ü" * 40)]
    words = np.asarray([key(p, e) for p, e in keys], np.uint64)
    for seed in (0, 1, 42, 2**32 - 1, 2**32, 2**64 + 5, 2**127 + 3, 2**130 + 7):
        for rep in (0, 1, 999, 2**32 - 1, 2**32 + 3):
            mine = seeded(np.asarray(entropy_words(seed, rep), np.uint64), words)
            assert np.array_equal(mine, state_rows(states(seed, rep, keys)))
            k = (seed + rep) % len(keys)
            drawn = np.empty((1, 5))
            fill(mine, k, drawn, 0, 1, 5, 1.0)
            assert np.array_equal(drawn[0], stream(seed, rep, *keys[k]).random(5))
