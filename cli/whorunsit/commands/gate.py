"""`whorunsit gate`: judge a scenario against assertions, for CI.

Flags are parsed here, not by typer's converters, so a bad value gives one line and
exit code 2 like every other input problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands import common
from whorunsit.commands.common import choice, fail, guarded, html_ready, whole

FORMATS = ("table", "json", "junit", "github", "markdown", "html")

HELP = """Gate a scenario in CI: judge assertions on 95% confidence intervals.

Assertions come from FILE's `gates:` section and from each --policy file, written like
k6 thresholds on the metric names of the reports, each at level error or warn:

\b
  incidents.time_to_restore.p95 < 4h
  oncall.unpaid_hours == 0
  cost.total <= 1.2M GBP
  delta(cost.oncall) <= 10%             (relative change against --baseline)
  delta(deployments.lead_time.p50) < 0  (absolute change against --baseline)

An assertion passes when its whole 95% CI satisfies it, fails when none of it does,
and is inconclusive otherwise: then the gate reruns with more replications, up to
--max-replications. Still inconclusive counts as failed unless --allow-inconclusive.
delta() is judged on paired per-replication differences (same seed for both runs).

\b
Examples:
  whorunsit gate scenarios/you-build-it-ops-run-it.yaml
  whorunsit gate proposal.yaml --baseline current.yaml --policy policy.yaml
  whorunsit gate proposal.yaml --baseline current.yaml --format github \\
      --report junit=gate.xml --report markdown=summary.md --report html=gate.html

Exit codes: 0 every error-level assertion passed; 1 one failed (or stayed
inconclusive); 2 invalid input or usage.
"""



def _reports(specs: list[str]) -> list[tuple[str, Path]]:
    """--report FORMAT=PATH, repeatable: more reports of the same run, written to files."""
    out = []
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not path.strip():
            raise fail(f"error: --report must be FORMAT=PATH (e.g. junit=gate.xml), got {spec!r}")
        out.append((choice("--report", name.strip(), FORMATS), Path(path.strip())))
    return out


def _load_all(file: Path, baseline: Path | None, policies: list[Path]):
    """Every input file, reporting the problems of all of them at once."""
    from whorunsit.errors import InputError
    from whorunsit.scenario import load_gates, load_scenario

    problems, loaded = [], []
    for path, loader in [(file, load_scenario)] + ([(baseline, load_scenario)] if baseline else []) \
            + [(p, load_gates) for p in policies]:
        try:
            loaded.append(loader(path))
        except InputError as exc:
            problems.extend(exc.problems)
            loaded.append(None)
    if problems:
        raise InputError(problems)
    candidate = loaded[0]
    base = loaded[1] if baseline else None
    specs = list(candidate.gates)
    for gates in loaded[2 if baseline else 1:]:
        specs.extend(gates)
    return candidate, base, specs


def command(
    file: Path = typer.Argument(..., metavar="FILE", help="Scenario YAML file to gate.",
                                show_default=False),
    baseline: Path | None = typer.Option(
        None, "--baseline", "-b", metavar="BASE.yaml",
        help="Scenario to judge delta() assertions against (e.g. the current organisation)."),
    policy: list[Path] = typer.Option(
        [], "--policy", "-p", metavar="POLICY.yaml",
        help="A YAML file with a gates: list; repeatable. Added to FILE's own gates."),
    replications: str | None = typer.Option(
        None, "--replications", "-n", metavar="N",
        help="Replications to start with (default: FILE's)."),
    max_replications: str | None = typer.Option(
        None, "--max-replications", metavar="M",
        help="Cap on replications while assertions are inconclusive (default: 4 x N)."),
    seed: str | None = typer.Option(
        None, "--seed", metavar="S", help="Random seed for both runs (default: FILE's)."),
    workers: str | None = typer.Option(
        None, "--workers", "-w", metavar="W",
        help="Worker processes (default: up to 2). Results do not depend on it."),
    executor: str | None = common.EXECUTOR,
    scheduler: str | None = common.SCHEDULER,
    allow_inconclusive: bool = typer.Option(
        False, "--allow-inconclusive",
        help="Accept assertions still inconclusive at the cap instead of failing."),
    output_format: str = typer.Option(
        "table", "--format", "-f", metavar="table|json|junit|github|markdown|html",
        help="Report format: table, json, junit (XML), github (workflow annotations), markdown, "
             "html (one self-contained page; needs --output and whorunsit[html])."),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="PATH",
        help="Write the report to PATH (atomically) instead of stdout."),
    report: list[str] = typer.Option(
        [], "--report", "-r", metavar="FORMAT=PATH",
        help="Also write the same run in another format to a file; repeatable."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or status lines."),
) -> None:
    with guarded():
        fmt = choice("--format", output_format, FORMATS)
        extra = _reports(report)
        html_ready(fmt, output, reports=tuple(name for name, _ in extra))
        n = whole("--replications", replications, 2)
        cap = whole("--max-replications", max_replications, 2)
        seed_value = whole("--seed", seed, 0)
        n_workers = whole("--workers", workers, 1)

        from whorunsit.errors import InputError, Location, Problem
        from whorunsit.gate import parse_all, run_gate
        from whorunsit.gate.formats import render
        from whorunsit.gate.formats.table import write_table
        from whorunsit.report import write_atomic
        from whorunsit.report.progress import progress_bar

        candidate, base, specs = _load_all(file, baseline, policy)
        if not specs:
            raise InputError(Problem(Location(str(file)), "there is nothing to gate: no gates: "
                                     "in the scenario and no --policy", "a gates: list or --policy POLICY.yaml"))
        assertions = parse_all(specs, candidate, base)
        with common.executor_for(executor, scheduler, workers=n_workers, quiet=quiet) as ex, \
                progress_bar(enabled=not quiet, label="gate") as progress:
            run = run_gate(candidate, assertions, baseline=base, replications=n, max_replications=cap,
                           seed=seed_value, workers=n_workers, allow_inconclusive=allow_inconclusive,
                           progress=progress, executor=ex)
        for extra_fmt, path in extra:
            write_atomic(path, render(run, extra_fmt))
            if not quiet:
                sys.stderr.write(f"wrote {extra_fmt} report to {path}\n")
        if output is not None:
            write_atomic(output, render(run, fmt))
            if not quiet:
                sys.stderr.write(f"wrote {fmt} report to {output}\n{run.summary()}\n")
        elif fmt == "table":
            from rich.console import Console

            write_table(run, Console(highlight=False))
        else:
            sys.stdout.write(render(run, fmt))
    raise typer.Exit(int(run.exit_code))


command.__doc__ = HELP  # typer shows the docstring as --help; kept as a constant for tests
