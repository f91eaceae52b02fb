"""What a stretch of the log says: the figures a fitted model is compared with.

Each figure carries the 95% interval of its sampling error: order-statistic intervals
for percentiles, Wilson intervals for shares (``calibrate.intervals``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from whorunsit.calibrate import intervals
from whorunsit.calibrate.events import Cases
from whorunsit.calibrate.figures import WorkingHours
from whorunsit.calibrate.intervals import Figure
from whorunsit.calibrate.weeks import label
from whorunsit.fit.mapping import Mapping

WEEK = 168.0
#: handoff counts shown: 0, 1, 2 and 3 or more
HANDOFF_BINS = ("0", "1", "2", "3+")


@dataclass
class Observed:
    """Figures of the cases opened in weeks ``first``..``last`` (week indexes)."""

    first: int
    last: int
    n: int
    per_week: float
    #: time to restore, hours, of the resolved cases (and per priority 1..4)
    ttr: np.ndarray
    ttr_prio: dict[int, np.ndarray]
    handoffs: np.ndarray
    #: highest tier reached (0-based), per case
    highest: np.ndarray
    ping_pong: np.ndarray
    out_of_hours: Figure
    in_hours: float
    priority_mix: tuple[float, float, float, float]
    #: hours on hold per case (NaN: not recorded)
    hold: np.ndarray
    #: cases reaching each tier per week
    tier_load: list[float]
    figures: dict[str, Figure] = field(default_factory=dict)

    @property
    def weeks(self) -> str:
        return f"{label(self.first)}..{label(self.last)}"

    @property
    def hold_recorded(self) -> bool:
        return bool(len(self.hold)) and not np.isnan(self.hold).all()


def working_mask(opened: np.ndarray, hours: WorkingHours) -> np.ndarray:
    days = np.floor(opened / 24.0)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    clock = opened - days * 24.0
    return np.isin(weekday, hours.days) & (clock >= hours.start) & (clock < hours.end)


def handoff_shares(counts: np.ndarray) -> list[tuple[int, int]]:
    """(hits, n) for 0, 1, 2, 3+ handoffs."""
    n = len(counts)
    return [(int((counts == 0).sum()), n), (int((counts == 1).sum()), n),
            (int((counts == 2).sum()), n), (int((counts >= 3).sum()), n)]


def observe(cases: Cases, mask: np.ndarray, first: int, last: int, mapping: Mapping,
            hours: WorkingHours) -> Observed:
    idx = np.flatnonzero(mask)
    opened = cases.opened[idx]
    ttr_all = cases.resolved[idx] - opened
    ok = np.isfinite(ttr_all) & (ttr_all >= 0)
    ttr = ttr_all[ok]
    prio = cases.priority[idx]
    weeks = last - first + 1
    groups = [cases.groups[i] for i in idx]
    tiers = [mapping.case_tiers(g) for g in groups]
    highest = np.array([max(t) if t else 0 for t in tiers], dtype=np.int64)
    handoffs = np.array([max(len(g) - 1, 0) for g in groups], dtype=np.int64)
    ping = np.array([len(set(g)) < len(g) for g in groups], dtype=bool)
    working = working_mask(opened, hours)
    n = len(idx)
    mix = [float((prio == p).sum()) for p in (1, 2, 3, 4)]
    total = sum(mix)
    mix_t = tuple(m / total for m in mix) if total else (0.0, 0.0, 1.0, 0.0)
    T = len(mapping.tiers)
    reached = [float(sum(1 for t in tiers if j in t)) / weeks for j in range(T)]
    obs = Observed(first, last, n, n / weeks, ttr,
                   {p: ttr_all[ok & (prio == p)] for p in (1, 2, 3, 4)}, handoffs, highest,
                   ping, intervals.share(int((~working).sum()), n),
                   float(working.mean()) if n else math.nan, mix_t,
                   cases.hold[idx], reached)
    obs.figures = figures(obs, T)
    return obs


def figures(obs: Observed, tiers: int) -> dict[str, Figure]:
    f: dict[str, Figure] = {}
    for q in (50, 90, 95):
        f[f"time_to_restore.p{q}"] = intervals.quantile(obs.ttr, q / 100, "h")
    for p, values in obs.ttr_prio.items():
        if len(values) >= 20:
            f[f"P{p}.time_to_restore.p50"] = intervals.quantile(values, 0.5, "h")
            f[f"P{p}.time_to_restore.p90"] = intervals.quantile(values, 0.9, "h")
    for name, (hits, n) in zip(HANDOFF_BINS, handoff_shares(obs.handoffs), strict=True):
        f[f"handoffs.{name}"] = intervals.share(hits, n)
    for j in range(tiers):
        f[f"highest_line.{j + 1}"] = intervals.share(int((obs.highest == j).sum()), obs.n)
    f["ping_pong"] = intervals.share(int(obs.ping_pong.sum()), obs.n)
    f["out_of_hours"] = obs.out_of_hours
    if obs.hold_recorded:
        h = obs.hold[np.isfinite(obs.hold)]
        f["on_hold.share"] = intervals.share(int((h > 0).sum()), len(h))
        f["on_hold.mean"] = intervals.mean(h, "h")
    return f
