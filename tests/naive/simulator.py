"""A naive simulator of docs/model.md: one replication, written to be read, not to be fast.

It plays the model with small classes and one ``heapq`` of events. What it shares with
the engine is only its *inputs*: the scenario (public model objects, read by
``organisation``) and the replication's pre-drawn random numbers
(``whorunsit.engine.random.draws``: incident i of an application uses row i, see
docs/model.md "Random numbers"). Event order, state and the metrics are its own.

Same-instant events are played in the order docs/model.md implies and the engine keeps:
calendar changes, then change windows, the end of the warm-up, board sittings and
arrivals (in that order), then everything the run itself scheduled, first scheduled
first. With continuous distributions ties are rare; where a scenario has them the
tests compare statistically instead.
"""

from __future__ import annotations

import heapq
import itertools
import math

import numpy as np

from naive.organisation import (
    DAY,
    WEEK,
    WORKING,
    best_endeavours,
    read,
    rota_covers,
    segments,
    window_changes,
)
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
from whorunsit.model.bins import HISTOGRAM_EDGES

#: docs/model.md "Bounded time and memory"
QUEUE_CAP = 20_000

# the order of events at one instant (see the module docstring; the end of the warm-up
# changes nothing here, so it has no event)
CALENDAR, WINDOW, BOARD, ARRIVAL, LATER = range(5)
# what a visit to a tier is for (docs/model.md, "After the work")
WORK_IT, REASSESS, TRIAGE_IT = PURPOSES = ("work", "re-assess", "misroute triage")
#: how the engine turns a visit's one best-endeavours uniform into one per ask (an input
#: rule, like the inverse transforms: part k of a swarm, and a re-assessment, ask anew)
GOLDEN = 0.6180339887498949


class Ticket:
    def __init__(self, app, priority, start, alert, draws, row, measured):
        self.app, self.priority, self.start, self.alert = app, priority, start, alert
        self.draws, self.row, self.measured = draws, row, measured
        self.tier = 0
        self.purpose = WORK_IT
        self.teams: list[str] = []    # who works the current tier (first: the tier's team)
        self.knowledge = 1.0
        self.parts: list[Part] = []   # one per engaged team (a swarm has several)
        self.joined = 0.0             # when the current visit started queueing
        self.handoffs = self.reassignments = 0
        self.queue_wait = self.handoff_delay = self.worked = 0.0
        self.resolved_at: float | None = None

    def draw(self, column: int) -> float:
        return self.draws[self.tier][column][self.row]


class Part:
    """One team's share of a visit: it waits in a pool until one of its people takes it."""

    def __init__(self, ticket: Ticket, team: str, k: int, now: float):
        self.ticket, self.team, self.k = ticket, team, k
        self.entered = now
        self.pool: Pool | None = None
        self.waiting_since: int | None = None  # enqueue number while waiting, else None
        self.asked = False                     # best endeavours asked on this visit
        self.attached = 0.0
        self.on_call_team: str | None = None


class Pool:
    """People who take tickets: a team's working-hours responders, or a rota's on-call."""

    def __init__(self, name: str, team: str | None = None, rota=None):
        self.name, self.team, self.rota = name, team, rota
        self.capacity = 0
        self.busy = 0
        self.queue: list[tuple[int, int, Part]] = []  # (priority, enqueue number, part)

    def free(self) -> bool:
        return self.busy < self.capacity


class Deployment:
    def __init__(self, app, index, attempt, row, policy, requested, remaining):
        self.app, self.index, self.attempt, self.row = app, index, attempt, row
        self.policy, self.requested, self.remaining = policy, requested, remaining
        self.version = 0
        self.pool: Pool | None = None   # None while not held by a working-hours responder
        self.end = 0.0


