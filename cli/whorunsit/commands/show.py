"""``whorunsit show FILE``: the scenario as the engine sees it, every default marked."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands.common import guarded


def command(
    file: Path = typer.Argument(..., metavar="FILE", help="Scenario YAML file to show.",
                                show_default=False),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="PATH",
        help="Write the YAML to PATH (atomically) instead of stdout."),
) -> None:
    """Show the scenario as whorunsit simulates it, as YAML.

    extends: is applied (the whole chain merged), count: entries are stamped out
    (team-1, team-2, ...), and every value the file leaves out is filled in and
    marked '# default' (with how it was worked out, where it depends on other
    values: responders = the headcount, the only support path...). The output is
    itself a scenario that loads to the same model, so it can be diffed, kept or
    edited. An invalid file lists its problems, as validate does, and exits 2.

    Examples:

      whorunsit show scenarios/you-build-it-you-run-it.yaml

      whorunsit show proposal.yaml | grep '# default'

      diff <(whorunsit show current.yaml) <(whorunsit show proposal.yaml)
    """
    with guarded():
        from whorunsit.report import write_atomic
        from whorunsit.scenario.resolved import resolve, to_yaml

        text = to_yaml(resolve(file))
        if output is not None:
            write_atomic(output, text)
            sys.stderr.write(f"wrote {output}\n")
        else:
            sys.stdout.write(text)
