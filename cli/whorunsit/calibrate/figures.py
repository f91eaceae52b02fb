"""The figures a scenario is written or checked against, measured from a :class:`Log`.

Time to restore here is opened -> resolved, the span an ITSM tool records. The
simulation's time to restore starts earlier, when the incident starts (before it is
detected), so a scenario calibrated to this figure is slightly optimistic; docs/
calibration.md says how to read the two side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from whorunsit.calibrate import intervals, values, weeks
from whorunsit.calibrate.intervals import Figure
from whorunsit.calibrate.log import Log

PERCENTILES = (("p50", 0.50), ("p90", 0.90), ("p95", 0.95), ("p99", 0.99))
PRIORITIES = ("P1", "P2", "P3", "P4")
#: reassignment counts shown one by one; the last bucket is "this many or more"
REASSIGNMENT_BUCKETS = ("0", "1", "2", "3+")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class WorkingHours:
    """The calendar out-of-hours is judged against (days 0 = Monday)."""

    start: float = 9.0
    end: float = 17.0
    days: tuple[int, ...] = (0, 1, 2, 3, 4)

    def __str__(self) -> str:
        def clock(h: float) -> str:
            return f"{int(h):02d}:{round(h % 1 * 60):02d}"
        d = self.days
        contiguous = len(d) > 1 and d == tuple(range(d[0], d[-1] + 1))
        span = f"{DAYS[d[0]]}-{DAYS[d[-1]]}" if contiguous else ",".join(DAYS[i] for i in d)
        return f"{span} {clock(self.start)}-{clock(self.end)}"


@dataclass(frozen=True)
class Priority:
    name: str
    share: Figure
    ttr_p50: Figure
    ttr_p95: Figure


@dataclass(frozen=True)
class Group:
    name: str
    share: Figure
    ttr_p50: Figure


@dataclass
class Calibration:
    source: str
    rows: int
    incidents: Figure
    headers: dict[str, str | None]
    working_hours: WorkingHours
    #: first and last opened week, labels
    span: tuple[str, str] | None
    weeks_covered: int
    #: the weeks the rate is measured over, and how they were chosen ("auto" / "--weeks")
    steady: tuple[str, str] | None
    steady_weeks: int
    steady_how: str
    weekly: list[tuple[str, int]]
    per_week_median: Figure
    per_week_mean: Figure
    ttr: dict[str, Figure]
    reassignments: dict[str, Figure]
    reassignments_mean: Figure
    out_of_hours: Figure
    priorities: list[Priority]
    #: share of incidents whose priority is not one of P1..P4 (a "5 - Planning", say)
    other_priority: Figure
    groups: list[Group]
    #: role -> date format read ("iso" or a strptime format)
    date_formats: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Figure]:
        """Every figure by a dotted name, in the style of the simulation's metrics."""
        out = {"incidents.count": self.incidents,
               "incidents.per_week.median": self.per_week_median,
               "incidents.per_week.mean": self.per_week_mean,
               "incidents.out_of_hours": self.out_of_hours}
        out.update({f"incidents.time_to_restore.{k}": f for k, f in self.ttr.items()})
        out["incidents.reassignments.mean"] = self.reassignments_mean
        out.update({f"incidents.reassignments.share.{k}": f
                    for k, f in self.reassignments.items()})
        for p in self.priorities:
            out[f"incidents.priority.{p.name}"] = p.share
        out["incidents.priority.other"] = self.other_priority
        for p in self.priorities:
            out[f"incidents.{p.name}.time_to_restore.p50"] = p.ttr_p50
            out[f"incidents.{p.name}.time_to_restore.p95"] = p.ttr_p95
        return out


def _ttr_hours(log: Log) -> tuple[np.ndarray, list[str]]:
    # to the second: times are stored as hours since 1970, whose float error would
    # otherwise show as 22.099999999976717 h in JSON
    ttr = np.round((log.resolved - log.opened) * 3600.0) / 3600.0
    notes = []
    if log.headers.get("resolved"):
        both = np.isfinite(ttr)
        no_resolved = int((np.isfinite(log.opened) & ~np.isfinite(log.resolved)).sum())
        if no_resolved:
            notes.append(f"{values.many(no_resolved, 'incident has', 'incidents have')} no "
                         f"{log.headers['resolved']} "
                         "(never resolved, or not recorded); left out of time to restore")
        negative = both & (ttr < 0)
        if negative.any():
            i = int(np.flatnonzero(negative)[0])
            notes.append(values.many(int(negative.sum()), "incident was resolved before it was",
                                     "incidents were resolved before they were")
                         + f" opened (first: {log.ids[i]}); left out of time to restore")
            ttr = np.where(negative, np.nan, ttr)
    return ttr, notes


def _out_of_hours(opened: np.ndarray, hours: WorkingHours) -> Figure:
    t = opened[np.isfinite(opened)]
    days = np.floor(t / 24.0)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    clock = t - days * 24.0
    working = np.isin(weekday, hours.days) & (clock >= hours.start) & (clock < hours.end)
    return intervals.share(int((~working).sum()), len(t))


