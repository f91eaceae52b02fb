"""``kernel_draws`` with a compiled plan transforms only the tier draws the loop can read,
and those exactly as it transforms all of them (the kernel's parity with the Python
engine, tests/test_kernel.py, then covers what the loop does with them)."""

from __future__ import annotations

import os

import numpy as np

from test_kernel import shortened
from whorunsit.engine.loop import kernel
from whorunsit.engine.plan.plan import Plan
from whorunsit.engine.random import kernel_draws
from whorunsit.engine.random.draws import (
    BE_DELAY_U,
    BE_U,
    HANDOFF,
    PICKUP,
    REPICKUP,
    ROUTE,
    TIER_COLUMNS,
    TRIAGE,
    WORK,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def reachable(plan: Plan, kp, d) -> np.ndarray:
    """The duration draws a ticket can read, worked out row by row in Python: from its
    channel's entry tier up while not resolved (pickup and work where it goes, a handoff
    where it goes up, triage and re-pickup where it is misrouted first); deployment rows
    only if they fail."""
    out = np.zeros(d.tier_draws.shape, bool)
    inc_app = np.repeat(np.arange(len(plan.apps)),
                        np.diff(np.append(d.inc_off, d.n_inc)))
    dep_app = np.repeat(np.arange(len(plan.apps)), d.dep_rows)
    for r in range(len(d.tier_draws)):
        if r < d.n_inc:
            a, alert = inc_app[r], d.inc_alert[r]
        else:
            a, alert = dep_app[r - d.n_inc], d.dep_alert[r - d.n_inc]
            if not d.fail[r - d.n_inc] < plan.apps[a].change_failure_rate:
                continue
        for j in range(kp.app_alert_entry[a] if alert else 0, len(plan.apps[a].tiers)):
            out[r, j, [PICKUP, WORK]] = True
            u = d.tier_draws[r, j, ROUTE]
            if kp.tier_last[a, j] or u < kp.tier_resolve[a, j]:
                break
            out[r, j, HANDOFF] = True
            out[r, j, [TRIAGE, REPICKUP]] = u < kp.tier_resolve[a, j] + kp.tier_misroute[a, j]
    return out


def test_only_reachable_tiers_are_transformed_and_identically():
    plan = Plan(shortened(os.path.join(ROOT, "scenarios", "you-build-it-ops-run-it-at-scale.yaml"),
                          weeks=6))
    kp, _caps = kernel._compiled(plan)
    every, _i, _t = kernel_draws.draw(plan, 3, 1, spare=2)
    some, _i, _t = kernel_draws.draw(plan, 3, 1, spare=2, kp=kp)
    for name in every._fields:
        if name != "tier_draws":
            assert np.array_equal(getattr(some, name), getattr(every, name)), name
    visit = reachable(plan, kp, every)
    durations = 5 * visit.size // TIER_COLUMNS
    assert 0 < visit.sum() < 0.5 * durations  # the saving is real in this scenario
    assert visit[:, :, TRIAGE].any()
    assert np.array_equal(some.tier_draws[visit], every.tier_draws[visit])
    for col in range(TIER_COLUMNS):
        if col not in (PICKUP, WORK, HANDOFF, TRIAGE, REPICKUP):  # never transformed
            assert np.array_equal(some.tier_draws[:, :, col], every.tier_draws[:, :, col])
    visit[:, :, [ROUTE, BE_U, BE_DELAY_U]] = True
    skipped = some.tier_draws[~visit]
    assert ((skipped >= 0.0) & (skipped < 1.0)).all()  # left as uniforms
    assert not np.array_equal(skipped, every.tier_draws[~visit])
