"""`whorunsit simulate`: run a scenario and report it (terminal, JSON, markdown or CSV).

Flags are parsed here, not by typer's converters, so a bad value gives one line and
exit code 2 like every other input problem.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import typer

from whorunsit.commands import common
from whorunsit.commands.common import choice, fail, guarded, html_ready, section_names, whole

FORMATS = ("table", "json", "markdown", "csv", "html")

HELP = """Simulate a scenario and report what the organisation delivers and what it costs.

Plays the scenario's replications (weeks of incidents and deployment requests) and
opens with a headline: time to restore, the Continuous / Discontinuous Delivery
verdict, total cost and availability targets met, then the headline table and any
warnings. --all adds each team's queue and utilisation, per-incident figures, time to
restore by priority, on-call and cost per team (OpEx / CapEx), availability per
application and histograms; --section names the ones wanted. Every figure carries
its 95% confidence interval.

\b
Examples:
  whorunsit simulate scenarios/you-build-it-ops-run-it.yaml
  whorunsit simulate scenarios/you-build-it-ops-run-it.yaml --replications 50 --seed 7
  whorunsit simulate scenarios/you-build-it-you-run-it.yaml --precision 5%
  whorunsit simulate scenarios/you-build-it-ops-run-it.yaml --all
  whorunsit simulate scenarios/you-build-it-ops-run-it.yaml --section flow,cost
  whorunsit simulate scenarios/swarming.yaml --format json --output swarming.json
  whorunsit simulate scenarios/swarming.yaml --format markdown > comment.md
  whorunsit simulate scenarios/swarming.yaml --format html --output swarming.html
  whorunsit simulate at-scale.yaml -n 100000 --executor dask --scheduler tcp://sched:8786

--output writes atomically: a failed run never leaves a half-written file.
"""


@dataclass(frozen=True)
class Options:
    replications: int | None
    seed: int | None
    precision: float | None
    workers: int | None
    format: str
    #: "key", "all" or the --section names
    show: str | list[str] = "key"



def _precision(text: str | None) -> float | None:
    if text is None:
        return None
    raw = text.strip()
    try:
        p = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        p = float("nan")
    if not 0 < p < 1:
        raise fail(f"error: --precision must be a relative half-width between 0 and 1 "
                   f"(0.05) or a percentage (5%), got {text!r}")
    return p


def _show(show_all: bool, section: str | None) -> str | list[str]:
    from whorunsit.report.sections import ALL, KEY, SECTIONS

    if section is None:
        return ALL if show_all else KEY
    return section_names("--section", section, SECTIONS)


def parse_options(replications: str | None, seed: str | None, precision: str | None,
                  workers: str | None, format: str, show_all: bool = False,
                  section: str | None = None) -> Options:
    """Validate the flags; each bad one raises typer.Exit(2) after one line on stderr."""
    choice("--format", format, FORMATS)
    return Options(
        show=_show(show_all, section),
        replications=whole("--replications", replications, 1),
        seed=whole("--seed", seed, 0),
        precision=_precision(precision),
        workers=whole("--workers", workers, 1),
        format=format,
    )


def render(results, options: Options, *, to_file: bool) -> str | None:
    """The report text, or None when the table goes straight to the terminal."""
    from whorunsit import report

    if options.format == "json":
        return report.render_json(results)
    if options.format == "csv":
        return report.render_csv(results)
    if options.format == "markdown":
        return report.render_markdown(results, precision=options.precision)
    if options.format == "html":
        from whorunsit.report import html

        return html.render("simulate", results, precision=options.precision)
    if to_file:
        return report.render_table_text(results, precision=options.precision, show=options.show)
    return None


def command(
    file: Path = typer.Argument(..., metavar="FILE", help="Scenario YAML file.",
                                show_default=False),
    replications: str | None = typer.Option(
        None, "--replications", "-n", metavar="N",
        help="Replications to run (default: the scenario's). More give tighter intervals."),
    seed: str | None = typer.Option(
        None, "--seed", metavar="S",
        help="Random seed (default: the scenario's). Same seed, same results."),
    precision: str | None = typer.Option(
        None, "--precision", metavar="P",
        help="Add replications until mean time to restore is known within ±P "
             "(0.05 or 5%), up to 5,000 replications."),
    workers: str | None = typer.Option(
        None, "--workers", "-w", metavar="W",
        help="Worker processes (default: up to 2). Results do not depend on it."),
    executor: str | None = common.EXECUTOR,
    scheduler: str | None = common.SCHEDULER,
    output_format: str = typer.Option(
        "table", "--format", "-f", metavar="table|json|markdown|csv|html",
        help="Output format: table (rich report), json, markdown (PR comment), csv, "
             "html (one self-contained page; needs --output and whorunsit[html])."),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="PATH",
        help="Write the report to PATH (atomically) instead of stdout."),
    show_all: bool = typer.Option(False, "--all", "-a",
                                  help="Every table and histogram after the headline."),
    section: str | None = typer.Option(
        None, "--section", metavar="NAME,...",
        help="Only these tables after the headline: flow, incidents, priority, oncall, cost, "
             "availability, charts."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or status lines."),
) -> None:
    with guarded():
        options = parse_options(replications, seed, precision, workers, output_format,
                                show_all, section)
        html_ready(options.format, output)
        from whorunsit import api
        from whorunsit.report.atomic import write_atomic
        from whorunsit.report.progress import progress_bar

        scenario = api.load(file)
        with common.executor_for(executor, scheduler, workers=options.workers, quiet=quiet) as ex, \
                progress_bar(enabled=not quiet) as progress:
            results = api.simulate(scenario, replications=options.replications,
                                   seed=options.seed, workers=options.workers,
                                   precision=options.precision, progress=progress, executor=ex)
        text = render(results, options, to_file=output is not None)
        if output is not None:
            write_atomic(output, text)
            if not quiet:
                sys.stderr.write(f"wrote {options.format} report to {output}\n")
        elif text is not None:
            sys.stdout.write(text)
        else:
            from rich.console import Console

            from whorunsit.report.terminal import render_table

            render_table(results, Console(highlight=False, emoji=False),
                         precision=options.precision, show=options.show)


command.__doc__ = HELP  # typer shows the docstring as --help; kept as a constant for tests
