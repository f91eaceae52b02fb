"""A sweep in words and pictures: table, terminal charts, markdown, CSV and JSON.

Everything here reads the plain dict ``sweep.run`` returns, so other front ends (an HTML
report) can read the same dict.
"""

from __future__ import annotations

import csv
import io
import json
import math

from whorunsit.report import format as fmt
from whorunsit.report.markdown import escape

CHART_HEIGHT = 8
MARK, BAND, EMPTY = "●", "│", " "
MEETS = {True: "yes", False: "no", None: "undecided"}


def _cell(entry: dict, name: str, currency: str, sep: str = " ") -> str:
    x = entry["value"]
    if x is None:
        return fmt.MISSING
    unit = fmt.display_unit(name)
    lo, hi = entry["ci95"]
    h = (hi - lo) / 2 if lo is not None and hi is not None else math.inf
    # stacked (terminal) cells leave "/yr" to the header
    main = fmt.value(x, unit, currency, suffix=sep == " ")
    text = f"{main}{sep}{fmt.half_width(x, h, unit, currency)}"
    return text.strip()


def show_value(x: float | None, name: str, currency: str) -> str:
    return fmt.MISSING if x is None else fmt.value(x, fmt.display_unit(name), currency)


def percent(p: float | None) -> str:
    return "n/a" if p is None else f"{p * 100:.0f}%"


def _targets_cell(point: dict) -> str:
    text = MEETS[point["meets_targets"]]
    if point.get("p_meets_targets") is not None:
        text += f" ({percent(point['p_meets_targets'])})"
    return text


#: metric families whose first word a table header can drop (the rest still says it)
_FAMILIES = ("incidents", "deployments", "teams", "applications", "oncall")


def short_metric(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[1:]) if parts[0] in _FAMILIES and len(parts) > 2 else name


def short_path(path: str) -> str:
    """The last two parts of a --vary path: enough to tell columns apart in a table."""
    return ".".join(path.split(".")[-2:])


def _per(name: str) -> str:
    """The period a stacked cell leaves out, for its header."""
    return {"money/year": " /yr", "h/year": " h/yr", "/week": " /wk"}.get(fmt.display_unit(name), "")


def _stacked(header: str) -> str:
    """A long dotted header over several lines, so columns stay as narrow as their values."""
    return header.replace(".", ".\n") if len(header) > 12 else header


def rows(sweep: dict, short: bool = False) -> tuple[list[str], list[list[str]]]:
    """Header and cells of the point table, as text (``short``: compact headers, each
    value over its ± half-width, for a terminal)."""
    currency = sweep["scenario"]["currency"]
    if short:
        header = [*map(short_path, sweep["vary"]),
                  *(short_metric(n) + _per(n) for n in sweep["metric_names"])]
    else:
        header = [*sweep["vary"], *sweep["metric_names"]]
    if sweep["targets"]:
        header.append("meets targets (P)" if not short else "targets (P)")
    out = []
    for i, p in enumerate(sweep["points"]):
        cells = [p["values"][path] for path in sweep["vary"]]
        sep = "\n" if short else " "
        cells += [_cell(p["metrics"][n], n, currency, sep) for n in sweep["metric_names"]]
        if sweep["targets"]:
            mark = "\n<- knee" if short and sweep["knee"] and sweep["knee"]["index"] == i else \
                " <- knee" if sweep["knee"] and sweep["knee"]["index"] == i else ""
            cells.append(_targets_cell(p).replace(" (", "\n(" if short else " (") + mark)
        out.append(cells)
    return header, out


def knee_sentence(sweep: dict) -> str:
    if not sweep["targets"]:
        return ""
    targets = "; ".join(sweep["targets"])
    k = sweep["knee"]
    if k is None:
        undecided = sum(p["meets_targets"] is None for p in sweep["points"])
        more = (f" ({undecided} undecided: more --replications may settle them)"
                if undecided else "")
        return f"No point meets every target ({targets}){more}."
    values = ", ".join(f"{p}={v}" for p, v in k["values"].items())
    text = (f"Knee, the {k['rule']}: {values}; probability it meets every target "
            f"({targets}): {percent(k['probability'])}.")
    if k.get("fails_from"):
        text += " Past it, the targets are first missed at " + ", ".join(
            f"{p}={v}" for p, v in k["fails_from"].items()) + "."
    return text


