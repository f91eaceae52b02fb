"""``whorunsit schema``: the JSON Schema of the scenario format, for editors."""

from __future__ import annotations

import os
import sys
import tempfile
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
        from whorunsit.scenario.jsonschema import schema_text

        text = schema_text()
        if output is None:
            sys.stdout.write(text)
            return
        _write_atomic(output, text)
        sys.stderr.write(f"wrote {output}\n")


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file so an editor never reads half a schema."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=".schema-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
