"""`whorunsit optimise`: the best variant of a scenario subject to targets."""

from __future__ import annotations

from pathlib import Path

import typer

from whorunsit.commands import common
from whorunsit.commands.common import (
    OUTPUT_OPTION,
    QUIET_OPTION,
    SEED_OPTION,
    WORKERS_OPTION,
    choice,
    fail,
    guarded,
    whole,
)
from whorunsit.commands.sweep import common_numbers, emit, vary_option

FORMATS = ("table", "json", "markdown")

HELP = """Find the variant that minimises (or maximises) a metric subject to targets.

The decision variables are --vary settings (whole numbers, quantities or categories
such as which support path an application uses; see `whorunsit sweep --help`).
Targets come from --target, FILE's gates: (error level) and each --policy file.

Every candidate is screened with a few replications under common random numbers;
survivors get more replications until the winner is separated from the runner-up
(paired t-tests) or --budget replications are spent. Grids of up to 64 points are
screened exhaustively; larger ones by a neighbourhood search (docs/decisions.md).

\b
Examples:
  whorunsit optimise scenarios/you-build-it-you-run-it.yaml \\
      --vary teams.delivery.rota.members=3..7 --minimise cost.total \\
      --target "incidents.P1.time_to_restore.p95 < 2h"

Exit codes: 0 a winner was found; 1 no candidate meets the targets; 2 invalid input.
"""


def command(
    file: Path = typer.Argument(..., metavar="FILE", help="Scenario YAML file.", show_default=False),
    vary: list[str] = vary_option(),
    minimise: str | None = typer.Option(None, "--minimise", "--minimize", metavar="METRIC",
                                        help="The metric to make as small as possible."),
    maximise: str | None = typer.Option(None, "--maximise", "--maximize", metavar="METRIC",
                                        help="The metric to make as large as possible."),
    zipped: bool = typer.Option(False, "--zip", help="Pair the --vary values point by point."),
    target: list[str] = typer.Option([], "--target", "-t", metavar="ASSERTION",
                                     help="A gate assertion the winner must meet; repeatable."),
    policy: list[Path] = typer.Option([], "--policy", "-p", metavar="POLICY.yaml",
                                      help="A YAML file with a gates: list; repeatable."),
    no_gates: bool = typer.Option(False, "--no-gates", help="Ignore FILE's own gates: section."),
    budget: str | None = typer.Option(None, "--budget", metavar="N",
                                      help="Most replications to spend in all (default: 4 x "
                                           "screening replications x candidates)."),
    replications: str | None = typer.Option(None, "--replications", "-n", metavar="N",
                                            help="Screening replications per candidate (default 20)."),
    seed: str | None = SEED_OPTION,
    workers: str | None = WORKERS_OPTION,
    executor: str | None = common.EXECUTOR,
    scheduler: str | None = common.SCHEDULER,
    output_format: str = typer.Option("table", "--format", "-f", metavar="table|json|markdown",
                                      help="Report format."),
    output: Path | None = OUTPUT_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    with guarded():
        fmt = choice("--format", output_format, FORMATS)
        n, seed_value, n_workers = common_numbers(replications, seed, workers)
        cap = whole("--budget", budget, 2)
        if (minimise is None) == (maximise is None):
            raise fail("error: give exactly one of --minimise METRIC or --maximise METRIC")

        from whorunsit.decide import evidence, optimise, render
        from whorunsit.decide.vary import parse_all
        from whorunsit.report.progress import progress_bar
        from whorunsit.scenario import load_gates, load_scenario

        varies = parse_all(vary)
        specs = [] if no_gates else list(load_scenario(file).gates)
        for p in policy:
            specs += load_gates(p)
        specs += evidence.target_specs(target)
        req = optimise.OptimiseRequest(str(file), varies, minimise or maximise, maximise is not None,
                                       zipped, specs, n, cap, seed_value, n_workers)
        with common.executor_for(executor, scheduler, workers=req.workers, quiet=quiet) as ex, \
                progress_bar(enabled=not quiet, label="optimise") as progress:
            req.executor = ex
            result = optimise.run(req, progress)
        if fmt == "table" and output is None:
            from rich.console import Console

            render.render_optimise_table(result, Console(highlight=False))
        else:
            text = {"json": render.render_json, "markdown": render.render_optimise_markdown}.get(
                fmt, lambda r: render.table_text(r, render.render_optimise_table))(result)
            emit(text, output, quiet, f"{fmt} optimisation")
    raise typer.Exit(0 if result["winner"] else 1)


command.__doc__ = HELP
