"""The simulate page: the answer first, then restore and lead-time distributions, cost,
teams, availability, and every metric in a sortable table.

Words and tables come from ``report.content`` (the same sentences as the terminal and
markdown reports); this module adds the charts, their text alternatives and the page's
opening verdict. The chart helpers here take any number of runs, so the compare page
draws the same charts with one series per scenario.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from whorunsit.model.bins import HISTOGRAM_EDGES
from whorunsit.report import content
from whorunsit.report import format as fmt
from whorunsit.report.html import charts, register
from whorunsit.report.html.page import (
    Cell,
    Chart,
    Page,
    Section,
    Table,
    common_provenance,
    raw,
    scenario_provenance,
    scenario_sources,
)
from whorunsit.stats import catalogue
from whorunsit.stats.results import Estimate, Results

PRIORITY_GROUPS = (("P1", "incidents.P1."), ("P2", "incidents.P2."), ("P3", "incidents.P3."),
                   ("P4", "incidents.P4."), ("Urgent", "incidents.urgent."),
                   ("All incidents", "incidents."))
#: cost metrics that are sums of others, not parts
COST_TOTAL, COST_FUNDING = "cost.total", ("cost.opex", "cost.capex")


# -- words ----------------------------------------------------------------------------------

def interval(est: Estimate | None, currency: str = "GBP") -> str:
    """"95% CI 3.1h–3.6h" in the metric's own units ("" without an interval)."""
    if est is None or not (math.isfinite(est.low) and math.isfinite(est.high)):
        return ""
    unit = fmt.display_unit(est.name)
    low = fmt.value(est.low, unit, currency, suffix=False)
    high = fmt.value(est.high, unit, currency, suffix=False)
    return f"95% CI {low}–{high}"


def shown(est: Estimate | None, currency: str = "GBP") -> str:
    if est is None:
        return fmt.MISSING
    return fmt.value(est.value, fmt.display_unit(est.name), currency)


def told(est: Estimate | None, currency: str = "GBP") -> str:
    """A value with its interval in brackets, for sentences: "7.09h (95% CI 6.2h–8.0h)"."""
    ci = interval(est, currency)
    return f"{shown(est, currency)} ({ci})" if ci else shown(est, currency)


def _iv(est: Estimate | None) -> charts.Interval | None:
    return None if est is None else charts.Interval(est.value, est.low, est.high)


# -- charts shared with compare -------------------------------------------------------------------

def distribution_chart(runs: Sequence[tuple[str, Results]], key: str, *, what: str, items: str,
                       salt: str) -> Chart | None:
    """Pooled distribution of ``key`` (time to restore, lead time) with p50/p95 bands."""
    series, words = [], []
    for label, results in runs:
        counts = results.histograms.get(key)
        if counts is None or sum(counts) <= 0:
            continue
        est = results.estimates()
        marks = {s: _iv(est.get(f"{key}.{s}")) for s in ("p50", "p95")}
        marks = {k: v for k, v in marks.items() if v is not None}
        series.append(charts.Distribution(label, HISTOGRAM_EDGES, counts, marks))
        currency = results.scenario.currency
        parts = [f"{s} {told(est.get(f'{key}.{s}'), currency)}" for s in marks]
        words.append(f"{label}: {int(sum(counts)):,} {items} pooled over "
                     f"{results.replications:,} replications; " + ", ".join(parts))
    if not series:
        return None
    title = f"{what}: distribution of all {items}, with p50 and p95 (bands: 95% CI)"
    alt = ("Histogram on a log scale of durations. " + ". ".join(words) + ".")
    svg = charts.distribution(series, what=what, items=items, label=title, salt=salt)
    return Chart(title, svg, alt)


