"""Markdown for a job summary or pull-request comment: a verdict line, a table of
assertions, and the reasons folded in <details>. GitHub caps a comment at 65,536
characters and a step summary at 1 MiB, so the report stays under LIMIT bytes by
leaving out detail lines (and then table rows) and saying how many were left out."""

from __future__ import annotations

from whorunsit.gate.evaluate import PASS
from whorunsit.gate.formats import display_path, where
from whorunsit.gate.quantities import digits_for, show
from whorunsit.gate.runner import GateRun

LIMIT = 60_000
ICONS = {"PASS": "✅", "FAIL": "❌", "INCONCLUSIVE": "❔", "WARN": "⚠️"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(run: GateRun, o) -> str:
    a = o.assertion
    currency = run.candidate.currency
    digits = digits_for((o.value, o.low, o.high), a.threshold, a.unit, signed=a.delta)

    def q(x: float) -> str:
        return show(x, a.unit, currency, signed=a.delta, digits=digits)

    verdict = run.verdict(o)
    return (f"| {ICONS[verdict]} {verdict} | `{_cell(a.expression)}` | {a.level} | {q(o.value)} "
            f"| {q(o.low)} … {q(o.high)} | {_cell(where(a.location))} |")


def _detail(run: GateRun, o) -> str:
    return f"- **{run.verdict(o)}** `{_cell(o.assertion.expression)}`: {run.why(o)}"


def render_markdown(run: GateRun, limit: int = LIMIT) -> str:
    title = "✅ whorunsit gate passed" if run.passed else "❌ whorunsit gate failed"
    against = f" against **{run.baseline.name}** (`{display_path(run.baseline.source)}`)" \
        if run.baseline is not None else ""
    head = [
        f"## {title}",
        "",
        f"**{run.candidate.name}** (`{display_path(run.candidate.source)}`){against}: "
        f"{run.replications} replications, seed {run.seed}.",
        "",
        run.summary(),
        "",
    ]
    table = ["| result | assertion | level | value | 95% CI | where |",
             "|---|---|---|---|---|---|"]
    # what fails first: a reader scanning a long list needs those, not the passes
    ordered = sorted(run.outcomes, key=lambda o: (o.status == PASS, o.assertion.level != "error"))
    rows = [_row(run, o) for o in ordered]
    details = [_detail(run, o) for o in ordered]

    def assemble(n_rows: int, n_details: int) -> str:
        parts = head + table + rows[:n_rows]
        if n_rows < len(rows):
            parts.append(f"| … | {len(rows) - n_rows} more assertions left out to stay under "
                         f"{limit // 1000} kB | | | | |")
        parts += ["", "<details><summary>Why, assertion by assertion</summary>", ""]
        parts += details[:n_details]
        if n_details < len(details):
            parts.append(f"- … {len(details) - n_details} more left out to stay under "
                         f"{limit // 1000} kB; see the JSON report")
        parts += ["", "</details>", ""]
        return "\n".join(parts)

    n_rows, n_details = len(rows), len(details)
    text = assemble(n_rows, n_details)
    while len(text.encode("utf-8")) > limit and n_details > 0:
        n_details = max(0, n_details - max(1, n_details // 10))
        text = assemble(n_rows, n_details)
    while len(text.encode("utf-8")) > limit and n_rows > 0:
        n_rows = max(0, n_rows - max(1, n_rows // 10))
        text = assemble(n_rows, n_details)
    return text
