"""A fast path for 24x7 first-come-first-served support networks.

When nothing in a scenario depends on the clock or re-orders a queue, every team is a
FIFO queue with c responders, and the tiers an incident visits are fixed by its draws
before it starts. The start and end of every ticket then follow from the
Kiefer-Wolfowitz recursion (``kiefer_wolfowitz``), team by team in the order tickets
flow, for a whole batch of replications at once: no event list at all.

It draws exactly the random numbers the general engine draws (the same streams, the
same numbers per incident and tier, see ``draws``), computes every time with the same
floating-point operations and adds totals up in the engine's order
(``fastpath_metrics`` mirrors ``tally.finish``). So a replication gives the same
metrics, to the last bit, on either path: common random numbers keep working when a
comparison puts one scenario on each. ``tests/test_fastpath.py`` holds it to that.

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

import math

import numpy as np

from whorunsit.engine import fastpath_metrics
from whorunsit.engine.arrivals import incident_starts
from whorunsit.engine.draws import HANDOFF, PICKUP, ROUTE, TIER_COLUMNS, WORK
from whorunsit.engine.kiefer_wolfowitz import fifo_schedule
from whorunsit.engine.plan import Plan
from whorunsit.engine.quantiles import quantiles
from whorunsit.engine.replication import plan_for
from whorunsit.engine.streams import stream
from whorunsit.errors import InputError
from whorunsit.model import Scenario

#: bytes of per-incident arrays a batch of replications may hold at once; bigger
#: batches spread the recursion's per-step cost over more replications
BATCH_BYTES = 256 << 20
#: bytes a batch keeps per incident and tier (see _AppBatch), for sizing batches
_BYTES_PER_INCIDENT = 48
_BYTES_PER_VISIT = 72


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


# -- draws ---------------------------------------------------------------------------------
class _AppBatch:
    """One application's incidents in a batch of replications, as (B, N) matrices.

    Row b is the batch's b-th replication, column i its incident i in start order (the
    numbering of ``draws.Incidents``); columns past a replication's incident count are
    padding, never valid, with infinite times. Per tier, ``join``, ``begin`` and
    ``end`` are filled in as the teams are solved. A pickup or handoff that is always
    zero is kept as None (adding 0.0 changes no time, so the sums stay exact).
    """

    def __init__(self, app, seed: int, replications: range, horizon: float,
                 buffer: np.ndarray):
        self.app = app
        tiers = app.tiers
        nt = len(tiers)
        B = len(replications)
        rows = []
        for r in replications:
            rows.append(self._draw(app, seed, r, horizon, buffer))
        N = max((len(d[0]) for d in rows), default=0)
        self.rows = N
        self.counts = np.array([len(d[0]) for d in rows], dtype=np.int64)
        self.valid = np.arange(N)[None, :] < self.counts[:, None]
        self.start = np.full((B, N), math.inf)
        self.detect = np.full((B, N), math.inf)
        self.alert = np.zeros((B, N), dtype=bool)
        self.exit = np.zeros((B, N), dtype=np.int8)
        self.work = [np.zeros((B, N)) for _ in range(nt)]
        self.pickup = [None if _is_zero(t.pickup) else np.zeros((B, N)) for t in tiers]
        self.handoff = [None if _is_zero(t.handoff) else np.zeros((B, N)) for t in tiers]
        for b, (start, detect, alert, exit_tier, per_tier) in enumerate(rows):
            n = len(start)
            self.start[b, :n] = start
            self.detect[b, :n] = detect
            self.alert[b, :n] = alert
            self.exit[b, :n] = exit_tier
            for j, (pick, work, hand) in enumerate(per_tier):
                self.work[j][b, :n] = work
                if self.pickup[j] is not None:
                    self.pickup[j][b, :n] = pick
                if self.handoff[j] is not None:
                    self.handoff[j][b, :n] = hand
        self.entry = np.where(self.alert, np.int8(app.alert_entry), np.int8(0))
        # knowledge factors per channel, multiplied exactly as the engine does
        for j, tier in enumerate(tiers):
            kf_customer, kf_alert = tier.knowledge
            if kf_customer != 1.0 or kf_alert != 1.0:
                self.work[j] = np.where(self.alert, self.work[j] * kf_alert,
                                        self.work[j] * kf_customer)
        self.join: list[np.ndarray | None] = [None] * nt
        self.begin: list[np.ndarray | None] = [None] * nt
        self.end: list[np.ndarray | None] = [None] * nt

    @staticmethod
    def _draw(app, seed: int, replication: int, horizon: float, buffer: np.ndarray):
        """One replication's draws, number for number those of ``draws.Incidents``."""
        rng = stream(seed, replication, "arrivals", app.name)
        start = incident_starts(rng, app.incident_rate, horizon, app.arrivals)
        n = len(start)
        attrs = rng.random((n, 3))
        tiers = app.tiers
        size = n * len(tiers) * TIER_COLUMNS
        # fresh memory costs more to fill than the numbers cost to draw: reuse a buffer
        u = (buffer[:size] if buffer.size >= size else np.empty(size)).reshape(
            n, len(tiers), TIER_COLUMNS)
        stream(seed, replication, "support", app.name).random(out=u)
        alert = attrs[:, 1] < app.alert_share
        delay = np.where(alert, quantiles(app.alert_delay, attrs[:, 2]),
                         quantiles(app.customer_delay, attrs[:, 2]))
        entry = np.where(alert, app.alert_entry, 0)
        # the resolving tier: the first from the entry whose routing draw says so
        exit_tier = np.full(n, len(tiers) - 1)
        for j in range(len(tiers) - 2, -1, -1):
            exit_tier[(entry <= j) & (u[:, j, ROUTE] < tiers[j].resolve)] = j
        per_tier = []
        for j, tier in enumerate(tiers):
            cols = u[:, j, :]
            per_tier.append((
                None if _is_zero(tier.pickup) else quantiles(tier.pickup, cols[:, PICKUP]),
                quantiles(tier.work, cols[:, WORK]),
                None if _is_zero(tier.handoff) else quantiles(tier.handoff, cols[:, HANDOFF])))
        return start, start + delay, alert, exit_tier, per_tier

    def visits(self, j: int, channel: int) -> np.ndarray:
        """Tickets of this channel that reach tier j."""
        at = self.valid & (self.exit >= j)
        if j > 0:
            at &= self.entry <= j
        if self.app.alert_share <= 0.0:
            return at
        return at & (self.alert if channel else ~self.alert)

    def arrivals(self, j: int, mask: np.ndarray, horizon: float) -> np.ndarray:
        """When tickets join tier j (inf for those that do not before the horizon): at
        detection at their entry tier, else at the previous tier's end plus its
        handoff delay (the engine's ``now + delay``)."""
        if j == 0:
            joined = self.detect
        else:
            later = self.end[j - 1]
            if self.handoff[j - 1] is not None:
                later = later + self.handoff[j - 1]
            joined = np.where(self.entry == j, self.detect, later) if self.app.alert_entry \
                else later
        return np.where(mask & (joined < horizon), joined, math.inf)


