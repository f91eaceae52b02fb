"""The rich report rendered at fixed widths with colour off: what it must say."""

import dataclasses
import re

import numpy as np
import pytest
from rich.console import Console

import report_samples
from whorunsit.report.terminal import fit_columns, render_table, render_table_text


def render(results, width=80, **kw):
    console = Console(width=width, no_color=True, force_terminal=False, record=True,
                      color_system=None)
    render_table(results, console, **kw)
    return console.export_text()


@pytest.fixture(scope="module")
def ops_run():
    return report_samples.results(discontinuous=0.8)


@pytest.mark.parametrize("width", [80, 120])
def test_every_section_is_present_and_fits(ops_run, width):
    text = render(ops_run, width)
    for section in ("Headline outcomes", "Incident flow by team", "Per incident",
                    "Time to restore by priority", "On-call and cost by team", "Cost per year", "Availability by application",
                    "Time to restore, all incidents pooled",
                    "Deployment lead time, all deployments pooled", "Warnings"):
        assert section in text, section
    assert max(len(line) for line in text.splitlines()) <= width
    assert "…" not in text  # no word cut short to fit


def test_header_says_what_was_run_and_how_precise(ops_run):
    text = render(ops_run)
    assert "Ops Run It (synthetic)" in text
    assert "scenarios/synthetic.yaml" in text
    assert "13 weeks (warm-up 1 week not counted)" in text
    assert re.search(r"replications\s+30\b", text)
    assert re.search(r"seed\s+7\b", text)
    assert re.search(r"TTR mean ±\d+\.\d%", text)


def test_precision_target_is_reported(ops_run):
    assert "(target ±5.0%, met)" in render(ops_run, precision=0.05)
    text = render(ops_run, 120, precision=0.001)
    assert "NOT met" in text
    assert "precision target ±0.1%" in text


def test_headline_values_carry_units_separators_and_intervals(ops_run):
    text = render(ops_run, 120)
    assert re.search(r"Time to restore p50 / p95\s+3\.\d\dh ±0\.\d\dh / 4\d\.\dh ±", text)
    assert re.search(r"Deployment lead time p50 / p95\s+2\.\d\dd ±", text)
    assert re.search(r"Downtime cost\s+£1,2\d\d,\d\d\d/yr ±£", text)
    assert re.search(r"On-call cost \(standby \+ callouts\)\s+£17\d,\d\d\d/yr ±£", text)


def test_discontinuous_verdict_with_share_of_replications(ops_run):
    text = " ".join(render(ops_run).split())
    assert "Discontinuous Delivery" in text
    assert "deployments a week delivered against 1.16 asked for: the backlog grew by 24" in text
    assert "Continuous Delivery —" not in text.replace("Discontinuous Delivery —", "")


def test_continuous_verdict():
    text = " ".join(render(report_samples.results(discontinuous=0.0)).split())
    assert "Delivery: Continuous Delivery — 1.10 deployments a week delivered against 1.16" in text
    assert "with no lasting backlog" in text


def test_a_small_backlog_growth_is_still_continuous():
    # a tenth of the replications fell behind: growth 3 on average, under two weeks of demand
    text = render(report_samples.results(discontinuous=0.1))
    assert "Delivery: Continuous Delivery" in text


def test_no_demand_no_verdict():
    text = render(report_samples.results(deployments=False))
    assert "No deployment demand" in text
    assert "Deployment lead time, all deployments pooled" not in text


def test_warnings_survive_without_colour(ops_run):
    text = render(ops_run)
    assert re.search(r"app-ops.*91\.\d% ±0\.\d% !", text.replace("\n", " "))
    assert "WARN app-ops is offered 9" in text
    assert "of what it can serve (over 85%)" in " ".join(text.split())
    assert re.search(r"WARN delivery works 1\d\d h/yr out of hours without pay", text)
    assert re.search(r"Unpaid out-of-hours work\s+12\d h/yr ±\d+ !", text)
    assert "WARN Discontinuous Delivery" in text
    assert re.search(r"WARN checkout availability 99\.8\d\d% is below its 99\.9% target "
                     r"\(met in \d+ of \d+ replications; 95% CI ", " ".join(text.split()))


def test_no_warnings_when_nothing_is_wrong():
    text = render(report_samples.results(app_ops_utilisation=0.5, unpaid_hours=0.0,
                                         checkout_availability=0.9995))
    assert "WARN" not in text
    assert " !" not in text
    assert text.rstrip().endswith("none")


def test_team_tables_show_tier_funding_and_cover(ops_run):
    text = render(ops_run, 120)
    assert re.search(r"app-ops\s+L2 · deploys", text)
    assert re.search(r"ops-bridge\s+L1 alerts", text)
    assert re.search(r"delivery\s+CapEx\s+unpaid best endeavours", text)
    assert re.search(r"service-desk\s+OpEx\s+rota of 6\s+£3\d,\d\d\d ±£", text)
    assert re.search(r"OpEx \(headcount and on-call\)\s+£", text)
    assert re.search(r"CapEx \(headcount and on-call\)\s+£", text)


def test_narrow_terminal_stacks_tier_under_team(ops_run):
    text = render(ops_run, 80)
    lines = text.splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("app-ops "))
    assert lines[i + 1].startswith("L2 · deploys")


