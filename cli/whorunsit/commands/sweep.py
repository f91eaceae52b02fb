"""`whorunsit sweep`: a scenario at many values of its settings, with targets and a knee."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands import common
from whorunsit.commands.common import (
    OUTPUT_OPTION,
    QUIET_OPTION,
    SEED_OPTION,
    WORKERS_OPTION,
    choice,
    guarded,
    whole,
)

FORMATS = ("table", "json", "csv", "markdown")

HELP = """Run a scenario at many values of its settings and chart what changes.

PATH addresses FILE as written (after extends): dotted keys, list items by name.
VALUES use the scenario's own units: a list (2,3,5), a whole-number range (2..8)
or evenly spaced points (10%..50%/5, 30m..2h/4, 300 GBP..600 GBP/4). Several --vary
make a full grid; --zip pairs them point by point. Every point is checked before
anything runs, and all points share common random numbers (the same seed).

--target takes gate assertions; points meeting all of them are marked and the knee
(the first value, or on a grid the cheapest point, meeting every target) is named with
the probability that it does.

\b
Examples:
  whorunsit sweep scenarios/you-build-it-ops-run-it-at-scale.yaml \\
      --vary teams.app-ops.headcount=4..9 --target "incidents.P1.time_to_restore.p95 < 8h"
  whorunsit sweep at-scale.yaml --zip --vary teams.delivery.count=2..12 \\
      --vary applications.checkout.count=2..12 --metric delivery.discontinuous

Exit codes: 0 success; 2 invalid input or usage.
"""


def vary_option():
    return typer.Option([], "--vary", "-v", metavar="PATH=VALUES",
                        help="A setting and its values, e.g. teams.app-ops.headcount=4..8; repeatable.")


def common_numbers(replications, seed, workers):
    return (whole("--replications", replications, 2), whole("--seed", seed, 0),
            whole("--workers", workers, 1))


def emit(text: str, output: Path | None, quiet: bool, what: str) -> None:
    """The report to stdout, or atomically to --output."""
    from whorunsit.report import write_atomic

    if output is None:
        sys.stdout.write(text)
        return
    write_atomic(output, text)
    if not quiet:
        sys.stderr.write(f"wrote {what} to {output}\n")


def command(
    file: Path = typer.Argument(..., metavar="FILE", help="Scenario YAML file.", show_default=False),
    vary: list[str] = vary_option(),
    zipped: bool = typer.Option(False, "--zip", help="Pair the --vary values point by point."),
    metric: list[str] = typer.Option([], "--metric", "-m", metavar="M",
                                     help="A metric to report; repeatable (default: time to restore "
                                          "p50/p90, busiest team's utilisation, cost.total, lead time)."),
    target: list[str] = typer.Option([], "--target", "-t", metavar="ASSERTION",
                                     help="A gate assertion every acceptable point meets; repeatable."),
    replications: str | None = typer.Option(None, "--replications", "-n", metavar="N",
                                            help="Replications per point (default: FILE's)."),
    seed: str | None = SEED_OPTION,
    workers: str | None = WORKERS_OPTION,
    executor: str | None = common.EXECUTOR,
    scheduler: str | None = common.SCHEDULER,
    output_format: str = typer.Option("table", "--format", "-f", metavar="table|json|csv|markdown",
                                      help="Report format."),
    output: Path | None = OUTPUT_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    with guarded():
        fmt = choice("--format", output_format, FORMATS)
        n, seed_value, n_workers = common_numbers(replications, seed, workers)

        from whorunsit.decide import evidence, render, sweep
        from whorunsit.decide.vary import parse_all
        from whorunsit.report.progress import progress_bar

        req = sweep.SweepRequest(str(file), parse_all(vary), zipped, list(metric),
                                 evidence.target_specs(target), n, seed_value, n_workers)
        with common.executor_for(executor, scheduler, workers=req.workers, quiet=quiet) as ex, \
                progress_bar(enabled=not quiet, label="sweep") as progress:
            req.executor = ex
            result = sweep.run(req, progress)
        if fmt == "table" and output is None:
            from rich.console import Console

            render.render_table(result, Console(highlight=False))
            return
        text = {"json": render.render_json, "csv": render.render_csv,
                "markdown": render.render_markdown}.get(fmt, render.table_text)(result)
        emit(text, output, quiet, f"{fmt} sweep")


command.__doc__ = HELP
