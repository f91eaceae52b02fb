"""Paired comparison across replications (stats.compare), on synthetic samples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from whorunsit.errors import InputError
from whorunsit.model import Scenario
from whorunsit.stats import compare as cmp
from whorunsit.stats.intervals import mean_interval, t_quantile
from whorunsit.stats.results import Results


def results(samples: dict, *, name: str = "A", currency: str = "GBP") -> Results:
    scenario = Scenario(name=name, teams=(), applications=(), support_paths=(),
                        source=f"{name}.yaml", currency=currency)
    return Results(scenario, 1, {k: np.asarray(v, dtype=float) for k, v in samples.items()})


def test_difference_is_computed_replication_by_replication():
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    b = np.array([2.0, 4.0, 6.0, 8.0, 10.0])
    diff = cmp.paired_difference(a, b)
    half = t_quantile(4) * math.sqrt(2.5) / math.sqrt(5)  # differences 1..5: variance 2.5
    assert diff.delta == pytest.approx(3.0)
    assert (diff.low, diff.high) == pytest.approx((3.0 - half, 3.0 + half))
    assert diff.n == 5
    # the same numbers in another order pair differently: the pairing is by replication
    shuffled = cmp.paired_difference(a, b[::-1])
    assert shuffled.delta == pytest.approx(3.0)
    assert shuffled.high - shuffled.low > diff.high - diff.low


def test_paired_interval_is_narrower_than_unpaired_under_common_random_numbers():
    rng = np.random.default_rng(7)
    shared = rng.standard_normal(200)  # what both runs drew from the same streams
    base = 10 + 3 * shared + 0.2 * rng.standard_normal(200)
    other = 9.7 + 3 * shared + 0.2 * rng.standard_normal(200)
    diff = cmp.paired_difference(base, other)
    assert diff.high - diff.low < 0.2 * (diff.unpaired_high - diff.unpaired_low)
    assert diff.significant and diff.high < 0
    # without pairing the same improvement would not even be significant
    assert diff.unpaired_low < 0 < diff.unpaired_high
    assert cmp.verdict("lower", diff) == cmp.BETTER
    assert cmp.verdict("higher", diff) == cmp.WORSE
    assert cmp.verdict("neutral", diff) == cmp.CHANGED


def test_difference_pairs_only_replications_both_runs_have():
    a = np.array([1.0, np.nan, 3.0, 4.0, 6.0, 7.0, 9.0])
    b = np.array([2.0, 5.0, np.nan, 5.0, 7.0, 8.0])
    diff = cmp.paired_difference(a, b)
    assert diff.n == 4  # replications 0, 3, 4 and 5; 6 has no partner
    assert diff.delta == pytest.approx(1.0)
    assert (diff.low, diff.high) == (1.0, 1.0)
    # with fewer than four pairs there is no interval to speak of
    few = cmp.paired_difference(a[:4], b[:4])
    assert few.n == 2 and (few.low, few.high) == (-math.inf, math.inf)
    assert not math.isnan(diff.relative)


def test_no_difference_is_not_significant():
    x = np.linspace(1, 2, 30)
    diff = cmp.paired_difference(x, x.copy())
    assert (diff.delta, diff.low, diff.high) == (0.0, 0.0, 0.0)
    assert not diff.significant
    assert cmp.verdict("lower", diff) == cmp.SAME


def test_ratio_interval_exact_for_proportional_runs():
    a = np.array([2.0, 4.0, 6.0, 8.0])
    rel, low, high = cmp.ratio_interval(a, 1.1 * a)
    assert (rel, low, high) == pytest.approx((0.1, 0.1, 0.1))


def test_ratio_interval_from_zero():
    assert cmp.ratio_interval([0, 0, 0], [0, 0, 0]) == (0.0, 0.0, 0.0)
    assert all(math.isnan(x) for x in cmp.ratio_interval([0, 0, 0], [0, 1, 0]))


def test_ratio_interval_covers_the_true_ratio_95_percent_of_the_time():
    rng = np.random.default_rng(2026)
    trials, covered = 1000, 0
    for _ in range(trials):
        shared = rng.gamma(4.0, 1.0, 40)
        base = shared + rng.exponential(1.0, 40)  # mean 5
        other = 1.2 * shared + rng.exponential(1.0, 40)  # mean 5.8: ratio 1.16
        _, low, high = cmp.ratio_interval(base, other)
        covered += low <= 0.16 <= high
    # binomial sd at p=0.95, n=1000 is 0.7%; allow 3 sd either side of nominal
    assert 0.95 - 0.021 <= covered / trials <= 0.95 + 0.021


def test_compare_side_by_side_with_a_metric_only_one_scenario_has():
    rng = np.random.default_rng(3)
    z = rng.standard_normal(50)
    a = results({"incidents.time_to_restore.p95": 8 + z, "teams.app-ops.utilisation": 0.6 + 0.01 * z,
                 "cost.total": 1e6 + 1e4 * z})
    b = results({"incidents.time_to_restore.p95": 5 + z, "teams.delivery-1.utilisation": 0.3 + 0.01 * z,
                 "cost.total": 1.1e6 + 1e4 * z}, name="B")
    comparison = cmp.compare([a, b])
    by_name = {m.name: m for m in comparison.metrics}
    ttr = by_name["incidents.time_to_restore.p95"]
    assert ttr.differences[0].delta == pytest.approx(-3.0)
    assert ttr.verdict(1) == cmp.BETTER
    assert ttr.unit == "h" and ttr.section == "Outcomes"
    assert by_name["cost.total"].verdict(1) == cmp.WORSE
    assert by_name["cost.total"].unit == "GBP/year"
    only_a = by_name["teams.app-ops.utilisation"]
    assert only_a.estimates[1] is None and only_a.differences == (None,)
    assert only_a.verdict(1) is None
    only_b = by_name["teams.delivery-1.utilisation"]
    assert only_b.estimates[0] is None and only_b.estimates[1].value == pytest.approx(0.3, abs=0.01)
    assert [title for title, _ in comparison.sections()] == ["Outcomes", "Flow", "On-call & cost"]


def test_compare_three_scenarios_each_against_the_first():
    a = results({"cost.total": [1.0, 2.0, 3.0]})
    b = results({"cost.total": [2.0, 3.0, 4.0]}, name="B")
    c = results({"cost.total": [0.0, 1.0, 2.0]}, name="C")
    (metric,) = cmp.compare([a, b, c]).metrics
    assert [d.delta for d in metric.differences] == [1.0, -1.0]
    assert metric.estimates[2].value == pytest.approx(1.0)


def test_metrics_are_picked_by_name_or_glob():
    names = ["cost.total", "cost.opex", "teams.a.utilisation", "teams.b.utilisation"]
    assert cmp.select_metrics(names, ["cost.total"]) == ["cost.total"]
    assert cmp.select_metrics(names, ["teams.*.utilisation", "cost.o*"]) == [
        "cost.opex", "teams.a.utilisation", "teams.b.utilisation"]
    with pytest.raises(InputError) as exc:
        cmp.select_metrics(names, ["cots.*", "cost.totl"])
    messages = [str(p) for p in exc.value.problems]
    assert "did you mean 'cost.*'?" in messages[0]
    assert "did you mean 'cost.total'?" in messages[1]


def test_metrics_sort_into_report_sections_with_teams_kept_together():
    names = ["cost.total", "teams.b.utilisation", "teams.a.queue_wait.mean", "teams.a.utilisation",
             "incidents.handoffs.mean", "incidents.time_to_restore.p95", "applications.x.availability"]
    a = results(dict.fromkeys(names, [1.0, 2.0]))
    b = results(dict.fromkeys(names, [1.0, 2.0]), name="B")
    order = [m.name for m in cmp.compare([a, b]).metrics]
    assert order == ["incidents.time_to_restore.p95", "applications.x.availability",
                     "incidents.handoffs.mean", "teams.a.utilisation", "teams.a.queue_wait.mean",
                     "teams.b.utilisation", "cost.total"]


def test_urgent_time_to_restore_is_an_outcome_and_per_priority_figures_are_flow():
    names = ["incidents.P1.time_to_restore.p95", "incidents.handoffs.mean",
             "incidents.urgent.time_to_restore.p95", "incidents.time_to_restore.p95"]
    a = results(dict.fromkeys(names, [1.0, 2.0]))
    b = results(dict.fromkeys(names, [1.0, 3.0]), name="B")
    metrics = cmp.compare([a, b]).metrics
    by_name = {m.name: m for m in metrics}
    assert [m.name for m in metrics] == [
        "incidents.time_to_restore.p95", "incidents.urgent.time_to_restore.p95",
        "incidents.P1.time_to_restore.p95", "incidents.handoffs.mean"]
    urgent = by_name["incidents.urgent.time_to_restore.p95"]
    assert urgent.section == "Outcomes" and urgent.unit == "h"
    assert by_name["incidents.P1.time_to_restore.p95"].section == "Flow"


def test_compare_refuses_mixed_currencies_and_a_single_scenario():
    a = results({"cost.total": [1.0, 2.0]})
    b = results({"cost.total": [1.0, 2.0]}, name="B", currency="EUR")
    with pytest.raises(InputError, match="EUR"):
        cmp.compare([a, b])
    with pytest.raises(InputError):
        cmp.compare([a])


def test_estimates_match_the_results_own():
    a = results({"cost.total": [1.0, 2.0, 4.0]})
    b = results({"cost.total": [1.0, 2.0, 5.0]}, name="B")
    (metric,) = cmp.compare([a, b]).metrics
    assert metric.estimates[0].ci95 == pytest.approx(mean_interval([1.0, 2.0, 4.0])[1:])


def test_a_clear_but_small_difference_is_no_material_change():
    # 56 seconds off a 15-hour time to restore: real (every replication agrees) but small
    base = 15 + np.linspace(-1, 1, 40)
    diff = cmp.paired_difference(base, base - 56 / 3600)
    assert diff.significant
    duration = cmp.PRACTICAL["duration"]
    assert duration.threshold(15.0) == pytest.approx(0.75)  # 5% of 15h is above the 5m floor
    assert cmp.verdict("lower", diff, duration.threshold(diff.base)) == cmp.SMALL
    # the same clear change is better once it passes the threshold
    big = cmp.paired_difference(base, base - 1.0)
    assert cmp.verdict("lower", big, duration.threshold(big.base)) == cmp.BETTER
    # a not-significant difference stays "same", whatever its size
    noisy = cmp.paired_difference(base, base[::-1] - 0.01)
    assert cmp.verdict("lower", noisy, 0.0) == cmp.SAME


def test_nearly_idle_team_is_not_worse_for_a_fraction_of_a_point():
    rng = np.random.default_rng(5)
    base = 0.013 + 0.001 * rng.standard_normal(50)
    a = results({"teams.t.utilisation": base})
    b = results({"teams.t.utilisation": base + 0.003}, name="B")
    (m,) = cmp.compare([a, b]).metrics
    assert m.differences[0].significant and m.verdict(1) == cmp.SMALL
    assert m.threshold(1) == pytest.approx(0.01)  # the 1pp floor, not 5% of 1.3%
    strict = cmp.compare([a, b], practical={"share": cmp.Practical(0.0, 0.0)})
    assert strict.metrics[0].verdict(1) == cmp.WORSE


def test_every_catalogue_metric_has_a_practical_kind():
    from whorunsit.stats import catalogue

    for entry in catalogue.CATALOGUE:
        name = entry.pattern.replace("*", "x")
        assert cmp.kind(name) in cmp.PRACTICAL, name
    assert cmp.kind("applications.shop.availability") == "availability"
    assert cmp.kind("cost.total") == "money" and cmp.kind("incidents.time_to_restore.p95") == "duration"


def test_metrics_did_you_mean_offers_the_nearest_percentile():
    names = ["incidents.time_to_restore.p50", "incidents.time_to_restore.p95",
             "incidents.time_to_restore.p99"]
    with pytest.raises(InputError) as info:
        cmp.select_metrics(names, ["incidents.time_to_restore.p90"])
    assert "did you mean 'incidents.time_to_restore.p95'?" in str(info.value.problems[0])
