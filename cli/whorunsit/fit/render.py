"""The fit as a table (rich), JSON or Markdown: log and model side by side."""

from __future__ import annotations

import io
import json
import math

from rich.console import Console
from rich.table import Table

from whorunsit.calibrate.intervals import Figure
from whorunsit.fit.compare import Row, ks

FORMATS = ("table", "json", "markdown")


def _num(x: float | None, unit: str) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if unit == "share":
        return f"{x:.1%}"
    if unit == "h":
        return f"{x:.3g} h" if x < 100 else f"{x:,.0f} h"
    return f"{x:,.3g}" if x < 1000 else f"{x:,.0f}"


def cell(f: Figure) -> str:
    if f.value is None or not math.isfinite(f.value):
        return "-"
    text = _num(f.value, f.unit)
    if f.low is None and f.high is None:
        return text
    return f"{text} [{_num(f.low, f.unit)}, {_num(f.high, f.unit)}]"


def _sections(fit) -> list[tuple[str, str, list[Row], float]]:
    out = [("fitted", fit.train.weeks, fit.rows("train"), ks(fit, fit.train))]
    if fit.test is not None:
        out.append(("holdout", fit.test.weeks, fit.rows("test"), ks(fit, fit.test)))
    return out


def _header(fit) -> list[str]:
    lines = [f"Fit of {fit.scenario.name} (support path {fit.path}) to {fit.cases.name}",
             f"{fit.cases.incidents:,} incidents in the log; fitted on weeks {fit.train.weeks} "
             f"({fit.train.n:,} incidents)"
             + (f", validated on {fit.test.weeks} ({fit.test.n:,})" if fit.test else "")
             + f"; model: {fit.results.replications} replications, seed {fit.results.seed}"]
    k = fit.knobs
    lines.append(f"search: {fit.evaluations} simulated candidates, distance {fit.distance:.4f} "
                 f"(work x{k.scale:.3g}, spread x{k.spread:.3g}, handoff x{k.handoff:.3g}, "
                 f"handoff spread x{k.handoff_spread:.3g})")
    return lines


def render_table(fit, console: Console) -> None:
    for line in _header(fit):
        console.print(line)
    for name, weeks, rows, ks_value in _sections(fit):
        table = Table(title=f"Log against model, {name} weeks {weeks}", title_justify="left")
        for col in ("Figure", "", "Log ±95% CI", "Model ±95% CI", "Gap"):
            table.add_column(col, overflow="fold")
        last = None
        for r in rows:
            mark = "" if r.ok is None else (" ok" if r.ok else " !")
            table.add_row(r.section if r.section != last else "", r.label, cell(r.log),
                          cell(r.model), r.gap + mark)
            last = r.section
        console.print(table)
        console.print(f"Kolmogorov-Smirnov distance, time to restore ({name} weeks): "
                      f"{ks_value:.3f}")
    mapping = Table(title="Groups and the tiers they stand for", title_justify="left")
    for col in ("Group", "Incidents", "Tier (rule)"):
        mapping.add_column(col)
    for g, n, how in fit.mapping.table(fit.cases.groups):
        mapping.add_row(g, f"{n:,}", how)
    console.print(mapping)
    moved = Table(title="Parameters the fit moved", title_justify="left")
    for col in ("Parameter", "Before", "After"):
        moved.add_column(col, overflow="fold")
    for name, a, b in fit.moved():
        moved.add_row(name, a, b)
    console.print(moved)
    for w in fit.warnings():
        console.print(f"! {w}")
    for n in fit.notes:
        console.print(f"note: {n}")


def _fig(f: Figure) -> dict:
    return f.as_dict()


def as_json(fit) -> str:
    data = {
        "schema_version": 1,
        "log": fit.cases.name,
        "scenario": fit.scenario.source,
        "support_path": fit.path,
        "incidents": fit.cases.incidents,
        "replications": fit.results.replications,
        "seed": fit.results.seed,
        "search": {"evaluations": fit.evaluations,
                   "distance": fit.distance if math.isfinite(fit.distance) else None,
                   "knobs": vars(fit.knobs)},
        "sections": [
            {"name": name, "weeks": weeks,
             "ks_time_to_restore": ks_value if math.isfinite(ks_value) else None,
             "rows": [{"section": r.section, "figure": r.label, "log": _fig(r.log),
                       "model": _fig(r.model), "gap": r.gap, "within_target": r.ok}
                      for r in rows]}
            for name, weeks, rows, ks_value in _sections(fit)],
        "mapping": [{"group": g, "incidents": n, "tier": how}
                    for g, n, how in fit.mapping.table(fit.cases.groups)],
        "moved": [{"parameter": p, "before": a, "after": b} for p, a, b in fit.moved()],
        "warnings": fit.warnings(),
        "notes": fit.notes,
    }
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def as_markdown(fit) -> str:
    out = ["# " + _header(fit)[0], ""] + [line + "  " for line in _header(fit)[1:]] + [""]
    for name, weeks, rows, ks_value in _sections(fit):
        out += [f"## Log against model, {name} weeks {weeks}", "",
                "| Figure | | Log ±95% CI | Model ±95% CI | Gap |", "|---|---|---|---|---|"]
        for r in rows:
            mark = "" if r.ok is None else (" ok" if r.ok else " **!**")
            out.append(f"| {r.section} | {r.label} | {cell(r.log)} | {cell(r.model)} | "
                       f"{r.gap}{mark} |")
        out += ["", f"Kolmogorov-Smirnov distance, time to restore: {ks_value:.3f}", ""]
    out += ["## Parameters the fit moved", "", "| Parameter | Before | After |", "|---|---|---|"]
    out += [f"| {p} | {a} | {b} |" for p, a, b in fit.moved()]
    out += ["", "## Groups and the tiers they stand for", "", "| Group | Incidents | Tier |",
            "|---|---|---|"]
    out += [f"| {g} | {n:,} | {how} |" for g, n, how in fit.mapping.table(fit.cases.groups)]
    out += [""] + [f"- **warning:** {w}" for w in fit.warnings()]
    out += [f"- note: {n}" for n in fit.notes]
    return "\n".join(out) + "\n"


def render(fit, fmt: str, width: int = 120) -> str:
    if fmt == "json":
        return as_json(fit)
    if fmt == "markdown":
        return as_markdown(fit)
    buf = io.StringIO()
    render_table(fit, Console(file=buf, width=width, color_system=None, highlight=False,
                              emoji=False))
    return buf.getvalue()
