"""The fitted scenario: direct estimates put in, then time to restore matched by simulation.

Directly observable, set from the log's training weeks (moments and quantiles):
incident rate, priority mix, share opened in working hours, on-hold share and wait
(a lognormal through the held cases' median and 95th percentile), resolve and misroute
shares per tier (``routing``).

Not observable in a ticket log: how long a tier works a ticket as opposed to waiting for
it, how long an escalated ticket takes to reach the next queue, and how many people are
on shift. Those are fitted by simulation with three knobs: every tier's pickup and work
times are multiplied by one ``scale`` and their lognormal sigma by ``spread``; every handoff delay becomes a lognormal whose
median is multiplied by ``handoff`` and whose sigma by ``handoff_spread``; each team is staffed so that its working-hours
utilisation stays at ``utilisation`` for the work it is then offered, and Nelder-Mead
(scipy) minimises the squared log-ratios of simulated to logged time to restore at the
50th and 90th percentiles (and half-weight at the 95th). Every evaluation uses the
same seed, so two candidates meet the same incidents (common random numbers) and the
distance is a smooth function of the parameters rather than of the noise.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from whorunsit import api
from whorunsit.fit.routing import Routing
from whorunsit.model import Distribution, OnHold, Scenario, SupportPath
from whorunsit.stats.results import Results

Z95 = 1.6448536269514722
WEEK = 168.0
#: the shortest horizon (after the warm-up) a fitted scenario is played over
HORIZON = 26 * WEEK


@dataclass(frozen=True)
class Direct:
    """What is set straight from the log."""

    #: incidents per hour over the path's applications
    rate: float
    mix: tuple[float, float, float, float]
    in_hours: float
    #: (share, median h, p95 h) or None when the log records no hold
    hold: tuple[float, float, float] | None
    routing: Routing
    #: the log's teams answer every priority out of hours as fast as in hours
    round_the_clock: bool = False


@dataclass(frozen=True)
class Knobs:
    #: multiplies every tier's pickup and work times, and the sigma of lognormal ones
    scale: float = 1.0
    spread: float = 1.0
    #: multiplies the median of every handoff delay, and its lognormal sigma
    handoff: float = 1.0
    handoff_spread: float = 1.0


def text(d: Distribution) -> str:
    """A distribution as a scenario would write it (hours, rounded to 4 figures)."""
    def h(x: float) -> str:
        return f"{x:.4g}h"
    p = d.params
    if d.kind == "fixed":
        return h(p[0])
    if d.kind == "exponential":
        return f"exponential(mean={h(p[0])})"
    if d.kind == "lognormal":
        return f"lognormal(median={h(math.exp(p[0]))}, p95={h(math.exp(p[0] + Z95 * p[1]))})"
    if d.kind == "triangular":
        return f"triangular({h(p[0])}, {h(p[1])}, {h(p[2])})"
    if d.kind == "uniform":
        return f"uniform({h(p[0])}, {h(p[1])})"
    return "empirical([" + ", ".join(h(x) for x in p) + "])"


def scaled(d: Distribution, scale: float, spread: float) -> Distribution:
    """``d`` with every duration x ``scale``; a lognormal's sigma x ``spread`` too."""
    if d.kind == "lognormal":
        mu, sigma = d.params
        out = Distribution("lognormal", (mu + math.log(scale), sigma * spread))
    else:
        out = Distribution(d.kind, tuple(x * scale for x in d.params))
    return dataclasses.replace(out, text=text(out))


def quantile(d: Distribution, q: float) -> float:
    """The q-quantile of a scenario distribution (hours)."""
    p = d.params
    if d.kind == "fixed":
        return p[0]
    if d.kind == "exponential":
        return -p[0] * math.log(1.0 - q)
    if d.kind == "lognormal":
        from scipy.stats import norm
        return math.exp(p[0] + p[1] * float(norm.ppf(q)))
    if d.kind == "uniform":
        return p[0] + q * (p[1] - p[0])
    if d.kind == "triangular":
        from scipy.stats import triang
        lo, mode, hi = p
        return float(triang.ppf(q, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo))
    return float(np.quantile(np.asarray(p), q))


