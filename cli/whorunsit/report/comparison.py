"""The compare report: scenarios side by side, each against the first.

Per metric: its value in every scenario, the paired difference against the first
(absolute and %), the 95% CI of that difference, and a mark: ``*`` when the interval
excludes zero, then ``better``/``worse`` by the metric's direction (``changed`` for
metrics with no preferred direction). Colour repeats the words, never replaces them, so
the report reads the same under NO_COLOR. Numbers use ``report.format``, like simulate.
"""

from __future__ import annotations

import io
import json
import math

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from whorunsit.report import format as fmt
from whorunsit.report.markdown import escape
from whorunsit.stats.compare import (
    BETTER,
    CHANGED,
    ENTITY_FAMILIES,
    SAME,
    WORSE,
    Comparison,
    MetricComparison,
)

SCHEMA_VERSION = 1
FILE_WIDTH = 120
STYLES = {BETTER: "bold green", WORSE: "bold red", CHANGED: "bold yellow", SAME: "dim"}
LEGEND = ("* = the 95% CI of the paired difference excludes 0 (common random numbers: "
          "replication r against replication r); better/worse by the metric's direction; "
          "money is per year; pp = percentage points")
#: sections shown open in markdown; the rest are folded under <details>
OPEN_SECTIONS = ("Outcomes",)


def _unit(m: MetricComparison) -> str:
    # availability keeps three decimals: 99.9% and 99.95% are different promises
    return "availability" if m.name.endswith(".availability") else fmt.catalogue_unit(m.name)


def signed(x: float, unit: str, currency: str) -> str:
    """A change with its sign; a change of a share is in percentage points (pp), so it
    cannot be mistaken for the relative change printed next to it."""
    if not math.isfinite(x):
        return fmt.MISSING
    if unit in ("share", "availability"):
        places = 3 if unit == "availability" or (x and abs(x) < 0.001) else 1
        return f"{x * 100:+.{places}f}pp"
    text = fmt.value(x, unit, currency, suffix=unit != "money/year")
    return "+" + text if x > 0 else text


def relative(x: float) -> str:
    return f"{x * 100:+.1f}%" if math.isfinite(x) else fmt.MISSING


def value(m: MetricComparison, x: float, currency: str) -> str:
    """A value in the metric's unit; money without "/yr" (the legend says every amount
    is per year), which keeps cost rows narrow enough for 80 columns."""
    unit = _unit(m)
    return fmt.value(x, unit, currency, suffix=unit != "money/year")


def cells(m: MetricComparison, index: int, currency: str) -> tuple[str, str, str, str]:
    """(value, change, 95% CI of the change, mark) of scenario ``index`` (>= 1)."""
    est = m.estimates[index]
    shown = value(m, est.value, currency) if est is not None else fmt.MISSING
    diff = m.differences[index - 1]
    if diff is None:
        return shown, fmt.MISSING, fmt.MISSING, ""
    unit = _unit(m)
    change = f"{signed(diff.delta, unit, currency)} ({relative(diff.relative)})"
    interval = f"[{signed(diff.low, unit, currency)}, {signed(diff.high, unit, currency)}]"
    verdict = m.verdict(index)
    mark = "" if verdict == SAME else f"* {verdict}"
    return shown, change, interval, mark


def _first_value(m: MetricComparison, currency: str) -> str:
    est = m.estimates[0]
    return value(m, est.value, currency) if est is not None else fmt.MISSING


def heading(comparison: Comparison) -> list[str]:
    base = comparison.results[0]
    others = ", ".join(chr(ord("A") + i) for i in range(1, len(comparison.results)))
    lines = [f"whorunsit compare · {others} against A · seed {base.seed} · "
             f"{base.replications} replications, paired"]
    for i, r in enumerate(comparison.results):
        lines.append(f"  {chr(ord('A') + i)}  {r.scenario.name} ({r.scenario.source})")
    return lines


def group_key(name: str) -> str:
    """What a metric is about: its team or application (teams.app-ops), else its parent
    (incidents.time_to_restore for .p95)."""
    parts = name.split(".")
    if parts[0] in ENTITY_FAMILIES and len(parts) > 2:
        return ".".join(parts[:2])
    return ".".join(parts[:-1])


def grouped(metrics: list[MetricComparison]) -> list[tuple[str, str, MetricComparison]]:
    """(group heading or "", row label, metric). Adjacent metrics about the same thing
    sit under one heading ("teams.app-ops", "incidents.time_to_restore") with short
    labels ("  utilisation", "  p95"), so names stay whole at 80 columns. The heading
    comes with the first metric of its group; a metric alone keeps its full name."""
    keys = [group_key(m.name) for m in metrics]
    out = []
    for i, (key, m) in enumerate(zip(keys, metrics, strict=True)):
        shared = key and ((i > 0 and keys[i - 1] == key) or (i + 1 < len(keys) and keys[i + 1] == key))
        if not shared:
            out.append(("", m.name, m))
            continue
        heading = key if i == 0 or keys[i - 1] != key else ""
        out.append((heading, "  " + m.name[len(key) + 1:], m))
    return out