def priority_chart(runs: Sequence[tuple[str, Results]], *, salt: str) -> Chart | None:
    """p50 and p95 time to restore per priority (and urgent, all) with 95% error bars."""
    rows = []
    for label, prefix in PRIORITY_GROUPS:
        if any(f"{prefix}time_to_restore.p50" in r.samples and
               r.estimate(f"{prefix}time_to_restore.p50").n > 0 for _, r in runs):
            rows.append((label, prefix))
    if len(rows) < 3:   # one priority plus "all" says nothing the distribution does not
        return None
    series, words = [], []
    for run_label, results in runs:
        per_row = []
        for label, prefix in rows:
            d = {}
            for s in ("p50", "p95"):
                name = f"{prefix}time_to_restore.{s}"
                if name in results.samples and results.estimate(name).n > 0:
                    d[s] = _iv(results.estimate(name))
                    words.append(f"{run_label + ' ' if len(runs) > 1 else ''}{label} {s} "
                                 f"{told(results.estimate(name), results.scenario.currency)}")
            per_row.append(d)
        series.append((run_label, per_row))
    title = "Time to restore by priority: p50 and p95 with 95% CIs"
    svg = charts.ranges([r[0] for r in rows], series,
                        xlabel="time to restore (log scale; whiskers: 95% CI)", label=title,
                        salt=salt)
    return Chart(title, svg, "; ".join(words) + ".")


