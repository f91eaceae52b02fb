"""The compare page: which model restores faster and what it costs, with the paired
95% CIs, a forest plot of every metric's change, the simulate charts with one series per
scenario, and every metric's difference in a sortable table."""

from __future__ import annotations

import math

from whorunsit.report import comparison as words
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
from whorunsit.report.html.simulate import (
    cost_charts,
    distribution_chart,
    priority_chart,
    utilisation_chart,
)
from whorunsit.stats.compare import BETTER, SAME, WORSE, Comparison, MetricComparison

RESTORE = "incidents.time_to_restore.mean"
RESTORE_P95 = "incidents.time_to_restore.p95"
COST = "cost.total"
#: the figures a board asks about first, in this order, where the runs have them
KEY = (RESTORE, "incidents.time_to_restore.p50", RESTORE_P95,
       "incidents.urgent.time_to_restore.p50", "deployments.lead_time.p50",
       "delivery.discontinuous", "oncall.unpaid_hours", "cost.oncall", COST)


def letter(i: int) -> str:
    return chr(ord("A") + i)


def _metric(comparison: Comparison, name: str) -> MetricComparison | None:
    return next((m for m in comparison.metrics if m.name == name), None)


def _change(m: MetricComparison, i: int, currency: str) -> str:
    """"+1.2h (95% CI +0.8h to +1.6h)" for scenario i against the first."""
    d = m.differences[i - 1]
    unit = words._unit(m)
    return (f"{words.signed(d.delta, unit, currency)} (95% CI {words.signed(d.low, unit, currency)} "
            f"to {words.signed(d.high, unit, currency)})")


def _sentence(comparison: Comparison, i: int) -> str:
    base, other = comparison.results[0], comparison.results[i]
    a, b = base.scenario.name, other.scenario.name
    c = base.scenario.currency
    out = []
    m = _metric(comparison, RESTORE)
    if m is not None and m.differences[i - 1] is not None:
        verdict = m.verdict(i)
        ea, eb = m.estimates[0], m.estimates[i]
        if verdict == SAME:
            out.append(f"{b} and {a} restore service equally fast as far as "
                       f"{base.replications:,} paired replications can tell: mean time to "
                       f"restore {words.value(m, eb.value, c)} against "
                       f"{words.value(m, ea.value, c)}, a difference of {_change(m, i, c)} "
                       "that includes zero.")
        else:
            faster = verdict == BETTER
            out.append(f"{b if faster else a} restores service faster: mean time to restore "
                       f"{words.value(m, eb.value, c)} in {b} against "
                       f"{words.value(m, ea.value, c)} in {a}, a change of {_change(m, i, c)}.")
        p95 = _metric(comparison, RESTORE_P95)
        if p95 is not None and p95.differences[i - 1] is not None:
            out.append(f"The slowest 5% move by {_change(p95, i, c)} at p95.")
    m = _metric(comparison, COST)
    if m is not None and m.differences[i - 1] is not None:
        d = m.differences[i - 1]
        verdict = m.verdict(i)
        if verdict == SAME:
            out.append(f"Its cost per year is not measurably different: {_change(m, i, c)}.")
        else:
            more = "more" if d.delta > 0 else "less"
            out.append(f"{b} costs {fmt.money(abs(d.delta), c)} a year {more} "
                       f"({fmt.money(m.estimates[i].value, c)} against "
                       f"{fmt.money(m.estimates[0].value, c)}; 95% CI of the difference "
                       f"{words.signed(d.low, 'money/year', c)} to "
                       f"{words.signed(d.high, 'money/year', c)}).")
    return " ".join(out)


def _tone(comparison: Comparison) -> tuple[str, str]:
    verdicts = []
    for name in (RESTORE, COST):
        m = _metric(comparison, name)
        if m is not None:
            verdicts += [m.verdict(i) for i in range(1, len(comparison.results))]
    names = [r.scenario.name for r in comparison.results]
    if len(names) == 2:
        m = _metric(comparison, RESTORE)
        v = m.verdict(1) if m is not None else None
        head = (f"{names[1]} restores faster than {names[0]}" if v == BETTER else
                f"{names[0]} restores faster than {names[1]}" if v == WORSE else
                f"No measurable difference in time to restore between {names[0]} and {names[1]}")
    else:
        head = f"{len(names) - 1} alternatives against {names[0]}"
    tone = "warn" if WORSE in verdicts else "ok"
    return head, tone


def forest_charts(comparison: Comparison) -> list[Chart]:
    out = []
    for k, (title, metrics) in enumerate(comparison.sections()):
        effects, said = [], []
        for m in metrics:
            for i in range(1, len(comparison.results)):
                d = m.differences[i - 1]
                if d is None or not math.isfinite(d.relative):
                    continue
                effects.append(charts.Effect(m.name, letter(i),
                                             charts.Interval(d.relative, d.rel_low, d.rel_high),
                                             m.verdict(i) or SAME))
                if m.verdict(i) != SAME:
                    said.append(f"{m.name} {letter(i)} {words.relative(d.relative)} "
                                f"(95% CI {words.relative(d.rel_low)} to "
                                f"{words.relative(d.rel_high)}, {m.verdict(i)})")
        if not effects:
            continue
        name = f"{title}: change of each metric against A, with 95% CIs"
        svg = charts.forest(effects, label=name, salt=f"forest-{k}")
        alt = (f"Forest plot of {len(effects)} relative changes. Significant ones: "
               + ("; ".join(said) if said else "none") + ".")
        out.append(Chart(name, svg, alt))
    return out