def as_lognormal(d: Distribution, scale: float, spread: float) -> Distribution:
    """A delay as a lognormal with ``scale`` x its median and ``spread`` x its sigma (an
    exponential's median and the sigma of its own p95/median ratio to start from)."""
    if d.kind == "lognormal":
        mu, sigma = d.params
    else:
        median = quantile(d, 0.5)
        if median <= 0:
            return d
        mu, sigma = math.log(median), math.log(max(quantile(d, 0.95) / median, 1.01)) / Z95
    out = Distribution("lognormal", (mu + math.log(scale), sigma * spread))
    return dataclasses.replace(out, text=text(out))


def lognormal(median: float, p95: float) -> Distribution:
    p95 = max(p95, median * 1.01)
    d = Distribution("lognormal", (math.log(median), (math.log(p95) - math.log(median)) / Z95))
    return dataclasses.replace(d, text=text(d))


def path_of(scn: Scenario, name: str) -> SupportPath:
    return next(p for p in scn.support_paths if p.name == name)


def reach(routing: Routing, tiers: int, entry: float, entry_tier: int) -> list[list[float]]:
    """Per tier, the share of incidents that reach it: [customers, alerts]."""
    out = [[0.0, 0.0] for _ in range(tiers)]
    for channel, (start, weight) in enumerate(((0, 1.0 - entry), (entry_tier, entry))):
        p = weight
        for j in range(start, tiers):
            out[j][channel] += p
            if j < tiers - 1:
                p *= 1.0 - routing.resolve[j]
    return out


def apply(scn: Scenario, path_name: str, direct: Direct, knobs: Knobs,
          utilisation: float) -> Scenario:
    """The scenario with the log's figures and the knobs put in."""
    path = path_of(scn, path_name)
    apps = [a for a in scn.applications if a.support_path == path_name]
    change_incidents = sum(a.deployment_rate * a.change_failure_rate for a in apps)
    each = max(direct.rate - change_incidents, 0.0) / max(len(apps), 1)
    new_apps = tuple(
        dataclasses.replace(a, incident_rate=each, priority_mix=direct.mix,
                            in_hours_share=None if scn.calendar.always else direct.in_hours)
        if a.support_path == path_name else a for a in scn.applications)
    T = len(path.tiers)
    tiers = []
    for j, t in enumerate(path.tiers):
        changes = dict(pickup=scaled(t.pickup, knobs.scale, knobs.spread),
                       work=scaled(t.work, knobs.scale, knobs.spread))
        if j < T - 1:
            changes["handoff"] = as_lognormal(t.handoff, knobs.handoff, knobs.handoff_spread)
        if j < T - 1:
            changes.update(resolve=direct.routing.resolve[j], misroute=direct.routing.misroute[j])
        tiers.append(dataclasses.replace(t, **changes))
    hold = None
    if direct.hold is not None and direct.hold[0] > 0:
        hold = OnHold(direct.hold[0], lognormal(direct.hold[1], direct.hold[2]))
    new_path = dataclasses.replace(path, tiers=tuple(tiers), on_hold=hold)
    paths = tuple(new_path if p.name == path_name else p for p in scn.support_paths)
    # tickets still open at the horizon drop out of time to restore: a horizon a few
    # times the slowest waits keeps that from cutting the tail the log shows
    horizon = max(scn.horizon, scn.warmup + HORIZON)
    out = dataclasses.replace(scn, applications=new_apps, support_paths=paths, horizon=horizon)
    out = dataclasses.replace(out, teams=staffed(out, new_path, direct, utilisation))
    return round_the_clock(out, new_path) if direct.round_the_clock else out


def round_the_clock(scn: Scenario, path: SupportPath) -> Scenario:
    """Every priority called out, each rota of the path's teams with as many on call as
    the team has responders: out of hours answered as in hours (the calendar still
    shapes when incidents arrive and what on-call costs)."""
    names = {n for t in path.tiers for n in (t.team, t.alert_team) if n}
    responders = {t.name: t.responders for t in scn.teams}
    rotas = []
    for rota in scn.rotas:
        if any(t in names for t in rota.teams):
            need = max(responders.get(t, 1) for t in rota.teams)
            rota = dataclasses.replace(rota, on_call=need, members=max(rota.members, need))
        rotas.append(rota)
    return dataclasses.replace(scn, rotas=tuple(rotas), callout_priorities=(1, 2, 3, 4))


