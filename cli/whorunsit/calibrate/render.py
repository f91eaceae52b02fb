"""A calibration as a rich terminal report, JSON, or the scenario YAML snippet.

Percentile intervals are not symmetric (a long tail pulls the upper end out), so the
terminal shows each 95% CI as a range in its own column rather than the ± the
simulation report uses for means across replications.
"""

from __future__ import annotations

import io
import json
import math

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from whorunsit.calibrate import snippet, values
from whorunsit.calibrate.figures import Calibration
from whorunsit.calibrate.intervals import Figure
from whorunsit.report import format as fmt

FORMATS = ("table", "json", "yaml")
#: width used when the report goes to a file rather than a terminal
FILE_WIDTH = 100
SCHEMA_VERSION = 1


def shown(x: float | None, unit: str) -> str:
    if x is None or not math.isfinite(x):
        return fmt.MISSING
    if unit == "h":
        return fmt.duration(x)
    if unit == "share":
        return fmt.percent(x)
    if unit == "count" and float(x).is_integer():
        return f"{x:,.0f}"
    return fmt.number(x)


def ci(fig: Figure) -> str:
    """'21.5h–22.8h', '≥ 3.2d' for an open upper end, '' when there is none."""
    if not math.isfinite(fig.value) or (fig.low is None and fig.high is None):
        return ""
    if fig.low is None:
        return f"≤ {shown(fig.high, fig.unit)}"
    if fig.high is None:
        return f"≥ {shown(fig.low, fig.unit)}"
    return f"{shown(fig.low, fig.unit)}–{shown(fig.high, fig.unit)}"


def _table(*columns: str, left: int = 1) -> Table:
    out = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False,
                padding=(0, 1, 0, 0))
    for i, name in enumerate(columns):
        out.add_column(name, justify="left" if i < left else "right", header_style="bold",
                       no_wrap=i < left)
    return out


def _figure_rows(table: Table, rows: list[tuple[str, Figure]], n_word: str = "") -> None:
    for name, fig in rows:
        n = f"{fig.n:,}{n_word}" if fig.n else "0"
        table.add_row(name, shown(fig.value, fig.unit), ci(fig), n)


def _section(console: Console, title: str) -> None:
    console.print()
    console.rule(Text(title, style="bold"), align="left")


def header(cal: Calibration) -> list[tuple[str, str]]:
    rows = [("log", cal.source),
            ("read", f"{values.many(cal.rows, 'row', 'rows')}, "
                     f"{values.many(int(cal.incidents.value), 'incident', 'incidents')} "
                     f"(the last row of each {cal.headers['id']})")]
    if cal.span:
        rows.append(("weeks", f"{cal.span[0]}..{cal.span[1]} ({values.many(cal.weeks_covered, 'week', 'weeks')})"))
    if cal.steady:
        how = ("at least half the busiest week" if cal.steady_how == "auto"
               else "chosen with --weeks")
        rows.append(("steady weeks", f"{cal.steady[0]}..{cal.steady[1]} "
                                     f"({values.many(cal.steady_weeks, 'week', 'weeks')}, {how})"))
    rows.append(("working hours", str(cal.working_hours)))
    dates = sorted(set(cal.date_formats.values()))
    if dates:
        rows.append(("dates read as", ", ".join(values.describe_format(d) for d in dates)))
    return rows