def metrics_table(comparison: Comparison, only: tuple[str, ...] | None = None) -> Table:
    """Every metric's values and paired change (or only the named ones, in that order)."""
    currency = comparison.results[0].scenario.currency
    n = len(comparison.results)
    columns = ["Metric", "A"] + (["B"] if n == 2 else ["vs", "Value"]) + [
        "Change", "95% CI of the change", "Verdict", "Section"]
    rows, data = [], []
    metrics = list(comparison.metrics) if only is None else [
        m for name in only for m in comparison.metrics if m.name == name]
    for m in metrics:
        for i in range(1, n):
            value, change, interval, _ = words.cells(m, i, currency)
            d = m.differences[i - 1]
            verdict = m.verdict(i) or ""
            row = [Cell(m.name, numeric=False),
                   Cell(words._first_value(m, currency),
                        raw(m.estimates[0].value) if m.estimates[0] else "")]
            row += [] if n == 2 else [Cell(letter(i), numeric=False)]
            row += [Cell(value, raw(m.estimates[i].value) if m.estimates[i] else ""),
                    Cell(change, raw(d.delta) if d else ""),
                    Cell(interval, raw(d.low) if d else ""),
                    Cell(verdict, numeric=False, tone=verdict if verdict != SAME else ""),
                    Cell(m.section, numeric=False)]
            rows.append(row)
            data.append({"metric": m.name, "vs": letter(i),
                         "delta": raw(d.delta) if d else "", "low": raw(d.low) if d else "",
                         "high": raw(d.high) if d else "", "verdict": verdict})
    if only is not None:
        return Table("", columns, rows, data, id="key")
    return Table(f"All {len(comparison.metrics)} metrics compared", columns, rows, data,
                 filterable=True, id="metrics", notes=[words.LEGEND])


@register("compare")
def compare_page(comparison: Comparison) -> Page:
    runs = [(f"{letter(i)} {r.scenario.name}", r) for i, r in enumerate(comparison.results)]
    headline, tone = _tone(comparison)
    verdict = " ".join(_sentence(comparison, i) for i in range(1, len(comparison.results)))
    base = comparison.results[0]
    verdict += (f" Differences are paired: replication r of each scenario used the same random "
                f"numbers (seed {base.seed}, {base.replications:,} replications).")
    figures = []
    c = base.scenario.currency
    for i in range(1, len(comparison.results)):
        for label, name in (("time to restore, mean", RESTORE), ("cost per year", COST)):
            m = _metric(comparison, name)
            if m is None or m.differences[i - 1] is None:
                continue
            d = m.differences[i - 1]
            unit = words._unit(m)
            figures.append((f"{letter(i)} − A, {label}", words.signed(d.delta, unit, c),
                            f"95% CI {words.signed(d.low, unit, c)} to "
                            f"{words.signed(d.high, unit, c)}"))
    warnings = []
    for label, r in runs:
        warnings += [f"{label.split()[0]} ({r.scenario.name}): {w}" for w in content.build(r).warnings]
    sections = [Section("Key figures", "Each scenario's value, and the change against A "
                        "with the 95% CI of the paired difference.",
                        tables=[metrics_table(comparison, KEY)]),
                Section("Paired differences", "Each metric's change against A as a share of "
                        "A's value; a whisker that crosses 0 is no measurable change.",
                        charts=forest_charts(comparison))]
    restore = Section("Time to restore")
    for chart in (distribution_chart(runs, "incidents.time_to_restore", what="Time to restore",
                                     items="incidents", salt="ttr"),
                  priority_chart(runs, salt="prio")):
        if chart is not None:
            restore.charts.append(chart)
    lead = distribution_chart(runs, "deployments.lead_time", what="Deployment lead time",
                              items="deployments", salt="lead")
    util = utilisation_chart(runs, salt="util")
    sections += [s for s in (restore,
                             Section("Deployment lead time", charts=[lead] if lead else []),
                             Section("Cost", charts=cost_charts(runs, salt="cost")),
                             Section("Teams", charts=[util] if util else []))
                 if s.charts]
    sections.append(Section("Every metric", tables=[metrics_table(comparison)]))
    provenance = []
    for label, r in runs:
        provenance += scenario_provenance(f"{label.split()[0]} file", r.scenario.source)
    provenance += [("seed", str(base.seed)), ("replications", f"{base.replications:,} per scenario, "
                                                              "paired")] + common_provenance()
    title = " vs ".join(r.scenario.name for r in comparison.results)
    return Page("compare", title, verdict, tone=tone, headline=headline, figures=figures,
                warnings=warnings, sections=sections, provenance=provenance,
                sources=scenario_sources([(f"Scenario {letter(i)}", r.scenario.source)
                                          for i, r in enumerate(comparison.results)]))
