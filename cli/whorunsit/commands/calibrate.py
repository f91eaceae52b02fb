"""`whorunsit calibrate`: measure a real incident log for writing or checking a scenario.

Flags are parsed here, not by typer's converters, so a bad value gives one line and
exit code 2 like every other input problem; all of them are checked before the log is
read, which can take a few seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands.common import choice, guarded, html_ready

FORMATS = ("table", "json", "yaml", "html")

HELP = """Measure a real incident log: the figures to write or check a scenario against.

Reads an ITSM incident export (CSV, or a .zip holding one CSV; one row per update is
fine, the last row of each incident is used) and prints incidents per week, time
from opened to resolved (p50/p90/p95/p99/mean), reassignments (0/1/2/3+, mean), the
share opened out of working hours, the priority mix with time to restore per priority,
the busiest assignment groups, and a YAML snippet to paste into a scenario. Percentiles
carry order-statistic 95% CIs, shares Wilson 95% CIs.

An event log (one row per event, the time column changing across the rows of an
incident, as in process-mining logs) is read as one: opened at the first event,
resolved at the first whose status matches --resolved-status, reassignments counted
as changes of group; name its status column with --column status=HEADER.

Column names default to a ServiceNow export (number, opened_at, resolved_at,
reassignment_count, priority, assignment_group); name others with --column, e.g.
--column id=Ticket --column group=Team, or leave one out with --column group=.

\b
Examples:
  whorunsit calibrate incidents.csv
  whorunsit calibrate export.zip --format yaml >> scenario-notes.yaml
  whorunsit calibrate export.csv --column id=ticket_id --column opened=created
  whorunsit calibrate export.csv --weeks 2016-W09..2016-W21 --working-hours 08:00-18:00
  whorunsit calibrate export.csv --format json --output calibration.json
  whorunsit calibrate export.csv --format html --output calibration.html

--output writes atomically: a failed run never leaves a half-written file.
"""


def command(
    log: Path = typer.Argument(..., metavar="LOG",
                               help="Incident log: CSV, or a .zip holding one CSV.",
                               show_default=False),
    output_format: str = typer.Option(
        "table", "--format", "-f", metavar="table|json|yaml|html",
        help="table (rich report), json (every figure with its CI), yaml (scenario snippet), "
             "html (one self-contained page; needs --output and whorunsit[html])."),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="PATH",
        help="Write the report to PATH (atomically) instead of stdout."),
    working_hours: str = typer.Option(
        "09:00-17:00", "--working-hours", metavar="HOURS",
        help="Working hours for the out-of-hours share: 09:00-17:00 (Mon-Fri), "
             "or with days: 'Mon-Sat 08:00-18:00'."),
    column: list[str] = typer.Option(
        [], "--column", "-c", metavar="NAME=HEADER",
        help="Header of a column: id, opened, resolved, reassignments, priority, group, "
             "status. "
             "Repeatable. NAME= when the log has no such column."),
    weeks: str | None = typer.Option(
        None, "--weeks", metavar="FROM..TO",
        help="Weeks to measure incidents per week over, e.g. 2016-W09..2016-W21 or "
             "2016-02-29..; default: the longest run of weeks with at least half "
             "the busiest week's incidents."),
    date_format: str = typer.Option(
        "auto", "--date-format", metavar="FORMAT",
        help="How dates are written: auto (from the data), iso, or a strptime format "
             "such as '%d/%m/%Y %H:%M'."),
    resolved_status: str = typer.Option(
        "resolv|complet", "--resolved-status", metavar="PATTERN",
        help="In an event log (one row per event), a status matching this regular "
             "expression (case-insensitive) marks an incident resolved."),
    top: str | None = typer.Option(
        None, "--top", metavar="N", help="Assignment groups to list (default 10, 0 for none)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No status line."),
) -> None:
    with guarded():
        choice("--format", output_format, FORMATS)
        html_ready(output_format, output)
        from whorunsit import calibrate
        from whorunsit.calibrate import options as opt
        from whorunsit.calibrate import render
        from whorunsit.report import write_atomic

        options = calibrate.Options(
            columns=opt.parse_columns(column),
            working_hours=opt.parse_working_hours(working_hours),
            weeks=opt.parse_weeks(weeks),
            date_format=date_format,
            top_groups=opt.parse_top(top),
            resolved_status=resolved_status,
        )
        cal = calibrate.calibrate(log, options)
        if output_format == "html":
            from whorunsit.calibrate.html import render_html

            text = render_html(cal)
        else:
            text = render.render(cal, output_format, to_file=output is not None)
        if output is not None:
            write_atomic(output, text)
            if not quiet:
                sys.stderr.write(f"wrote {output_format} calibration to {output}\n")
        elif text is not None:
            sys.stdout.write(text)
        else:
            from rich.console import Console

            render.render_table(cal, Console(highlight=False, emoji=False))


command.__doc__ = HELP  # typer shows the docstring as --help; kept as a constant for tests
