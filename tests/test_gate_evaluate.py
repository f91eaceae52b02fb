"""Judging assertions on confidence intervals, and rerunning while inconclusive."""

from __future__ import annotations

import math

import numpy as np
import pytest

from whorunsit.errors import InputError, Location
from whorunsit.exitcodes import ExitCode
from whorunsit.gate import FAIL, INCONCLUSIVE, PASS, evaluate, judge, parse, run_gate
from whorunsit.gate.runner import next_replications
from whorunsit.model import GateSpec, Scenario
from whorunsit.stats.intervals import mean_interval
from whorunsit.stats.results import Results


def scenario(name: str = "proposal", replications: int = 20, seed: int = 5) -> Scenario:
    return Scenario(name=name, teams=(), applications=(), support_paths=(), source=f"{name}.yaml",
                    replications=replications, seed=seed)


def results(samples: dict, name: str = "proposal") -> Results:
    return Results(scenario(name), 5, {k: np.asarray(v, dtype=float) for k, v in samples.items()})


def assertion(text: str, level: str = "error"):
    return parse(GateSpec(text, level, Location("gates.yaml", 7, 5)))


@pytest.mark.parametrize(
    ("op", "low", "high", "status"),
    [
        ("<", 1.0, 3.9, PASS), ("<", 3.0, 4.0, INCONCLUSIVE), ("<", 4.0, 5.0, FAIL),
        ("<=", 3.0, 4.0, PASS), ("<=", 4.0, 5.0, INCONCLUSIVE), ("<=", 4.1, 5.0, FAIL),
        (">", 4.1, 5.0, PASS), (">", 3.0, 4.1, INCONCLUSIVE), (">", 3.0, 4.0, FAIL),
        (">=", 4.0, 5.0, PASS), (">=", 3.9, 4.0, INCONCLUSIVE), (">=", 3.0, 3.9, FAIL),
        ("==", 4.0, 4.0, PASS), ("==", 3.0, 5.0, INCONCLUSIVE), ("==", 4.5, 5.0, FAIL),
        ("==", 3.0, 3.5, FAIL), ("<", -math.inf, math.inf, INCONCLUSIVE), ("<", math.nan, math.nan, INCONCLUSIVE),
    ],
)
def test_judge_on_the_whole_interval(op, low, high, status):
    assert judge(op, 4.0, low, high) == status


def test_outcome_lines_give_the_interval_and_the_threshold():
    rng = np.random.default_rng(1)
    ttr = 2.0 + 0.1 * rng.standard_normal(40)
    (ok, bad, zero) = evaluate(
        [assertion("incidents.time_to_restore.p95 < 4h"), assertion("incidents.time_to_restore.p95 > 3h"),
         assertion("oncall.unpaid_hours == 0")],
        results({"incidents.time_to_restore.p95": ttr, "oncall.unpaid_hours": np.zeros(40)}),
    )
    mean, low, high = mean_interval(ttr)
    assert (ok.status, ok.value, ok.low, ok.high, ok.replications) == (PASS, mean, low, high, 40)
    # a percentile is named as such, never "mean" (it is each replication's p95, averaged)
    assert ok.reason.startswith("p95 2")
    assert "95% CI [1.9" in ok.reason and "over 40 replications: the whole interval is below 4h" in ok.reason
    assert bad.status == FAIL and "the whole interval is at or below 3h" in bad.reason
    assert zero.status == PASS and "every replication gave exactly 0h/yr" in zero.reason


def test_delta_is_judged_on_paired_differences_against_the_baseline():
    rng = np.random.default_rng(11)
    shared = rng.standard_normal(30)
    base = results({"cost.oncall": 100_000 + 20_000 * shared, "deployments.lead_time.p50": 50 + 10 * shared},
                   name="current")
    cand = results({"cost.oncall": 105_000 + 21_000 * shared, "deployments.lead_time.p50": 2 + 0.5 * shared})
    rel, lead = evaluate([assertion("delta(cost.oncall) <= 10%"), assertion("delta(deployments.lead_time.p50) < 0")],
                         cand, base)
    assert rel.status == PASS
    assert rel.value == pytest.approx(0.05, abs=0.002)
    assert "relative change +5" in rel.reason and "at or below +10%" in rel.reason
    assert lead.status == PASS and lead.value == pytest.approx(-48.0 + np.mean(-9.5 * shared))
    with pytest.raises(InputError, match="--baseline"):
        evaluate([assertion("delta(cost.oncall) <= 10%")], cand)


