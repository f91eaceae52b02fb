"""The mutable state of one compiled replication: flat arrays with fixed capacities.

Arrays indexed by ticket, part (a ticket's visit to one team), deployment, pool
(a team's working-hours responders, then each rota) or team; the scalars live in two
small arrays at the named slots below. Each field of ``State`` declares its dtype, its
shape (by the names of ``Arena``'s sizes) and how it is cleaned between replications:
the arena, the structure the loop reads (``kernel_struct``) and the tests' garbage
check all follow from that one declaration. Capacities are fixed up front;
when one runs out the loop stops with a status saying which, and ``kernel`` replays the
replication with that capacity doubled (the result does not depend on capacities).
"""

from typing import Annotated, NamedTuple, get_type_hints

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



class Layout(NamedTuple):
    """How the arena lays out and cleans one field of the state."""

    dtype: type
    extents: tuple[str, ...]   # its shape, by name (``Arena``'s sizes)
    clean: str                 # SMALL, SUMS or WRITTEN


#: zeroed before every replication (the per-team, pool and policy arrays)
SMALL = "small"
#: a ticket's sums the loop adds to (``+=``): zeroed up to the last replication's tickets
SUMS = "sums"
#: each element written before it is read (when its ticket is made or joins a team, its
#: deployment is requested, it is appended or pushed): never zeroed again, as what an
#: earlier replication left there is never read (tests/test_kernel.py plays on a state
#: filled with garbage there)
WRITTEN = "written"
I, F, B = np.int64, np.float64, np.bool_  # noqa: E741


def small(dtype, *extents: str):
    return Annotated[np.ndarray, Layout(dtype, extents, SMALL)]


def sums(dtype):
    return Annotated[np.ndarray, Layout(dtype, ("tickets",), SUMS)]


def written(dtype, *extents: str):
    return Annotated[np.ndarray, Layout(dtype, extents, WRITTEN)]


class State(NamedTuple):
    float_slots: small(F, "float_slots")
    int_slots: small(I, "int_slots")
    # event heap, ordered by (time, sequence number)
    event_time: written(F, "events")
    event_seq: written(I, "events")          # ties in time: the earlier sequence number first
    event_kind: written(I, "events")         # events.EV_*
    # the ticket, part, deployment, policy or flip it is about
    event_subject: written(I, "events")
    # and one more integer (tier, token, version, open/shut)
    event_arg: written(I, "events")
    # pools (team working hours, then rotas): busy, capacity, queue heap of (key, ticket)
    pool_busy: small(I, "pools")
    pool_capacity: small(I, "pools")
    queue_key: written(I, "pools", "queue")
    # (pools, capacity) heap of waiting parts, by queue_key
    queue_part: written(I, "pools", "queue")
    queue_length: small(I, "pools")
    # tickets, and their parts: a visit engages one team, or several for a swarm; part
    # k of ticket t is index t * max_parts + k
    ticket_app: written(I, "tickets")
    ticket_prio: written(I, "tickets")
    ticket_opened: written(F, "tickets")
    ticket_alert: written(B, "tickets")
    ticket_row: written(I, "tickets")        # its row in the draws (Draws.tier_draws)
    ticket_tier: written(I, "tickets")
    ticket_handoffs: sums(I)
    ticket_reassignments: sums(I)
    ticket_queue_wait: sums(F)
    ticket_handoff_delay: sums(F)
    ticket_worked: sums(F)
    ticket_phase: written(I, "tickets")      # NORMAL, REASSESS (bounced back) or MISROUTED
    # the team its tier sends it to (after the SRE hand-back)
    ticket_team: written(I, "tickets")
    ticket_queued: written(F, "tickets")     # when its current visit began to wait
    ticket_knowledge: written(F, "tickets")  # factor on its work: the visited team's knowledge
    ticket_measured: written(B, "tickets")   # opened after the warm-up
    ticket_open: written(B, "tickets")
    ticket_resolved: written(F, "tickets")   # when a ticket was resolved (read where not open)
    ticket_parts: written(I, "tickets")      # teams its current visit engages
    ticket_pending: written(I, "tickets")    # of them, still to attach a responder
    ticket_swarm: written(B, "tickets")      # whether the visit is its tier's swarm
    part_team: written(I, "ticket_parts")
    part_pool: written(I, "ticket_parts")
    part_queued: written(F, "ticket_parts")
    part_attached: written(F, "ticket_parts")
    part_token: written(I, "ticket_parts")   # its sequence number while queued; a stale queue entry
                               # or best-endeavours answer carries another
    part_asked: written(B, "ticket_parts")   # best endeavours already asked on this visit
    # scratch for re-homing the waiting parts at a calendar flip (at most every part)
    rehome_key: written(I, "ticket_parts")
    rehome_part: written(I, "ticket_parts")
    # the pools being filled, innermost last (``kernel_loop.fill``)
    fill_stack: written(I, "ticket_parts")
    # deployments
    deploy_app: written(I, "deps")
    deploy_row: written(I, "deps")           # its row in the draws (effort, pipeline, fail...)
    deploy_attempt: written(I, "deps")
    deploy_policy: written(I, "deps")
    deploy_requested: written(F, "deps")
    deploy_remaining: written(F, "deps")
    deploy_version: written(I, "deps")       # bumped when pre-empted: older completions are void
    deploy_pool: written(I, "deps")          # the pool whose responder it holds, -1 a crew or none
    deploy_end: written(F, "deps")
    deploy_index: written(I, "deps")         # which of its application's deployments it is
    ready_ring: written(I, "policies", "ring") # (policies, capacity) ring buffers
    ready_head: small(I, "policies")
    ready_count: small(I, "policies")
    board_ring: written(I, "policies", "ring") # approval by the board, ring buffers
    board_head: small(I, "policies")
    board_count: small(I, "policies")
    window_open: small(B, "policies")        # by policy: its change window is open
    deploys_active: small(I, "policies")     # by policy: deployments under way
    crew_busy: small(I, "policies")          # by policy: out-of-hours crew at work
    holding: small(I, "teams", "holders")    # (teams, responders) deployments holding a responder
    holding_count: small(I, "teams")
    rework_used: small(I, "apps")
    # scratch: the pools a finished visit frees, in part order
    freed_pools: small(I, "parts")
    # what tally counts
    busy_work: small(F, "teams")
    labour: small(F, "teams")
    away: small(F, "teams")
    toil_balance: small(F, "teams")
    team_tickets: small(I, "teams")
    team_work_sum: small(F, "teams")
    team_work_count: small(I, "teams")
    team_resolved: small(I, "teams")
    team_deploys: small(I, "teams")
    team_queue: small(I, "teams")
    team_queue_at_mark: small(I, "teams")    # each team's queue at the end of the warm-up
    team_queue_since: small(F, "teams")      # when team_queue last changed (for team_queue_area)
    team_queue_area: small(F, "teams")
    callouts: small(I, "teams")
    callout_cost: small(F, "teams")
    unpaid: small(F, "teams")
    toil_hours: small(F, "teams")
    ttr: written(F, "tickets")
    ttr_prio: written(I, "tickets")
    lead: written(F, "deps")
    waits: written(F, "waits")
    waits_team: written(I, "waits")
    # the error-budget policy: busy hours by team and day, outage spent by app and period
    team_day_load: small(F, "teams", "days")
    budget_spent: small(F, "apps", "periods")


