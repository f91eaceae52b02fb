"""The metric vocabulary for people and machines (`whorunsit metrics`).

Every name a gate, `compare --metrics` or a JSON consumer can use, with its unit, which
way is better and a one-line meaning, straight from ``stats.catalogue``; for a scenario
the concrete names (its teams and applications in place of the ``*``). Each also carries
the practical threshold compare uses before calling a change better or worse.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from whorunsit.report import format as fmt
from whorunsit.stats import catalogue
from whorunsit.stats.compare import PRACTICAL, kind

SCHEMA_VERSION = 1
UNIT_WORDS = {"h": "duration", "share": "%", "count": "count", "/week": "per week",
              "h/year": "hours/yr", "money/year": "{currency}/yr"}
DIRECTION_WORDS = {catalogue.LOWER: "lower", catalogue.HIGHER: "higher", catalogue.NEUTRAL: "—"}


@dataclass(frozen=True)
class MetricRow:
    name: str
    unit: str
    direction: str
    meaning: str
    kind: str


def rows(names: list[str] | None = None) -> list[MetricRow]:
    """One row per catalogue pattern, or per concrete name when ``names`` are given."""
    if names is None:
        entries = [(e.pattern, e) for e in catalogue.CATALOGUE]
    else:
        entries = [(n, e) for n in names if (e := catalogue.info(n)) is not None]
    return [MetricRow(name, e.unit, e.direction, e.meaning,
                      kind(name.replace("*", "x"))) for name, e in entries]


def unit_text(unit: str, currency: str) -> str:
    return UNIT_WORDS.get(unit, unit).format(currency=fmt.SYMBOLS.get(currency, currency + " "))


def threshold_text(kind_name: str, currency: str) -> str:
    """The default practical threshold in words: "5% and 5m"."""
    p = PRACTICAL[kind_name]
    floor = {"duration": lambda x: f"{x * 60:g}m", "share": lambda x: f"{x * 100:g}pp",
             "availability": lambda x: f"{x * 100:g}pp", "hours": lambda x: f"{x:g}h/yr",
             "money": lambda x: fmt.money_per_year(x, currency),
             "rate": lambda x: f"{x:g}/wk"}.get(kind_name, lambda x: f"{x:g}")(p.absolute)
    return f"{p.relative:.0%} and {floor}" if p.relative else floor


def write_table(metric_rows: list[MetricRow], console: Console, *, currency: str = "GBP",
                title: str) -> None:
    console.print(Text(title, style="bold"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column("metric", no_wrap=True, style="bold")
    table.add_column("unit", no_wrap=True)
    table.add_column("better", no_wrap=True)
    table.add_column("meaning")
    for r in metric_rows:
        table.add_row(r.name, unit_text(r.unit, currency), DIRECTION_WORDS[r.direction], r.meaning)
    console.print(table)
    kinds = dict.fromkeys(r.kind for r in metric_rows)
    console.print(Text(
        "better: which way is an improvement (— neither). compare calls a change better or "
        "worse only when its 95% CI excludes 0 and it exceeds the practical threshold: "
        + "; ".join(f"{k} {threshold_text(k, currency)}" for k in kinds)
        + " (the larger of the share of A's value and the floor; --practical overrides).",
        style="dim"))


def render_table_text(metric_rows: list[MetricRow], *, currency: str = "GBP", title: str,
                      width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, color_system=None,
                      force_terminal=False, highlight=False, emoji=False)
    write_table(metric_rows, console, currency=currency, title=title)
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def render_json(metric_rows: list[MetricRow], *, currency: str = "GBP",
                scenario: dict | None = None) -> str:
    data = {
        "schema_version": SCHEMA_VERSION,
        "scenario": scenario,
        "metrics": [
            {"name": r.name, "unit": r.unit.replace("money", currency),
             "unit_text": unit_text(r.unit, currency), "direction": r.direction,
             "lower_is_better": {catalogue.LOWER: True, catalogue.HIGHER: False}.get(r.direction),
             "meaning": r.meaning,
             "practical_threshold": {"kind": r.kind, "relative": PRACTICAL[r.kind].relative,
                                     "absolute": PRACTICAL[r.kind].absolute}}
            for r in metric_rows
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
