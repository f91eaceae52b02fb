"""Gate reports, one module per format; ``render(run, fmt)`` picks one."""

from __future__ import annotations

import math
from pathlib import Path

from whorunsit.errors import InputError, Location, Problem
from whorunsit.gate.runner import GateRun

FORMATS = ("table", "json", "junit", "github", "markdown", "html")


def display_path(file: str) -> str:
    """A path as CI tools want it: relative to the working directory (the checkout) when
    it is inside it, so annotations land on the file in the pull request."""
    path = Path(file)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def where(loc: Location) -> str:
    return str(Location(display_path(loc.file), loc.line, loc.col))


def finite(x: float) -> float | None:
    """JSON has no NaN or infinity: an unknown or unbounded value is null."""
    return x if x is not None and math.isfinite(x) else None


def render(run: GateRun, fmt: str, *, color: bool = False, width: int = 100) -> str:
    if fmt == "table":
        from whorunsit.gate.formats.table import render_table

        return render_table(run, color=color, width=width)
    if fmt == "json":
        from whorunsit.gate.formats.json_report import render_json

        return render_json(run)
    if fmt == "junit":
        from whorunsit.gate.formats.junit import render_junit

        return render_junit(run)
    if fmt == "github":
        from whorunsit.gate.formats.github import render_github

        return render_github(run)
    if fmt == "markdown":
        from whorunsit.gate.formats.markdown import render_markdown

        return render_markdown(run)
    if fmt == "html":
        from whorunsit.gate.formats.html import render_html

        return render_html(run)
    raise InputError(Problem(Location("--format"), f"unknown format '{fmt}'", "one of " + ", ".join(FORMATS)))
