"""One replication: a lean discrete-event loop written for this model.

State lives in flat lists indexed by team, pool, ticket or deployment number; events are
plain tuples on a heap, and everything known in advance (arrivals, calendar flips,
change windows, board sittings) is one pre-sorted list read with a cursor. The model
(docs/model.md) in brief:

- A ticket waits in a *pool*: a team's working-hours responders (pool = team index) or
  an on-call rota (pool = teams + rota index). Each pool serves its queue in priority
  order, FIFO within a priority. When the calendar flips, waiting tickets are re-homed:
  out of hours a P1/P2 ticket goes to the rota covering its team and application (or
  asks best endeavours), everything else waits for the team's working hours.
- A swarm visit needs one responder from each engaged team; responders who attach early
  wait on the bridge (busy) until the last one joins.
- Deployments (``changes``) use the performer's working-hours pool at lowest priority
  and are pre-empted by incidents; ``tally`` turns the counters into metrics.
"""

from __future__ import annotations

import heapq

import numpy as np

from reference import running
from reference.changes import Changes
from reference.running import (
    ALERT,
    APP,
    HANDOFFS,
    HDELAY,
    KF,
    MEASURED,
    P_ASKED,
    P_ATTACH,
    P_K,
    P_POOL,
    P_QENTER,
    P_TEAM,
    P_TID,
    P_TOKEN,
    PARTS,
    PENDING,
    PHASE,
    PRIO,
    QSTART,
    QWAIT,
    REASS,
    ROW,
    SRC,
    TEAMS,
    TIER,
    WORKED,
)
from whorunsit.engine.metrics import tally
from whorunsit.engine.plan.events import (
    EV_ANSWER,
    EV_APPROVED,
    EV_ARRIVE,
    EV_BOARD,
    EV_BOUNCE,
    EV_CAL,
    EV_CHANGE_ARRIVE,
    EV_DEP_DONE,
    EV_DEP_REQ,
    EV_DONE,
    EV_JOIN,
    EV_MARK,
    EV_WINDOW,
    EventColumns,
    shared_events,
)
from whorunsit.engine.plan.plan import Plan, plan_for
from whorunsit.engine.plan.week import WORK as SEG_WORK
from whorunsit.engine.random.draws import (
    BE_DELAY_U,
    BE_U,
    HANDOFF,
    PICKUP,
    REPICKUP,
    ROUTE,
    TRIAGE,
    WORK,
    Deployments,
    Incidents,
)
from whorunsit.engine.random.quantiles import quantile

# visit phases: the tier's own work, re-assessment after a bounce, triage by a wrong team
NORMAL, REASSESS, MISROUTED = 0, 1, 2
BEST_ENDEAVOURS = -1
# order of pre-sorted events at the same instant: calendar first, arrivals last
#: golden-ratio rotation to get further uniforms for a visit's extra best-endeavours asks
_PHI = 0.6180339887498949
#: what is left of a resolved ticket (tally.finish counts measured ones)
_COUNTED = [None] * MEASURED + [True]
_UNCOUNTED = [None] * MEASURED + [False]


