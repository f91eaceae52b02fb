"""A fast path for 24x7 first-come-first-served support networks.

When nothing in a scenario depends on the clock or re-orders a queue, every team is a
FIFO queue with c responders, and the tiers an incident visits are fixed by its draws
before it starts. The start and end of every ticket then follow from the
Kiefer-Wolfowitz recursion, team by team in the order tickets flow: no event list at
all. Per replication, this module draws the random numbers with numpy (``Draws``) and
a numba-compiled kernel (``fastpath_kernel``, imported only when the fast path runs,
compiled once and cached on disk) serves the tickets and adds up the tally.

It draws exactly the random numbers the general engine draws (the same streams, the
same numbers per incident and tier, see ``draws``), computes every time with the same
floating-point operations and adds totals up in the engine's order
(``fastpath_metrics`` mirrors ``tally.finish``). So a replication gives the same
metrics, to the last bit, on either path: common random numbers keep working when a
comparison puts one scenario on each. ``tests/test_fastpath.py`` holds it to that.
Tickets that join a team at the very same time are served in the order of their
source (application, tier, channel) and then of their incident number.

A scenario is eligible when ``why_not`` finds nothing:

- the calendar is 24x7 (nobody is ever out of hours, so rotas are never called, best
  endeavours and TOIL never happen; standby pay is still counted);
- no error-budget policy (it re-routes tickets on the run's history);
- no deployments (they compete for responders and raise incidents);
- every incident has the same priority (queues are then strictly first come, first
  served);
- no tier misroutes or swarms;
- every team that works a tier has at least one responder;
- tickets flow forward: no team is met twice on one route, and no two routes cross
  the same teams in opposite orders (each team's arrivals are known before it is
  solved).

A replication whose queues come near the engine's hard cap (``tally.QUEUE_CAP``) is
played by the general engine instead, which stops it early exactly as it should.
"""

from __future__ import annotations

import numpy as np

from whorunsit.engine.metrics import tally
from whorunsit.engine.plan.plan import Plan, plan_for
from whorunsit.engine.random.arrivals import incident_starts
from whorunsit.engine.random.draws import HANDOFF, PICKUP, TIER_COLUMNS, WORK
from whorunsit.engine.random.quantiles import quantiles
from whorunsit.engine.random.streams import stream
from whorunsit.errors import InputError
from whorunsit.model import Scenario


# -- eligibility ---------------------------------------------------------------------------
def why_not(scenario: Scenario) -> list[str]:
    """Why the fast path cannot play ``scenario`` (empty when it can)."""
    reasons = []
    if not scenario.calendar.always:
        reasons.append("the calendar has out-of-hours time")
    if scenario.policies:
        reasons.append("an error-budget policy re-routes tickets during a run")
    priorities = set()
    for app in scenario.applications:
        if app.deployment_rate > 0:
            reasons.append(f"application {app.name!r} has deployments")
        if app.incident_rate > 0:
            priorities |= {p for p, share in enumerate(app.priority_mix) if share > 0}
    if len(priorities) > 1:
        reasons.append("incidents have more than one priority, so queues are not FIFO")
    for path in scenario.support_paths:
        if path.on_hold is not None and path.on_hold.share > 0:
            reasons.append(f"path {path.name!r} puts incidents on hold")
        for tier in path.tiers:
            if tier.misroute > 0:
                reasons.append(f"tier {tier.name!r} of path {path.name!r} misroutes")
            if tier.swarm:
                reasons.append(f"tier {tier.name!r} of path {path.name!r} swarms")
    if reasons:
        return reasons
    try:
        plan = plan_for(scenario)
    except InputError:
        return ["the scenario does not compile"]
    if team_order(plan) is None:
        return ["tickets meet a team twice or cross teams in opposite orders"]
    problems = set()
    for app, channel, entry in _routes(plan):
        for tier in app.tiers[entry:]:
            team = plan.teams[tier.teams[channel][0]]
            if team.responders < 1:
                problems.add(f"team {team.name!r} works tier {tier.name!r} with no responders")
    return sorted(problems)