def rows(comparison: Comparison, metrics: list[MetricComparison]) -> tuple[list[str], list[list[Text]]]:
    """Header and rows of one section's table.

    Two scenarios: one row per metric (metric, A, B, change, CI, mark). More: one row
    per metric and compared scenario, with a "vs" column, so the table's width does not
    grow with the number of scenarios.
    """
    currency = comparison.results[0].scenario.currency
    n = len(comparison.results)
    letters = [chr(ord("A") + i) for i in range(n)]
    wide = n == 2
    header = ["metric", "A"] + (["B"] if wide else ["vs", "value"]) + ["change", "95% CI", ""]
    out = []
    blank = [Text("") for _ in header[1:]]
    for group, label, m in grouped(metrics):
        if group:
            out.append([Text(group, style="bold")] + blank)
        for i in range(1, n):
            value, change, interval, mark = cells(m, i, currency)
            style = STYLES.get(m.verdict(i) or SAME, "") if mark else ""
            first = i == 1
            row = [Text(label if first else ""), Text(_first_value(m, currency) if first else "")]
            row += [] if wide else [Text(letters[i])]
            row += [Text(value), Text(change, style=style), Text(interval), Text(mark, style=style)]
            out.append(row)
    return header, out


def _widths(header: list[str], body: list[list[Text]], width: int) -> list[int]:
    """Column widths for ``width``: natural if they fit; else change and CI wrap between
    words; else the metric name folds (never below MIN_NAME). Values and marks never wrap."""
    texts = [[h] + [row[i].plain for row in body] for i, h in enumerate(header)]
    natural = [max(len(t) for t in col) for col in texts]
    words = [max(len(w) for t in col for w in (t.split() or [""])) for col in texts]
    wrappable = {len(header) - 3, len(header) - 2}
    room = width - GAP * (len(header) - 1)
    widths = list(natural)
    for i in sorted(wrappable, key=lambda i: words[i] - natural[i]):
        if sum(widths) <= room:
            break
        widths[i] = max(words[i], natural[i] - (sum(widths) - room))
    if sum(widths) > room:
        widths[0] = max(MIN_NAME, widths[0] - (sum(widths) - room))
    return widths


#: columns are separated by the table's (invisible) divider only
GAP = 1
MIN_NAME = 16


def write_table(comparison: Comparison, console: Console) -> None:
    lines = heading(comparison)
    console.print(Text(lines[0], style="bold"))
    for line in lines[1:]:
        console.print(Text(line))
    for title, metrics in comparison.sections():
        console.print()
        console.rule(Text(title, style="bold"), align="left")
        header, body = rows(comparison, metrics)
        widths = _widths(header, body, console.width)
        table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 0, 0, 0))
        for i, name in enumerate(header):
            numeric = 0 < i < len(header) - 1 and name != "vs"
            table.add_column(name, justify="right" if numeric else "left", header_style="bold",
                             width=widths[i], overflow="fold")
        for row in body:
            table.add_row(*row)
        console.print(table)
    console.print()
    console.print(Text(LEGEND, style="dim"))


def render_table_text(comparison: Comparison, *, width: int = FILE_WIDTH) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, color_system=None,
                      force_terminal=False, highlight=False, emoji=False)
    write_table(comparison, console)
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def to_dict(comparison: Comparison) -> dict:
    base = comparison.results[0]
    metrics = {}
    for m in comparison.metrics:
        differences = []
        for i, d in enumerate(m.differences, start=1):
            if d is None:
                differences.append(None)
                continue
            differences.append({
                "delta": _finite(d.delta), "ci95": [_finite(d.low), _finite(d.high)],
                "relative": _finite(d.relative), "relative_ci95": [_finite(d.rel_low), _finite(d.rel_high)],
                "significant": d.significant, "verdict": m.verdict(i), "paired_replications": d.n,
                "ci95_unpaired": [_finite(d.unpaired_low), _finite(d.unpaired_high)],
            })
        metrics[m.name] = {
            "unit": m.unit,
            "direction": m.direction,
            "section": m.section,
            "values": [None if e is None else {"value": _finite(e.value), "ci95": [_finite(e.low), _finite(e.high)]}
                       for e in m.estimates],
            "differences": differences,
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "seed": base.seed,
        "replications": base.replications,
        "scenarios": [{"name": r.scenario.name, "file": r.scenario.source, "currency": r.scenario.currency}
                      for r in comparison.results],
        "metrics": metrics,
    }


def render_json(comparison: Comparison) -> str:
    return json.dumps(to_dict(comparison), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_markdown(comparison: Comparison) -> str:
    currency = comparison.results[0].scenario.currency
    names = [r.scenario.name for r in comparison.results]
    lines = heading(comparison)
    out = [f"## {escape(lines[0])}", ""]
    out += [f"- {escape(line.strip())}" for line in lines[1:]] + [""]
    columns = ["metric", escape(names[0])]
    for name in names[1:]:
        columns += [escape(name), "change", "95% CI", ""]
    align = [":---", "---:"] + ["---:", "---:", "---:", ":---"] * (len(names) - 1)
    for title, metrics in comparison.sections():
        folded = title not in OPEN_SECTIONS
        out += ([f"<details><summary>{escape(title)} ({len(metrics)} metric"
                   f"{'s' if len(metrics) != 1 else ''})</summary>", ""]
                if folded else [f"### {escape(title)}", ""])
        out += ["| " + " | ".join(columns) + " |", "| " + " | ".join(align) + " |"]
        for m in metrics:
            row = [f"`{m.name}`", escape(_first_value(m, currency))]
            for i in range(1, len(names)):
                value, change, interval, mark = cells(m, i, currency)
                verdict = m.verdict(i)
                row += [escape(value), escape(change), escape(interval),
                        f"\\* **{verdict}**" if mark else ""]
            out.append("| " + " | ".join(row) + " |")
        out += ["", "</details>", ""] if folded else [""]
    out += [f"_{escape(LEGEND)}_", ""]
    return "\n".join(out)
