"""whorunsit fit: a synthetic event log drawn from known parameters (tiers in the group
names, as in the BPI Challenge logs) is fitted to the shipped Ops-run scenario, and the
fit recovers the parameters within their intervals; the command reports, writes a
fitted scenario that loads, and refuses bad input with one located line and exit 2."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
from typer.testing import CliRunner

import eventlogs
from whorunsit import api
from whorunsit.app import app
from whorunsit.fit import FitOptions, fit, routing
from whorunsit.fit.mapping import line_in_name, parse_maps
from whorunsit.fit.output import fitted_yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YBIOR = os.path.join(ROOT, "scenarios", "you-build-it-ops-run-it.yaml")
COLUMNS = dict(c.split("=", 1) for c in eventlogs.COLUMNS)
QUICK = dict(columns=COLUMNS, evaluations=6, search_replications=2, replications=4)


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return eventlogs.write(tmp_path_factory.mktemp("fit") / "events.csv", weeks=8)


@pytest.fixture(scope="module")
def result(log):
    return fit(log, YBIOR, FitOptions(**QUICK, holdout=0.25))


@pytest.mark.parametrize("name, line", [("Service Desk 1st line", 1), ("App L2", 2),
                                        ("Tier 3 support", 3), ("second line ops", 2),
                                        ("Group 56", None), ("L10n team", None)])
def test_lines_in_group_names(name, line):
    assert line_in_name(name) == line


def test_routing_distribution_is_a_distribution():
    r = routing.Routing((0.3, 0.5), (0.1, 0.05))
    d = routing.distribution(r, 3, entry=0.4, entry_tier=1)
    assert d.handoffs.sum() == pytest.approx(1.0)
    assert d.highest.sum() == pytest.approx(1.0)
    # misroutes only at L1 for customers: 0.6 x 0.1, at L2 for everyone who gets there
    assert 0 < d.ping_pong < 1


def test_the_fit_recovers_the_known_parameters(result):
    truth = eventlogs.TRUTH
    n = result.train.n
    # rate: Poisson, 3 standard errors
    weeks = result.train.last - result.train.first + 1
    assert abs(result.train.per_week - truth["per_week"]) < 3 * math.sqrt(truth["per_week"] / weeks)
    r = result.direct.routing
    assert abs(r.resolve[0] - truth["resolve"][0]) < 3 * math.sqrt(0.25 / n)
    reached_l2 = n * (1 - truth["resolve"][0])
    assert abs(r.resolve[1] - truth["resolve"][1]) < 3 * math.sqrt(0.24 / reached_l2)
    assert abs(r.misroute[0] - truth["misroute"][0]) < 3 * math.sqrt(0.09 / n) + 0.02
    share, median, _p95 = result.direct.hold
    f = result.train.figures["on_hold.share"]
    assert f.low <= truth["hold_share"] <= f.high
    assert abs(share - truth["hold_share"]) < 3 * math.sqrt(0.16 / n)
    held = result.train.hold[result.train.hold > 0]
    from whorunsit.calibrate import intervals
    ci = intervals.quantile(held, 0.5, "h")
    assert ci.low <= truth["hold_median"] <= ci.high
    assert abs(median - truth["hold_median"]) <= max(ci.high - median, median - ci.low) * 1.0001


def test_handoff_shares_are_reproduced_on_both_stretches(result):
    for which in ("train", "test"):
        rows = [r for r in result.rows(which) if r.section == "Handoffs per incident"]
        assert len(rows) == 4
        for r in rows:
            assert abs(r.model.value - r.log.value) < 0.05 + 2 * math.sqrt(0.25 / r.log.n)


def test_mapping_by_line_in_the_name(result):
    table = dict((g, how) for g, _n, how in result.mapping.table(result.cases.groups))
    assert table["Application Support 2nd line"].startswith("L2")
    assert table["Development L3"].startswith("L3")


def test_the_fitted_scenario_loads_and_carries_the_fit(result, tmp_path):
    out = tmp_path / "fitted.yaml"
    from whorunsit.fit.output import write
    write(result, out)
    scn = api.load(out)
    path = next(p for p in scn.support_paths if p.name == result.path)
    assert path.on_hold is not None
    assert path.on_hold.share == pytest.approx(result.direct.hold[0], rel=1e-3)
    assert path.tiers[0].resolve == pytest.approx(result.direct.routing.resolve[0], rel=1e-3)
    assert scn.applications[0].incident_rate * 168 == pytest.approx(
        result.fitted.applications[0].incident_rate * 168, rel=1e-4)
    assert "extends:" in fitted_yaml(result, out)
    assert scn.horizon == result.fitted.horizon


def test_simulated_handoffs_match_the_routing_model(result):
    """The engine's mean handoffs per incident agree with the closed form the fit uses."""
    det = next(p for p in result.fitted.support_paths if p.name == result.path).detection
    d = routing.distribution(result.direct.routing, 3, det.alert_share, det.alert_entry_tier)
    exact_mean = float(np.dot(d.handoffs[:3], [0, 1, 2]))  # 3+ is 3 or 5
    est = result.results.estimate("incidents.handoffs.mean")
    assert exact_mean <= est.high + 0.1
    assert est.value < exact_mean + 3 * d.handoffs[3] + 0.1


