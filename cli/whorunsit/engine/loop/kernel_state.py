"""The mutable state of one compiled replication: flat arrays with fixed capacities.

Python's lists, dicts and deques in ``replication``/``changes``/``tally`` become arrays
indexed by ticket, deployment, pool or team; scalars live in two small arrays (``sf``
floats, ``si`` integers) at the named positions below. Capacities are fixed up front;
when one runs out the loop stops with a status saying which, and ``kernel`` replays the
replication with that capacity doubled (the result does not depend on capacities).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# float scalars
NOW, SEG_START, SEG_END, C_CAPEX, C_OPEX, I_QWAIT, I_HDELAY, I_FLOW, END = range(9)
# integer scalars
(SEQ, SEG, WAITING, BACKLOG, OVERFLOW, NTK, NDEP, EVN, I_HANDOFFS, I_REASS, I_FLOW_N,
 D_DONE, D_DEMAND, D_PREEMPTED, BACKLOG_MARK, NOPEN, NTTR, NLEAD, NWAITS,
 STATUS, NMEASURED, T_CHANGE) = range(22)
# why a loop stopped early: a capacity ran out (0: it did not)
FULL_REWORK, FULL_EVENTS, FULL_QUEUE, FULL_WAITS = 1, 2, 3, 4


class State(NamedTuple):
    sf: np.ndarray
    si: np.ndarray
    # event heap, ordered by (time, sequence number)
    ev_t: np.ndarray
    ev_s: np.ndarray
    ev_k: np.ndarray
    ev_x: np.ndarray
    ev_y: np.ndarray
    # pools (team working hours, then rotas): busy, capacity, queue heap of (key, ticket)
    busy: np.ndarray
    cap: np.ndarray
    q_key: np.ndarray
    q_tid: np.ndarray
    q_len: np.ndarray
    # tickets, and their parts: a visit engages one team, or several for a swarm; part
    # k of ticket t is index t * max_parts + k
    tk_app: np.ndarray
    tk_prio: np.ndarray
    tk_start: np.ndarray
    tk_alert: np.ndarray
    tk_row: np.ndarray
    tk_tier: np.ndarray
    tk_handoffs: np.ndarray
    tk_reass: np.ndarray
    tk_qwait: np.ndarray
    tk_hdelay: np.ndarray
    tk_worked: np.ndarray
    tk_phase: np.ndarray
    tk_teams: np.ndarray
    tk_qstart: np.ndarray
    tk_kf: np.ndarray
    tk_measured: np.ndarray
    tk_open: np.ndarray
    tk_end: np.ndarray         # when a ticket was resolved (read where not open)
    tk_nparts: np.ndarray      # teams its current visit engages
    tk_pending: np.ndarray     # of them, still to attach a responder
    tk_swarm: np.ndarray       # whether the visit is its tier's swarm
    p_team: np.ndarray
    p_pool: np.ndarray
    p_qenter: np.ndarray
    p_attach: np.ndarray
    p_token: np.ndarray
    p_asked: np.ndarray
    # scratch for re-homing the waiting parts at a calendar flip (at most every part)
    re_key: np.ndarray
    re_tid: np.ndarray
    # the pools being filled, innermost last (``kernel_loop.fill``)
    fills: np.ndarray
    # deployments
    d_app: np.ndarray
    d_row: np.ndarray
    d_attempt: np.ndarray
    d_policy: np.ndarray
    d_req: np.ndarray
    d_remain: np.ndarray
    d_version: np.ndarray
    d_pool: np.ndarray
    d_end: np.ndarray
    d_index: np.ndarray
    ready: np.ndarray          # (policies, capacity) ring buffers
    ready_h: np.ndarray
    ready_n: np.ndarray
    waiting: np.ndarray        # approval by the board, ring buffers
    waiting_h: np.ndarray
    waiting_n: np.ndarray
    win_open: np.ndarray
    active: np.ndarray
    crew: np.ndarray
    stack: np.ndarray          # (teams, responders) deployments holding a responder
    stack_n: np.ndarray
    rework_used: np.ndarray
    freed: np.ndarray          # scratch: the pools a finished visit frees, in part order
    # what tally counts
    busy_work: np.ndarray
    labour: np.ndarray
    away: np.ndarray
    toil_balance: np.ndarray
    t_tickets: np.ndarray
    t_work_sum: np.ndarray
    t_work_n: np.ndarray
    t_resolved: np.ndarray
    t_deploys: np.ndarray
    qlen: np.ndarray
    q_mark: np.ndarray         # each team's queue at the end of the warm-up
    q_last: np.ndarray
    q_area: np.ndarray
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
    load: np.ndarray
    spent: np.ndarray


#: a ticket's fields the loop adds to (``+=``): zeroed again for each replication
ADDED = {np.int64: ("tk_handoffs", "tk_reass"),
         np.float64: ("tk_qwait", "tk_hdelay", "tk_worked")}
#: the other fields of tickets, deployments, waits, results and the heaps: each slot is
#: written before it is read (when its ticket is made or joins a team, its deployment
#: is requested, it is appended or pushed), so what an earlier replication left there
#: is never read (tests/test_kernel.py plays on a state filled with garbage there)
ASSIGNED = {
    "tickets": {np.int64: ("tk_app", "tk_prio", "tk_row", "tk_tier", "tk_phase",
                           "tk_teams", "ttr_prio", "tk_nparts", "tk_pending"),
                np.float64: ("tk_start", "tk_qstart", "tk_kf", "ttr", "tk_end"),
                np.bool_: ("tk_alert", "tk_measured", "tk_open", "tk_swarm")},
    "parts": {np.int64: ("p_team", "p_pool", "p_token", "re_key", "re_tid", "fills"),
              np.float64: ("p_qenter", "p_attach"),
              np.bool_: ("p_asked",)},
    "deps": {np.int64: ("d_app", "d_row", "d_attempt", "d_policy", "d_version", "d_pool",
                        "d_index"),
             np.float64: ("d_req", "d_remain", "d_end", "lead")},
    "waits": {np.int64: ("waits_team",), np.float64: ("waits",)},
    "events": {np.int64: ("ev_s", "ev_k", "ev_x", "ev_y"), np.float64: ("ev_t",)},
}


def _small(n_teams: int, n_rotas: int, n_apps: int, n_policies: int, deps: int,
           max_responders: int, days: int = 1, periods: int = 1,
           parts: int = 1) -> dict[str, tuple[type, tuple[int, ...]]]:
    pools = n_teams + n_rotas
    nP = max(1, n_policies)
    i64, f64, b = np.int64, np.float64, np.bool_
    shapes = {"sf": (f64, (9,)), "si": (i64, (22,)), "busy": (i64, (pools,)),
              "cap": (i64, (pools,)), "q_len": (i64, (pools,)),
              "ready_h": (i64, (nP,)), "ready_n": (i64, (nP,)),
              "waiting_h": (i64, (nP,)), "waiting_n": (i64, (nP,)),
              "win_open": (b, (nP,)), "active": (i64, (nP,)), "crew": (i64, (nP,)),
              "stack": (i64, (n_teams, max_responders + 1)), "stack_n": (i64, (n_teams,)),
              "rework_used": (i64, (n_apps,)), "load": (f64, (n_teams, days)),
              "spent": (f64, (n_apps, periods)), "freed": (i64, (parts,))}
    for name in ("busy_work", "labour", "away", "toil_balance", "t_work_sum", "q_last",
                 "q_area", "callout_cost", "unpaid", "toil_hours"):
        shapes[name] = (f64, (n_teams,))
    for name in ("t_tickets", "t_work_n", "t_resolved", "t_deploys", "qlen", "q_mark",
                 "callouts"):
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
        for name in ("q_key", "q_tid"):  # heaps too
            fields[name] = np.zeros((pools, queue), np.int64)
        for name in ("ready", "waiting"):  # ring buffers: read where appended
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
        tickets = int(self.state.si[NTK])
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