def test_a_metric_the_simulation_did_not_report_is_an_input_error():
    with pytest.raises(InputError, match="gates.yaml:7:5: the simulation of the gated scenario proposal.yaml "
                                         "did not report 'cost.total'"):
        evaluate([assertion("cost.total < 1M")], results({"cost.oncall": [1.0, 2.0]}))


# -- the rerun loop, with a stand-in simulator whose replications are reproducible -------

def fake_simulate(means: dict[str, dict[str, float]], sd: float = 1.0, calls: list | None = None):
    """Replication r of every scenario draws the same noise (common random numbers)."""

    def simulate(scn, *, replications, seed, workers=None, progress=None):
        if calls is not None:
            calls.append((scn.name, replications, seed))
        noise = np.random.default_rng(seed).standard_normal(replications)
        samples = {m: v + sd * noise for m, v in means[scn.name].items()}
        return Results(scn, seed, samples)

    return simulate


def test_clear_outcomes_need_one_round_and_exit_0():
    calls = []
    run = run_gate(scenario(), [assertion("incidents.time_to_restore.p95 < 4h")],
                   simulate=fake_simulate({"proposal": {"incidents.time_to_restore.p95": 2.0}}, calls=calls))
    assert run.rounds == (20,) and calls == [("proposal", 20, 5)]
    assert run.passed and run.exit_code == ExitCode.OK
    assert run.summary().startswith("gate passed: 1 of 1 error-level assertions pass")


def test_a_failure_exits_1():
    run = run_gate(scenario(), [assertion("incidents.time_to_restore.p95 < 4h")],
                   simulate=fake_simulate({"proposal": {"incidents.time_to_restore.p95": 6.0}}))
    assert not run.passed and run.exit_code == ExitCode.GATE_FAILED
    assert run.verdict(run.outcomes[0]) == "FAIL"
    assert "gate FAILED: 0 of 1 error-level assertions pass, 1 fail" in run.summary()


def test_warn_level_failures_do_not_fail_the_gate():
    run = run_gate(scenario(), [assertion("incidents.time_to_restore.p95 < 4h", level="warn")],
                   simulate=fake_simulate({"proposal": {"incidents.time_to_restore.p95": 6.0}}))
    assert run.exit_code == ExitCode.OK and run.verdict(run.outcomes[0]) == "WARN"
    assert "1 warning" in run.summary()


def test_inconclusive_adds_replications_until_decided():
    calls = []
    # mean 4.3 vs threshold 4 with sd 1: 20 replications give a half-width of ~0.47
    run = run_gate(scenario(), [assertion("incidents.time_to_restore.p95 < 4h")], max_replications=2000,
                   simulate=fake_simulate({"proposal": {"incidents.time_to_restore.p95": 4.3}}, calls=calls))
    assert run.rounds[0] == 20 and len(run.rounds) > 1
    assert all(b >= 2 * a for a, b in zip(run.rounds, run.rounds[1:], strict=False))
    assert run.outcomes[0].status == FAIL and run.outcomes[0].replications == run.rounds[-1]
    assert run.exit_code == ExitCode.GATE_FAILED


def test_still_inconclusive_at_the_cap_counts_as_failed_unless_allowed():
    sim = fake_simulate({"proposal": {"incidents.time_to_restore.p95": 4.0}})
    gates = [assertion("incidents.time_to_restore.p95 < 4h")]
    run = run_gate(scenario(), gates, max_replications=80, simulate=sim)
    assert run.rounds[-1] == 80 and run.outcomes[0].status == INCONCLUSIVE
    assert run.exit_code == ExitCode.GATE_FAILED and run.verdict(run.outcomes[0]) == "INCONCLUSIVE"
    assert "still inconclusive at the cap of 80 replications, counted as failed" in run.why(run.outcomes[0])
    assert "1 inconclusive" in run.summary()
    allowed = run_gate(scenario(), gates, max_replications=80, simulate=sim, allow_inconclusive=True)
    assert allowed.exit_code == ExitCode.OK
    assert "accepted (--allow-inconclusive)" in allowed.why(allowed.outcomes[0])


