"""``whorunsit schema``: the JSON Schema of the scenario format, for editors."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands.common import guarded


def command(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the schema to this file instead of stdout.",
        dir_okay=False,
    ),
) -> None:
    """Print the JSON Schema of the scenario format.

    It is generated from the same field definitions the loader uses, so it always
    matches what `whorunsit validate` accepts. Point yaml-language-server at it with a
    first line like the shipped scenarios have:

      # yaml-language-server: $schema=./whorunsit.schema.json

    Examples:

      whorunsit schema > whorunsit.schema.json

      whorunsit schema --output scenarios/whorunsit.schema.json
    """
    with guarded():
        from whorunsit.report import write_atomic
        from whorunsit.scenario.jsonschema import schema_text

        text = schema_text()
        if output is None:
            sys.stdout.write(text)
            return
        write_atomic(output, text)
        sys.stderr.write(f"wrote {output}\n")

