"""The gate as an HTML page: the verdict, then every assertion as pass / fail / warn /
inconclusive with its value, 95% CI and threshold, for the pull request's artifact."""

from __future__ import annotations

import math

from whorunsit.gate.evaluate import INCONCLUSIVE
from whorunsit.gate.formats import display_path
from whorunsit.gate.quantities import show
from whorunsit.gate.runner import GateRun
from whorunsit.report import html
from whorunsit.report.html import register
from whorunsit.report.html.page import (
    Cell,
    Page,
    Section,
    Table,
    common_provenance,
    raw,
    scenario_provenance,
    scenario_sources,
)

TONES = {"PASS": "pass", "FAIL": "fail", "WARN": "warn", "INCONCLUSIVE": "inconclusive"}
SYMBOLS = {"PASS": "✓", "FAIL": "✗", "WARN": "!", "INCONCLUSIVE": "?"}


def _table(run: GateRun) -> Table:
    currency = run.candidate.currency
    rows, data = [], []
    order = {"FAIL": 0, "INCONCLUSIVE": 1, "WARN": 2, "PASS": 3}
    for o in sorted(run.outcomes, key=lambda o: order[run.verdict(o)]):
        a = o.assertion
        verdict = run.verdict(o)
        signed = a.delta
        interval = (f"{show(o.low, a.unit, currency, signed=signed)} to "
                    f"{show(o.high, a.unit, currency, signed=signed)}"
                    if math.isfinite(o.low) and math.isfinite(o.high) else "—")
        rows.append([
            Cell(f"{SYMBOLS[verdict]} {verdict}", order[verdict], numeric=False,
                 tone=TONES[verdict]),
            Cell(a.expression, numeric=False),
            Cell(a.level, numeric=False),
            Cell(show(o.value, a.unit, currency, signed=signed), raw(o.value)),
            Cell(interval, raw(o.low)),
            Cell(f"{a.op} {show(a.threshold, a.unit, currency, signed=signed, exact=True)}",
                 raw(a.threshold)),
            Cell(f"{o.replications:,}", o.replications),
            Cell(run.why(o), numeric=False),
            Cell(str(a.location).replace(a.location.file, display_path(a.location.file)),
                 numeric=False),
        ])
        data.append({"metric": a.subject, "status": o.status, "verdict": verdict,
                     "value": raw(o.value), "low": raw(o.low), "high": raw(o.high),
                     "threshold": raw(a.threshold)})
    return Table(f"{len(rows)} assertions", ["Result", "Assertion", "Level", "Value",
                                             "95% CI", "Threshold", "Replications", "Why",
                                             "Where"],
                 rows, data, id="assertions",
                 notes=["An assertion passes when its whole 95% CI satisfies it, fails when "
                        "none of it does, and is inconclusive otherwise."])


@register("gate")
def gate_page(run: GateRun) -> Page:
    counts = {k: sum(1 for o in run.outcomes if run.verdict(o) == k) for k in TONES}
    failed = [o for o in run.outcomes if o.counts_as_failure(run.allow_inconclusive)]
    against = f" against the baseline {run.baseline.name}" if run.baseline is not None else ""
    verdict = (f"The gate {'passed' if run.passed else 'FAILED'} for {run.candidate.name}"
               f"{against}: {counts['PASS']} of {len(run.outcomes)} assertions pass, "
               f"{counts['FAIL']} fail, {counts['INCONCLUSIVE']} are inconclusive and "
               f"{counts['WARN']} are warnings, judged on 95% confidence intervals over "
               f"{run.replications:,} replications (rounds: "
               f"{', '.join(f'{n:,}' for n in run.rounds)}; seed {run.seed}).")
    if failed:
        verdict += " Failing: " + "; ".join(f"{o.assertion.expression} ({run.why(o)})"
                                             for o in failed) + "."
    warnings = [f"{o.assertion.expression}: {run.why(o)}" for o in run.outcomes
                if run.verdict(o) == "WARN"]
    if any(o.status == INCONCLUSIVE for o in run.outcomes) and run.allow_inconclusive:
        warnings.append("inconclusive assertions were accepted (--allow-inconclusive)")
    tone = "fail" if not run.passed else ("warn" if warnings else "ok")
    figures = [(k.capitalize(), f"{counts[k]}", "") for k in ("PASS", "FAIL", "INCONCLUSIVE", "WARN")]
    provenance = scenario_provenance("scenario file", run.candidate.source)
    if run.baseline is not None:
        provenance += scenario_provenance("baseline file", run.baseline.source)
    provenance += [("seed", str(run.seed)), ("replications", f"{run.replications:,}"),
                   ("max replications", f"{run.max_replications:,}")] + common_provenance()
    sources = [("Scenario", run.candidate.source)]
    if run.baseline is not None:
        sources.append(("Baseline", run.baseline.source))
    return Page("gate", run.candidate.name, verdict, tone=tone,
                headline=run.summary(), figures=figures, warnings=warnings,
                sections=[Section("Assertions", tables=[_table(run)])],
                provenance=provenance, sources=scenario_sources(sources))


def render_html(run: GateRun) -> str:
    return html.render("gate", run)
