"""``whorunsit validate FILE...``: check scenarios, summarise the good, list every problem."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands.common import guarded
from whorunsit.exitcodes import ExitCode


def command(
    files: list[Path] = typer.Argument(..., help="Scenario files (YAML) to check.",
                                       show_default=False, metavar="FILE"),
) -> None:
    """Check scenario files without simulating them.

    For each valid file prints one line: its name and how many teams, applications,
    support paths (and tiers), rotas and deployment policies it declares, with the
    horizon and replications. For each invalid file prints every problem found on
    stderr, one per line as file:line:col: what is wrong; what is expected. A valid
    file whose tiers or deployments leave timings (pickup, work, handoff...) to their
    defaults gets one more line saying how many and where. The
    scenario's gates are checked too (metric names, units).

    Warnings (exit code still 0) point at configurations that cost money and do
    nothing: a rota that serves no application, rotas when no priority calls anyone
    out, a team that works on no incident and performs no deployment.

    Exit code 0 if every file is valid, 2 otherwise.

    Examples:

      whorunsit validate scenarios/you-build-it-ops-run-it.yaml

      whorunsit validate scenarios/*.yaml
    """
    with guarded():
        from whorunsit.errors import InputError
        from whorunsit.gate.assertions import parse_all
        from whorunsit.scenario import load_scenario
        from whorunsit.scenario.advice import advise
        from whorunsit.scenario.extends import load_tree
        from whorunsit.scenario.problems import Problems
        from whorunsit.scenario.summary import describe

        invalid = 0
        for path in files:
            try:
                scenario = load_scenario(path)
                # gates are checked here too, so CI learns of a typo before simulating;
                # delta() gates are judged later against a --baseline, so allowed here
                parse_all(scenario.gates, scenario, has_baseline=True)
            except InputError as exc:
                invalid += 1
                for problem in exc.problems:
                    sys.stderr.write(f"{problem}\n")
                continue
            typer.echo(f"{path}: valid. {describe(scenario)}")
            for warning in advise(scenario, load_tree(str(path), Problems())):
                sys.stderr.write(f"{warning}\n")
            _note_timing_defaults(path)
        if invalid:
            total = len(files)
            if total > 1:
                sys.stderr.write(f"{invalid} of {total} files invalid\n")
            raise typer.Exit(int(ExitCode.INVALID_INPUT))


def _note_timing_defaults(path: Path) -> None:
    """One line when timings fall back to defaults: a tier without work restores every
    incident in exactly 1h, and nothing else would say so."""
    from whorunsit.scenario.resolved import resolve, timing_defaults, timing_note

    found = timing_defaults(resolve(path))
    if found:
        typer.echo(f"  note: {timing_note(found, str(path))}")