class Simulation:
    def __init__(self, scenario, plan, replication: int, seed: int,
                 incidents=None, deployments=None):
        """``plan`` is only the key the engine's draws are made from (inputs);
        ``incidents``/``deployments`` replace them per application when given."""
        self.org = org = read(scenario)
        self.scenario = scenario
        self.H, self.W = float(scenario.horizon), float(scenario.warmup)
        self.now = 0.0
        self.end = self.H  # where the figures stop: the horizon, unless stopped early
        self.stopped = False
        self.kind = None
        self.segment = (0.0, 0.0)
        self.events: list = []
        self.numbers = itertools.count()
        self.incidents = incidents or [Incidents(plan, a, seed, replication) for a in plan.apps]
        self.deployment_draws = deployments or [Deployments(plan, a, seed, replication)
                                                for a in plan.apps]
        self.team_pools = {t: Pool(t, team=t) for t in org.team_names}
        self.rota_pools = {r.name: Pool(r.name, rota=r) for r in scenario.rotas}
        self.segments = segments(scenario.calendar, self.H)
        self.working_per_week = sum(b - a for a, b, k in segments(scenario.calendar, WEEK)
                                    if k == WORKING)
        self.tickets: list[Ticket] = []
        names = org.team_names
        self.busy_work = dict.fromkeys(names, 0.0)   # working-hours busy time, measured
        self.away = dict.fromkeys(names, 0.0)        # responder-hours lost to TOIL
        self.toil_in_hand = dict.fromkeys(names, 0.0)
        self.toil_earned = dict.fromkeys(names, 0.0)
        self.callouts = dict.fromkeys(names, 0)
        self.callout_cost = dict.fromkeys(names, 0.0)
        self.unpaid = dict.fromkeys(names, 0.0)
        self.team_tickets = dict.fromkeys(names, 0)
        self.team_resolved = dict.fromkeys(names, 0)
        self.team_deploys = dict.fromkeys(names, 0)
        self.busy_log = {t: [] for t in names}       # (start, hours) for the SRE ops load
        self.budget_spent: dict[tuple[str, int], float] = {}
        # deployments
        self.backlog = 0
        self.demand = self.deployed = 0
        self.lead_times: list[float] = []
        self.awaiting_board: dict[str, list[Deployment]] = {}
        self.ready: dict[str, list[Deployment]] = {}
        self.window_open: dict[str, bool] = {}
        self.active: dict[str, int] = {}
        self.crew_busy: dict[str, int] = {}
        self.in_progress: dict[str, list[Deployment]] = {t: [] for t in names}
        self.preempted = 0
        for p in scenario.deployment_policies:
            self.awaiting_board[p.name], self.ready[p.name] = [], []
            self.window_open[p.name], self.active[p.name], self.crew_busy[p.name] = \
                False, 0, 0

    # -- the event list -----------------------------------------------------------------
    def at(self, time: float, order: int, action, *args) -> None:
        heapq.heappush(self.events, (time, order, next(self.numbers), action, args))

    def run(self) -> Simulation:
        self._known_in_advance()
        while self.events and not self.stopped:
            time, _order, _n, action, args = heapq.heappop(self.events)
            if time >= self.H:
                break
            self.now = time
            action(*args)
        if self.stopped:
            self.end = max(self.now, self.W)
        return self

    def _check_bounds(self) -> None:
        """docs/model.md "Bounded time and memory": more than 20,000 tickets and
        deployment requests waiting at once stop the replication there."""
        waiting = sum(len(pool.queue) for pool in self._pools())
        if waiting + self.backlog > QUEUE_CAP:
            self.stopped = True

    def _known_in_advance(self) -> None:
        for start, end, kind in self.segments:
            self.at(start, CALENDAR, self.calendar_change, kind, start, end)
        for p in self.scenario.deployment_policies:
            if p.change_windows:
                for t, is_open in window_changes(p.change_windows, self.H):
                    self.at(t, WINDOW, self.window_change, p, is_open)
        for p in self.scenario.deployment_policies:
            a = p.approval
            if a.kind == "board" and a.board_every > 0:
                t = a.board_at % a.board_every
                while t < self.H:
                    self.at(t, BOARD, self.board_sits, p)
                    t += a.board_every
        for app, inc, dep in zip(self.org.apps, self.incidents, self.deployment_draws,
                                 strict=True):
            for i in range(inc.n):
                self.at(float(inc.detect_array[i]), ARRIVAL, self.incident_arrives, app, inc, i)
            for i, t in enumerate(dep.times_array.tolist()):
                self.at(t, ARRIVAL, self.deployment_requested, app, dep, i, 0)

    # -- the calendar (docs/model.md, "Out of hours") --------------------------------------
    def calendar_change(self, kind: str, start: float, end: float) -> None:
        self.kind, self.segment = kind, (start, end)
        for name, pool in self.team_pools.items():
            team = self.org.team(name)
            pool.capacity = self._responders_today(team, start, end) if kind == WORKING else 0
        for pool in self.rota_pools.values():
            covered = rota_covers(pool.rota, kind)
            pool.capacity = pool.rota.on_call if covered else 0
        # tickets still waiting move to whoever answers now, in queue order
        waiting = sorted((entry for pool in self._pools() for entry in pool.queue),
                         key=lambda e: (e[0], e[1]))
        for pool in self._pools():
            pool.queue = []
        for entry in waiting:
            part = entry[2]
            part.pool = self._home(part)
            part.pool.queue.append(entry)
        for pool in self._pools():
            self._take_from_queue(pool)
        for p in self.scenario.deployment_policies:
            if p.performer != "owner":
                if not p.change_windows:  # no windows: the team's working hours
                    self.window_change(p, kind == WORKING)
                else:
                    self._start_deployments(p)

    def _pools(self) -> list[Pool]:
        return list(self.team_pools.values()) + list(self.rota_pools.values())

    def _responders_today(self, team, start: float, end: float) -> int:
        """docs/model.md "TOIL": at the start of each working day whole days of TOIL in
        hand are taken; at least one person stays, and nobody still busy goes."""
        responders = team.responders
        in_hand = self.toil_in_hand[team.name]
        day = end - start
        if in_hand > 0 and day > 0 and not self.scenario.calendar.always:
            busy = self.team_pools[team.name].busy
            away = min(int(in_hand // day), max(0, team.headcount - max(1, busy)))
            if away > 0:
                self.toil_in_hand[team.name] = in_hand - away * day
                responders = max(0, min(responders, team.headcount - away))
            lost = team.responders - responders
            overlap = min(end, self.H) - max(start, self.W)
            if lost > 0 and overlap > 0:
                self.away[team.name] += lost * overlap
        return responders

    def _home(self, part: Part) -> Pool:
        """Which pool a waiting part belongs to now: the team in working hours; out of
        hours, for a callout priority, the covering rota, or the team (waiting for the
        morning) after asking best endeavours once per visit."""
        tk = part.ticket
        if self.kind == WORKING or not self.org.calls_out(tk.priority + 1):
            return self.team_pools[part.team]
        rota = self.org.rota_for(tk.app, part.team, self.kind)
        if rota is not None:
            return self.rota_pools[rota.name]
        be = best_endeavours(self.org.team(part.team))
        if be is not None and not part.asked:
            part.asked = True
            turn = GOLDEN * (part.k + 3 * PURPOSES.index(tk.purpose))
            if (tk.draw(BE_U) + turn) % 1.0 < be.answer_probability:
                delay = quantile(be.answer_delay, (tk.draw(BE_DELAY_U) + turn) % 1.0)
                self.at(self.now + delay, LATER, self.best_endeavours_answer, part,
                        part.waiting_since)
        return self.team_pools[part.team]

    def best_endeavours_answer(self, part: Part, since: int) -> None:
        """Someone answered: they take the ticket if it still waits out of hours."""
        if part.waiting_since != since or self.kind == WORKING:
            return
        part.pool.queue = [e for e in part.pool.queue if e[2] is not part]
        self._attach(part, None)

    # -- incidents (docs/model.md, "Incidents") ------------------------------------------
    def incident_arrives(self, app, inc, i: int) -> None:
        tk = Ticket(app, inc.prio[i], inc.start[i], inc.alert[i], inc.tiers, i,
                    inc.start[i] >= self.W)
        self.tickets.append(tk)
        self._enter_tier(tk, app.alert_entry if tk.alert else 0)

    def _enter_tier(self, tk: Ticket, j: int) -> None:
        tier = tk.app.tiers[j]
        teams = tier.alert_teams if tk.alert else tier.customer_teams
        knowledge = tier.alert_knowledge if tk.alert else tier.customer_knowledge
        sre = tk.app.sre
        if sre is not None and teams == [sre[0]] and not self._sre_keeps_pager(tk.app):
            teams, knowledge = [tk.app.owner], 1.0   # "the pager goes back"
        tk.tier, tk.purpose, tk.teams, tk.knowledge = j, WORK_IT, teams, knowledge
        self._queue_visit(tk, teams)

    def _sre_keeps_pager(self, app) -> bool:
        """docs/model.md "Error-budget policy": budget left in this period and the SRE
        team's ops load over the last seven days (this day and six before; work counted
        on the day it started) below the cap."""
        team, cap, period, budget = app.sre
        if self.budget_spent.get((app.name, int(self.now // period)), 0.0) > budget:
            return False
        today = int(self.now // DAY)
        busy = sum(h for start, h in self.busy_log[team] if today - 6 <= int(start // DAY))
        capacity = self.org.team(team).responders * self.working_per_week
        return (busy / capacity if capacity > 0 else math.inf) < cap

    def _queue_visit(self, tk: Ticket, teams: list[str]) -> None:
        """docs/model.md "Swarm tier": teams are called in a fixed order (by team), each
        as soon as the previous one has someone on the bridge."""
        tk.joined = self.now
        order = sorted(teams, key=self.org.team_names.index)
        tk.parts = [Part(tk, t, k, self.now) for k, t in enumerate(order)]
        self._enqueue(tk.parts[0])

    def _enqueue(self, part: Part) -> None:
        part.waiting_since = number = next(self.numbers)
        pool = self.team_pools[part.team] if self.kind == WORKING else self._home(part)
        part.pool = pool
        if not pool.queue and pool.free():
            self._attach(part, pool)
            return
        pool.queue.append((part.ticket.priority, number, part))
        self._check_bounds()
        # docs/model.md "Deployments": an incident that finds every responder busy
        # pre-empts the deployment in progress that started last
        if pool.team is not None and not pool.free() and self.in_progress[pool.team] \
                and self.kind == WORKING:
            self._preempt(pool)
        self._take_from_queue(pool)

    def _take_from_queue(self, pool: Pool) -> None:
        """Free people take waiting tickets: P1 first, first come first served within a
        priority; a team's idle responders then turn to deployments."""
        while pool.queue and pool.free():
            entry = min(pool.queue, key=lambda e: (e[0], e[1]))
            pool.queue.remove(entry)
            self._attach(entry[2], pool)
        if pool.team is not None and pool.free():
            for p in self.scenario.deployment_policies:
                if p.performer == pool.team:
                    self._start_deployments(p)

    def _attach(self, part: Part, pool: Pool | None) -> None:
        part.waiting_since = None
        part.pool = pool
        part.attached = self.now
        if pool is not None:
            pool.busy += 1
        tk = part.ticket
        if part.k + 1 < len(tk.parts):
            nxt = tk.parts[part.k + 1]
            nxt.entered = self.now
            self._enqueue(nxt)
        else:
            self._start_visit(tk)

    def _start_visit(self, tk: Ticket) -> None:
        """Everyone is there: pickup, then the work (docs/model.md, "Pickup and work")."""
        if tk.purpose == WORK_IT:
            pickup = tk.draw(PICKUP)
            work = tk.draw(WORK) * tk.knowledge
            only = tk.parts[0]
            if len(tk.parts) == 1 and only.pool is not None and only.pool.rota is not None:
                rota = only.pool.rota
                if self._on_call_team(rota) != only.team:
                    work *= rota.knowledge_factor
        elif tk.purpose == REASSESS:
            pickup, work = tk.draw(REPICKUP), 0.0
        else:
            pickup, work = 0.0, tk.draw(TRIAGE)
        end = self.now + pickup + work
        if tk.measured:
            tk.queue_wait += self.now - tk.joined
            if tk.purpose == WORK_IT:
                tk.worked += work
            elif tk.purpose == TRIAGE_IT:
                tk.handoff_delay += work
        for part in tk.parts:
            self._engaged(part, end)
        self.at(end, LATER, self.visit_done, tk)

    def _on_call_team(self, rota) -> str:
        """A shared rota's phone passes between its teams week by week."""
        return rota.teams[int(self.now // WEEK) % len(rota.teams)]

    def _engaged(self, part: Part, end: float) -> None:
        tk = part.ticket
        if tk.measured:
            self.team_tickets[part.team] += 1
        pool = part.pool
        hours = end - part.attached
        if pool is not None and pool.team is not None:
            self._busy(part.team, part.attached, end, in_team_hours=True)
        elif pool is None:  # best endeavours: unpaid, a callout
            be = best_endeavours(self.org.team(part.team))
            self._busy(part.team, part.attached, end, in_team_hours=False)
            self._callout(part.team, None, hours, be.toil_hours_per_callout)
        else:  # the rota's person on call, from whichever team holds the phone
            rota = pool.rota
            person = self._on_call_team(rota)
            self._busy(person, part.attached, end, in_team_hours=False)
            self._callout(person, rota, hours, rota.pay.toil_hours_per_callout)

    def _busy(self, team: str, a: float, b: float, in_team_hours: bool,
              sign: float = 1.0) -> None:
        """Someone of ``team`` is busy from a to b. Utilisation counts the team's own
        responders inside working hours only (docs/model.md "What each team figure means")."""
        self.busy_log[team].append((a, sign * (b - a)))
        if in_team_hours:
            self.busy_work[team] += sign * self._working_overlap(max(a, self.W), min(b, self.H))

    def _working_overlap(self, a: float, b: float) -> float:
        return sum(max(0.0, min(b, e) - max(a, s))
                   for s, e, k in self.segments if k == WORKING and s < b and e > a)

    def _callout(self, team: str, rota, hours: float, toil: float) -> None:
        """docs/model.md "On-call pay": every out-of-hours engagement is a callout."""
        self.toil_in_hand[team] += toil
        if self.now < self.W:
            return
        self.callouts[team] += 1
        self.toil_earned[team] += toil
        if rota is not None and rota.pay.paid:
            self.callout_cost[team] += rota.pay.callout_fee + rota.pay.callout_per_hour * hours
        else:
            self.unpaid[team] += hours

    def visit_done(self, tk: Ticket) -> None:
        """docs/model.md "After the work": resolve, misroute (ping-pong) or escalate."""
        freed = [p.pool for p in tk.parts if p.pool is not None]
        for pool in freed:
            pool.busy -= 1
        tier = tk.app.tiers[tk.tier]
        if tk.purpose == WORK_IT:
            u = tk.draw(ROUTE)
            if tier.last or u < tier.resolve:
                self._resolve(tk)
            elif u < tier.resolve + tier.misroute:
                tk.reassignments += 1
                tk.handoffs += 1    # to the wrong team
                if tier.misroute_team is not None:
                    tk.purpose = TRIAGE_IT
                    self._queue_visit(tk, [tier.misroute_team])
                else:
                    triage = tk.draw(TRIAGE)
                    if tk.measured:
                        tk.handoff_delay += triage
                    self.at(self.now + triage, LATER, self.bounced_back, tk)
            else:
                self._escalate(tk)
        elif tk.purpose == TRIAGE_IT:
            self.bounced_back(tk)
        else:
            self._escalate(tk)
        for pool in freed:
            self._take_from_queue(pool)

    def bounced_back(self, tk: Ticket) -> None:
        tk.handoffs += 1  # back from the wrong team; this tier re-assesses it
        tk.purpose = REASSESS
        self._queue_visit(tk, tk.teams)

    def _escalate(self, tk: Ticket) -> None:
        tk.handoffs += 1
        delay = tk.draw(HANDOFF)
        if delay > 0:
            if tk.measured:
                tk.handoff_delay += delay
            self.at(self.now + delay, LATER, self._enter_tier, tk, tk.tier + 1)
        else:
            self._enter_tier(tk, tk.tier + 1)

    def _resolve(self, tk: Ticket) -> None:
        tk.resolved_at = self.now
        app = tk.app
        if app.sre is not None:  # the error budget is spent incident by incident
            impact = self.scenario.priority_impact[tk.priority]
            key = (app.name, int(self.now // app.sre[2]))
            self.budget_spent[key] = self.budget_spent.get(key, 0.0) + \
                (self.now - tk.start) * impact
        if tk.measured:
            self.team_resolved[tk.teams[0]] += 1  # a swarm's lead is credited

    # -- deployments (docs/model.md, "Deployments") ---------------------------------------
    def deployment_requested(self, app, draws, index: int, attempt: int) -> None:
        policy = app.policy
        if policy is None:
            return
        row = draws.row(index, attempt)
        performed = policy.performer != "owner"
        work = draws.effort[row] if performed else draws.pipeline[row]
        dep = Deployment(app, index, attempt, row, policy, self.now, work)
        self.backlog += 1
        if self.now >= self.W:
            self.demand += 1
        self._check_bounds()
        kind = policy.approval.kind
        if kind == "none":
            self._approved(dep)
        elif kind == "board":
            self.awaiting_board[policy.name].append(dep)
        else:
            self.at(self.now + draws.approval[row], LATER, self._approved, dep)

    def board_sits(self, policy) -> None:
        """Each sitting approves the requests made before it, oldest first, at most
        ``capacity`` of them when a capacity is set."""
        waiting = self.awaiting_board[policy.name]
        room = policy.approval.capacity or len(waiting)
        approved, self.awaiting_board[policy.name] = waiting[:room], waiting[room:]
        for dep in approved:
            self._approved(dep)

    def _approved(self, dep: Deployment) -> None:
        if dep.policy.performer == "owner":  # self-service: straight down the pipeline
            dep.version += 1
            self.at(self.now + dep.remaining, LATER, self.deployment_done, dep, dep.version)
        else:
            self.ready[dep.policy.name].append(dep)
            self._start_deployments(dep.policy)

    def window_change(self, policy, is_open: bool) -> None:
        self.window_open[policy.name] = is_open
        if is_open:
            self._start_deployments(policy)

    def _start_deployments(self, policy) -> None:
        """Inside an open window, within the concurrency limit, deployments start: on a
        free working-hours responder in working hours (after every waiting incident), or
        on the planned change crew out of hours."""
        ready = self.ready[policy.name]
        if not ready or not self.window_open[policy.name]:
            return
        team = policy.performer
        pool = self.team_pools[team]
        crew = policy.concurrency or self.org.team(team).responders
        while ready and (policy.concurrency == 0 or self.active[policy.name] < policy.concurrency):
            if self.kind == WORKING:
                if not pool.free():
                    return
                self._deploy(ready.pop(0), pool)
            elif self.crew_busy[policy.name] < crew:
                self._deploy(ready.pop(0), None)
            else:
                return

    def _deploy(self, dep: Deployment, pool: Pool | None) -> None:
        team = dep.policy.performer
        dep.end = self.now + dep.remaining
        dep.pool = pool
        dep.version += 1
        self.active[dep.policy.name] += 1
        if pool is not None:
            pool.busy += 1
            self.in_progress[team].append(dep)
        else:
            self.crew_busy[dep.policy.name] += 1
        self._busy(team, self.now, dep.end, in_team_hours=pool is not None)
        self.at(dep.end, LATER, self.deployment_done, dep, dep.version)

    def _preempt(self, pool: Pool) -> None:
        dep = self.in_progress[pool.team].pop()
        self._busy(pool.team, self.now, dep.end, in_team_hours=True, sign=-1.0)
        dep.remaining = dep.end - self.now   # it resumes where it stopped
        dep.version += 1                     # its completion is cancelled
        dep.pool = None
        pool.busy -= 1
        self.active[dep.policy.name] -= 1
        self.ready[dep.policy.name].insert(0, dep)
        self.preempted += 1

    def deployment_done(self, dep: Deployment, version: int) -> None:
        if dep.version != version:
            return
        policy, app = dep.policy, dep.app
        performed = policy.performer != "owner"
        pool = dep.pool
        if performed:
            self.active[policy.name] -= 1
            if pool is not None:
                pool.busy -= 1
                self.in_progress[policy.performer].remove(dep)
            else:
                self.crew_busy[policy.name] -= 1
        self.backlog -= 1
        if self.now >= self.W:
            self.deployed += 1
            self.team_deploys[policy.performer if performed else app.owner] += 1
        if dep.requested >= self.W:
            self.lead_times.append(self.now - dep.requested)
        draws = self.deployment_draws[self.org.apps.index(app)]
        if draws.fail[dep.row] < app.change_failure_rate:
            self._change_failed(app, draws, dep.row)
            if policy.redeploy_failed:   # rework: a new request
                self.deployment_requested(app, draws, dep.index, dep.attempt + 1)
        if performed:
            if pool is not None:
                self._take_from_queue(pool)
            else:
                self._start_deployments(policy)

    def _change_failed(self, app, draws, row: int) -> None:
        """A failed change raises an incident now, detected after its delay; never on hold."""
        tk = Ticket(app, draws.prio[row], self.now, draws.alert[row], draws.tiers, row,
                    self.now >= self.W)
        self.tickets.append(tk)
        self.at(self.now + draws.detect[row], LATER, self._enter_tier, tk,
                app.alert_entry if tk.alert else 0)

    # -- the figures (docs/model.md, "What each team figure means") -------------------------
    def metrics(self) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        W, end = self.W, self.end
        weeks = (end - W) / WEEK
        annual = 52.0 / weeks
        measured = [tk for tk in self.tickets if tk.measured]
        done = [tk for tk in measured if tk.resolved_at is not None]
        ttr = np.array([tk.resolved_at - tk.start for tk in done])
        n = len(done)
        # docs/model.md "Incidents": the clock starts when an incident starts hurting, so
        # one that started in the window but is not detected by its end counts, unresolved
        undetected = sum(1 for inc in self.incidents
                         for s, d in zip(inc.start_array, inc.detect_array, strict=True)
                         if W <= s < end and d >= end)

        def per_resolved(total):
            return total / n if n else math.nan

        def pct(values, q):
            return float(np.percentile(values, q)) if len(values) else math.nan

        m = {
            "incidents.count": float(len(measured) + undetected),
            "incidents.unresolved": float(len(measured) - n + undetected),
            "incidents.time_to_restore.mean": float(ttr.mean()) if n else math.nan,
            "incidents.time_to_restore.p50": pct(ttr, 50),
            "incidents.time_to_restore.p90": pct(ttr, 90),
            "incidents.time_to_restore.p95": pct(ttr, 95),
            "incidents.handoffs.mean": per_resolved(sum(tk.handoffs for tk in done)),
            "incidents.reassignments.mean": per_resolved(sum(tk.reassignments for tk in done)),
            "incidents.queue_wait.mean": per_resolved(sum(tk.queue_wait for tk in done)),
            "incidents.handoff_delay.mean": per_resolved(sum(tk.handoff_delay for tk in done)),
            "deployments.lead_time.mean": float(np.mean(self.lead_times))
            if self.lead_times else math.nan,
            "deployments.throughput_per_week": self.deployed / weeks,
            "deployments.demand_per_week": self.demand / weeks,
            "deployments.backlog": float(self.backlog),
            "oncall.callouts_per_week": sum(self.callouts.values()) / weeks,
            "oncall.unpaid_hours": sum(self.unpaid.values()) * annual,
            "queues.unstable": float(self.stopped),
        }
        holds = [self.scenario.support_path(a.support_path).on_hold
                 for a in self.scenario.applications]
        if any(h is not None and h.share > 0 for h in holds):
            held = [h for inc in self.incidents
                    for s, h in zip(inc.start_array, inc.hold_array, strict=True)
                    if W <= s < end]
            m["incidents.on_hold.mean"] = float(np.mean(held)) if held else math.nan
        working = self._working_overlap(W, end)
        for t in self.org.team_names:
            team = self.org.team(t)
            available = team.responders * working - self.away[t]
            m[f"teams.{t}.utilisation"] = self.busy_work[t] / available \
                if available > 0 else math.nan
            m[f"teams.{t}.tickets_per_week"] = self.team_tickets[t] / weeks
            m[f"teams.{t}.resolved_share"] = per_resolved(self.team_resolved[t])
            m[f"teams.{t}.deployments_per_week"] = self.team_deploys[t] / weeks
            m[f"oncall.{t}.callout_cost"] = self.callout_cost[t] * annual
            m[f"oncall.{t}.unpaid_hours"] = self.unpaid[t] * annual
            m[f"oncall.{t}.toil_hours"] = self.toil_earned[t] * annual
        hists = {"incidents.time_to_restore": np.histogram(ttr, HISTOGRAM_EDGES)[0],
                 "deployments.lead_time": np.histogram(self.lead_times, HISTOGRAM_EDGES)[0]}
        return m, hists


def simulate(scenario, replication: int, seed: int, incidents=None, deployments=None):
    """Play one replication; returns the finished ``Simulation`` (``.metrics()``)."""
    from whorunsit.engine.plan.plan import plan_for

    return Simulation(scenario, plan_for(scenario), replication, seed, incidents,
                      deployments).run()
