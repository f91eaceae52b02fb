"""The simulate report as GitHub-flavoured markdown, for pull-request comments.

Same sections and words as the terminal report (both come from ``report.content``);
histograms go in a text block, and every metric with its interval is folded into a
<details> table at the end so the comment stays short.
"""

from __future__ import annotations

import re

from whorunsit.report import content, headline, histogram
from whorunsit.report import format as fmt
from whorunsit.stats.results import Results

CHART_WIDTH = 80


def escape(text: str) -> str:
    """Make text safe inside a markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(t: content.Table) -> list[str]:
    """A content table as markdown lines: names left-aligned, numbers right-aligned."""
    t = content.split_names(t)
    first = t.rows[0] if t.rows else []
    align = ["---:" if (first[i].numeric if i < len(first) else True) else ":---"
             for i in range(len(t.columns))]
    lines = ["| " + " | ".join(escape(c) for c in t.columns) + " |",
             "| " + " | ".join(align) + " |"]
    for i, row in enumerate(t.rows):
        bold = t.is_total(i)
        cells = [f"**{escape(c.text)}**" if (c.warn or bold) and c.text else escape(c.text)
                 for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [""] + [f"_{escape(note)}_" for note in t.notes]
    return lines


def render_markdown(results: Results, *, precision: float | None = None) -> str:
    """The full report as markdown text (ends with a newline)."""
    report = content.build(results, precision=precision)
    out = [f"## whorunsit: {escape(report.title)}", ""]
    out += [f"- **{key}**: {escape(val)}" for key, val in report.header[1:]]
    out += [""] + [f"{escape(line)}  " for line in headline.simulate_lines(results)
                   if not line.startswith(headline.DELIVERY)]
    out += ["", f"### {report.headline.title}", ""]
    out += table(report.headline)
    v = report.verdict
    out += [f"**Delivery: {v.headline}** — {v.detail}", ""]
    for t in report.tables:
        out += [f"### {t.title}", ""] + table(t) + [""]
    for chart in report.charts:
        out += [f"### {chart.title}", "", "```text"]
        out += histogram.draw(chart.counts, width=CHART_WIDTH)
        out += ["```", ""]
    out += ["### Warnings", ""]
    out += [f"- ⚠️ **WARN** {escape(w)}" for w in report.warnings] or ["none"]
    out += [""] + all_metrics(results) + [""]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out))


def all_metrics(results: Results) -> list[str]:
    """Every metric with its value and 95% CI, folded away under <details>."""
    estimates = results.estimates()
    currency = results.scenario.currency
    lines = [f"<details><summary>All {len(estimates)} metrics</summary>", "",
             "| metric | estimate | 95% CI | unit |", "| :--- | ---: | ---: | :--- |"]
    for name in sorted(estimates):
        e = estimates[name]
        interval = (f"{fmt.metric(name, e.low, currency)} – {fmt.metric(name, e.high, currency)}"
                    if e.n > 1 else fmt.MISSING)
        value = fmt.metric(name, e.value, currency)
        lines.append(f"| `{name}` | {escape(value)} | {escape(interval)} "
                     f"| {escape(e.unit)} |")
    lines += ["", "</details>"]
    return lines