def chart(sweep: dict, name: str, width: int = 72) -> list[str]:
    """One metric against the point order: the estimate (●) inside its 95% interval (│)."""
    currency = sweep["scenario"]["currency"]
    entries = [p["metrics"][name] for p in sweep["points"]]
    lows = [e["ci95"][0] if e["ci95"][0] is not None else e["value"] for e in entries]
    highs = [e["ci95"][1] if e["ci95"][1] is not None else e["value"] for e in entries]
    if fmt.display_unit(name) in ("share", "availability"):  # a band never leaves 0..100%
        lows = [None if x is None else min(1.0, max(0.0, x)) for x in lows]
        highs = [None if x is None else min(1.0, max(0.0, x)) for x in highs]
    finite = [x for x in lows + highs if x is not None and math.isfinite(x)]
    title = f"{name} (95% interval band) against {_axis(sweep)}"
    if not finite:
        return [title, "  no values"]
    top, bottom = max(finite), min(finite)
    span = (top - bottom) or abs(top) or 1.0
    labels = [show_value(top, name, currency), show_value(bottom, name, currency)]
    pad = max(len(s) for s in labels)
    count = len(entries)
    col = max(1, min(6, (width - pad - 3) // max(count, 1)))

    def row_of(x: float) -> int:
        return round((top - x) / span * (CHART_HEIGHT - 1))

    grid = [[EMPTY] * (count * col) for _ in range(CHART_HEIGHT)]
    for i, e in enumerate(entries):
        if e["value"] is None:
            continue
        c = i * col + col // 2
        lo_r = row_of(lows[i]) if lows[i] is not None else row_of(e["value"])
        hi_r = row_of(highs[i]) if highs[i] is not None else row_of(e["value"])
        for r in range(hi_r, lo_r + 1):
            grid[r][c] = BAND
        grid[row_of(e["value"])][c] = MARK
    out = [title]
    for r, cells in enumerate(grid):
        label = labels[0] if r == 0 else labels[1] if r == CHART_HEIGHT - 1 else ""
        out.append(f"{label:>{pad}} ┤{''.join(cells)}".rstrip())
    out.append(f"{'':>{pad}} └{'─' * (count * col)}")
    first, last = _point_label(sweep, 0), _point_label(sweep, count - 1)
    gap = max(1, count * col - len(first) - len(last))
    out.append(f"{'':>{pad}}  {first}{' ' * gap}{last}" if count > 1 else f"{'':>{pad}}  {first}")
    return out


def _axis(sweep: dict) -> str:
    return " and ".join(sweep["vary"]) if sweep["zip"] or len(sweep["vary"]) == 1 \
        else "grid points (" + " x ".join(sweep["vary"]) + ")"


def _point_label(sweep: dict, i: int) -> str:
    return ",".join(sweep["points"][i]["values"][p] for p in sweep["vary"])


def render_table(sweep: dict, console) -> None:
    from rich.table import Table

    s = sweep["scenario"]
    console.print(f"{s['name']}: {len(sweep['points'])} points x {sweep['replications']} "
                  f"replications, seed {sweep['seed']}, common random numbers across points")
    header, cells = rows(sweep, short=True)
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for h in header:
        table.add_column(_stacked(h), overflow="fold")
    for r in cells:
        table.add_row(*r)
    console.print(table)
    console.print("Each value is the mean over replications ± the half-width of its 95% CI.")
    sentence = knee_sentence(sweep)
    if sentence:
        console.print(sentence)
    for name in sweep["metric_names"]:
        console.print()
        for line in chart(sweep, name, console.width):
            console.print(line, markup=False, highlight=False)


def render_markdown(sweep: dict) -> str:
    s = sweep["scenario"]
    header, cells = rows(sweep)
    lines = [f"## Sweep of {escape(s['name'])}", "",
             f"{len(sweep['points'])} points x {sweep['replications']} replications, seed "
             f"{sweep['seed']}, common random numbers across points. Values are means ± the "
             "half-width of their 95% CI.", "",
             "| " + " | ".join(escape(h) for h in header) + " |",
             "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(escape(c) for c in r) + " |" for r in cells]
    sentence = knee_sentence(sweep)
    if sentence:
        lines += ["", escape(sentence)]
    return "\n".join(lines) + "\n"


CSV_HEADER = ("point", "metric", "value", "ci95_low", "ci95_high", "unit", "meets_targets",
              "p_meets_targets")


def render_csv(sweep: dict) -> str:
    """One row per point and metric, the varied values first (long format)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*sweep["vary"], *CSV_HEADER])
    for i, p in enumerate(sweep["points"]):
        meets = {True: "true", False: "false", None: ""}[p["meets_targets"]]
        for name in sweep["metric_names"]:
            e = p["metrics"][name]
            w.writerow([*(p["values"][v] for v in sweep["vary"]), i, name,
                        *(_num(x) for x in (e["value"], *e["ci95"])), e["unit"], meets,
                        _num(p["p_meets_targets"])])
    return buf.getvalue()


def _num(x: float | None) -> str:
    return "" if x is None else repr(float(x))


def render_json(result: dict) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def table_text(result: dict, render=None, width: int = 120) -> str:
    """A terminal rendering as plain text (for --output of the table format)."""
    from rich.console import Console

    console = Console(highlight=False, width=width, color_system=None, file=io.StringIO())
    (render or render_table)(result, console)
    return console.file.getvalue()


# -- optimise -----------------------------------------------------------------------------

def _values(entry: dict) -> str:
    return ", ".join(f"{p}={v}" for p, v in entry["values"].items())


def optimise_lines(result: dict) -> list[str]:
    """The optimise report as plain lines (the table format and markdown share them)."""
    currency = result["scenario"]["currency"]
    obj = result["objective"]
    lines = [f"{result['scenario']['name']}: {result['direction']} {obj}"
             + (f" subject to {'; '.join(result['targets'])}" if result["targets"] else ""),
             f"{result['search']}: {result['screened']} of {result['candidates']} candidates "
             f"screened at {result['screening_replications']} replications each, "
             f"{result['replications_spent']} of {result['budget']} replications spent, "
             f"{result['infeasible']} shown infeasible.",
             f"Procedure: {result['procedure']}.", ""]

    def describe(e: dict) -> str:
        text = (f"{_values(e)}: {obj} {_cell(e['objective'], obj, currency)} "
                f"(95% CI, {e['replications']} replications)")
        if result["targets"]:
            text += f"; P(meets every target) {percent(e['p_meets_targets'])}"
        return text

    w = result["winner"]
    lines.append("Winner: " + (describe(w) if w else "none"))
    if w and len(w["targets"]) > 1:
        for t in w["targets"]:
            lines.append(f"  {t['target']}: {t['status']}, P(holds) {percent(t['probability'])}")
    lines.append(result["verdict"])
    if result["runners_up"]:
        lines += ["", "Runners-up:"]
        for e in result["runners_up"]:
            if e["status"] != "contender" or e["reason"]:
                state = e["reason"]
            elif e["feasibility"] == "undecided":
                state = "targets still undecided at this many replications"
            else:
                state = "not separated from the winner"
            lines.append(f"  {describe(e)} - {state}")
    return lines


def render_optimise_table(result: dict, console) -> None:
    for line in optimise_lines(result):
        console.print(line, markup=False, highlight=False)


def render_optimise_markdown(result: dict) -> str:
    lines = optimise_lines(result)
    return f"## Optimise {escape(result['scenario']['name'])}\n\n" + "\n".join(
        escape(line) if not line.startswith("  ") else f"- {escape(line.strip())}"
        for line in lines[1:]) + "\n"


# -- sensitivity --------------------------------------------------------------------------

def _signed(x: float | None, name: str, currency: str) -> str:
    if x is None:
        return fmt.MISSING
    text = fmt.value(abs(x), fmt.display_unit(name), currency)
    return ("+" if x > 0 else "-" if x < 0 else "") + text


def tornado(result: dict, name: str, width: int = 80) -> list[str]:
    """Bars of the change in ``name`` when each input goes to its low and high value,
    widest first; ``[`` and ``]`` mark the 95% interval of each end."""
    currency = result["scenario"]["currency"]
    bars = result["tornado"]["bars"]

    def ends(bar):
        return [bar[s]["effects"][name] for s in ("low", "high")]

    def reach(bar):
        return max((abs(e["value"]) for e in ends(bar) if e["value"] is not None), default=0.0)

    bars = sorted(bars, key=reach, reverse=True)
    extent = max([abs(x) for b in bars for e in ends(b) for x in [e["value"], *e["ci95"]]
                  if x is not None] or [0.0]) or 1.0
    label_w = max(len(b["path"]) for b in bars)
    half = max(8, (width - label_w - 2) // 2)
    base = result["base"][name]["value"]
    out = [f"{name}: change from {show_value(base, name, currency)} (as written) when an input "
           f"is set to its low (L) or high (H) value, with 95% intervals [ ]"]

    def col(x: float) -> int:
        return half + round(x / extent * half)

    for b in bars:
        cells = [" "] * (2 * half + 1)
        cells[half] = "│"
        for side, e in zip("LH", ends(b), strict=True):
            if e["value"] is None:
                continue
            a, z = sorted((half, col(e["value"])))
            for c in range(a, z + 1):
                if cells[c] in " │":
                    cells[c] = "█" if c != half else "│"
            lo, hi = e["ci95"]
            if lo is not None and hi is not None:
                cells[col(lo)] = "[" if cells[col(lo)] in " │" else cells[col(lo)]
                cells[col(hi)] = "]" if cells[col(hi)] in " │" else cells[col(hi)]
            cells[col(e["value"])] = side
        out.append(f"{b['path']:>{label_w}} {''.join(cells).rstrip()}")
        words = [f"{s} {b[k]['value']}: {_signed(b[k]['effects'][name]['value'], name, currency)}"
                 for s, k in (("low", "low"), ("high", "high"))]
        out.append(f"{'':>{label_w}}   " + "; ".join(words))
    left, right = _signed(-extent, name, currency), _signed(extent, name, currency)
    gap = max(1, 2 * half + 1 - len(left) - len(right))
    out.append(f"{'':>{label_w}} {left}{' ' * gap}{right}")
    return out


def sobol_lines(result: dict, name: str) -> list[str]:
    s = result["sobol"]
    if s is None:
        return []
    idx = s["indices"].get(name)
    head = (f"Sobol indices of {name} ({s['points']} points x {s['replications_per_point']} "
            f"replications; 95% intervals):")
    if idx is None:
        return [head, "  the metric did not vary across the points: no variance to share out"]
    w = max(len(p) for p in idx)
    lines = [head, f"  {'input':<{w}}  {'first-order':<22} total"]

    def show(e: dict) -> str:
        if e["value"] is None:
            return "n/a"
        lo, hi = e["ci95"]
        return f"{e['value']:.2f} [{lo:.2f}, {hi:.2f}]"

    for path, e in sorted(idx.items(), key=lambda kv: -(kv[1]["total"]["value"] or 0)):
        lines.append(f"  {path:<{w}}  {show(e['first_order']):<22} {show(e['total'])}")
    return lines


def sensitivity_lines(result: dict, width: int = 80) -> list[str]:
    s = result["scenario"]
    lines = [f"{s['name']}: sensitivity of {', '.join(result['metrics'])} to "
             + ", ".join(f"{i['path']} {i['low']}..{i['high']}" for i in result["inputs"]),
             f"One at a time: {result['tornado']['replications']} replications per run, "
             "common random numbers, paired differences."]
    for name in result["metrics"]:
        lines += ["", *tornado(result, name, width)]
        extra = sobol_lines(result, name)
        if extra:
            lines += ["", *extra]
    return lines


def render_sensitivity_table(result: dict, console) -> None:
    for line in sensitivity_lines(result, console.width):
        console.print(line, markup=False, highlight=False)


def render_sensitivity_markdown(result: dict) -> str:
    return "## Sensitivity\n\n```\n" + "\n".join(sensitivity_lines(result, 100)) + "\n```\n"