# -- solving the teams ----------------------------------------------------------------------
class TeamBatch:
    """One team's tickets in a batch, as (B, rows) matrices in service order.

    FIFO means service order is joining order; it is also the order the engine meets
    the tickets' starts in, so totals added along a row are added in the engine's order.
    """

    def __init__(self, joins, pickups, works, incident_starts, servers: int):
        joined = np.concatenate(joins, axis=1) if len(joins) > 1 else joins[0]
        self.total = joined.shape[1]
        if _rows_sorted(joined):
            order = None
        else:
            order = np.argsort(joined, axis=1)
            joined = np.take_along_axis(joined, order, axis=1)
        rows = int(np.isfinite(joined).sum(axis=1).max()) if joined.size else 0
        self.order = None if order is None else order[:, :rows]
        self.join = joined[:, :rows]

        def arrange(parts):
            if any(p is None for p in parts):
                if all(p is None for p in parts):
                    return None
                parts = [np.zeros_like(j) if p is None else p for p, j in zip(parts, joins,
                                                                               strict=True)]
            whole = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
            if self.order is None:
                return whole[:, :rows]
            return np.take_along_axis(whole, self.order, axis=1)

        self.work = arrange(works)
        self.incident_start = arrange(incident_starts)
        pickup = arrange(pickups)
        begin, end = fifo_schedule(
            np.ascontiguousarray(self.join.T),
            None if pickup is None else np.ascontiguousarray(pickup.T),
            np.ascontiguousarray(self.work.T), servers)
        self.begin, self.end = np.ascontiguousarray(begin.T), np.ascontiguousarray(end.T)

    def scatter(self, values: np.ndarray) -> np.ndarray:
        """Back from service order to the stacked source columns (inf where no ticket)."""
        out = np.full((values.shape[0], self.total), math.inf)
        if self.order is None:
            out[:, :values.shape[1]] = values
        else:
            np.put_along_axis(out, self.order, values, axis=1)
        return out


def _rows_sorted(x: np.ndarray) -> bool:
    return x.shape[1] < 2 or bool((x[:, 1:] >= x[:, :-1]).all())