def test_availability_against_target(ops_run):
    text = render(ops_run, 120)
    assert re.search(r"checkout\s+delivery\s+99\.9%\s+99\.8\d\d% ±0\.0\d\d% !", text)
    assert re.search(r"search\s+delivery\s+99\.0%\s+99\.9\d\d% ±0\.0\d\d%\s", text)
    assert "P(meets target)" in text


def test_histograms_are_drawn_with_blocks(ops_run):
    text = render(ops_run)
    assert "2,100 incidents" in text and "420 deployments" in text
    assert "█" in text and "└" in text


def test_other_currency_has_its_code():
    text = render(report_samples.results(currency="CHF"), 120)
    assert re.search(r"CHF 1,2\d\d,\d\d\d/yr ±\d", text)
    assert "Standby CHF/yr" in text


def test_single_replication_says_no_interval():
    text = render(report_samples.results(replications=1))
    assert "±?" in text
    assert "1 replication gives no usable confidence interval" in " ".join(text.split())


def test_plain_text_for_files_has_no_escape_codes(ops_run):
    text = render_table_text(ops_run, width=100)
    assert "\x1b[" not in text
    assert "Headline outcomes" in text


def test_colour_is_used_on_a_terminal(ops_run):
    console = Console(width=100, force_terminal=True, color_system="standard", record=True)
    render_table(ops_run, console)
    assert "\x1b[" in console.export_text(styles=True)


def test_columns_fit_without_cutting_words():
    from whorunsit.report.content import Cell, Table

    t = Table("t", ["Name", "Utilisation", "Queue wait mean"],
              [[Cell("service-desk", numeric=False), Cell("31.0% ±0.2%"), Cell("36.1m ±0.6m")]])
    widths, one_line = fit_columns(t, 200)
    assert one_line and widths[1] >= len("Utilisation")
    widths, one_line = fit_columns(t, 30)
    assert not one_line
    assert widths[0] == len("service-desk") and widths[1] >= len("Utilisation")


def test_missing_metrics_render_as_dashes():
    r = report_samples.results()
    r.samples["teams.app-ops.queue_wait.p95"] = np.full(r.replications, np.nan)
    text = render(r, 120)
    assert re.search(r"app-ops\s+L2 · deploys.*—", text)


def test_unstable_queues_are_a_warning():
    r = report_samples.results()
    n = r.replications
    assert "what it can serve, so waits grow" not in render(r)
    # app-ops offered 120% with a growing queue: named, with its load and interval
    r.samples["teams.app-ops.offered_load"] = 1.2 + 0.01 * np.sin(np.arange(n))
    r.samples["teams.app-ops.queue_growth"] = 250.0 + np.cos(np.arange(n))
    text = " ".join(render(r).split())
    assert "WARN app-ops is offered 120.0% of what it can serve [119.8%, 120.3%]" in text
    assert "its queue grew by 250 tickets on average" in text
    flags = np.zeros(n)
    flags[0] = 1  # one replication stopped at the cap: a count, never a rounded "0%"
    r.samples["queues.unstable"] = flags
    assert f"1 of {n} replications stopped when queues passed 20,000" in " ".join(
        render(r).split())


def test_time_to_restore_by_priority(ops_run):
    text = render(ops_run, 80)
    table = text.split("Time to restore by priority", 1)[1].split("On-call and cost", 1)[0]
    assert re.search(r"Priority\s+Mean\s+p50\s+p95", table)
    assert re.search(r"P1\s+1\.\d\dh ±0\.\d\dh\s+1\.\d\dh ±", table)
    # one unit per row: the p95 of about two days reads in hours beside the mean and p50
    assert re.search(r"P3\s+1\d\.\dh ±\d\.\dh\s+4\.\d\dh ±\d\.\d\dh\s+\d\d\.\dh ±", table)
    assert "P4" not in table   # no P4 incident in any replication: no row
    assert re.search(r"Urgent \(P1, P2\)\s+2\.\d\dh ±", table)
    assert re.search(r"All incidents\s+9\.\d\dh ±", table)
    assert "urgent = P1, P2: they call people out of hours" in table
    # one replication in ten had no P1: its mean leaves that one out, and says so
    assert "average only the replications that resolved one" in table
    assert max(len(line) for line in table.splitlines()) <= 80


def test_time_to_restore_by_priority_follows_the_callout_priorities():
    import dataclasses

    r = report_samples.results()
    r.scenario = dataclasses.replace(r.scenario, callout_priorities=(1,))
    assert "Urgent (P1)" in render(r, 120)
    r.scenario = dataclasses.replace(r.scenario, callout_priorities=())
    text = render(r, 120)
    assert "Urgent" not in text and "call people out" not in text


def test_results_without_figures_by_priority_leave_the_table_out():
    r = report_samples.results()
    for name in [n for n in r.samples if n.startswith(("incidents.P", "incidents.urgent"))]:
        del r.samples[name]
    assert "by priority" not in render(r, 120)


def test_money_for_nothing_is_among_the_warnings():
    from whorunsit.model import Rota

    results = report_samples.results()
    idle = Rota(name="idle", teams=("nobody-works-here",), members=3)
    scenario = dataclasses.replace(results.scenario, rotas=results.scenario.rotas + (idle,))
    text = " ".join(render(dataclasses.replace(results, scenario=scenario)).split())
    assert "WARN rota 'idle' serves no application" in text