#: every field's layout, as declared in ``State``
LAYOUTS: dict[str, Layout] = {
    name: hint.__metadata__[0]
    for name, hint in get_type_hints(State, include_extras=True).items()}


class Arena:
    """A ``State`` kept for the next replications: ``clean()`` zeroes again only what
    the loop reads before writing (the SMALL arrays, and the SUMS kept per ticket),
    instead of allocating some ninety arrays each time.

    Large enough for ``needs`` (tickets, deps, events, queue, waits): a replication may
    play in a state larger than it asked for, as the results do not depend on
    capacities (see the module docstring)."""

    def __init__(self, n_teams: int, n_rotas: int, n_apps: int, n_policies: int,
                 tickets: int, deps: int, max_responders: int, events: int, queue: int,
                 waits: int, days: int = 1, periods: int = 1, parts: int = 1):
        self.sizes = (tickets, deps, events, queue, waits)
        extents = {"float_slots": FLOAT_SLOTS, "int_slots": INT_SLOTS,
                   "pools": n_teams + n_rotas, "policies": max(1, n_policies),
                   "teams": n_teams, "apps": n_apps, "holders": max_responders + 1,
                   "days": days, "periods": periods, "parts": parts, "tickets": tickets,
                   "ticket_parts": tickets * parts, "deps": deps, "ring": max(1, deps),
                   "waits": waits, "events": events, "queue": queue}
        fields: dict[str, np.ndarray] = {}
        # the SMALL arrays share one buffer per dtype, and the SUMS one (fields, tickets)
        # block per dtype: one fill each zeroes them all
        self._small: list[np.ndarray] = []
        self._sums: list[np.ndarray] = []
        for dtype in (I, F, B):
            mine = {name: lay for name, lay in LAYOUTS.items() if lay.dtype is dtype}
            shapes = {name: tuple(extents[e] for e in lay.extents)
                      for name, lay in mine.items() if lay.clean == SMALL}
            buf = np.zeros(sum(int(np.prod(shape)) for shape in shapes.values()), dtype)
            self._small.append(buf)
            at = 0
            for name, shape in shapes.items():
                size = int(np.prod(shape))
                fields[name] = buf[at:at + size].reshape(shape)
                at += size
            added = [name for name, lay in mine.items() if lay.clean == SUMS]
            block = np.zeros((len(added), tickets), dtype)
            self._sums.append(block)
            fields.update(zip(added, block, strict=True))
            for name, lay in mine.items():
                if lay.clean == WRITTEN:
                    fields[name] = np.zeros(tuple(extents[e] for e in lay.extents), dtype)
        self.state = State(**fields)

    def fits(self, tickets: int, deps: int, events: int, queue: int, waits: int) -> bool:
        return all(need <= have for need, have in
                   zip((tickets, deps, events, queue, waits), self.sizes, strict=True))

    def clean(self) -> State:
        """The state, as good as new for the loop: the last replication's tickets are
        below its ticket count, so only that much of their sums needs zeroes again."""
        tickets = int(self.state.int_slots[TICKETS])
        for block in self._sums:
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