def eligible(scenario: Scenario) -> bool:
    return not why_not(scenario)


def _routes(plan: Plan):
    """Every (app, channel, entry tier) a ticket can take; channel 1 = alert-raised."""
    for app in plan.apps:
        if app.incident_rate <= 0:
            continue
        if app.alert_share < 1.0:
            yield app, 0, 0
        if app.alert_share > 0.0:
            yield app, 1, app.alert_entry


def team_order(plan: Plan) -> list[int] | None:
    """Teams in an order tickets only ever flow forward in, or None if there is none."""
    n = len(plan.teams)
    after: list[set[int]] = [set() for _ in range(n)]
    for app, channel, entry in _routes(plan):
        tiers = app.tiers
        for j in range(entry, len(tiers) - 1):
            if tiers[j].resolve >= 1.0:
                break
            a, b = tiers[j].teams[channel][0], tiers[j + 1].teams[channel][0]
            if a == b:
                return None
            after[a].add(b)
    incoming = [0] * n
    for targets in after:
        for b in targets:
            incoming[b] += 1
    ready = [t for t in range(n) if incoming[t] == 0]
    order = []
    while ready:
        t = ready.pop(0)
        order.append(t)
        for b in sorted(after[t]):
            incoming[b] -= 1
            if incoming[b] == 0:
                ready.append(b)
    return order if len(order) == n else None


def _is_zero(dist) -> bool:
    return dist.kind == "fixed" and dist.params[0] == 0.0


# -- the kernel's arrays --------------------------------------------------------------------
class Layout:
    """A plan as the kernel (``fastpath_kernel.solve``) takes it: the same in every
    replication."""

    def __init__(self, plan: Plan):
        self.plan = plan
        apps = plan.apps
        self.tiers = max((len(a.tiers) for a in apps), default=1)
        # per application and tier: the share resolved there, the knowledge factors
        self.resolve = [np.array([t.resolve for t in a.tiers]) for a in apps]
        knowledge = [np.array([t.knowledge for t in a.tiers], dtype=np.float64).reshape(-1, 2)
                     for a in apps]
        self.knowledge = [None if (k == 1.0).all() else k for k in knowledge]
        self.pickups = any(not _is_zero(t.pickup) for a in apps for t in a.tiers)
        self.handoffs = any(not _is_zero(t.handoff) for a in apps for t in a.tiers)
        # only then does a ticket's channel pick its team (no alert: all customer-raised)
        self.app_split = np.array([a.alert_share > 0.0 for a in apps], dtype=np.bool_)
        sources: list[list[tuple[int, int, int]]] = [[] for _ in plan.teams]
        for app, channel, entry in _routes(plan):
            for j in range(entry, len(app.tiers)):
                sources[app.tiers[j].teams[channel][0]].append((app.index, j, channel))
        order = [t for t in team_order(plan) if sources[t]]
        self.served = np.array([bool(s) for s in sources], dtype=np.bool_)
        self.teams = np.array(order, dtype=np.int64)
        # every source (application, tier, channel), grouped by team in that order
        flat = [src for t in order for src in sources[t]]
        self.src_first = np.cumsum([0] + [len(sources[t]) for t in order], dtype=np.int64)
        self.src_app, self.src_tier, self.src_chan = (
            np.array([src[k] for src in flat], dtype=np.int64) for k in range(3))
        self.src_team = np.repeat(np.arange(len(order), dtype=np.int64),
                                  [len(sources[t]) for t in order])
        index = {src: n for n, src in enumerate(flat)}
        self.src_next = np.array([index.get((a, j + 1, c), -1) for a, j, c in flat],
                                 dtype=np.int64)
        self.src_entry = np.array([j == (apps[a].alert_entry if c else 0) for a, j, c in flat],
                                  dtype=np.bool_)
        self.servers = np.array([t.responders for t in plan.teams], dtype=np.int64)
        self.resolver = np.zeros((len(apps), self.tiers, 2), dtype=np.int64)
        for app in apps:
            for j, tier in enumerate(app.tiers):
                self.resolver[app.index, j] = [tier.teams[0][0], tier.teams[1][0]]
        # room for the largest application's tier uniforms, reused replication after
        # replication: fresh memory costs more to fill than the numbers cost to draw
        most = max((a.incident_rate * plan.horizon * len(a.tiers) for a in apps), default=0.0)
        self.buffer = np.empty(int(most * 1.1 + 64) * TIER_COLUMNS)


