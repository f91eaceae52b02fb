"""Properties of every figure, over generated valid scenarios (hypothesis): each metric and
interval inside its domain, each estimate inside its interval, totals equal to the sum of
their parts, and more responders never lengthening the wait."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_engine_invariants import organisations
from test_engine_scenarios import WEEK, mmc
from whorunsit import api
from whorunsit.stats import catalogue
from whorunsit.stats.compare import paired_difference

SLOW = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SLOW
@given(organisations(), st.integers(1, 6), st.integers(0, 2**31))
def test_every_estimate_and_interval_is_inside_its_domain(scn, replications, seed):
    results = api.simulate(scn, replications=replications, seed=seed, workers=1)
    hours = (scn.horizon - scn.warmup)
    for name, est in results.estimates().items():
        assert catalogue.info(name) is not None, name  # every metric is in the vocabulary
        low_d, high_d = catalogue.domain(name)
        values = results.samples[name]
        finite = values[np.isfinite(values)]
        assert ((finite >= low_d - 1e-9) & (finite <= high_d + 1e-9)).all(), name
        if catalogue.binary(name):
            assert np.isin(finite, (0.0, 1.0)).all(), name
        if not math.isfinite(est.value):
            continue
        assert low_d - 1e-9 <= est.value <= high_d + 1e-9, name
        if est.usable:
            assert low_d - 1e-9 <= est.low <= est.value <= est.high <= high_d + 1e-9, (name, est)
            if catalogue.binary(name):
                assert est.high > est.low  # a share of replications never claims certainty
        else:
            assert est.n < 4 or catalogue.binary(name), (name, est)
    for app in scn.applications:
        down = results.samples[f"applications.{app.name}.downtime_hours"]
        assert (down * hours / (52 * 168.0) <= hours + 1e-6).all()  # annualised back


@SLOW
@given(organisations(), st.integers(0, 2**31))
def test_costs_add_up_in_every_replication(scn, seed):
    s = api.simulate(scn, replications=2, seed=seed, workers=1).samples
    np.testing.assert_allclose(s["cost.total"], s["cost.headcount"] + s["cost.oncall"]
                               + s["cost.downtime"], rtol=1e-12)
    np.testing.assert_allclose(s["cost.opex"] + s["cost.capex"],
                               s["cost.headcount"] + s["cost.oncall"], rtol=1e-12)
    standby = sum(v for k, v in s.items() if k.endswith(".standby_cost"))
    callout = sum(v for k, v in s.items() if k.endswith(".callout_cost"))
    np.testing.assert_allclose(s["cost.oncall"], standby + callout, rtol=1e-9, atol=1e-9)
    assert (s["cost.labour"] <= s["cost.headcount"] * (1 + 1e-9)).all()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 3), st.floats(0.3, 0.9), st.floats(0.2, 2.0), st.integers(0, 2**31))
def test_another_responder_never_lengthens_the_wait_beyond_the_interval(c, load, mean, seed):
    rate = load * c / mean  # a single 24x7 tier offered ``load`` of c responders
    waits = []
    for servers in (c, c + 1):
        results = api.simulate(mmc(rate, servers, mean, horizon=4 * WEEK, warmup=24.0),
                               replications=8, seed=seed, workers=1)
        waits.append(results.samples["incidents.queue_wait.mean"])
    # common random numbers: replication r of both saw the same incidents
    diff = paired_difference(waits[0], waits[1])
    assert diff.low <= 0.0, diff