def _solve(plan: Plan, seed: int, replications: range, buffer: np.ndarray):
    """Draw a batch and serve every ticket; returns the applications and the teams."""
    H = plan.horizon
    apps = [_AppBatch(app, seed, replications, H, buffer) for app in plan.apps]
    sources: list[list[tuple[int, int, int]]] = [[] for _ in plan.teams]
    for app, channel, entry in _routes(plan):
        for j in range(entry, len(app.tiers)):
            sources[app.tiers[j].teams[channel][0]].append((app.index, j, channel))
    teams: dict[int, TeamBatch] = {}
    for t in team_order(plan):
        if not sources[t]:
            continue
        masks = [apps[a].visits(j, c) for a, j, c in sources[t]]
        joins = [apps[a].arrivals(j, m, H) for (a, j, _c), m in zip(sources[t], masks,
                                                                     strict=True)]
        team = TeamBatch(joins, [apps[a].pickup[j] for a, j, _c in sources[t]],
                         [apps[a].work[j] for a, j, _c in sources[t]],
                         [apps[a].start for a, _j, _c in sources[t]],
                         plan.teams[t].responders)
        begin, end = team.scatter(team.begin), team.scatter(team.end)
        col = 0
        for (a, j, _c), mask, joined in zip(sources[t], masks, joins, strict=True):
            d = apps[a]
            part = slice(col, col + d.rows)
            if d.join[j] is None:
                d.join[j], d.begin[j], d.end[j] = joined, begin[:, part], end[:, part]
            else:  # the other channel's tickets at this tier, served by another team
                d.join[j] = np.where(mask, joined, d.join[j])
                d.begin[j] = np.where(mask, begin[:, part], d.begin[j])
                d.end[j] = np.where(mask, end[:, part], d.end[j])
            col += d.rows
        teams[t] = team
    return apps, teams


# -- entry points --------------------------------------------------------------------------
def _batch_size(plan: Plan, wanted: int) -> int:
    """Replications solved together: as many as fit in BATCH_BYTES."""
    per_replication = sum(
        a.incident_rate * plan.horizon * (_BYTES_PER_INCIDENT + _BYTES_PER_VISIT * len(a.tiers))
        for a in plan.apps)
    fits = int(BATCH_BYTES // max(1.0, per_replication))
    return max(1, min(wanted, fits))


def _buffer(plan: Plan) -> np.ndarray:
    """Room for one application's tier uniforms (a bigger draw gets its own memory)."""
    most = max((a.incident_rate * plan.horizon * len(a.tiers) for a in plan.apps), default=0.0)
    return np.empty(int(most * 1.1 + 64) * TIER_COLUMNS)


def run_chunk(scenario: Scenario, seed: int, start: int, stop: int):
    """Replications start..stop-1 on the fast path, as the engine's ``runner.Chunk``.

    The scenario must be eligible (see ``why_not``). Values are identical to
    ``runner.run_chunk`` on the same arguments.
    """
    from whorunsit.engine.runner import Chunk
    from whorunsit.engine.runner import run_chunk as general_chunk

    plan = plan_for(scenario)
    names: list[str] = []
    rows: list[list[float]] = []
    hists: dict[str, np.ndarray] = {}
    size = _batch_size(plan, stop - start)
    buffer = _buffer(plan)
    for first in range(start, stop, size):
        batch = range(first, min(first + size, stop))
        with np.errstate(invalid="ignore"):  # inf - inf for tickets never served
            apps, teams = _solve(plan, seed, batch, buffer)
            played, counts = fastpath_metrics.batch_metrics(plan, apps, teams)
        for k, v in counts.items():
            hists[k] = hists[k] + v if k in hists else v.copy()
        for r, metrics in zip(batch, played, strict=True):
            if metrics is None:
                chunk = general_chunk(scenario, seed, r, r + 1)
                metrics = dict(zip(chunk.names, chunk.values[0].tolist(), strict=True))
                for k, v in chunk.histograms.items():
                    hists[k] = hists[k] + v if k in hists else v.copy()
            if not names:
                names = list(metrics)
            rows.append([metrics[n] for n in names])
    values = np.asarray(rows, dtype=float).reshape(len(rows), len(names))
    return Chunk(start, names, values, hists)


def simulate(scenario: Scenario, *, replications: int | None = None, seed: int | None = None):
    """All replications in this process on the fast path, as ``stats.results.Results``."""
    from whorunsit.engine.runner import merge
    from whorunsit.stats.results import Results

    problems = why_not(scenario)
    if problems:
        raise ValueError("the fast path cannot play this scenario: " + "; ".join(problems))
    seed = scenario.seed if seed is None else int(seed)
    total = scenario.replications if replications is None else int(replications)
    samples, hists = merge([run_chunk(scenario, seed, 0, total)])
    return Results(scenario, seed, samples, hists)