def render_table(cal: Calibration, console: Console) -> None:
    """Print the calibration report on ``console``."""
    console.print(Text("whorunsit · calibrate", style="bold"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, val in header(cal):
        grid.add_row(Text(key), Text(val))
    console.print(grid)

    _section(console, "Volume")
    t = _table("Figure", "Value", "95% CI", "n")
    t.add_row("Incidents", shown(cal.incidents.value, "count"), "", "")
    _figure_rows(t, [("Per week, median steady week", cal.per_week_median),
                     ("Per week, mean of steady weeks", cal.per_week_mean)], " wk")
    _figure_rows(t, [("Opened out of hours", cal.out_of_hours)])
    console.print(t)

    resolved = cal.headers.get("resolved")
    _section(console, f"Time to restore ({cal.headers['opened']} -> {resolved})")
    if resolved:
        t = _table("Figure", "Value", "95% CI", "n")
        _figure_rows(t, [(k, cal.ttr[k]) for k in ("p50", "p90", "p95", "p99", "mean")])
        console.print(t)
    else:
        console.print(Text("not measured: no resolved column (--column resolved=HEADER)"))

    if cal.headers.get("reassignments"):
        _section(console, f"Reassignments ({cal.headers['reassignments']})")
        t = _table("Times", "Share", "95% CI", "n")
        _figure_rows(t, list(cal.reassignments.items()) + [("mean", cal.reassignments_mean)])
        console.print(t)

    if cal.headers.get("priority"):
        _section(console, f"Priorities ({cal.headers['priority']})")
        t = _table("Priority", "Share", "95% CI", "TTR p50", "TTR p95", "n")
        for p in cal.priorities:
            t.add_row(p.name, shown(p.share.value, "share"), ci(p.share),
                      shown(p.ttr_p50.value, "h"), shown(p.ttr_p95.value, "h"),
                      f"{round(p.share.value * p.share.n):,}" if p.share.n else "0")
        if cal.other_priority.n and cal.other_priority.value > 0:
            o = cal.other_priority
            t.add_row("other", shown(o.value, "share"), ci(o), "", "",
                      f"{round(o.value * o.n):,}")
        console.print(t)

    if cal.groups:
        _section(console, f"Top assignment groups ({cal.headers['group']}, last row)")
        t = _table("Group", "Incidents", "Share", "TTR p50", "95% CI")
        for g in cal.groups:
            t.add_row(g.name, f"{round(g.share.value * g.share.n):,}",
                      shown(g.share.value, "share"), shown(g.ttr_p50.value, "h"),
                      ci(g.ttr_p50))
        console.print(t)

    _section(console, "Scenario snippet (whorunsit calibrate --format yaml)")
    for line in snippet.render(cal).splitlines():
        console.print(Text(line), overflow="fold")

    _section(console, "Notes")
    if not cal.notes:
        console.print(Text("none: every row read"))
    for note in cal.notes:
        console.print(Text(f"- {note}"))


def render_table_text(cal: Calibration, width: int = FILE_WIDTH) -> str:
    """The terminal report as plain text (no colour codes), e.g. for --output."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, color_system=None,
                      force_terminal=False, highlight=False, emoji=False)
    render_table(cal, console)
    return buffer.getvalue()


def render_json(cal: Calibration) -> str:
    data = {
        "schema_version": SCHEMA_VERSION,
        "log": cal.source,
        "rows": cal.rows,
        "columns": cal.headers,
        "date_formats": cal.date_formats,
        "working_hours": str(cal.working_hours),
        "weeks": {
            "first": cal.span[0] if cal.span else None,
            "last": cal.span[1] if cal.span else None,
            "covered": cal.weeks_covered,
            "steady": {"first": cal.steady[0] if cal.steady else None,
                       "last": cal.steady[1] if cal.steady else None,
                       "weeks": cal.steady_weeks, "chosen": cal.steady_how},
            "incidents": dict(cal.weekly),
        },
        "figures": {name: f.as_dict() for name, f in cal.figures().items()},
        "groups": [{"name": g.name, "incidents": round(g.share.value * g.share.n),
                    "share": g.share.as_dict(), "time_to_restore.p50": g.ttr_p50.as_dict()}
                   for g in cal.groups],
        "snippet": snippet.render(cal),
        "notes": cal.notes,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(cal: Calibration, output_format: str, *, to_file: bool) -> str | None:
    """The report text, or None when the table goes straight to the terminal."""
    if output_format == "json":
        return render_json(cal)
    if output_format == "yaml":
        return snippet.render(cal)
    return render_table_text(cal) if to_file else None
