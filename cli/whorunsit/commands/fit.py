"""`whorunsit fit`: fit a scenario to a real ticket log and show that it reproduces it.

Flags are parsed here, not by typer's converters, so a bad value gives one line and
exit code 2 like every other input problem; all of them are checked before the log is
read or anything is simulated.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands.common import choice, guarded

FORMATS = ("table", "json", "markdown")

HELP = """Fit a scenario to a real ticket log, and show side by side that it reproduces it.

Reads the log as calibrate does (CSV or a .zip holding one; ServiceNow column names by
default), and event logs (one row per event: --column status=HEADER names the status
column; --resolved-status and --hold-status say which statuses mean resolved and on
hold). Groups are mapped to the support path's tiers by --map, else by a line in their
name (2nd line, L3), else by their order in each ticket.

Set from the log directly: incident rate, priority mix, share opened in working hours,
time on hold, resolve and misroute shares per tier (fitted exactly to the handoffs).
Fitted by simulation (Nelder-Mead, common random numbers): work and handoff times, so
that time to restore matches at p50/p90/p95. The report shows log and model side by
side with 95% CIs and a goodness-of-fit line per figure; --holdout validates on the
latest weeks. -o writes the fitted scenario (it extends the original) atomically.

\b
Examples:
  whorunsit fit incidents.csv.zip scenarios/you-build-it-ops-run-it.yaml
  whorunsit fit log.csv.zip s.yaml --weeks 2016-W13..2016-W22 --holdout 0.3 -o fitted.yaml
  whorunsit fit events.csv s.yaml --column id=case --column opened=timestamp \\
      --column status=activity --column group=team --map '*Desk*=L1'
"""


def _fraction(text: str | None) -> float:
    from whorunsit.errors import InputError, Location, Problem

    if text is None:
        return 0.0
    try:
        value = float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < 1.0:
        raise InputError(Problem(Location("--holdout"), f"'{text}' is not a fraction of the "
                                 "weeks", "a share such as 0.25 or 25%, below 1"))
    return value


def _count(flag: str, text: str | None, default: int, least: int) -> int:
    from whorunsit.errors import InputError, Location, Problem

    if text is None:
        return default
    try:
        n = int(text)
    except ValueError:
        n = least - 1
    if n < least:
        raise InputError(Problem(Location(flag), f"'{text}' is not a number of {flag[2:]}",
                                 f"a whole number, at least {least}"))
    return n


def command(
    log: Path = typer.Argument(..., metavar="LOG", show_default=False,
                               help="Ticket log: CSV, or a .zip holding one CSV."),
    scenario: Path = typer.Argument(..., metavar="SCENARIO", show_default=False,
                                    help="Scenario YAML to fit."),
    support_path: str | None = typer.Option(
        None, "--support-path", metavar="NAME",
        help="Support path to fit (default: the one the first application uses)."),
    maps: list[str] = typer.Option(
        [], "--map", metavar="GROUP_PATTERN=TIER", help="Groups matching a glob (or "
        "re:REGEX) stand for a tier, or a team that works one. Repeatable."),
    column: list[str] = typer.Option(
        [], "--column", "-c", metavar="NAME=HEADER",
        help="Header of a column: id, opened, resolved, priority, group, time (of each "
             "event), status. Repeatable. NAME= when the log has no such column."),
    weeks: str | None = typer.Option(
        None, "--weeks", metavar="FROM..TO",
        help="Weeks to fit on, e.g. 2016-W13..2016-W22 (default: the steady run)."),
    holdout: str | None = typer.Option(
        None, "--holdout", metavar="FRACTION",
        help="Keep the latest share of the weeks out of the fit and validate on them."),
    resolved_status: str = typer.Option(
        "resolv|complet", "--resolved-status", metavar="PATTERN",
        help="Statuses (regular expression) that mean resolved, in an event log."),
    hold_status: str = typer.Option(
        "await|wait|hold|pending", "--hold-status", metavar="PATTERN",
        help="Statuses (regular expression) that mean waiting on the user or a vendor."),
    date_format: str = typer.Option(
        "auto", "--date-format", metavar="FORMAT",
        help="auto, iso, or a strptime format such as '%d/%m/%Y %H:%M'."),
    replications: str | None = typer.Option(
        None, "--replications", "-r", metavar="N",
        help="Replications of the fitted model for the comparison (default 30)."),
    evaluations: str | None = typer.Option(
        None, "--evaluations", metavar="N",
        help="Most candidates the search simulates (default 80)."),
    seed: str | None = typer.Option(None, "--seed", metavar="N",
                                    help="Seed (default: the scenario's)."),
    workers: str | None = typer.Option(
        None, "--workers", "-w", metavar="N",
        help="Processes for the comparison run (default: up to 2); results are identical."),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="PATH",
        help="Write the fitted scenario (YAML extending SCENARIO) to PATH, atomically."),
    output_format: str = typer.Option("table", "--format", "-f",
                                      metavar="table|json|markdown", help="Report format."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or status line."),
) -> None:
    with guarded():
        choice("--format", output_format, FORMATS)
        from whorunsit import fit as fitting
        from whorunsit.calibrate import options as copt
        from whorunsit.calibrate.events import pattern
        from whorunsit.fit import output as out
        from whorunsit.fit import render
        from whorunsit.fit.mapping import parse_maps
        from whorunsit.report.progress import progress_bar

        pattern(resolved_status, "--resolved-status")
        pattern(hold_status, "--hold-status")
        options = fitting.FitOptions(
            columns=_columns(column),
            date_format=date_format,
            resolved_status=resolved_status,
            hold_status=hold_status,
            maps=tuple(parse_maps(maps)),
            support_path=support_path,
            weeks=copt.parse_weeks(weeks),
            holdout=_fraction(holdout),
            replications=_count("--replications", replications, 30, 4),
            evaluations=_count("--evaluations", evaluations, 80, 1),
            seed=None if seed is None else _count("--seed", seed, 0, 0),
            workers=None if workers is None else _count("--workers", workers, 1, 1),
        )
        with progress_bar(enabled=not quiet, label="fitting") as progress:
            result = fitting.fit(log, scenario, options, progress)
        if output is not None:
            out.write(result, output)
            if not quiet:
                sys.stderr.write(f"wrote the fitted scenario to {output}\n")
        sys.stdout.write(render.render(result, output_format))


def _columns(pairs: list[str]) -> dict[str, str]:
    from whorunsit.calibrate.events import COLUMN_EXPECTED, ROLES
    from whorunsit.calibrate.options import parse_columns

    return parse_columns(pairs, ROLES, COLUMN_EXPECTED)


command.__doc__ = HELP
