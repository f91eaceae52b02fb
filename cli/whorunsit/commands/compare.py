"""`whorunsit compare`: run scenarios with common random numbers and show them side by side.

Flags are parsed here, not by typer's converters, so a bad value gives one line and
exit code 2 like every other input problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands import common
from whorunsit.commands.common import choice, fail, guarded, html_ready, section_names, whole

FORMATS = ("table", "json", "markdown", "html")

HELP = """Compare operating models side by side, each against the first.

Runs every scenario with the same seed and replications (common random numbers: the
same incidents, priorities and work times for the same applications and tiers), then
shows per metric: each scenario's value, the difference against the first (absolute
and %), the 95% CI of that difference from per-replication differences, a * where the
interval excludes zero, and better/worse by the metric's direction when the change is
also larger than its practical threshold (else "no material change"). A metric only
some scenarios have (a team that exists in one of them) shows as "—".

The report opens with a headline (which model restores faster, which costs more, which
verdicts flip) and a key-metrics table; --all shows every metric, --section the named
sections (outcomes, availability, flow, cost).

Practical thresholds (the larger of a share of A's value and a floor): duration 5% and
5m; share 5% and 1pp; availability 0.01pp; count, rate 5% and 0.01; hours 5% and 1h/yr;
money 5% and 100 a year. --practical overrides them: 'duration=10m,money=2%' (a % sets
the share, anything else the floor; 'all=0' marks every clear difference).

\b
Examples:
  whorunsit compare scenarios/you-build-it-ops-run-it.yaml scenarios/you-build-it-you-run-it.yaml
  whorunsit compare current.yaml proposal-a.yaml proposal-b.yaml --replications 100
  whorunsit compare current.yaml proposal.yaml --metrics 'incidents.time_to_restore.*,cost.*'
  whorunsit compare current.yaml proposal.yaml --format markdown --output comment.md
  whorunsit compare current.yaml proposal.yaml --all --practical duration=15m
  whorunsit compare current.yaml proposal.yaml --format html --output board.html
"""

#: practical-threshold kinds whose floor is written as a plain number
_PLAIN_FLOORS = ("count", "rate", "money")


def _practical(text: str | None, currency: str):
    """--practical 'duration=10m,money=2%' as {kind: Practical}; a bad item exits 2."""
    if text is None:
        return None
    from whorunsit.scenario import units
    from whorunsit.stats.compare import PRACTICAL, Practical

    out = {}
    for item in (p.strip() for p in text.split(",") if p.strip()):
        kind, _, raw = item.partition("=")
        kind, raw = kind.strip(), raw.strip()
        kinds = list(PRACTICAL) if kind == "all" else [kind]
        if kind != "all" and kind not in PRACTICAL:
            raise fail(f"error: --practical: unknown kind {kind!r}; expected one of "
                       f"{', '.join(PRACTICAL)} or all, as in 'duration=10m'")
        try:
            for k in kinds:
                base = out.get(k, PRACTICAL[k])
                if raw == "0":
                    out[k] = Practical(0.0, 0.0)
                elif raw.endswith("%"):
                    out[k] = Practical(units.parse_number(raw[:-1]) / 100, base.absolute)
                elif k in ("share", "availability") and raw.endswith("pp"):
                    out[k] = Practical(base.relative, units.parse_number(raw[:-2]) / 100)
                elif k in ("duration", "hours"):
                    out[k] = Practical(base.relative, units.parse_duration(raw))
                elif k in _PLAIN_FLOORS:
                    out[k] = Practical(base.relative, units.parse_number(raw))
                else:
                    raise units.UnitError(f"{raw!r} is no floor for {k}", "a share such as 5% or "
                                          "percentage points such as 1pp")
        except units.UnitError as exc:
            raise fail(f"error: --practical {item!r}: {exc}; e.g. 'duration=10m', 'money=2%', "
                       f"'share=1pp' ({currency} amounts as plain numbers)") from None
    return out


def _sections(text: str | None) -> list[str] | None:
    """--section 'flow,cost' as report section titles; an unknown name exits 2."""
    if text is None:
        return None
    from whorunsit.report.comparison import SECTION_NAMES

    return [SECTION_NAMES[n] for n in section_names("--section", text, SECTION_NAMES)]



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
        "table", "--format", "-f", metavar="table|json|markdown|html",
        help="Output format: table (terminal), json, markdown (PR comment), "
             "html (one self-contained page; needs --output and whorunsit[html])."),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="PATH",
        help="Write the report to PATH (atomically) instead of stdout."),
    show_all: bool = typer.Option(False, "--all", "-a",
                                  help="Every metric, by section, after the headline."),
    section: str | None = typer.Option(
        None, "--section", metavar="NAME,...",
        help="Only these sections after the headline: outcomes, availability, flow, cost."),
    practical: str | None = typer.Option(
        None, "--practical", metavar="KIND=VALUE,...",
        help="Override practical thresholds, e.g. 'duration=10m,money=2%' or 'all=0'."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or status lines."),
) -> None:
    with guarded():
        choice("--format", output_format, FORMATS)
        html_ready(output_format, output)
        if len(files) < 2:
            raise fail("error: compare needs at least two scenario files")
        n = whole("--replications", replications, 2)
        seed_value = whole("--seed", seed, 0)
        n_workers = whole("--workers", workers, 1)
        patterns = _patterns(metrics)
        sections = _sections(section)

        from whorunsit.gate.assertions import known_metrics
        from whorunsit.report import comparison, write_atomic
        from whorunsit.report.progress import progress_bar
        from whorunsit.stats.compare import compare, select_metrics

        scenarios = _load_all(files)
        # a misspelt --metrics should fail before minutes of simulation, not after
        select_metrics({m: None for s in scenarios for m in known_metrics(s)}, patterns)
        first = scenarios[0]
        thresholds = _practical(practical, first.currency)
        n = n if n is not None else first.replications
        seed_value = seed_value if seed_value is not None else first.seed

        from whorunsit import api

        runs = []
        with common.executor_for(executor, scheduler, workers=n_workers, quiet=quiet) as ex:
            for scenario in scenarios:
                with progress_bar(enabled=not quiet, label=scenario.name) as progress:
                    runs.append(api.simulate(scenario, replications=n, seed=seed_value,
                                             workers=n_workers, progress=progress, executor=ex))
        full = compare(runs, practical=thresholds)
        result = compare(runs, patterns, practical=thresholds) if patterns else full
        # named metrics or sections are shown in full; otherwise the key table
        show = sections or (comparison.ALL if show_all or patterns else comparison.KEY)
        if output_format == "json":
            text = comparison.render_json(result, full)
        elif output_format == "markdown":
            text = comparison.render_markdown(result, full)
        elif output_format == "html":
            from whorunsit.report import html

            text = html.render("compare", result)
        elif output is not None:
            text = comparison.render_table_text(result, show=show, full=full)
        else:
            from rich.console import Console

            comparison.write_table(result, Console(highlight=False), show=show, full=full)
            return
        if output is not None:
            write_atomic(output, text)
            if not quiet:
                sys.stderr.write(f"wrote {output_format} report to {output}\n")
        else:
            sys.stdout.write(text)


command.__doc__ = HELP  # typer shows the docstring as --help; kept as a constant for tests
