"""Deployments inside a replication: approval, change windows, a responder, pre-emption.

A request is approved (immediately, at the next change-board sitting with room, or after
a random delay), then either runs on the owner's pipeline (self-service: no queue) or
waits for the performing team: inside a change window (the team's working hours when
the policy declares none), within the policy's concurrency, and for a responder no
incident needs. Incidents pre-empt deployment work and the deployment later resumes
where it stopped. A window outside working hours is staffed by a planned change crew
(the concurrency, or the team's responders), who do not answer incidents.
"""

from __future__ import annotations

from collections import deque

from reference import running
from whorunsit.engine.metrics import tally
from whorunsit.engine.plan.events import EV_APPROVED, EV_DEP_DONE
from whorunsit.engine.plan.plan import APPROVE_BOARD, APPROVE_NONE
from whorunsit.engine.plan.week import WORK as SEG_WORK

# deployment fields
(D_APP, D_ROW, D_ATTEMPT, D_POLICY, D_REQ, D_REMAIN, D_VERSION, D_POOL, D_END,
 D_INDEX) = range(10)


class Changes:
    """The deployment half of ``Replication`` (a mixin: it shares the replication's state)."""

    def __init__(self) -> None:
        n = len(self.plan.policies)
        self.deps: list[list] = []
        self.ready: list[deque] = [deque() for _ in range(n)]
        self.awaiting: list[deque] = [deque() for _ in range(n)]
        self.win_open = [False] * n
        self.active = [0] * n
        self.crew = [0] * n
        #: deployments holding a working-hours responder of each team, latest last
        self.dep_stack: list[list[int]] = [[] for _ in range(self.nT)]
        self.backlog = 0

    def _dep_request(self, a: int, index: int, attempt: int) -> None:
        app = self.plan.apps[a]
        if app.policy < 0:
            return
        pol = self.plan.policies[app.policy]
        draws = self.deployments[a]
        row = draws.row(index, attempt)
        work = draws.effort[row] if pol.performer >= 0 else draws.pipeline[row]
        did = len(self.deps)
        now = self.now
        self.deps.append([a, row, attempt, pol.index, now, work, 0, -1, 0.0, index])
        self.backlog += 1
        if now >= self.W:
            self.d_demand += 1
        if self.waiting + self.backlog > tally.QUEUE_CAP:
            self.overflow = True
        if pol.approval == APPROVE_NONE:
            self._dep_approved(did)
        elif pol.approval == APPROVE_BOARD:
            self.awaiting[pol.index].append(did)
        else:
            self.push(now + draws.approval[row], EV_APPROVED, did)

    def _dep_approved(self, did: int) -> None:
        dep = self.deps[did]
        pol = self.plan.policies[dep[D_POLICY]]
        if pol.performer < 0:
            dep[D_VERSION] += 1
            self.push(self.now + dep[D_REMAIN], EV_DEP_DONE, did, dep[D_VERSION])
        else:
            self.ready[pol.index].append(did)
            self._dispatch(pol.index)

    def _board(self, p: int) -> None:
        waiting = self.awaiting[p]
        room = self.plan.policies[p].board_capacity or len(waiting)
        for _ in range(min(room, len(waiting))):
            self._dep_approved(waiting.popleft())

    def _window(self, p: int, is_open: bool) -> None:
        self.win_open[p] = is_open
        if is_open:
            self._dispatch(p)

    def _dispatch(self, p: int) -> None:
        """Start approved deployments of policy ``p`` while window, limit and people allow."""
        ready = self.ready[p]
        if not ready or not self.win_open[p]:
            return
        pol = self.plan.policies[p]
        team = pol.performer
        limit = pol.concurrency
        busy, cap = self.busy, self.cap
        while ready and (limit == 0 or self.active[p] < limit):
            if self.seg == SEG_WORK:
                if busy[team] >= cap[team]:
                    return
                pool = team
            elif self.crew[p] < pol.crew:
                pool = -1
            else:
                return
            self._dep_start(ready.popleft(), pool)

    def _dep_start(self, did: int, pool: int) -> None:
        dep = self.deps[did]
        p = dep[D_POLICY]
        team = self.plan.policies[p].performer
        now = self.now
        end = now + dep[D_REMAIN]
        dep[D_END] = end
        dep[D_POOL] = pool
        dep[D_VERSION] += 1
        self.active[p] += 1
        if pool >= 0:
            self.busy[pool] += 1
            self.dep_stack[pool].append(did)
        else:
            self.crew[p] += 1
        running.account(self, team, now, end, True, pool >= 0)
        self.push(end, EV_DEP_DONE, did, dep[D_VERSION])

    def preempt(self, pool: int) -> None:
        """An incident needs this team's responder: the latest deployment steps aside."""
        did = self.dep_stack[pool].pop()
        dep = self.deps[did]
        now = self.now
        running.account(self, pool, now, dep[D_END], True, True, -1.0)
        dep[D_REMAIN] = dep[D_END] - now
        dep[D_VERSION] += 1
        dep[D_POOL] = -1
        self.busy[pool] -= 1
        self.active[dep[D_POLICY]] -= 1
        self.ready[dep[D_POLICY]].appendleft(did)
        self.d_preempted += 1

    def _dep_done(self, did: int, version: int) -> None:
        dep = self.deps[did]
        if dep[D_VERSION] != version:
            return  # pre-empted: this completion was cancelled
        p = dep[D_POLICY]
        pol = self.plan.policies[p]
        a = dep[D_APP]
        app = self.plan.apps[a]
        pool = dep[D_POOL]
        if pol.performer >= 0:
            self.active[p] -= 1
            if pool >= 0:
                self.busy[pool] -= 1
                self.dep_stack[pool].remove(did)
            else:
                self.crew[p] -= 1
        self.backlog -= 1
        running.deployed(self, dep[D_REQ], pol.performer if pol.performer >= 0 else app.owner)
        draws = self.deployments[a]
        row = dep[D_ROW]
        if draws.fail[row] < app.change_failure_rate:
            self.change_incident(a, draws, row)
            if pol.redeploy:
                self._dep_request(a, dep[D_INDEX], dep[D_ATTEMPT] + 1)
        if pol.performer >= 0:
            if pool >= 0:
                self._fill(pool)
            else:
                self._dispatch(p)

