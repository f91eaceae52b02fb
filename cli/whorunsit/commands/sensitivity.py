"""`whorunsit sensitivity`: which inputs move a metric most (tornado and Sobol indices)."""

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
    guarded,
    whole,
)
from whorunsit.commands.sweep import emit, vary_option

FORMATS = ("table", "json", "markdown")

HELP = """Which inputs move a metric most: a one-at-a-time tornado and Sobol indices.

Each --vary PATH=LOW..HIGH is an input with its range, in the scenario's units
(teams.app-ops.responders=2..6, support_paths.ops-run.tiers.L2.resolve=40%..70%).
The tornado sets one input at a time to LOW and HIGH (others as written) and shows
the change of the metric with its paired 95% interval. The Sobol first-order and
total indices (SALib; pip install 'whorunsit[decide]') vary all inputs together.

\b
Examples:
  whorunsit sensitivity scenarios/you-build-it-ops-run-it.yaml \\
      --vary teams.app-ops.headcount=4..8 --vary teams.app-ops.responders=2..4 \\
      --vary support_paths.ops-run.tiers.L2.resolve=40%..70% --metric cost.total

Exit codes: 0 success; 2 invalid input or usage.
"""


def command(
    file: Path = typer.Argument(..., metavar="FILE", help="Scenario YAML file.", show_default=False),
    vary: list[str] = vary_option(),
    metric: list[str] = typer.Option([], "--metric", "-m", metavar="M",
                                     help="A metric to explain; repeatable (default: cost.total "
                                          "and incidents.time_to_restore.mean)."),
    replications: str | None = typer.Option(None, "--replications", "-n", metavar="N",
                                            help="Replications per one-at-a-time run (default 50)."),
    samples: str | None = typer.Option(None, "--samples", metavar="N",
                                       help="Sobol base samples, a power of 2 (default 16); "
                                            "N x (inputs + 2) points are run."),
    sobol_replications: str | None = typer.Option(None, "--sobol-replications", metavar="N",
                                                  help="Replications per Sobol point (default 10)."),
    no_sobol: bool = typer.Option(False, "--no-sobol", help="The tornado alone (no SALib needed)."),
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
        n = whole("--replications", replications, 2) or 50
        base_samples = whole("--samples", samples, 2) or 16
        per_point = whole("--sobol-replications", sobol_replications, 1) or 10
        seed_value = whole("--seed", seed, 0)
        n_workers = whole("--workers", workers, 1)
        if base_samples & (base_samples - 1):
            from whorunsit.commands.common import fail

            raise fail(f"error: --samples must be a power of 2 (Sobol' sequences), got {base_samples}")

        from whorunsit.decide import render, sensitivity
        from whorunsit.decide.vary import parse_all
        from whorunsit.report.progress import progress_bar

        req = sensitivity.SensitivityRequest(str(file), parse_all(vary), list(metric), n,
                                             base_samples, per_point, not no_sobol, seed_value,
                                             n_workers)
        with common.executor_for(executor, scheduler, workers=req.workers, quiet=quiet) as ex, \
                progress_bar(enabled=not quiet, label="sensitivity") as progress:
            req.executor = ex
            result = sensitivity.run(req, progress)
        if fmt == "table" and output is None:
            from rich.console import Console

            render.render_sensitivity_table(result, Console(highlight=False))
            return
        text = {"json": render.render_json, "markdown": render.render_sensitivity_markdown}.get(
            fmt, lambda r: render.table_text(r, render.render_sensitivity_table))(result)
        emit(text, output, quiet, f"{fmt} sensitivity report")


command.__doc__ = HELP
