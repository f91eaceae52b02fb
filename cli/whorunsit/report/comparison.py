"""The compare report: scenarios side by side, each against the first.

It opens with a headline (``report.headline``: which model restores faster, which costs
more, which verdicts flip), then a key-metrics table that fits 80 columns, then a hint
naming ``--all`` and ``--section``; the full tables come only when asked for.

Per metric: its value in every scenario, the paired difference against the first
(absolute and %), the 95% CI of that difference, and a mark: ``*`` when the interval
excludes zero, then ``better``/``worse`` by the metric's direction (``changed`` for
metrics with no preferred direction) when the change is also larger than the metric's
practical threshold, else "no material change". Every cell of a row uses one unit, chosen
for the row. Colour repeats the words, never replaces them, so the report reads the same
under NO_COLOR. Numbers use ``report.format``, like simulate.
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
from whorunsit.report import headline
from whorunsit.report.cells import _unit, mark, relative, scale, signed, value
from whorunsit.report.markdown import escape
from whorunsit.stats import catalogue
from whorunsit.stats.compare import (
    BETTER,
    CHANGED,
    ENTITY_FAMILIES,
    SAME,
    SMALL,
    WORSE,
    Comparison,
    MetricComparison,
)

SCHEMA_VERSION = 1
FILE_WIDTH = 120
STYLES = {BETTER: "bold green", WORSE: "bold red", CHANGED: "bold yellow", SAME: "dim", SMALL: "dim"}
LEGEND = ("* = the 95% CI of the paired difference excludes 0 (common random numbers: "
          "replication r against replication r); better/worse by the metric's direction, "
          "only when the change is also larger than its practical threshold (else "
          "'no material change'); pp = percentage points")
#: what the view shows: the key table, every section, or the named ones
KEY, ALL = "key", "all"
#: sections shown open in markdown; the rest are folded under <details>
OPEN_SECTIONS = ("Outcomes",)


def cells(m: MetricComparison, index: int, currency: str) -> tuple[str, str, str, str]:
    """(value, change, 95% CI of the change, mark) of scenario ``index`` (>= 1)."""
    est = m.estimates[index]
    shown = value(m, est.value, currency) if est is not None else fmt.MISSING
    diff = m.differences[index - 1]
    if diff is None:
        return shown, fmt.MISSING, fmt.MISSING, ""
    unit, row = _unit(m), scale(m)
    change = f"{signed(diff.delta, unit, currency, row)} ({relative(diff.relative)})"
    interval = f"[{signed(diff.low, unit, currency, row)}, {signed(diff.high, unit, currency, row)}]"
    return shown, change, interval, mark(m.verdict(index))


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


def rows(comparison: Comparison, metrics: list[MetricComparison], *,
         labelled: list[tuple[str, str, MetricComparison]] | None = None,
         with_ci: bool = True, split: bool = False) -> tuple[list[str], list[list[Text]]]:
    """Header and rows of one table.

    Two scenarios: one row per metric (metric, A, B, change, CI, mark). More: one row
    per metric and compared scenario, with a "vs" column, so the table's width does not
    grow with the number of scenarios. ``labelled`` gives (group, label, metric) rows
    instead of grouping ``metrics`` by name; ``with_ci=False`` leaves the CI column out;
    ``split`` gives the relative change a column of its own (so no cell wraps).
    """
    currency = comparison.results[0].scenario.currency
    n = len(comparison.results)
    letters = [chr(ord("A") + i) for i in range(n)]
    wide = n == 2
    header = ["metric", "A"] + (["B"] if wide else ["vs", "value"]) + ["change"]
    header += ["%"] if split else []
    header += ["95% CI", ""] if with_ci else [""]
    out = []
    blank = [Text("") for _ in header[1:]]
    for group, label, m in labelled if labelled is not None else grouped(metrics):
        if group:
            out.append([Text(group, style="bold")] + blank)
        for i in range(1, n):
            value, change, interval, mark = cells(m, i, currency)
            style = STYLES.get(m.verdict(i) or SAME, "") if mark else ""
            first = i == 1
            row = [Text(label if first else ""), Text(_first_value(m, currency) if first else "")]
            row += [] if wide else [Text(letters[i])]
            if split:
                absolute, _, rel = change.partition(" (")
                row += [Text(value), Text(absolute, style=style), Text(rel.rstrip(")"), style=style)]
            else:
                row += [Text(value), Text(change, style=style)]
            row += [Text(interval)] if with_ci else []
            row += [Text(mark, style=style)]
            out.append(row)
    return header, out


#: the key table: metrics a manager reads first, as (metric, label); those a run lacks
#: drop out, and every cost part the run reports joins them (see ``key_rows``)
KEY_METRICS = (
    ("incidents.time_to_restore.mean", "Time to restore, mean"),
    ("incidents.time_to_restore.p50", "Time to restore, median"),
    ("incidents.time_to_restore.p95", "Time to restore, p95"),
    ("incidents.urgent.time_to_restore.p95", "Urgent incidents, p95"),
    ("deployments.lead_time.p50", "Lead time, median"),
    ("deployments.throughput_per_week", "Deployments delivered"),
    ("incidents.handoffs.mean", "Handoffs per incident"),
    ("oncall.callouts_per_week", "Out-of-hours callouts"),
    ("oncall.unpaid_hours", "Unpaid out-of-hours"),
)
COST_WORDS = {"oncall": "on-call", "toil": "TOIL"}
#: the key table shows the parts of the bill only: funding splits, the total (its own row) and what the paid
#: hours went on (inside the headcount, not added to it) stay out of the key table
KEY_COST_SKIPPED = ("cost.total", *catalogue.COST_NOT_BILLED)


def key_rows(comparison: Comparison) -> list[tuple[str, str, MetricComparison]]:
    """(group, label, metric) rows of the key table, from the metrics present: the
    outcomes above, then every cost part the run reports, then the total."""
    by_name = {m.name: m for m in comparison.metrics}
    out = [("", label, by_name[name]) for name, label in KEY_METRICS if name in by_name]
    out += [("", "Cost: " + COST_WORDS.get(part := m.name.split(".", 1)[1], part.replace("_", " ")), m)
            for m in comparison.metrics
            if m.name.startswith("cost.") and m.name not in KEY_COST_SKIPPED]
    if "cost.total" in by_name:
        out.append(("", "Total cost", by_name["cost.total"]))
    return out


def _widths(header: list[str], body: list[list[Text]], width: int) -> list[int]:
    """Column widths for ``width``: natural if they fit; else the change, CI and mark
    columns wrap between words; else the metric name folds (never below MIN_NAME).
    Values never wrap."""
    texts = [[h] + [row[i].plain for row in body] for i, h in enumerate(header)]
    natural = [max(len(t) for t in col) for col in texts]
    words = [max(len(w) for t in col for w in (t.split() or [""])) for col in texts]
    # the interval wraps first, then the change, the verdict words last
    wrappable = [header.index(h) for h in ("95% CI", "change", "") if h in header]
    room = width - GAP * (len(header) - 1)
    widths = list(natural)
    for i in wrappable:
        if sum(widths) <= room:
            break
        widths[i] = max(words[i], natural[i] - (sum(widths) - room))
    if sum(widths) > room:
        widths[0] = max(MIN_NAME, widths[0] - (sum(widths) - room))
    return widths


#: columns are separated by the table's (invisible) divider only
GAP = 1
MIN_NAME = 16
#: from this width the key table has room for the CI column
KEY_CI_WIDTH = 100
#: --section names: the first word of each section's title, lower case
SECTION_NAMES = {"outcomes": "Outcomes", "availability": "Availability", "flow": "Flow",
                 "cost": "On-call & cost", "oncall": "On-call & cost"}


def _print_table(console: Console, header: list[str], body: list[list[Text]]) -> None:
    widths = _widths(header, body, console.width)
    table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 0, 0, 0))
    for i, name in enumerate(header):
        numeric = 0 < i < len(header) - 1 and name != "vs"
        table.add_column(name, justify="right" if numeric else "left", header_style="bold",
                         width=widths[i], overflow="fold")
    for row in body:
        table.add_row(*row)
    console.print(table)


def hint(comparison: Comparison) -> str:
    n = len(comparison.metrics)
    return (f"Key metrics only. --all shows all {n} metrics; --section "
            f"{','.join(dict.fromkeys(k for k in SECTION_NAMES if k != 'oncall'))} shows "
            "those sections; --metrics 'cost.*' picks metrics by name (whorunsit metrics "
            "lists them).")


def write_table(comparison: Comparison, console: Console, *, show: str | list[str] = ALL,
                full: Comparison | None = None) -> None:
    """The report: heading, headline, then the key table (``show=KEY``), every section
    (ALL) or the named section titles. ``full`` is the unfiltered comparison the
    headline is drawn from when ``comparison`` holds only some metrics."""
    lines = heading(comparison)
    console.print(Text(lines[0], style="bold"))
    for line in lines[1:]:
        console.print(Text(line))
    console.print()
    for line in headline.compare_lines(full or comparison):
        console.print(Text(line))
    if show == KEY:
        console.print()
        console.rule(Text("Key metrics", style="bold"), align="left")
        header, body = rows(comparison, [], labelled=key_rows(comparison),
                            with_ci=console.width >= KEY_CI_WIDTH, split=True)
        _print_table(console, header, body)
        console.print()
        console.print(Text(hint(comparison), style="dim"))
    else:
        for title, metrics in comparison.sections():
            if show != ALL and title not in show:
                continue
            console.print()
            console.rule(Text(title, style="bold"), align="left")
            header, body = rows(comparison, metrics)
            _print_table(console, header, body)
    console.print()
    console.print(Text(LEGEND, style="dim"))


def render_table_text(comparison: Comparison, *, width: int = FILE_WIDTH,
                      show: str | list[str] = ALL, full: Comparison | None = None) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, color_system=None,
                      force_terminal=False, highlight=False, emoji=False)
    write_table(comparison, console, show=show, full=full)
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def to_dict(comparison: Comparison, full: Comparison | None = None) -> dict:
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
                "significant": d.significant, "practical_threshold": _finite(m.threshold(i)),
                "material": m.verdict(i) in (BETTER, WORSE, CHANGED),
                "verdict": m.verdict(i), "paired_replications": d.n,
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
        "headline": headline.compare_lines(full or comparison),
        "metrics": metrics,
    }


def render_json(comparison: Comparison, full: Comparison | None = None) -> str:
    return json.dumps(to_dict(comparison, full), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_markdown(comparison: Comparison, full: Comparison | None = None) -> str:
    currency = comparison.results[0].scenario.currency
    names = [r.scenario.name for r in comparison.results]
    lines = heading(comparison)
    out = [f"## {escape(lines[0])}", ""]
    out += [f"- {escape(line.strip())}" for line in lines[1:]] + [""]
    out += ["### Headline", ""]
    out += [f"- {escape(line)}" for line in headline.compare_lines(full or comparison)] + [""]
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
                        (f"\\* **{verdict}**" if verdict != SMALL else verdict) if mark else ""]
            out.append("| " + " | ".join(row) + " |")
        out += ["", "</details>", ""] if folded else [""]
    out += [f"_{escape(LEGEND)}_", ""]
    return "\n".join(out)
