"""`whorunsit compare`: run scenarios with common random numbers and show them side by side.

Flags are parsed here, not by typer's converters, so a bad value gives one line and
exit code 2 like every other input problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands import common
from whorunsit.commands.common import choice, fail, guarded, whole

FORMATS = ("table", "json", "markdown")

HELP = """Compare operating models side by side, each against the first.

Runs every scenario with the same seed and replications (common random numbers: the
same incidents, priorities and work times for the same applications and tiers), then
shows per metric: each scenario's value, the difference against the first (absolute
and %), the 95% CI of that difference from per-replication differences, a * where the
interval excludes zero, and better/worse by the metric's direction. A metric only some
scenarios have (a team that exists in one of them) shows as "—".

\b
Examples:
  whorunsit compare scenarios/you-build-it-ops-run-it.yaml scenarios/you-build-it-you-run-it.yaml
  whorunsit compare current.yaml proposal-a.yaml proposal-b.yaml --replications 100
  whorunsit compare current.yaml proposal.yaml --metrics 'incidents.time_to_restore.*,cost.*'
  whorunsit compare current.yaml proposal.yaml --format markdown --output comment.md
"""



def _patterns(text: str | None) -> list[str] | None:
    if text is None:
        return None
    patterns = [p.strip() for p in text.split(",") if p.strip()]
    if not patterns:
        raise fail("error: --metrics needs at least one name or glob, e.g. 'cost.*'")
    return patterns


def _load_all(files: list[Path]):
    """Every scenario, reporting the problems of all files at once."""
    from whorunsit.errors import InputError
    from whorunsit.scenario import load_scenario

    problems, scenarios = [], []
    for path in files:
        try:
            scenarios.append(load_scenario(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return scenarios


def command(
    files: list[Path] = typer.Argument(..., metavar="A.yaml B.yaml [C.yaml ...]",
                                       help="Scenarios; each is compared with the first.",
                                       show_default=False),
    replications: str | None = typer.Option(
        None, "--replications", "-n", metavar="N",
        help="Replications per scenario (default: the first scenario's)."),
    seed: str | None = typer.Option(
        None, "--seed", metavar="S", help="Random seed for every run (default: the first scenario's)."),
    workers: str | None = typer.Option(
        None, "--workers", "-w", metavar="W",
        help="Worker processes (default: up to 2). Results do not depend on it."),
    executor: str | None = common.EXECUTOR,
    scheduler: str | None = common.SCHEDULER,
    metrics: str | None = typer.Option(
        None, "--metrics", "-m", metavar="GLOB,...",
        help="Only these metrics: names or globs, comma-separated (e.g. 'cost.*,teams.*.utilisation')."),
    output_format: str = typer.Option(
        "table", "--format", "-f", metavar="table|json|markdown",
        help="Output format: table (terminal), json, markdown (PR comment)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="PATH",
        help="Write the report to PATH (atomically) instead of stdout."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or status lines."),
) -> None:
    with guarded():
        choice("--format", output_format, FORMATS)
        if len(files) < 2:
            raise fail("error: compare needs at least two scenario files")
        n = whole("--replications", replications, 2)
        seed_value = whole("--seed", seed, 0)
        n_workers = whole("--workers", workers, 1)
        patterns = _patterns(metrics)

        from whorunsit.gate.assertions import known_metrics
        from whorunsit.report import comparison, write_atomic
        from whorunsit.report.progress import progress_bar
        from whorunsit.stats.compare import compare, select_metrics

        scenarios = _load_all(files)
        # a misspelt --metrics should fail before minutes of simulation, not after
        select_metrics({m: None for s in scenarios for m in known_metrics(s)}, patterns)
        first = scenarios[0]
        n = n if n is not None else first.replications
        seed_value = seed_value if seed_value is not None else first.seed

        from whorunsit import api

        runs = []
        with common.executor_for(executor, scheduler, workers=n_workers, quiet=quiet) as ex:
            for scenario in scenarios:
                with progress_bar(enabled=not quiet, label=scenario.name) as progress:
                    runs.append(api.simulate(scenario, replications=n, seed=seed_value,
                                             workers=n_workers, progress=progress, executor=ex))
        result = compare(runs, patterns)
        if output_format == "json":
            text = comparison.render_json(result)
        elif output_format == "markdown":
            text = comparison.render_markdown(result)
        elif output is not None:
            text = comparison.render_table_text(result)
        else:
            from rich.console import Console

            comparison.write_table(result, Console(highlight=False))
            return
        if output is not None:
            write_atomic(output, text)
            if not quiet:
                sys.stderr.write(f"wrote {output_format} report to {output}\n")
        else:
            sys.stdout.write(text)


command.__doc__ = HELP  # typer shows the docstring as --help; kept as a constant for tests