class Draws:
    """One replication's incidents, numbered across applications (application a's are
    ``first[a]`` .. ``first[a+1]-1``, in start order, the numbering of
    ``draws.Incidents``): start, detection, channel, entry and resolving tier, and per
    tier and incident its pickup, work (times the channel's knowledge factor) and
    handoff; a pickup or handoff that is always zero stays 0.0 (adding 0.0 changes no
    time, so the sums are the engine's)."""

    def __init__(self, layout: Layout, seed: int, replication: int):
        plan = layout.plan
        arrivals = []
        for app in plan.apps:
            rng = stream(seed, replication, "arrivals", app.name)
            start = incident_starts(rng, app.incident_rate, plan.horizon, app.arrivals)
            arrivals.append((start, rng.random((len(start), 3))))
        self.first = np.cumsum([0] + [len(s) for s, _ in arrivals], dtype=np.int64)
        n_all = int(self.first[-1])
        self.start = arrivals[0][0] if len(arrivals) == 1 else np.concatenate(
            [s for s, _ in arrivals] or [np.empty(0)])
        self.detect = np.empty(n_all)
        self.alert = np.empty(n_all, dtype=np.bool_)
        self.exit = np.empty(n_all, dtype=np.int8)
        self.entry = np.empty(n_all, dtype=np.int8)
        self.work = np.empty((layout.tiers, n_all))
        # pickups and handoffs that are never drawn stay zero: one array serves both
        zeros = np.zeros((layout.tiers, n_all))
        self.pickup = np.zeros_like(zeros) if layout.pickups else zeros
        self.handoff = np.zeros_like(zeros) if layout.handoffs else zeros
        for app, (start, attrs), lo in zip(plan.apps, arrivals, self.first, strict=False):
            self._draw(app, seed, replication, start, attrs, int(lo), layout)

    def _draw(self, app, seed: int, replication: int, start: np.ndarray, attrs: np.ndarray,
              lo: int, layout: Layout) -> None:
        """An application's draws, number for number those of ``draws.Incidents``."""
        from whorunsit.engine.fastpath.fastpath_kernel import prepare

        n = len(start)
        tiers = app.tiers
        size = n * len(tiers) * TIER_COLUMNS
        buffer = layout.buffer
        u = (buffer[:size] if buffer.size >= size else np.empty(size)).reshape(
            n, len(tiers), TIER_COLUMNS)
        stream(seed, replication, "support", app.name).random(out=u)
        rows = slice(lo, lo + n)
        for j, tier in enumerate(tiers):
            if not _is_zero(tier.pickup):
                self.pickup[j, rows] = quantiles(tier.pickup, u[:, j, PICKUP])
            self.work[j, rows] = quantiles(tier.work, u[:, j, WORK])
            if not _is_zero(tier.handoff):
                self.handoff[j, rows] = quantiles(tier.handoff, u[:, j, HANDOFF])
        # a channel no incident takes needs no delays
        customer = quantiles(app.customer_delay, attrs[:, 2]) if app.alert_share < 1.0 else None
        alerted = quantiles(app.alert_delay, attrs[:, 2]) if app.alert_share > 0.0 else None
        prepare(start, attrs, u, app.alert_share, app.alert_entry, layout.resolve[app.index],
                layout.knowledge[app.index], customer if customer is not None else alerted,
                alerted if alerted is not None else customer, lo, self.detect, self.alert,
                self.exit, self.entry, self.work)