def cost_parts(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """(kinds, funding) cost metric names present in a run: kinds are the lines of the bill
    (headcount, on-call, downtime ...: every cost.* but the total, the funding sums and
    what is inside the headcount), which add up to the total."""
    costs = [n for n in names if n.startswith("cost.") and n.count(".") == 1]
    kinds = [n for n in costs if n != COST_TOTAL and n not in catalogue.COST_NOT_BILLED]
    funding = [n for n in COST_FUNDING if n in costs]
    return kinds, funding


def _part_label(name: str) -> str:
    short = name.split(".", 1)[1]
    short = {"oncall": "on-call", "toil": "TOIL", "opex": "OpEx", "capex": "CapEx"}.get(short, short)
    return short


def cost_charts(runs: Sequence[tuple[str, Results]], *, salt: str) -> list[Chart]:
    currency = runs[0][1].scenario.currency
    out = []
    for how in ("funding", "kind"):
        bars, words = [], []
        for label, results in runs:
            est = results.estimates()
            kinds, funding = cost_parts(list(est))
            total = est.get(COST_TOTAL)
            if how == "kind":
                segments = [(_part_label(n), est[n].value) for n in kinds]
            else:
                if not funding:
                    continue
                segments = [(_part_label(n), est[n].value) for n in funding]
                funded = sum(est[n].value for n in funding)
                rest = total.value - funded if total is not None else math.nan
                # what OpEx and CapEx do not pay for (downtime is lost business, not a budget)
                if math.isfinite(rest) and rest > 0.005 * total.value:
                    outside = [n for n in kinds if abs(est[n].value - rest) <= 0.005 * total.value]
                    segments.append((f"outside OpEx/CapEx ({outside[0].split('.', 1)[1]})"
                                     if outside else "outside OpEx/CapEx", rest))
            if not segments:
                continue
            bars.append((label, segments, _iv(total)))
            said = f"{label}: " + ", ".join(f"{p} {fmt.money(v, currency)}" for p, v in segments)
            if total is not None:
                said += f"; total {told(total, currency)}"
                parts = sum(v for _, v in segments if math.isfinite(v))
                # say so when the parts shown do not add up to the total (an older run's
                # results, or a cost part the catalogue does not name)
                if abs(parts - total.value) > 0.005 * abs(total.value):
                    said += f" (the parts shown add up to {fmt.money(parts, currency)})"
            words.append(said)
        if not bars:
            continue
        title = f"Cost per year by {'funding (OpEx / CapEx)' if how == 'funding' else 'kind'}"
        svg = charts.stacked(bars, currency=currency,
                             xlabel=f"cost per year ({currency}); black whisker: total, 95% CI",
                             label=title, salt=f"{salt}-{how}")
        out.append(Chart(title, svg, "Stacked bars. " + ". ".join(words) + "."))
    return out


def utilisation_chart(runs: Sequence[tuple[str, Results]], *, salt: str) -> Chart | None:
    teams = list(dict.fromkeys(
        n.split(".")[1] for _, r in runs for n in r.samples
        if n.startswith("teams.") and n.endswith(".utilisation")))
    if not teams:
        return None
    series, words = [], []
    for label, results in runs:
        values = []
        for team in teams:
            name = f"teams.{team}.utilisation"
            est = results.estimate(name) if name in results.samples else None
            values.append(_iv(est))
            if est is not None:
                words.append(f"{label + ' ' if len(runs) > 1 else ''}{team} {told(est)}")
        series.append((label, values))
    threshold = content.UTILISATION_WARNING
    title = (f"Utilisation per team against the {threshold:.0%} stability threshold "
             "(whiskers: 95% CI)")
    svg = charts.utilisation(teams, series, threshold=threshold, label=title, salt=salt)
    return Chart(title, svg, f"Horizontal bars; a dashed line marks {threshold:.0%}, above "
                 "which queues grow non-linearly. " + "; ".join(words) + ".")


# -- tables ----------------------------------------------------------------------------------

def from_content(t: content.Table) -> Table:
    """A report.content table as an HTML one (same words as the terminal report)."""
    t = content.split_names(t)
    rows = []
    for i, row in enumerate(t.rows):
        total = i >= len(t.rows) - t.totals
        rows.append([Cell(c.text, numeric=c.numeric,
                          tone="warn" if c.warn else ("total" if total else "")) for c in row])
    return Table(t.title, t.columns, rows, notes=list(t.notes), sortable=False)


def metrics_table(results: Results) -> Table:
    """Every metric with its value and 95% CI; rows carry the raw numbers as data-*."""
    currency = results.scenario.currency
    rows, data = [], []
    for name, e in sorted(results.estimates().items()):
        info = catalogue.info(name)
        rel = fmt.relative_precision(e)
        rows.append([
            Cell(name, numeric=False),
            Cell(fmt.metric(name, e.value, currency), raw(e.value)),
            Cell(fmt.metric(name, e.low, currency) if e.n > 1 else fmt.MISSING, raw(e.low)),
            Cell(fmt.metric(name, e.high, currency) if e.n > 1 else fmt.MISSING, raw(e.high)),
            Cell(f"±{rel:.1%}" if math.isfinite(rel) else fmt.MISSING,
                 raw(rel) if math.isfinite(rel) else ""),
            Cell(e.unit, numeric=False),
            Cell(info.meaning if info else "", numeric=False),
        ])
        data.append({"metric": name, "value": raw(e.value), "low": raw(e.low),
                     "high": raw(e.high), "unit": e.unit})
    return Table(f"All {len(rows)} metrics", ["Metric", "Estimate", "95% CI low", "95% CI high",
                                               "± relative", "Unit", "Meaning"],
                 rows, data, sortable=True, filterable=True, id="metrics",
                 notes=["Click a heading to sort. Values are means over replications; "
                        "the CI is the 95% confidence interval of that mean."])


# -- the page --------------------------------------------------------------------------------

def _verdict(results: Results, report: content.Report) -> tuple[str, str, str]:
    """(headline, paragraph, tone)."""
    est = results.estimates()
    c = results.scenario.currency
    sentences = []
    p50, p95 = est.get("incidents.time_to_restore.p50"), est.get("incidents.time_to_restore.p95")
    if p50 is not None and math.isfinite(p50.value):
        sentences.append(f"Half of all incidents are restored within {told(p50, c)} and 95% "
                         f"within {told(p95, c)}.")
        urgent = est.get("incidents.urgent.time_to_restore.p50")
        if urgent is not None and math.isfinite(urgent.value) and urgent.n > 0:
            who = ", ".join(f"P{p}" for p in results.scenario.callout_priorities)
            sentences.append(f"Urgent incidents ({who}) take {told(urgent, c)} at the median.")
    lead = est.get("deployments.lead_time.p50")
    v = report.verdict
    if lead is not None and math.isfinite(lead.value):
        sentences.append(f"A deployment takes {told(lead, c)} from request to production "
                         f"at the median: {v.headline} ({v.detail}).")
    elif v.continuous is None:
        sentences.append(f"{v.headline}: {v.detail}.")
    total = est.get(COST_TOTAL)
    if total is not None:
        kinds, _ = cost_parts(list(est))
        biggest = max(kinds, key=lambda n: est[n].value, default=None)
        share = (f", the largest part being {biggest.split('.', 1)[1]} at "
                 f"{fmt.money(est[biggest].value, c)}") if biggest and total.value > 0 else ""
        sentences.append(f"It costs {told(total, c)} a year{share}.")
    n = len(report.warnings)
    sentences.append(f"{n} warning{'s' if n != 1 else ''} below." if n else "No warnings.")
    unstable = est.get("queues.unstable")
    if v.continuous is False or (unstable is not None and unstable.value > 0.5):
        tone, headline = "fail", f"{v.headline}: the organisation cannot keep up"
    elif n:
        tone, headline = "warn", f"{v.headline}, with {n} warning{'s' if n != 1 else ''}"
    else:
        tone, headline = "ok", v.headline
    return headline, " ".join(sentences), tone


def _figures(results: Results) -> list[tuple[str, str, str]]:
    est = results.estimates()
    c = results.scenario.currency
    out = []
    for label, name in (("Time to restore, median", "incidents.time_to_restore.p50"),
                        ("Time to restore, p95", "incidents.time_to_restore.p95"),
                        ("Deployment lead time, median", "deployments.lead_time.p50"),
                        ("Cost per year", COST_TOTAL),
                        ("Unpaid out-of-hours work", "oncall.unpaid_hours")):
        e = est.get(name)
        if e is not None and math.isfinite(e.value):
            out.append((label, shown(e, c), interval(e, c)))
    return out


def _table(report: content.Report, title: str) -> list[Table]:
    return [from_content(t) for t in report.tables if t.title == title]


@register("simulate")
def simulate_page(results: Results, *, precision: float | None = None) -> Page:
    report = content.build(results, precision=precision)
    run = [(results.scenario.name, results)]
    headline, verdict, tone = _verdict(results, report)
    restore = Section("Time to restore", "From an incident's start to service restored.")
    for chart in (distribution_chart(run, "incidents.time_to_restore", what="Time to restore",
                                     items="incidents", salt="ttr"),
                  priority_chart(run, salt="prio")):
        if chart is not None:
            restore.charts.append(chart)
    restore.tables = _table(report, "Time to restore by priority") + _table(report, "Per incident")
    delivery = Section("Deployment lead time",
                       f"{report.verdict.headline}: {report.verdict.detail}.")
    chart = distribution_chart(run, "deployments.lead_time", what="Deployment lead time",
                               items="deployments", salt="lead")
    if chart is not None:
        delivery.charts.append(chart)
    cost = Section("Cost", charts=cost_charts(run, salt="cost"),
                   tables=_table(report, "Cost per year") + _table(report, "On-call and cost by team"))
    teams = Section("Teams", tables=_table(report, "Incident flow by team"))
    chart = utilisation_chart(run, salt="util")
    if chart is not None:
        teams.charts.append(chart)
    sections = [s for s in (restore, delivery, cost, teams) if s.charts or s.tables]
    availability = _table(report, "Availability by application")
    if availability:
        sections.append(Section("Availability", tables=availability))
    sections.append(Section("Every metric", tables=[metrics_table(results)]))
    s = results.scenario
    provenance = scenario_provenance("scenario file", s.source) + [
        ("seed", str(results.seed)), ("replications", f"{results.replications:,}")]
    provenance += [(k, v) for k, v in report.header if k in ("horizon", "precision")]
    provenance += common_provenance()
    return Page("simulate", s.name, verdict, tone=tone, headline=headline,
                figures=_figures(results), warnings=report.warnings, sections=sections,
                provenance=provenance, sources=scenario_sources([("Scenario", s.source)]))
