"""The mutable state of one compiled replication: flat arrays with fixed capacities.

Arrays indexed by ticket, part (a ticket's visit to one team), deployment, pool
(a team's working-hours responders, then each rota) or team; the scalars live in two
small arrays at the named slots below. Capacities are fixed up front;
when one runs out the loop stops with a status saying which, and ``kernel`` replays the
replication with that capacity doubled (the result does not depend on capacities).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# The loop's scalars live in two small arrays, one per type, each at a named slot
# (``s.float_slots[NOW]`` is the clock): a structure field could not be written through
# the loop's read-only view of the structure, an array element can.
#
# float slots
NOW = 0                      # the clock: the time of the event being played
SEGMENT_START = 1            # when the calendar segment now in force began
SEGMENT_END = 2              # and when it ends
CALLOUT_CAPEX = 3            # callout pay booked as capital expenditure
CALLOUT_OPEX = 4             # and as operating expenditure
INCIDENT_QUEUE_WAIT = 5      # summed over resolved measured incidents: hours queued
INCIDENT_HANDOFF_DELAY = 6   # hours spent in handoffs (escalation delays, triage, bounces)
INCIDENT_FLOW = 7            # sum of work / time to restore (flow efficiency)
RUN_END = 8                  # when the replication stopped (the horizon, or an overflow)
FLOAT_SLOTS = 9
# integer slots
LAST_SEQ = 0                 # the last sequence number given to an event or queued part
SEGMENT_KIND = 1             # the calendar segment now in force (week.WORK, ...)
PARTS_WAITING = 2            # parts in every queue
BACKLOG = 3                  # deployments requested and not yet done
OVERFLOW = 4                 # 1 once queues passed QUEUE_CAP: the run stops
TICKETS = 5                  # tickets made so far (the next ticket's number)
DEPLOYMENTS = 6              # deployments requested so far (the next one's number)
EVENTS = 7                   # events in the heap
INCIDENT_HANDOFFS = 8        # summed over resolved measured incidents
INCIDENT_REASSIGNMENTS = 9   # the same, for reassignments (ping-pong)
INCIDENT_FLOW_COUNT = 10     # incidents in INCIDENT_FLOW
DEPLOYS_DONE = 11            # measured deployments done
DEPLOYS_DEMANDED = 12        # measured deployments requested
DEPLOYS_PREEMPTED = 13       # deployments an incident pushed aside
BACKLOG_AT_MARK = 14         # BACKLOG at the end of the warm-up
OPEN_TICKETS = 15            # tickets not yet resolved
TTR_COUNT = 16               # entries written in ``ttr``
LEAD_COUNT = 17              # entries written in ``lead``
WAITS_COUNT = 18             # entries written in ``waits``
STATUS = 19                  # 0, or the FULL_* capacity that ran out
MEASURED_TICKETS = 20        # tickets opened after the warm-up
CHANGE_INCIDENTS = 21        # of them, raised by failed deployments
INT_SLOTS = 22
# why a loop stopped early: a capacity ran out (0: it did not)
FULL_REWORK, FULL_EVENTS, FULL_QUEUE, FULL_WAITS = 1, 2, 3, 4


class State(NamedTuple):
    float_slots: np.ndarray
    int_slots: np.ndarray
    # event heap, ordered by (time, sequence number)
    event_time: np.ndarray
    event_seq: np.ndarray      # ties in time: the earlier sequence number first
    event_kind: np.ndarray     # events.EV_*
    event_subject: np.ndarray  # the ticket, part, deployment, policy or flip it is about
    event_arg: np.ndarray      # and one more integer (tier, token, version, open/shut)
    # pools (team working hours, then rotas): busy, capacity, queue heap of (key, ticket)
    pool_busy: np.ndarray
    pool_capacity: np.ndarray
    queue_key: np.ndarray
    queue_part: np.ndarray     # (pools, capacity) heap of waiting parts, by queue_key
    queue_length: np.ndarray
    # tickets, and their parts: a visit engages one team, or several for a swarm; part
    # k of ticket t is index t * max_parts + k
    ticket_app: np.ndarray
    ticket_prio: np.ndarray
    ticket_opened: np.ndarray
    ticket_alert: np.ndarray
    ticket_row: np.ndarray     # its row in the draws (Draws.tier)
    ticket_tier: np.ndarray
    ticket_handoffs: np.ndarray
    ticket_reassignments: np.ndarray
    ticket_queue_wait: np.ndarray
    ticket_handoff_delay: np.ndarray
    ticket_worked: np.ndarray
    ticket_phase: np.ndarray   # NORMAL, REASSESS (bounced back) or MISROUTED
    ticket_team: np.ndarray    # the team its tier sends it to (after the SRE hand-back)
    ticket_queued: np.ndarray  # when its current visit began to wait
    ticket_knowledge: np.ndarray  # factor on its work: the visited team's knowledge
    ticket_measured: np.ndarray  # opened after the warm-up
    ticket_open: np.ndarray
    ticket_resolved: np.ndarray         # when a ticket was resolved (read where not open)
    ticket_parts: np.ndarray      # teams its current visit engages
    ticket_pending: np.ndarray     # of them, still to attach a responder
    ticket_swarm: np.ndarray       # whether the visit is its tier's swarm
    part_team: np.ndarray
    part_pool: np.ndarray
    part_queued: np.ndarray
    part_attached: np.ndarray
    part_token: np.ndarray     # its sequence number while queued; a stale queue entry
                               # or best-endeavours answer carries another
    part_asked: np.ndarray     # best endeavours already asked on this visit
    # scratch for re-homing the waiting parts at a calendar flip (at most every part)
    rehome_key: np.ndarray
    rehome_part: np.ndarray
    # the pools being filled, innermost last (``kernel_loop.fill``)
    fill_stack: np.ndarray
    # deployments
    deploy_app: np.ndarray
    deploy_row: np.ndarray     # its row in the draws (effort, pipeline, fail...)
    deploy_attempt: np.ndarray
    deploy_policy: np.ndarray
    deploy_requested: np.ndarray
    deploy_remaining: np.ndarray
    deploy_version: np.ndarray  # bumped when pre-empted: older completions are void
    deploy_pool: np.ndarray    # the pool whose responder it holds, -1 a crew or none
    deploy_end: np.ndarray
    deploy_index: np.ndarray   # which of its application's deployments it is
    ready_ring: np.ndarray          # (policies, capacity) ring buffers
    ready_head: np.ndarray
    ready_count: np.ndarray
    board_ring: np.ndarray        # approval by the board, ring buffers
    board_head: np.ndarray
    board_count: np.ndarray
    window_open: np.ndarray    # by policy: its change window is open
    deploys_active: np.ndarray  # by policy: deployments under way
    crew_busy: np.ndarray      # by policy: out-of-hours crew at work
    holding: np.ndarray          # (teams, responders) deployments holding a responder
    holding_count: np.ndarray
    rework_used: np.ndarray
    freed_pools: np.ndarray          # scratch: the pools a finished visit frees, in part order
    # what tally counts
    busy_work: np.ndarray
    labour: np.ndarray
    away: np.ndarray
    toil_balance: np.ndarray
    team_tickets: np.ndarray
    team_work_sum: np.ndarray
    team_work_count: np.ndarray
    team_resolved: np.ndarray
    team_deploys: np.ndarray
    team_queue: np.ndarray
    team_queue_at_mark: np.ndarray         # each team's queue at the end of the warm-up
    team_queue_since: np.ndarray  # when team_queue last changed (for team_queue_area)
    team_queue_area: np.ndarray
    callouts: np.ndarray
    callout_cost: np.ndarray
    unpaid: np.ndarray
    toil_hours: np.ndarray
    ttr: np.ndarray
    ttr_prio: np.ndarray
    lead: np.ndarray
    waits: np.ndarray
    waits_team: np.ndarray
    # the error-budget policy: busy hours by team and day, outage spent by app and period
    team_day_load: np.ndarray
    budget_spent: np.ndarray


#: a ticket's fields the loop adds to (``+=``): zeroed again for each replication
ADDED = {np.int64: ("ticket_handoffs", "ticket_reassignments"),
         np.float64: ("ticket_queue_wait", "ticket_handoff_delay", "ticket_worked")}
#: the other fields of tickets, deployments, waits, results and the heaps: each slot is
#: written before it is read (when its ticket is made or joins a team, its deployment
#: is requested, it is appended or pushed), so what an earlier replication left there
#: is never read (tests/test_kernel.py plays on a state filled with garbage there)
ASSIGNED = {
    "tickets": {np.int64: ("ticket_app", "ticket_prio", "ticket_row", "ticket_tier",
                           "ticket_phase", "ticket_team", "ttr_prio", "ticket_parts",
                           "ticket_pending"),
                np.float64: ("ticket_opened", "ticket_queued", "ticket_knowledge", "ttr",
                             "ticket_resolved"),
                np.bool_: ("ticket_alert", "ticket_measured", "ticket_open", "ticket_swarm")},
    "parts": {np.int64: ("part_team", "part_pool", "part_token", "rehome_key", "rehome_part",
                         "fill_stack"),
              np.float64: ("part_queued", "part_attached"),
              np.bool_: ("part_asked",)},
    "deps": {np.int64: ("deploy_app", "deploy_row", "deploy_attempt", "deploy_policy",
                        "deploy_version", "deploy_pool", "deploy_index"),
             np.float64: ("deploy_requested", "deploy_remaining", "deploy_end", "lead")},
    "waits": {np.int64: ("waits_team",), np.float64: ("waits",)},
    "events": {np.int64: ("event_seq", "event_kind", "event_subject", "event_arg"),
               np.float64: ("event_time",)},
}


def _small(n_teams: int, n_rotas: int, n_apps: int, n_policies: int, deps: int,
           max_responders: int, days: int = 1, periods: int = 1,
           parts: int = 1) -> dict[str, tuple[type, tuple[int, ...]]]:
    pools = n_teams + n_rotas
    nP = max(1, n_policies)
    i64, f64, b = np.int64, np.float64, np.bool_
    shapes = {"float_slots": (f64, (FLOAT_SLOTS,)), "int_slots": (i64, (INT_SLOTS,)),
              "pool_busy": (i64, (pools,)),
              "pool_capacity": (i64, (pools,)), "queue_length": (i64, (pools,)),
              "ready_head": (i64, (nP,)), "ready_count": (i64, (nP,)),
              "board_head": (i64, (nP,)), "board_count": (i64, (nP,)),
              "window_open": (b, (nP,)), "deploys_active": (i64, (nP,)),
              "crew_busy": (i64, (nP,)),
              "holding": (i64, (n_teams, max_responders + 1)), "holding_count": (i64, (n_teams,)),
              "rework_used": (i64, (n_apps,)), "team_day_load": (f64, (n_teams, days)),
              "budget_spent": (f64, (n_apps, periods)), "freed_pools": (i64, (parts,))}
    for name in ("busy_work", "labour", "away", "toil_balance", "team_work_sum",
                 "team_queue_since", "team_queue_area", "callout_cost", "unpaid", "toil_hours"):
        shapes[name] = (f64, (n_teams,))
    for name in ("team_tickets", "team_work_count", "team_resolved", "team_deploys",
                 "team_queue", "team_queue_at_mark", "callouts"):
        shapes[name] = (i64, (n_teams,))
    return shapes


def _rows(groups: dict, n: int, fields: dict[str, np.ndarray]) -> list[np.ndarray]:
    """One (fields, n) block per dtype, each field a row of it: one call zeroes them."""
    blocks = []
    for dtype, names in groups.items():
        block = np.zeros((len(names), n), dtype)
        blocks.append(block)
        for row, name in zip(block, names, strict=True):
            fields[name] = row
    return blocks


class Arena:
    """A ``State`` kept for the next replications: ``clean()`` zeroes again only what
    the loop reads before writing (the small per-team, pool and policy arrays, and the
    sums kept per ticket), instead of allocating some ninety arrays each time.

    Large enough for ``needs`` (tickets, deps, events, queue, waits): a replication may
    play in a state larger than it asked for, as the results do not depend on
    capacities (see the module docstring)."""

    def __init__(self, n_teams: int, n_rotas: int, n_apps: int, n_policies: int,
                 tickets: int, deps: int, max_responders: int, events: int, queue: int,
                 waits: int, days: int = 1, periods: int = 1, parts: int = 1):
        self.sizes = (tickets, deps, events, queue, waits)
        pools = n_teams + n_rotas
        nP = max(1, n_policies)
        fields: dict[str, np.ndarray] = {}
        self._added = _rows(ADDED, tickets, fields)
        for extent, n in (("tickets", tickets), ("parts", tickets * parts), ("deps", deps),
                          ("waits", waits), ("events", events)):
            _rows(ASSIGNED[extent], n, fields)
        for name in ("queue_key", "queue_part"):  # heaps too
            fields[name] = np.zeros((pools, queue), np.int64)
        for name in ("ready_ring", "board_ring"):  # ring buffers: read where appended
            fields[name] = np.zeros((nP, max(1, deps)), np.int64)
        # the small arrays share one buffer per dtype: one fill each zeroes them all
        small = _small(n_teams, n_rotas, n_apps, n_policies, deps, max_responders, days,
                       periods, parts)
        self._small: list[np.ndarray] = []
        for dtype in (np.int64, np.float64, np.bool_):
            shapes = [(name, shape) for name, (dt, shape) in small.items() if dt is dtype]
            buf = np.zeros(sum(int(np.prod(shape)) for _, shape in shapes), dtype)
            self._small.append(buf)
            at = 0
            for name, shape in shapes:
                size = int(np.prod(shape))
                fields[name] = buf[at:at + size].reshape(shape)
                at += size
        self.state = State(**fields)

    def fits(self, tickets: int, deps: int, events: int, queue: int, waits: int) -> bool:
        return all(need <= have for need, have in
                   zip((tickets, deps, events, queue, waits), self.sizes, strict=True))

    def clean(self) -> State:
        """The state, as good as new for the loop: the last replication's tickets are
        below its ticket count, so only that much of their sums needs zeroes again."""
        tickets = int(self.state.int_slots[TICKETS])
        for block in self._added:
            block[:, :tickets] = 0
        for buf in self._small:
            buf.fill(0)
        return self.state


def new_state(n_teams: int, n_rotas: int, n_apps: int, n_policies: int, tickets: int,
              deps: int, max_responders: int, events: int, queue: int, waits: int,
              days: int = 1, periods: int = 1, parts: int = 1) -> State:
    """A zeroed state with these capacities."""
    return Arena(n_teams, n_rotas, n_apps, n_policies, tickets, deps, max_responders,
                 events, queue, waits, days, periods, parts).state
