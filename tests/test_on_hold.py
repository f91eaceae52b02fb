"""Incidents on hold (waiting on the user or a vendor): a support-path key, validated like
every other; a wait before the first tier drawn from a stream of its own, so scenarios
without it are unchanged; the same numbers in both engines; its own metric and report
line; and never played by the fast path."""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

from test_kernel import shortened
from test_naive_oracle import assert_agrees
from whorunsit.engine.fastpath import fastpath
from whorunsit.engine.loop.kernel import run_replication
from whorunsit.engine.plan.plan import plan_for
from whorunsit.engine.random.quantiles import quantile
from whorunsit.errors import InputError
from whorunsit.model import OnHold
from whorunsit.scenario import load_scenario

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YBIOR = os.path.join(ROOT, "scenarios", "you-build-it-ops-run-it.yaml")
def held(scn, share=0.3, wait=None):
    wait = wait or _wait_of_yaml()
    paths = tuple(dataclasses.replace(p, on_hold=OnHold(share, wait)) for p in scn.support_paths)
    return dataclasses.replace(scn, support_paths=paths)


def _wait_of_yaml():
    with tempfile.TemporaryDirectory() as tmp:
        path = _with_hold(YBIOR, "share: 30%; wait: lognormal(median=1d, p95=5d)",
                          os.path.join(tmp, "hold.yaml"))
        return load_scenario(path).support_paths[0].on_hold.wait


def _with_hold(src: str, hold: str, dst: str) -> str:
    """``hold`` as 'key: value; key: value', written as a block under the path."""
    block = "".join(f"      {item.strip()}\n" for item in hold.split(";"))
    text = Path(src).read_text().replace("  ops-run:\n", f"  ops-run:\n    on_hold:\n{block}", 1)
    Path(dst).write_text(text)
    return dst


def test_the_key_is_read_into_the_model(tmp_path):
    scn = load_scenario(_with_hold(YBIOR, "share: 20%; wait: lognormal(median=1d, p95=5d)",
                                   str(tmp_path / "s.yaml")))
    hold = scn.support_paths[0].on_hold
    assert hold.share == pytest.approx(0.2)
    assert quantile(hold.wait, 0.5) == pytest.approx(24.0)
    assert load_scenario(YBIOR).support_paths[0].on_hold is None


@pytest.mark.parametrize("hold, message", [
    ("share: 120%; wait: 1d", "share"),
    ("wait: 1d", "share"),
    ("share: 20%; wait: lognormal(median=1d)", "wait"),
    ("share: 20%; wait: 1d; until: user", "until"),
])
def test_bad_keys_are_located(tmp_path, hold, message):
    path = _with_hold(YBIOR, hold, str(tmp_path / "s.yaml"))
    with pytest.raises(InputError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "s.yaml:" in text and message in text
    line = [p.location.line for p in err.value.problems][0]
    assert line in range(88, 93)


def test_without_hold_results_are_unchanged_and_the_metric_absent():
    scn = shortened(YBIOR)
    plan = plan_for(scn)
    m, _ = run_replication(plan, 0, 5)
    assert "incidents.on_hold.mean" not in m
    nohold = held(scn, share=0.0)
    m0, _ = run_replication(plan_for(nohold), 0, 5)
    assert m0 == m


def test_hold_adds_to_time_to_restore_and_is_measured():
    scn = shortened(YBIOR, weeks=8)
    base = [run_replication(plan_for(scn), r, 5)[0] for r in range(4)]
    hold = [run_replication(plan_for(held(scn)), r, 5)[0] for r in range(4)]
    for a, b in zip(base, hold, strict=True):
        assert b["incidents.time_to_restore.mean"] > a["incidents.time_to_restore.mean"]
    values = np.array([m["incidents.on_hold.mean"] for m in hold])
    # 30% held, lognormal(median 24h, p95 120h): mean 0.3 x 24 x exp(s^2/2), s = ln5/1.645
    s = math.log(5.0) / 1.6448536
    expected = 0.3 * 24.0 * math.exp(s * s / 2)
    assert abs(values.mean() - expected) < 0.35 * expected


def test_the_engine_agrees_with_the_oracle_with_hold():
    assert_agrees(held(shortened(YBIOR)))


def test_the_fast_path_declines():
    scn = held(load_scenario(os.path.join(ROOT, "scenarios", "you-build-it-you-run-it.yaml")))
    assert any("on hold" in r for r in fastpath.why_not(scn))