def _args(log, *more):
    args = ["fit", str(log), YBIOR, "--evaluations", "4", "--replications", "4", "--workers", "1"]
    for c in eventlogs.COLUMNS:
        args += ["--column", c]
    return args + list(more)


def test_the_command_reports_side_by_side(log):
    result = CliRunner().invoke(app, _args(log, "--format", "json", "--holdout", "25%"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["name"] for s in data["sections"]] == ["fitted", "holdout"]
    figures = {r["figure"] for r in data["sections"][0]["rows"]}
    assert {"p50", "p90", "0", "3+", "share put on hold"} <= figures
    assert data["moved"]
    assert all(isinstance(r["within_target"], bool) for r in data["sections"][0]["rows"]
               if r["section"] == "Handoffs per incident")
    md = CliRunner().invoke(app, _args(log, "--format", "markdown"))
    assert md.exit_code == 0 and "| Time to restore | p50 |" in md.output


@pytest.mark.parametrize("more, message", [
    (["--holdout", "1.5"], "--holdout: '1.5' is not a fraction"),
    (["--map", "*Desk*=L9"], "--map: 'L9' is no tier or team"),
    (["--map", "nonsense"], "--map: 'nonsense' is not GROUP_PATTERN=TARGET"),
    (["--support-path", "nope"], "--support-path: unknown support path 'nope'"),
    (["--resolved-status", "("], "--resolved-status: '(' is not a regular expression"),
    (["--format", "pdf"], "--format must be one of"),
])
def test_bad_input_is_one_line_and_exit_2(log, tmp_path, more, message):
    out = tmp_path / "fitted.yaml"
    out.write_text("keep me\n")
    result = CliRunner().invoke(app, _args(log, "-o", str(out), *more))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert out.read_text() == "keep me\n"


def test_map_patterns_are_globs_or_regexes():
    rules = parse_maps(["*Desk*=L1", "re:^Dev=L3"])
    assert rules[0].regex.match("Service Desk 1st line")
    assert rules[1].regex.search("Development L3")


def test_the_table_at_a_fixed_width(result):
    from whorunsit.fit.render import render
    text = render(result, "table", width=120)
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 120
    for needle in ("Log against model, fitted weeks", "Log against model, holdout weeks",
                   "Kolmogorov-Smirnov distance", "Parameters the fit moved",
                   "Groups and the tiers they stand for", "On hold"):
        assert needle in text


def test_a_log_without_groups_keeps_the_routing_and_says_so(log):
    columns = {**COLUMNS, "group": ""}
    res = fit(log, YBIOR, FitOptions(**{**QUICK, "columns": columns}))
    scn = api.load(YBIOR)
    path = next(p for p in scn.support_paths if p.name == res.path)
    assert res.direct.routing.resolve == tuple(t.resolve for t in path.tiers[:-1])
    assert any("no group column" in n for n in res.notes)
    assert not [r for r in res.rows() if r.section.startswith(("Handoffs", "Workload"))]


def test_a_priority_the_path_cannot_tell_apart_is_named(result):
    import copy
    import dataclasses

    from whorunsit.calibrate.intervals import Figure
    figures = dict(result.train.figures)
    p3 = figures["P3.time_to_restore.p50"]
    figures["P1.time_to_restore.p50"] = Figure(p3.value * 10, p3.high * 5, p3.value * 20, "h", 50)
    other = copy.copy(result)
    other.train = dataclasses.replace(result.train, figures=figures)
    assert any(w.startswith("P1 incidents take") for w in other.warnings())
    assert not any(w.startswith("P1 incidents take") for w in result.warnings())