def test_default_cap_is_four_times_the_start():
    run = run_gate(scenario(), [assertion("incidents.time_to_restore.p95 < 4h")],
                   simulate=fake_simulate({"proposal": {"incidents.time_to_restore.p95": 4.0}}))
    assert run.max_replications == 80 and run.rounds[-1] == 80


def test_warn_level_inconclusive_does_not_trigger_reruns():
    run = run_gate(scenario(), [assertion("incidents.time_to_restore.p95 < 4h", level="warn")],
                   simulate=fake_simulate({"proposal": {"incidents.time_to_restore.p95": 4.0}}))
    assert run.rounds == (20,) and run.exit_code == ExitCode.OK


def test_baseline_runs_with_the_same_seed_and_replications():
    calls = []
    sim = fake_simulate({"proposal": {"cost.oncall": 110.0}, "current": {"cost.oncall": 100.0}}, calls=calls)
    run = run_gate(scenario(), [assertion("delta(cost.oncall) <= 5%")], baseline=scenario("current", 99, 77),
                   seed=3, replications=10, simulate=sim)
    assert calls == [("proposal", 10, 3), ("current", 10, 3)]
    # identical noise in both: the change is exactly +10%, a certain failure
    assert run.outcomes[0].status == FAIL and run.outcomes[0].value == pytest.approx(0.10, abs=0.005)


def test_bad_replication_flags_are_input_errors():
    sim = fake_simulate({"proposal": {}})
    with pytest.raises(InputError) as exc:
        run_gate(scenario(), [], replications=1, max_replications=0, simulate=sim)
    assert [p.location.file for p in exc.value.problems] == ["--replications", "--max-replications"]


def test_next_round_is_sized_from_the_interval():
    gates = [assertion("incidents.time_to_restore.p95 < 4h")]
    (o,) = evaluate(gates, results({"incidents.time_to_restore.p95": np.r_[np.full(10, 3.5), np.full(10, 4.7)]}))
    assert o.status == INCONCLUSIVE
    half = (o.high - o.low) / 2
    assert next_replications([o], 20, 10_000) == min(160, max(40, math.ceil(1.2 * 20 * (half / 0.1) ** 2)))
    (near,) = evaluate(gates, results({"incidents.time_to_restore.p95": np.r_[np.full(10, 3.0), np.full(10, 5.6)]}))
    half = (near.high - near.low) / 2
    assert next_replications([near], 20, 10_000) == math.ceil(1.2 * 20 * (half / 0.3) ** 2)
    assert next_replications([o], 20, 30) == 30


def test_relative_change_from_zero_is_undefined_and_says_so():
    base = results({"oncall.unpaid_hours": [0.0, 0.0, 0.0, 0.0]}, name="current")
    grew = results({"oncall.unpaid_hours": [0.0, 5.0, 0.0, 3.0]})
    (o,) = evaluate([assertion("delta(oncall.unpaid_hours) <= 10%")], grew, base)
    assert o.status == INCONCLUSIVE
    assert "the baseline's mean of oncall.unpaid_hours is 0, so a relative change is undefined" in o.reason
    (same,) = evaluate([assertion("delta(oncall.unpaid_hours) <= 10%")], base, base)
    assert same.status == PASS and same.value == 0.0


def test_figures_are_named_for_what_they_are():
    from whorunsit.gate.evaluate import figure_word

    assert figure_word("incidents.time_to_restore.p95") == "p95"
    assert figure_word("incidents.time_to_restore.p90") == "p90"
    assert figure_word("incidents.time_to_restore.mean") == "mean"
    assert figure_word("cost.total") == "estimate"
    assert figure_word("teams.app-ops.utilisation") == "estimate"
