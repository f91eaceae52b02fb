"""Parsing gate assertions: thresholds in the metric's unit, delta(), levels, and errors."""

from __future__ import annotations

import pytest

from whorunsit.errors import InputError, Location
from whorunsit.gate import assertions as gate
from whorunsit.model import Funding, GateSpec, Scenario, Team, TeamKind


def spec(text: str, level: str = "error", line: int = 3, col: int = 5, file: str = "gates.yaml") -> GateSpec:
    return GateSpec(text, level, Location(file, line, col))


def scenario(*teams: str, currency: str = "GBP", source: str = "s.yaml") -> Scenario:
    return Scenario(
        name="s", source=source, currency=currency, applications=(), support_paths=(),
        teams=tuple(Team(t, TeamKind.DELIVERY, 5, 2, Funding.CAPEX) for t in teams),
    )


@pytest.mark.parametrize(
    ("text", "metric", "op", "threshold"),
    [
        ("incidents.time_to_restore.p95 < 4h", "incidents.time_to_restore.p95", "<", 4.0),
        ("incidents.time_to_restore.p95<=90m", "incidents.time_to_restore.p95", "<=", 1.5),
        ("incidents.time_to_restore.p95 <= 3d", "incidents.time_to_restore.p95", "<=", 72.0),
        ("oncall.unpaid_hours == 0", "oncall.unpaid_hours", "==", 0.0),
        ("oncall.unpaid_hours <= 40h/year", "oncall.unpaid_hours", "<=", 40.0),
        ("cost.total <= 1.2M GBP", "cost.total", "<=", 1_200_000.0),
        ("cost.total <= 1.2M", "cost.total", "<=", 1_200_000.0),
        ("cost.oncall < 250k GBP/year", "cost.oncall", "<", 250_000.0),
        ("applications.checkout.availability >= 99.9%", "applications.checkout.availability", ">=", 0.999),
        ("incidents.flow_efficiency > 0.2", "incidents.flow_efficiency", ">", 0.2),
        ("deployments.throughput_per_week >= 2/day", "deployments.throughput_per_week", ">=", 14.0),
        ("deployments.throughput_per_week >= 10", "deployments.throughput_per_week", ">=", 10.0),
        ("incidents.handoffs.mean < 1.5", "incidents.handoffs.mean", "<", 1.5),
    ],
)
def test_thresholds_are_converted_to_the_metric_unit(text, metric, op, threshold):
    a = gate.parse(spec(text))
    assert (a.metric, a.op, a.delta, a.relative) == (metric, op, False, False)
    assert a.threshold == pytest.approx(threshold)
    assert a.level == "error" and a.location == Location("gates.yaml", 3, 5)


def test_relative_and_absolute_deltas():
    rel = gate.parse(spec("delta(cost.oncall) <= 10%"))
    assert (rel.metric, rel.delta, rel.relative, rel.threshold, rel.unit) == ("cost.oncall", True, True, 0.1, "%")
    assert rel.subject == "delta(cost.oncall)"
    absolute = gate.parse(spec("delta(deployments.lead_time.p50) < 0"))
    assert (absolute.delta, absolute.relative, absolute.threshold, absolute.unit) == (True, False, 0.0, "h")
    hours = gate.parse(spec("delta( incidents.time_to_restore.p95 ) <= -30m"))
    assert hours.threshold == pytest.approx(-0.5) and not hours.relative
    points = gate.parse(spec("delta(applications.checkout.availability) >= -0.5pp"))
    assert points.threshold == pytest.approx(-0.005) and not points.relative
    money = gate.parse(spec("delta(cost.total) <= -50k GBP"))
    assert money.threshold == pytest.approx(-50_000.0)


def test_warn_level_is_kept():
    assert gate.parse(spec("oncall.unpaid_hours == 0", level="warn")).level == "warn"


def problem_of(text: str, **kwargs) -> str:
    with pytest.raises(InputError) as exc:
        gate.parse(spec(text), **kwargs)
    (problem,) = exc.value.problems
    return str(problem)


def test_unknown_metric_is_an_error_with_did_you_mean():
    message = problem_of("incidents.time_to_restor.p95 < 4h")
    assert message.startswith("gates.yaml:3:5: unknown metric 'incidents.time_to_restor.p95'")
    assert "did you mean 'incidents.time_to_restore.p95'?" in message


