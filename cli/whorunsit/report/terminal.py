"""The rich terminal report of one simulation run.

Colour is decoration only: every warning also carries a textual marker ("!" in tables,
"WARN" in the warnings list) and the delivery verdict is spelled out, so the report
reads the same under NO_COLOR, in a pipe or in a file.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from whorunsit.report import content, headline, histogram
from whorunsit.report.sections import ALL, KEY, SECTIONS
from whorunsit.stats.results import Results

WARN_STYLE = "bold red"
#: width used when the report goes to a file rather than a terminal
FILE_WIDTH = 100
HINT = ("Headline only. --all shows every table and the histograms; --section "
        f"{','.join(SECTIONS)} shows those; --format json gives every metric "
        "(whorunsit metrics lists them).")


def render_table(results: Results, console: Console, *, precision: float | None = None,
                 show: str | list[str] = ALL) -> None:
    """Print the report for ``results`` on ``console``: header, headline lines, the
    headline table and verdict, then every table (``show=ALL``), none but a hint
    (KEY), or the named sections; warnings always."""
    report = content.build(results, precision=precision)
    console.print(Text(f"whorunsit · {report.title}", style="bold"))
    grid = RichTable.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    for key, val in report.header:
        grid.add_row(Text(key), Text(val))
    console.print(grid)
    console.print()
    for line in headline.simulate_lines(results):
        if line.startswith(headline.DELIVERY):
            console.print(_verdict(report.verdict))
        else:
            console.print(Text(line))

    _section(console, report.headline.title)
    console.print(_table(report.headline, console.width))

    def shown(title: str) -> bool:
        return show == ALL or (show != KEY and title in {SECTIONS[n] for n in show})

    for table in report.tables:
        if not shown(table.title):
            continue
        _section(console, table.title)
        console.print(_table(table, console.width))
        for note in table.notes:
            console.print(Text(note, style="dim"))

    for chart in report.charts if shown("histograms") else ():
        _section(console, chart.title)
        total = int(chart.counts.sum())
        console.print(Text(f"{total:,} {chart.items}; bar height = share in that range; "
                           "log time axis", style="dim"))
        for line in histogram.draw(chart.counts, width=min(console.width, 120)):
            console.print(Text(line, style="cyan"), no_wrap=True, overflow="crop")

    _section(console, "Warnings")
    if not report.warnings:
        console.print(Text("none"))
    for warning in report.warnings:
        line = Text("WARN ", style=WARN_STYLE)
        line.append(warning)
        console.print(line)
    if show == KEY:
        console.print()
        console.print(Text(HINT, style="dim"))


def render_table_text(results: Results, *, width: int = FILE_WIDTH,
                      precision: float | None = None, show: str | list[str] = ALL) -> str:
    """The terminal report as plain text (no colour codes), e.g. for --output."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, color_system=None,
                      force_terminal=False, highlight=False, emoji=False)
    render_table(results, console, precision=precision, show=show)
    return buffer.getvalue()


def _section(console: Console, title: str) -> None:
    console.print()
    console.rule(Text(title, style="bold"), align="left")


def _verdict(v: content.Verdict) -> Text:
    style = {True: "bold green", False: WARN_STYLE, None: "bold"}[v.continuous]
    text = Text("Delivery: ")
    text.append(v.headline, style=style)
    text.append(f" — {v.detail}")
    return text


def _cell(cell: content.Cell, style: str) -> Text:
    text = Text(cell.text, style=WARN_STYLE if cell.warn else style)
    if cell.sub:
        text.append("\n" + cell.sub, style="dim")
    return text


#: columns are separated by one space of padding and one of (invisible) divider
GAP = 2


def _table(table: content.Table, width: int) -> RichTable:
    if any(row[0].sub for row in table.rows):
        wide = content.split_names(table)
        if fit_columns(wide, width)[1]:
            table = wide
    out = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False,
                    padding=(0, 1, 0, 0))
    first = table.rows[0] if table.rows else []
    widths, _ = fit_columns(table, width)
    for i, name in enumerate(table.columns):
        numeric = first[i].numeric if i < len(first) else True
        out.add_column(name, justify="right" if numeric else "left", header_style="bold",
                       width=widths[i])
    for i, row in enumerate(table.rows):
        total = table.is_total(i)
        cells = [_cell(c, "bold" if total else "") for c in row]
        out.add_row(*cells, end_section=table.before_totals(i) or (
            total and not table.is_total(i + 1) and i + 1 < len(table.rows)))
    return out


def fit_columns(table: content.Table, width: int) -> tuple[list[int], bool]:
    """Column widths for ``width``, wrapping between words and never inside one, and
    whether every value (with its ±) fits on one line.

    Rich's own shrinking cuts words ("Utilis…") once every column is equally wide, so
    widths are computed here: every column gets its longest word; then, cheapest first,
    columns get room for their values on one line; then for their header on one line.
    """
    lows, values, heads = [], [], []
    for i, name in enumerate(table.columns):
        lines = [line for row in table.rows for line in _lines(row[i])]
        words = name.split() + [w for line in lines for w in line.split()]
        low = max(map(len, words), default=1)
        value = max([low] + [len(line) for line in lines])
        if i == 0:  # names never wrap (a long secondary line may)
            low = max([low] + [len(row[0].text) for row in table.rows])
        lows.append(low)
        values.append(value)
        heads.append(max(value, len(name)))
    room = width - GAP * (len(table.columns) - 1)
    widths = list(lows)
    spare = room - sum(widths)
    for goal in (values, heads):
        for i in sorted(range(len(widths)), key=lambda i: goal[i] - widths[i]):
            need = goal[i] - widths[i]
            if 0 < need <= spare:
                widths[i] = goal[i]
                spare -= need
    return widths, all(w >= v for w, v in zip(widths, values, strict=True))


def _lines(cell: content.Cell) -> list[str]:
    return [cell.text] + ([cell.sub] if cell.sub else [])