class Figures:
    """What the kernel adds up for one replication (columns in ``fastpath_kernel``)."""

    def __init__(self, layout: Layout, draws: Draws):
        from whorunsit.engine.fastpath import fastpath_kernel as k

        teams = len(layout.plan.teams)
        self.team_f = np.zeros((teams, k.T_Q_LAST + 1))
        self.team_n = np.zeros((teams, k.T_Q_MARK + 1), dtype=np.int64)
        # every team's waits, one after the other (as many as its sources have incidents)
        room = int(np.diff(draws.first)[layout.src_app].sum())
        self.waits = np.empty(room)
        self.waited = np.empty(room)
        self.inc_f = np.zeros(k.I_FLOW + 1)
        self.inc_n = np.zeros(k.I_OPEN + 1, dtype=np.int64)
        self.ttr = np.empty(len(draws.start))
        self.resolved_at = np.empty(len(draws.start))
        plan = layout.plan
        k.solve(plan.horizon, plan.warmup, draws.start, draws.detect, draws.alert,
                draws.exit, draws.entry, draws.pickup, draws.work, draws.handoff, draws.first,
                layout.app_split, layout.teams, layout.src_first, layout.src_app,
                layout.src_tier, layout.src_chan, layout.src_entry, layout.src_next,
                layout.src_team, layout.servers, layout.resolver, self.team_f, self.team_n,
                self.waits, self.waited, self.inc_f, self.inc_n, self.ttr, self.resolved_at)

    @property
    def longest(self) -> int:
        """At least the engine's count of waiting tickets at any time."""
        from whorunsit.engine.fastpath.fastpath_kernel import T_LONGEST

        return int(self.team_n[:, T_LONGEST].sum())


# -- entry points --------------------------------------------------------------------------
def run_chunk(scenario: Scenario, seed: int, start: int, stop: int):
    """Replications start..stop-1 on the fast path, as a ``chunks.Chunk``.

    The scenario must be eligible (see ``why_not``). Values are identical to
    ``chunks.run_chunk`` on the same arguments.
    """
    from whorunsit.engine.chunks import Chunk
    from whorunsit.engine.chunks import run_chunk as general_chunk
    from whorunsit.engine.fastpath import fastpath_metrics

    plan = plan_for(scenario)
    layout = Layout(plan)
    constants = fastpath_metrics.Constants(plan)
    names: list[str] = []
    rows: list[list[float]] = []
    hists: dict[str, np.ndarray] = {}
    for r in range(start, stop):
        draws = Draws(layout, seed, r)
        fig = Figures(layout, draws)
        if fig.longest <= tally.QUEUE_CAP // 2:
            metrics, counts = fastpath_metrics.finish(plan, constants, layout.served, draws,
                                                      fig)
        else:  # queues near the engine's hard cap: the engine stops it early, as it should
            chunk = general_chunk(scenario, seed, r, r + 1)
            metrics = dict(zip(chunk.names, chunk.values[0].tolist(), strict=True))
            counts = chunk.histograms
        for k, v in counts.items():
            hists[k] = hists[k] + v if k in hists else v.copy()
        if not names:
            names = list(metrics)
        rows.append([metrics[n] for n in names])
    values = np.asarray(rows, dtype=float).reshape(len(rows), len(names))
    return Chunk(start, names, values, hists)


def warm(scenario: Scenario) -> None:
    """Compile (or load from the disk cache) by playing replication 0 of ``scenario``."""
    from whorunsit.engine.numba_cache import compiling

    with compiling("fast path"):
        run_chunk(scenario, 0, 0, 1)


def simulate(scenario: Scenario, *, replications: int | None = None, seed: int | None = None):
    """All replications in this process on the fast path: samples by metric name and
    pooled histograms, as ``chunks.merge`` gives them."""
    from whorunsit.engine.chunks import merge

    problems = why_not(scenario)
    if problems:
        raise ValueError("the fast path cannot play this scenario: " + "; ".join(problems))
    seed = scenario.seed if seed is None else int(seed)
    total = scenario.replications if replications is None else int(replications)
    return merge([run_chunk(scenario, seed, 0, total)])
