"""The scenario YAML a calibration suggests, written the way scenarios/*.yaml are.

Only what the log can set goes in as keys: the rate of new incidents, the priority mix
and the share opened in working hours (``arrivals: {in_hours: x%}``) of one application
entry. The figures a simulated scenario should come close to (time to restore,
reassignments) follow as comments, because they are outcomes of the support path, not
inputs; docs/calibration.md explains how to tune towards them.
"""

from __future__ import annotations

import math
import re
from pathlib import PurePath

from whorunsit.calibrate import figures, values
from whorunsit.calibrate.figures import Calibration
from whorunsit.report import format as fmt


def rate(per_week: float) -> str:
    """A weekly rate as a scenario writes it: 1844/week, 42.5/week, 0.75/week."""
    if per_week >= 100:
        text = f"{per_week:.0f}"
    elif per_week >= 10:
        text = f"{per_week:.1f}"
    else:
        text = f"{per_week:.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}/week"


def mix(shares: list[float], places: int = 1) -> list[float]:
    """Percentages rounded to ``places`` decimals that still sum to exactly 100.

    Largest remainders: a scenario's priority mix must sum to 100%, and naive rounding of
    94.17 / 3.11 / 1.64 / 1.08 can land on 99.9 or 100.1.
    """
    total = sum(shares)
    if total <= 0:
        return [math.nan] * len(shares)
    unit = 10 ** places
    exact = [s / total * 100 * unit for s in shares]
    floors = [math.floor(x) for x in exact]
    short = 100 * unit - sum(floors)
    for i in sorted(range(len(exact)), key=lambda i: floors[i] - exact[i])[:short]:
        floors[i] += 1
    return [f / unit for f in floors]


def app_name(source: str) -> str:
    """An application key from the log's file name: letters, digits and '-'."""
    stem = PurePath(source).name.split(".")[0]
    name = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower()
    return name if name and name[0].isalnum() else "from-log"


def _pct(x: float) -> str:
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def render(cal: Calibration, app: str | None = None) -> str:
    """The snippet: an ``applications:`` entry to paste, and the figures to check."""
    app = app or app_name(cal.source)
    log = PurePath(cal.source).name
    lines = [
        f"# From `whorunsit calibrate` on {log}: "
        f"{values.many(int(cal.incidents.value), 'incident', 'incidents')}.",
        "# Paste under `applications:` in your scenario and rename the entry; split the",
        "# rate between your applications if the log covers several.",
        "applications:",
        f"  {app}:",
    ]
    per_week = cal.per_week_mean.value
    if math.isfinite(per_week):
        lines.insert(1, f"# Rate: mean of the steady weeks {cal.steady[0]}..{cal.steady[1]} "
                        f"({values.many(cal.steady_weeks, 'week', 'weeks')}).")
        lines.append(f"    incidents: {rate(per_week)}")
    shares = [p.share.value for p in cal.priorities]
    if all(math.isfinite(s) for s in shares) and sum(shares) > 0:
        pct = mix(shares)
        inner = ", ".join(f"{p.name}: {_pct(x)}"
                          for p, x in zip(cal.priorities, pct, strict=True))
        lines.append(f"    priorities: {{{inner}}}")
    in_hours = _in_hours(cal)
    if in_hours is not None:
        lines.append(f"    arrivals: {{in_hours: {_pct(in_hours * 100)}}}")
    lines += ["#", "# Outcomes to compare with `whorunsit simulate` (docs/calibration.md):"]
    opened, resolved = cal.headers["opened"], cal.headers.get("resolved")
    checks = [
        ("incidents.time_to_restore.p50", cal.ttr["p50"], f"log: {opened} -> {resolved}"),
        ("incidents.time_to_restore.p95", cal.ttr["p95"], ""),
        ("incidents.handoffs.mean", cal.reassignments_mean,
         f"log: {cal.headers.get('reassignments')}, changes of group"),
    ]
    for metric, fig, why in checks:
        if math.isfinite(fig.value):
            shown = (fmt.duration(fig.value) if fig.unit == "h" else fmt.number(fig.value))
            lines.append(f"#   {metric}: {shown}" + (f" ({why})" if why else ""))
    if in_hours is not None:
        lines.append(f"# arrivals: {fmt.percent(in_hours)} opened in working hours "
                     f"({cal.working_hours}) in the log;")
        lines.append("# give the scenario that calendar. Left out, arrivals are even over "
                     "the week,")
        lines.append(f"# which puts {fmt.percent(_even_out_of_hours(cal.working_hours))} "
                     "out of hours.")
    return "\n".join(lines) + "\n"


def _in_hours(cal: Calibration) -> float | None:
    """The share opened in working hours, when the log and the hours say anything:
    with no out-of-hours time every incident is trivially in working hours."""
    ooh = cal.out_of_hours.value
    if not math.isfinite(ooh) or _even_out_of_hours(cal.working_hours) <= 0:
        return None
    return 1.0 - ooh


def _even_out_of_hours(hours: figures.WorkingHours) -> float:
    return 1 - len(hours.days) * (hours.end - hours.start) / 168.0
