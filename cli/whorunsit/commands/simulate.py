"""Placeholder until the simulate command lands (being written now)."""

import typer


def command() -> None:
    """Not available yet."""
    raise typer.Exit(2)