def test_unknown_team_is_an_unknown_metric_for_that_scenario():
    known = gate.known_metrics(scenario("app-ops", "delivery"))
    assert "teams.app-ops.utilisation" in known and "oncall.delivery.unpaid_hours" in known
    message = problem_of("teams.app-opz.utilisation < 85%", known=known)
    assert "unknown metric 'teams.app-opz.utilisation'; did you mean 'teams.app-ops.utilisation'?" in message


def test_problem_points_at_the_metric_in_the_file(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text('gates:\n  - "delta(cost.oncal) <= 10%"\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        gate.parse(GateSpec("delta(cost.oncal) <= 10%", "error", Location(str(path), 2, 5)))
    assert str(exc.value.problems[0]).startswith(f"{path}:2:12: unknown metric 'cost.oncal'")


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("incidents.time_to_restore.p95 < 4", "has no unit; a duration such as 4h"),
        ("incidents.time_to_restore.p95 < 10%", "'10%' is a percentage but incidents.time_to_restore.p95 is in hours"),
        ("cost.total <= 4h", "is a duration but cost.total is in money per year"),
        ("cost.total <= 1.2M EUR", "in EUR but the scenario's currency is GBP"),
        ("incidents.count < 3/week", "is a rate but incidents.count is in a count"),
        ("delta(cost.total) <= 5pp", "percentage points but cost.total is not a share"),
        ("incidents.flow_efficiency > 2", "'2' is more than 1"),
        ("incidents.time_to_restore.p95 4h", "has no comparison; one of < <= > >= =="),
        ("incidents.time_to_restore.p95 != 4h", "has operator '!='"),
        ("incidents.time_to_restore.p95 <", "has no threshold after '<'"),
        ("incidents.time_to_restore.p95 < soon", "'soon' is not a quantity"),
        ("mean(cost.total) < 3", "unknown function 'mean'"),
        ("", "is not an assertion"),
    ],
)
def test_bad_assertions_say_what_is_wrong_and_what_is_expected(text, wanted):
    assert wanted in problem_of(text)


def test_bad_level():
    with pytest.raises(InputError, match="unknown level 'fatal'; error or warn"):
        gate.parse(spec("cost.total < 1M", level="fatal"))


def test_parse_all_collects_every_problem():
    specs = [spec("cost.totl < 1M", line=1), spec("cost.total < 1M", line=2),
             spec("delta(cost.total) < 0", line=3), spec("incidents.count < 1h", line=4)]
    with pytest.raises(InputError) as exc:
        gate.parse_all(specs, scenario())
    lines = [str(p) for p in exc.value.problems]
    assert [p.location.line for p in exc.value.problems] == [1, 3, 4]
    assert "--baseline BASE.yaml" in lines[1]


def test_delta_needs_the_metric_in_the_baseline():
    candidate, baseline = scenario("delivery-1", "delivery-2"), scenario("delivery-1", source="base.yaml")
    parsed = gate.parse_all([spec("delta(teams.delivery-1.utilisation) < 0")], candidate, baseline)
    assert parsed[0].metric == "teams.delivery-1.utilisation"
    with pytest.raises(InputError, match="the baseline base.yaml has no metric 'teams.delivery-2.utilisation'"):
        gate.parse_all([spec("delta(teams.delivery-2.utilisation) < 0")], candidate, baseline)
    # a team only in the proposal can still be gated on its own value
    assert gate.parse_all([spec("teams.delivery-2.utilisation < 85%")], candidate, baseline)


def test_did_you_mean_offers_the_nearest_percentile():
    from whorunsit.gate.assertions import did_you_mean

    known = ["incidents.time_to_restore.p50", "incidents.time_to_restore.p95",
             "incidents.time_to_restore.p99", "deployments.lead_time.p50"]
    assert did_you_mean("incidents.time_to_restore.p90", known) == \
        "did you mean 'incidents.time_to_restore.p95'?"
    assert did_you_mean("incidents.time_to_restore.p60", known) == \
        "did you mean 'incidents.time_to_restore.p50'?"
    assert did_you_mean("deployments.lead_time.p95", known) == "did you mean 'deployments.lead_time.p50'?"
    # not a percentile: the closest spelling, as before
    assert did_you_mean("cost.totl", ["cost.total", "cost.oncall"]) == "did you mean 'cost.total'?"
