"""``kernel_draws`` with a compiled plan transforms only the tier draws the loop can read,
and those exactly as it transforms all of them (the kernel's parity with the Python
engine, tests/test_kernel.py, then covers what the loop does with them)."""

from __future__ import annotations

import os

import numpy as np

from test_kernel import shortened
from whorunsit.engine import kernel, kernel_draws
from whorunsit.engine.draws import ROUTE
from whorunsit.engine.plan import Plan

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def reachable(plan: Plan, kp, d) -> np.ndarray:
    """(row, tier) pairs a ticket can visit, worked out row by row in Python: from its
    channel's entry tier up while not resolved; deployment rows only if they fail."""
    out = np.zeros(d.tier.shape[:2], bool)
    inc_app = np.repeat(np.arange(len(plan.apps)),
                        np.diff(np.append(d.inc_off, d.n_inc)))
    dep_app = np.repeat(np.arange(len(plan.apps)), d.dep_rows)
    for r in range(len(d.tier)):
        if r < d.n_inc:
            a, alert = inc_app[r], d.inc_alert[r]
        else:
            a, alert = dep_app[r - d.n_inc], d.dep_alert[r - d.n_inc]
            if not d.fail[r - d.n_inc] < plan.apps[a].change_failure_rate:
                continue
        for j in range(kp.entry[a] if alert else 0, len(plan.apps[a].tiers)):
            out[r, j] = True
            if kp.t_last[a, j] or d.tier[r, j, ROUTE] < kp.t_resolve[a, j]:
                break
    return out


def test_only_reachable_tiers_are_transformed_and_identically():
    plan = Plan(shortened(os.path.join(ROOT, "scenarios", "you-build-it-ops-run-it-at-scale.yaml"),
                          weeks=6))
    kp, _caps = kernel._compiled(plan)
    every, _i, _t = kernel_draws.draw(plan, 3, 1, spare=2)
    some, _i, _t = kernel_draws.draw(plan, 3, 1, spare=2, kp=kp)
    for name in every._fields:
        if name != "tier":
            assert np.array_equal(getattr(some, name), getattr(every, name)), name
    visit = reachable(plan, kp, every)
    assert 0 < visit.sum() < 0.8 * visit.size  # the saving is real in this scenario
    assert np.array_equal(some.tier[visit], every.tier[visit])
    assert np.array_equal(some.tier[:, :, ROUTE], every.tier[:, :, ROUTE])
    skipped = some.tier[~visit]
    assert ((skipped >= 0.0) & (skipped < 1.0)).all()  # left as uniforms
    assert not np.array_equal(skipped, every.tier[~visit])