def _reassignments(counts: np.ndarray) -> tuple[dict[str, Figure], Figure]:
    c = counts[np.isfinite(counts)]
    n = len(c)
    top = len(REASSIGNMENT_BUCKETS) - 1
    shares = {b: intervals.share(int((c == i).sum()), n)
              for i, b in enumerate(REASSIGNMENT_BUCKETS[:-1])}
    shares[REASSIGNMENT_BUCKETS[-1]] = intervals.share(int((c >= top).sum()), n)
    return shares, intervals.mean(c, "count")


def measure(log: Log, working_hours: WorkingHours = WorkingHours(),
            wanted_weeks: tuple[int | None, int | None] | None = None,
            top_groups: int = 10) -> Calibration:
    """Every figure of a calibration, each with its 95% CI where one means something."""
    notes = list(log.notes)
    opened_ok = np.isfinite(log.opened)
    if not opened_ok.all():
        notes.append(f"{values.many(int((~opened_ok).sum()), 'incident has', 'incidents have')}"
                     " no usable "
                     f"{log.headers['opened']}; left out of weekly volumes and out of hours")

    all_weeks = weeks.count_weeks(log.opened)
    if len(all_weeks.counts) == 0:
        span, steady, covered, run_counts, how = None, None, 0, np.zeros(0), "auto"
        weekly: list[tuple[str, int]] = []
    else:
        lo, hi = (weeks.steady_run(all_weeks) if wanted_weeks is None
                  else weeks.chosen_run(all_weeks, wanted_weeks))
        how = "auto" if wanted_weeks is None else "--weeks"
        run_counts = all_weeks.counts[lo - all_weeks.first: hi - all_weeks.first + 1]
        span = (weeks.label(all_weeks.first), weeks.label(all_weeks.last))
        steady = (weeks.label(lo), weeks.label(hi))
        covered = len(all_weeks.counts)
        weekly = list(zip(all_weeks.labels(), (int(c) for c in all_weeks.counts), strict=True))

    ttr, ttr_notes = _ttr_hours(log)
    notes += ttr_notes
    ttr_ok = np.isfinite(ttr)
    ttr_figures = {name: intervals.quantile(ttr[ttr_ok], q, "h") for name, q in PERCENTILES}
    ttr_figures["mean"] = intervals.mean(ttr[ttr_ok], "h")

    shares, mean_reassign = _reassignments(log.reassignments)

    known = log.priority > 0
    n_known = int(known.sum())
    priorities = []
    for i, name in enumerate(PRIORITIES, start=1):
        mask = log.priority == i
        these = ttr[mask & ttr_ok]
        priorities.append(Priority(name, intervals.share(int(mask.sum()), n_known),
                                   intervals.quantile(these, 0.50, "h"),
                                   intervals.quantile(these, 0.95, "h")))
    other = intervals.share(int((log.priority == 5).sum()), n_known)
    if log.headers.get("priority") and n_known < log.incidents:
        notes.append(f"{values.many(log.incidents - n_known, 'incident has', 'incidents have')}"
                     " no "
                     f"{log.headers['priority']}; left out of the priority mix")
    if other.n and other.value > 0:
        notes.append(f"{other.value:.1%} of incidents have a priority other than P1..P4; "
                     "the scenario snippet spreads P1..P4 over the rest")

    groups = _groups(log, ttr, top_groups)
    return Calibration(
        source=log.name, rows=log.rows,
        incidents=intervals.exact(log.incidents, "count", log.incidents),
        headers=dict(log.headers), working_hours=working_hours,
        span=span, weeks_covered=covered, steady=steady, steady_weeks=len(run_counts),
        steady_how=how, weekly=weekly,
        per_week_median=intervals.quantile(run_counts, 0.5, "/week"),
        per_week_mean=intervals.mean(run_counts, "/week"),
        ttr=ttr_figures, reassignments=shares, reassignments_mean=mean_reassign,
        out_of_hours=_out_of_hours(log.opened, working_hours),
        priorities=priorities, other_priority=other, groups=groups,
        date_formats=dict(log.date_formats), notes=notes)


def _groups(log: Log, ttr: np.ndarray, top: int) -> list[Group]:
    if not log.headers.get("group") or top <= 0:
        return []
    names = np.array(["" if g is None else g for g in log.group], dtype=object)
    unique, inverse, counts = np.unique(names, return_inverse=True, return_counts=True)
    # busiest first; equal volumes in name order (no group last), the same on every run
    order = sorted(range(len(unique)), key=lambda k: (-counts[k], unique[k] == "", unique[k]))
    groups = []
    for k in order[:top]:
        mask = inverse == k
        these = ttr[mask & np.isfinite(ttr)]
        groups.append(Group(unique[k] or "(none)", intervals.share(int(counts[k]), len(names)),
                            intervals.quantile(these, 0.5, "h")))
    return groups