class Replication(Changes):
    """Plays one replication of a compiled plan; ``run()`` returns its metrics."""

    def __init__(self, plan: Plan, replication: int, seed: int,
                 incidents: list[Incidents] | None = None,
                 deployments: list[Deployments] | None = None):
        """``incidents``/``deployments`` replace the random ones per application (for
        hand-computable checks); by default they are drawn from the seed."""
        self.plan = plan
        self.nT = nT = len(plan.teams)
        self.nR = nR = len(plan.rotas)
        self.W = plan.warmup
        self.H = plan.horizon
        self.end = plan.horizon
        self.week = plan.week
        self.always = plan.scenario.calendar.always
        self.now = 0.0
        self.seq = 0
        self.seg = -1
        self.seg_start = self.seg_end = 0.0
        self.heap: list[tuple] = []
        pools = nT + nR
        self.qh: list[list] = [[] for _ in range(pools)]
        self.busy = [0] * pools
        self.cap = [0] * pools
        self.waiting = 0
        self.overflow = False
        self.tickets: list[list] = []
        self.open: dict[int, list] = {}
        self.flips = plan.week.flips(plan.horizon)
        self.incidents = incidents or [Incidents(plan, a, seed, replication) for a in plan.apps]
        self.deployments = deployments or [Deployments(plan, a, seed, replication)
                                           for a in plan.apps]
        running.init(self)
        Changes.__init__(self)

    # -- the loop --------------------------------------------------------------------------
    def _external(self) -> tuple[list, list, list, list]:
        """Everything known in advance, sorted by (time, order) into parallel lists."""
        plan = self.plan
        events = EventColumns(*shared_events(plan))
        add = events.add

        for app, inc, dep in zip(plan.apps, self.incidents, self.deployments, strict=True):
            keep = inc.detect_array < plan.horizon
            idx = np.nonzero(keep)[0]
            add(inc.detect_array[keep], EV_ARRIVE, np.full(len(idx), app.index), idx)
            add(dep.times_array, EV_DEP_REQ, np.full(dep.n, app.index), np.arange(dep.n))
        times, orders, kind, a, b = events.arrays()
        perm = np.lexsort((orders, times))
        return (times[perm].tolist(), kind[perm].tolist(), a[perm].tolist(),
                b[perm].tolist())

    def run(self) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        ext_t, ext_k, ext_a, ext_b = self._external()
        n_ext = len(ext_t)
        i = 0
        heap = self.heap
        pop = heapq.heappop
        H = self.H
        tickets = self.tickets
        while not self.overflow:
            if heap and (i >= n_ext or heap[0][0] < ext_t[i]):
                now, _s, kind, x, y = pop(heap)
            elif i < n_ext:
                now, kind, x, y = ext_t[i], ext_k[i], ext_a[i], ext_b[i]
                i += 1
            else:
                break
            if now >= H:
                break
            self.now = now
            if kind == EV_DONE:
                self._done(tickets[x])
            elif kind == EV_JOIN:
                self._enter_tier(tickets[x], x, y)
            elif kind == EV_ARRIVE:
                self._arrive(x, y)
            elif kind == EV_CHANGE_ARRIVE:
                tk = tickets[x]
                self._enter_tier(tk, x, self._entry_tier(tk))
            elif kind == EV_BOUNCE:
                self._bounce(tickets[x], x)
            elif kind == EV_ANSWER:
                self._answer(x, y)
            elif kind == EV_DEP_DONE:
                self._dep_done(x, y)
            elif kind == EV_DEP_REQ:
                self._dep_request(x, y, 0)
            elif kind == EV_APPROVED:
                self._dep_approved(x)
            elif kind == EV_BOARD:
                self._board(x)
            elif kind == EV_WINDOW:
                self._window(x, bool(y))
            elif kind == EV_CAL:
                self._flip(x)
            elif kind == EV_MARK:
                running.mark(self)
        if self.overflow:
            self.end = max(self.now, self.W)
        return tally.finish(self)

    def push(self, t: float, kind: int, x, y=0) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, kind, x, y))

    # -- calendar --------------------------------------------------------------------------
    def _flip(self, index: int) -> None:
        start, kind = self.flips[index]
        end = self.flips[index + 1][0] if index + 1 < len(self.flips) else self.H
        self.seg = kind
        plan = self.plan
        nT = self.nT
        cap = self.cap
        if kind == SEG_WORK:
            toil = self.toil_balance
            for team in plan.teams:
                t = team.index
                cap[t] = running.working_capacity(self, team, start, end) if toil[t] > 0.0 \
                    else team.responders
        else:
            for t in range(nT):
                cap[t] = 0
        for r in plan.rotas:
            cap[nT + r.index] = r.on_call if r.covers[kind] else 0
        self.seg_start, self.seg_end = start, end
        self._rehome()
        qh = self.qh
        for p in range(len(cap)):
            if qh[p] or (p < nT and plan.teams[p].policies):
                self._fill(p)
        for pol in plan.policies:
            if pol.windows is None and pol.performer >= 0:
                self._window(pol.index, kind == SEG_WORK)
            elif pol.performer >= 0:
                self._dispatch(pol.index)

    def _rehome(self) -> None:
        """Move every waiting ticket to the pool that serves it in the new segment."""
        if not self.waiting:
            return
        entries = []
        for q in self.qh:
            entries.extend(e for e in q if e[2][P_TOKEN] == e[1])
            q.clear()
        entries.sort()
        tickets = self.tickets
        qh = self.qh
        for e in entries:
            part = e[2]
            p = self._home(part, tickets[part[P_TID]])
            part[P_POOL] = p
            qh[p].append(e)  # sorted input keeps each queue a valid heap

    # -- incidents: arrival and tiers ------------------------------------------------------
    def _arrive(self, a: int, i: int) -> None:
        inc = self.incidents[a]
        tid = len(self.tickets)
        start = inc.start[i]
        tk = [a, inc.prio[i], start, inc.alert[i], inc.tiers, i, 0, 0, 0, 0.0, 0.0, 0.0,
              NORMAL, None, None, 0.0, 0, 1.0, start >= self.W]
        self.tickets.append(tk)
        self.open[tid] = tk
        self._enter_tier(tk, tid, self._entry_tier(tk))

    def _entry_tier(self, tk: list) -> int:
        return self.plan.apps[tk[APP]].alert_entry if tk[ALERT] else 0

    def change_incident(self, a: int, dep: Deployments, row: int) -> None:
        """A failed deployment raises an incident now, detected after its delay."""
        tid = len(self.tickets)
        now = self.now
        tk = [a, dep.prio[row], now, dep.alert[row], dep.tiers, row, 0, 0, 0, 0.0, 0.0, 0.0,
              NORMAL, None, None, 0.0, 0, 1.0, now >= self.W]
        self.tickets.append(tk)
        self.open[tid] = tk
        if tk[MEASURED]:
            self.t_change_incidents += 1
        self.push(now + dep.detect[row], EV_CHANGE_ARRIVE, tid)

    def _enter_tier(self, tk: list, tid: int, j: int) -> None:
        app = self.plan.apps[tk[APP]]
        tier = app.tiers[j]
        channel = 1 if tk[ALERT] else 0
        teams = tier.teams[channel]
        kf = tier.knowledge[channel]
        sre = app.sre
        if sre is not None and teams[0] == sre.team and len(teams) == 1 \
                and not self._sre_keeps_pager(app, sre):
            teams = (app.owner,)
            kf = 1.0
        tk[TIER] = j
        tk[PHASE] = NORMAL
        tk[TEAMS] = teams
        tk[KF] = kf
        self._join(tk, tid, teams)

    def _sre_keeps_pager(self, app, sre) -> bool:
        period = int(self.now // sre.period)
        if self.budget_spent[app.index].get(period, 0.0) > sre.budget:
            return False
        return running.trailing_load(self, sre.team) < sre.ops_cap

    def _join(self, tk: list, tid: int, teams: tuple[int, ...]) -> None:
        now = self.now
        tk[QSTART] = now
        if len(teams) == 1:
            part = [tid, teams[0], -2, now, -1.0, 0, False, 0]
            tk[PARTS] = [part]
            tk[PENDING] = 1
            self._enqueue(part, tk)
            return
        # A swarm calls its teams in one fixed order (by team), each once the previous
        # has a responder on the bridge: two swarms then never wait on each other.
        parts = [[tid, t, -2, now, -1.0, 0, False, k] for k, t in enumerate(sorted(teams))]
        tk[PARTS] = parts
        tk[PENDING] = len(parts)
        self._enqueue(parts[0], tk)

    def _enqueue(self, part: list, tk: list) -> None:
        self.seq += 1
        s = self.seq
        part[P_TOKEN] = s
        p = part[P_TEAM] if self.seg == SEG_WORK else self._home(part, tk)
        part[P_POOL] = p
        q = self.qh[p]
        if not q and self.busy[p] < self.cap[p]:
            self._attach(part, p, False)  # a responder is free: no queue to join
            return
        self.waiting += 1
        running.queue_change(self, part[P_TEAM], 1)
        if self.waiting + self.backlog > tally.QUEUE_CAP:
            self.overflow = True
        heapq.heappush(q, (tk[PRIO], s, part))
        if p < self.nT and self.busy[p] >= self.cap[p] and self.dep_stack[p] \
                and self.seg == SEG_WORK:
            self.preempt(p)
        self._fill(p)

    def _home(self, part: list, tk: list) -> int:
        """The pool a waiting part belongs to now (asking best endeavours on the way)."""
        team = part[P_TEAM]
        seg = self.seg
        if seg == SEG_WORK or not self.plan.callout[tk[PRIO]]:
            return team
        r = self.plan.apps[tk[APP]].cover[team][seg]
        if r >= 0:
            return self.nT + r
        be = self.plan.teams[team].best_endeavours
        if be is not None and not part[P_ASKED]:
            part[P_ASKED] = True
            cols = tk[SRC][tk[TIER]]
            row = tk[ROW]
            turn = _PHI * (part[P_K] + 3 * tk[PHASE])
            if (cols[BE_U][row] + turn) % 1.0 < be[0]:
                delay = quantile(be[1], (cols[BE_DELAY_U][row] + turn) % 1.0)
                self.push(self.now + delay, EV_ANSWER, part, part[P_TOKEN])
        return team

    def _answer(self, part: list, token: int) -> None:
        """Best endeavours answered: take the ticket if it is still waiting out of hours."""
        if part[P_TOKEN] != token or self.seg == SEG_WORK:
            return
        self._attach(part, BEST_ENDEAVOURS, True)

    def _fill(self, p: int) -> None:
        q = self.qh[p]
        busy = self.busy
        cap = self.cap
        while q and busy[p] < cap[p]:
            _prio, s, part = heapq.heappop(q)
            if part[P_TOKEN] == s:
                self._attach(part, p, True)
        if p < self.nT and busy[p] < cap[p]:
            for pol in self.plan.teams[p].policies:
                self._dispatch(pol)

    def _attach(self, part: list, p: int, queued: bool) -> None:
        part[P_TOKEN] = -1
        part[P_POOL] = p
        part[P_ATTACH] = self.now
        if p >= 0:
            self.busy[p] += 1
        if queued:
            self.waiting -= 1
            running.queue_change(self, part[P_TEAM], -1)
        tk = self.tickets[part[P_TID]]
        tk[PENDING] -= 1
        if tk[PENDING] == 0:
            self._start(tk)
        else:
            nxt = tk[PARTS][part[P_K] + 1]
            nxt[P_QENTER] = self.now
            self._enqueue(nxt, tk)

    def _start(self, tk: list) -> None:
        """Every engaged responder is here: the visit's pickup and work begin."""
        now = self.now
        phase = tk[PHASE]
        cols = tk[SRC][tk[TIER]]
        row = tk[ROW]
        parts = tk[PARTS]
        if phase == NORMAL:
            pick = cols[PICKUP][row]
            work = cols[WORK][row] * tk[KF]
            p = parts[0][P_POOL]
            if p >= self.nT and len(parts) == 1:
                rota = self.plan.rotas[p - self.nT]
                if running.on_call_team(self, rota) != parts[0][P_TEAM]:
                    work *= rota.knowledge_factor
        elif phase == REASSESS:
            pick = cols[REPICKUP][row]
            work = 0.0
        else:
            pick = 0.0
            work = cols[TRIAGE][row]
        end = now + pick + work
        if tk[MEASURED]:
            tk[QWAIT] += now - tk[QSTART]
            if phase == NORMAL:
                tk[WORKED] += work
            elif phase == MISROUTED:
                tk[HDELAY] += work
        for part in parts:
            running.engaged(self, tk, part, end, work if phase != REASSESS else -1.0)
        self.seq += 1
        heapq.heappush(self.heap, (end, self.seq, EV_DONE, parts[0][P_TID], 0))

    def _done(self, tk: list) -> None:
        freed = []
        for part in tk[PARTS]:
            p = part[P_POOL]
            if p >= 0:
                self.busy[p] -= 1
                freed.append(p)
        tid = tk[PARTS][0][P_TID]
        phase = tk[PHASE]
        j = tk[TIER]
        tier = self.plan.apps[tk[APP]].tiers[j]
        if phase == NORMAL:
            u = tk[SRC][j][ROUTE][tk[ROW]]
            if tier.last or u < tier.resolve:
                self._resolve(tk, tid)
            elif u < tier.resolve + tier.misroute:
                # ping-pong: handed to a wrong team (one handoff), bounced back (another),
                # re-assessed by this tier, then escalated as it should have been
                tk[REASS] += 1
                tk[HANDOFFS] += 1
                if tier.misroute_team >= 0:
                    tk[PHASE] = MISROUTED
                    self._join(tk, tid, (tier.misroute_team,))
                else:
                    triage = tk[SRC][j][TRIAGE][tk[ROW]]
                    if tk[MEASURED]:
                        tk[HDELAY] += triage
                    self.push(self.now + triage, EV_BOUNCE, tid)
            else:
                self._escalate(tk, tid, j)
        elif phase == MISROUTED:
            self._bounce(tk, tid)
        else:
            self._escalate(tk, tid, j)
        qh = self.qh
        teams = self.plan.teams
        nT = self.nT
        for p in freed:
            if qh[p] or (p < nT and teams[p].policies):
                self._fill(p)

    def _bounce(self, tk: list, tid: int) -> None:
        tk[HANDOFFS] += 1
        tk[PHASE] = REASSESS
        self._join(tk, tid, tk[TEAMS])

    def _escalate(self, tk: list, tid: int, j: int) -> None:
        tk[HANDOFFS] += 1
        delay = tk[SRC][j][HANDOFF][tk[ROW]]
        if delay > 0.0:
            if tk[MEASURED]:
                tk[HDELAY] += delay
            self.push(self.now + delay, EV_JOIN, tid, j + 1)
        else:
            self._enter_tier(tk, tid, j + 1)

    def _resolve(self, tk: list, tid: int) -> None:
        del self.open[tid]
        # a swarm's resolution is credited to its lead (the tier's own team)
        running.resolved(self, tk, tk[TEAMS][0])
        # memory stays flat over long horizons: only whether it counted is kept
        self.tickets[tid] = _COUNTED if tk[MEASURED] else _UNCOUNTED


def run_replication(plan_or_scenario, replication_index: int, seed: int):
    """Play replication ``replication_index`` of a scenario (or a compiled ``Plan``).

    Returns ``(metrics, histograms)``: every metric's value for this replication, and
    counts over ``model.bins.HISTOGRAM_EDGES`` of its times to restore
    ("incidents.time_to_restore") and deployment lead times ("deployments.lead_time").
    """
    plan = plan_or_scenario if isinstance(plan_or_scenario, Plan) else plan_for(plan_or_scenario)
    return Replication(plan, replication_index, seed).run()


