"""What an HTML page holds, independent of any command, and how it is drawn.

Builders fill a :class:`Page` (verdict, warnings, sections of charts and tables,
provenance, embedded sources); :func:`draw` renders it with the one template in
templates/, inlining the stylesheet and the script so the file stands alone.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import whorunsit


@dataclass(frozen=True)
class Cell:
    text: str
    #: what the column sorts by (a number, or text); None sorts by the text
    sort: float | str | None = None
    numeric: bool = True
    #: a status class the stylesheet colours, always repeated in words: pass fail warn ...
    tone: str = ""


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    #: per row, data-* attributes (raw numbers the tests and scripts can read)
    data: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sortable: bool = True
    #: a text box that hides rows not containing its text
    filterable: bool = False
    id: str = ""


@dataclass
class Chart:
    title: str
    #: an inline <svg> element (from report.html.charts)
    svg: str
    #: the text alternative: what the chart shows, in words and numbers
    alt: str
    id: str = ""


@dataclass
class Section:
    title: str
    intro: str = ""
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    #: folded away under <details> (long tables nobody needs first)
    folded: bool = False


@dataclass
class Source:
    """A file embedded in the page, collapsed: the scenario YAML, a snippet."""

    title: str
    text: str
    language: str = "yaml"


@dataclass
class Page:
    kind: str
    title: str
    #: the answer, in plain words: first thing on the page
    verdict: str
    #: ok, warn or fail: the verdict box's colour (repeated by its heading's words)
    tone: str = "ok"
    headline: str = ""
    #: key figures shown as tiles under the verdict: (label, value, interval)
    figures: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    provenance: list[tuple[str, str]] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


# -- provenance -----------------------------------------------------------------------------

def file_hash(path: str) -> str:
    """sha256 of a file's bytes ("" when it cannot be read, e.g. a scenario built in memory)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def file_text(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def now() -> str:
    """The report's date in UTC; SOURCE_DATE_EPOCH pins it for reproducible example pages."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (_dt.datetime.fromtimestamp(int(epoch), _dt.UTC) if epoch and epoch.isdigit()
              else _dt.datetime.now(_dt.UTC))
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def scenario_provenance(label: str, path: str) -> list[tuple[str, str]]:
    digest = file_hash(path)
    return [(label, path), (f"{label} sha256", digest or "not a file")]


def common_provenance() -> list[tuple[str, str]]:
    return [("whorunsit", whorunsit.__version__), ("date", now())]


def scenario_sources(paths: list[tuple[str, str]]) -> list[Source]:
    out = []
    for title, path in paths:
        text = file_text(path)
        if text is not None:
            out.append(Source(f"{title}: {path}", text))
    return out


def raw(x: float | None) -> str:
    """A number for a data-* attribute: the shortest text that reads back as the same
    float, "" for none, as JSON writes it."""
    if x is None or not math.isfinite(x):
        return ""
    return repr(float(x))


# -- drawing --------------------------------------------------------------------------------

def _asset(name: str) -> str:
    return resources.files("whorunsit.report.html").joinpath("templates", name).read_text("utf-8")


def draw(page: Page) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    template = env.from_string(_asset("page.html.j2"))
    for i, section in enumerate(page.sections):
        for j, chart in enumerate(section.charts):
            chart.id = chart.id or f"chart-{i}-{j}"
        for j, table in enumerate(section.tables):
            table.id = table.id or f"table-{i}-{j}"
    return template.render(page=page, style=_asset("page.css"), script=_asset("page.js"))
