"""A calibration as an HTML page: what the incident log says, with its 95% CIs, next to
the scenario snippet it suggests."""

from __future__ import annotations

import math

from whorunsit.calibrate import snippet
from whorunsit.calibrate.figures import Calibration
from whorunsit.calibrate.intervals import Figure
from whorunsit.calibrate.render import ci, header, shown
from whorunsit.report import html
from whorunsit.report.html import charts, register
from whorunsit.report.html.page import (
    Cell,
    Chart,
    Page,
    Section,
    Source,
    Table,
    common_provenance,
    file_hash,
    raw,
)


def _iv(f: Figure) -> charts.Interval:
    nan = math.nan
    return charts.Interval(f.value, nan if f.low is None else f.low,
                           nan if f.high is None else f.high)


def _told(f: Figure) -> str:
    interval = ci(f)
    return f"{shown(f.value, f.unit)} (95% CI {interval})" if interval else shown(f.value, f.unit)


def _metrics(cal: Calibration) -> Table:
    rows, data = [], []
    for name, f in cal.figures().items():
        rows.append([Cell(name, numeric=False), Cell(shown(f.value, f.unit), raw(f.value)),
                     Cell(shown(f.low, f.unit) if f.low is not None else "—", raw(f.low)),
                     Cell(shown(f.high, f.unit) if f.high is not None else "—", raw(f.high)),
                     Cell(f"{f.n:,}", f.n), Cell(f.unit, numeric=False)])
        data.append({"metric": name, "value": raw(f.value), "low": raw(f.low),
                     "high": raw(f.high), "unit": f.unit})
    return Table(f"All {len(rows)} figures", ["Figure", "Value", "95% CI low", "95% CI high",
                                              "n", "Unit"], rows, data, filterable=True,
                 id="metrics")


def _charts(cal: Calibration) -> list[Chart]:
    out = []
    if cal.weekly:
        labels = [w for w, _ in cal.weekly]
        steady = None
        if cal.steady and cal.steady[0] in labels and cal.steady[1] in labels:
            steady = (labels.index(cal.steady[0]), labels.index(cal.steady[1]))
        title = "Incidents opened per week, steady weeks shaded, with the weekly rate's 95% CI"
        svg = charts.weekly(cal.weekly, steady, _iv(cal.per_week_median), label=title,
                            salt="weeks")
        out.append(Chart(title, svg, f"Bars for {len(cal.weekly)} weeks, from "
                         f"{labels[0]} to {labels[-1]}, busiest {max(c for _, c in cal.weekly):,}; "
                         f"median steady week {_told(cal.per_week_median)}."))
    rows = [("All incidents", {k: _iv(cal.ttr[k]) for k in ("p50", "p90", "p95") if k in cal.ttr})]
    rows += [(p.name, {"p50": _iv(p.ttr_p50), "p95": _iv(p.ttr_p95)}) for p in cal.priorities]
    if any(math.isfinite(v.value) for _, d in rows for v in d.values()):
        title = "Time to restore (opened to resolved) by priority, with 95% CIs"
        svg = charts.ranges([r for r, _ in rows], [("log", [d for _, d in rows])],
                            xlabel="time to restore (log scale; whiskers: 95% CI)",
                            label=title, salt="ttr")
        said = [f"{r} {k} {shown(v.value, 'h')}" for r, d in rows for k, v in d.items()
                if math.isfinite(v.value)]
        out.append(Chart(title, svg, "; ".join(said) + "."))
    if cal.reassignments:
        rows = list(cal.reassignments.items())
        title = "Share of incidents by number of reassignments, with 95% CIs"
        svg = charts.ranges([k for k, _ in rows], [("log", [{"share": _iv(f)} for _, f in rows])],
                            xlabel="share of incidents (whiskers: 95% Wilson CI)", label=title,
                            salt="reassign", log_hours=False, axis=charts.percent_axis)
        out.append(Chart(title, svg, "; ".join(f"{k} reassignments: {_told(f)}"
                                                for k, f in rows) + "."))
    return out


@register("calibrate")
def calibrate_page(cal: Calibration) -> Page:
    ttr = cal.ttr.get("p50")
    parts = [f"The log holds {int(cal.incidents.value):,} incidents"]
    if cal.steady:
        parts.append(f"about {_told(cal.per_week_median)} a week in its steady weeks "
                     f"{cal.steady[0]}..{cal.steady[1]}")
    verdict = ", ".join(parts) + "."
    if ttr is not None and math.isfinite(ttr.value):
        verdict += (f" Half are resolved within {_told(ttr)} of being opened and 95% within "
                    f"{_told(cal.ttr['p95'])}.")
    if math.isfinite(cal.out_of_hours.value):
        verdict += (f" {_told(cal.out_of_hours)} are opened out of working hours "
                    f"({cal.working_hours}).")
    verdict += " Paste the snippet below into a scenario to simulate this organisation."
    sections = [Section("What the log shows", charts=_charts(cal)),
                Section("Every figure", tables=[_metrics(cal)])]
    provenance = [("log", cal.source), ("log sha256", file_hash(cal.source) or "not a file"),
                  ("seed", "none: measured, not simulated"),
                  ("replications", "none: measured, not simulated")]
    provenance += [(k, v) for k, v in header(cal) if k != "log"] + common_provenance()
    return Page("calibrate", f"Incident log: {cal.source}", verdict, tone="warn" if cal.notes else "ok",
                headline=f"{int(cal.incidents.value):,} incidents measured",
                warnings=list(cal.notes), sections=sections, provenance=provenance,
                sources=[Source("Scenario snippet (whorunsit calibrate --format yaml)",
                                snippet.render(cal))])


def render_html(cal: Calibration) -> str:
    return html.render("calibrate", cal)