def staffed(scn: Scenario, path: SupportPath, direct: Direct, utilisation: float):
    """Teams with enough responders for the work the path now offers them."""
    det = path.detection
    T = len(path.tiers)
    shares = reach(direct.routing, T, det.alert_share, det.alert_entry_tier)
    hours = scn.calendar.working_hours_per_week or WEEK
    offered: dict[str, float] = {}
    owners = {a.owner for a in scn.applications if a.support_path == path.name}
    for j, t in enumerate(path.tiers):
        work = t.work.mean  # pickup and handoffs hold no responder
        for channel, team in ((0, t.team), (1, t.alert_team or t.team)):
            names = sorted(owners) if team == "owner" else [team]
            for name in names:
                tickets = direct.rate * WEEK * shares[j][channel] / len(names)
                factor = 1.0 if team == "owner" else t.knowledge_factor
                offered[name] = offered.get(name, 0.0) + tickets * work * factor
    teams = []
    for team in scn.teams:
        if team.name in offered:
            need = max(1, math.ceil(offered[team.name] / (utilisation * hours)))
            team = dataclasses.replace(team, responders=need,
                                       headcount=max(team.headcount, need))
        teams.append(team)
    return tuple(teams)


def simulate(scn: Scenario, replications: int, seed: int, workers: int | None) -> Results:
    return api.simulate(scn, replications=replications, seed=seed, workers=workers)


#: natural logs of the knobs: work x1/50..x50, handoffs x1/50..x150; a work spread of at most x1.5 (a wider
#: one makes mean work, and with it staffing, absurd: long waits belong in handoffs,
#: which hold no responder), handoff spreads x1/4..x4
BOUNDS = [(-3.9, 3.9), (-1.4, 0.4), (-3.9, 5.0), (-1.4, 1.4)]
TARGETS = (("incidents.time_to_restore.p50", 1.0), ("incidents.time_to_restore.p90", 1.0),
           ("incidents.time_to_restore.p95", 0.5))


def distance(res: Results, goal: dict[str, float]) -> float:
    """Squared log-ratios of the targets, plus the share of incidents left unresolved
    (a candidate that never resolves its slow tickets must not look good by dropping
    them from time to restore)."""
    count = float(np.nansum(res.samples["incidents.count"]))
    open_ = float(np.nansum(res.samples["incidents.unresolved"]))
    total = (open_ / count) ** 2 if count > 0 else math.inf
    for name, weight in TARGETS:
        got = float(np.nanmean(res.samples[name]))
        want = goal[name]
        if not (got > 0 and want > 0):
            return math.inf
        total += weight * math.log(got / want) ** 2
    return total


def search(scn: Scenario, path_name: str, direct: Direct, goal: dict[str, float],
           utilisation: float, replications: int, seed: int, workers: int | None,
           evaluations: int, progress: Callable[[int, int], None] | None = None
           ) -> tuple[Knobs, float, int]:
    """The knobs nearest the goal, the distance there and evaluations spent."""
    from scipy.optimize import minimize

    seen: dict[tuple[float, ...], float] = {}

    def loss(x: np.ndarray) -> float:
        key = tuple(round(float(v), 6) for v in x)
        if key not in seen:
            knobs = Knobs(*np.exp(x).tolist())
            trial = apply(scn, path_name, direct, knobs, utilisation)
            seen[key] = distance(simulate(trial, replications, seed, workers), goal)
            if progress is not None:
                progress(min(len(seen), evaluations), evaluations)
        return seen[key]

    x0 = np.zeros(4)
    simplex = np.array([[0.0, 0.0, 0.0, 0.0], [-0.7, 0.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.0],
                        [0.0, 0.0, 1.5, 0.0], [0.0, 0.0, 0.0, 0.5]])
    res = minimize(loss, x0, method="Nelder-Mead", bounds=BOUNDS,
                   options={"maxfev": evaluations, "initial_simplex": simplex,
                            "xatol": 0.01, "fatol": 1e-4})
    return Knobs(*np.exp(res.x).tolist()), float(res.fun), len(seen)
