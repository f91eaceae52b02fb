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
 D_DONE, D_DEMAND, D_PREEMPTED, OPEN_MARK, BACKLOG_MARK, NOPEN, NTTR, NLEAD, NWAITS,
 STATUS, NMEASURED, T_CHANGE) = range(23)
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
    # tickets, and the one part (team visit) each has at a time
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
    p_team: np.ndarray
    p_pool: np.ndarray
    p_qenter: np.ndarray
    p_attach: np.ndarray
    p_token: np.ndarray
    p_asked: np.ndarray
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
    q_last: np.ndarray
    q_area: np.ndarray
    callouts: np.ndarray
    callout_cost: np.ndarray
    unpaid: np.ndarray
    toil_hours: np.ndarray
    downtime: np.ndarray
    ttr: np.ndarray
    ttr_prio: np.ndarray
    lead: np.ndarray
    waits: np.ndarray
    waits_team: np.ndarray


def new_state(n_teams: int, n_rotas: int, n_apps: int, n_policies: int, tickets: int,
              deps: int, max_responders: int, events: int, queue: int, waits: int) -> State:
    pools = n_teams + n_rotas
    nP = max(1, n_policies)
    i64, f64 = np.int64, np.float64

    def zi(*shape):
        return np.zeros(shape, i64)

    def zf(*shape):
        return np.zeros(shape, f64)

    return State(
        zf(9), zi(23),
        zf(events), zi(events), zi(events), zi(events), zi(events),
        zi(pools), zi(pools), zi(pools, queue), zi(pools, queue), zi(pools),
        zi(tickets), zi(tickets), zf(tickets), np.zeros(tickets, bool), zi(tickets),
        zi(tickets), zi(tickets), zi(tickets), zf(tickets), zf(tickets), zf(tickets),
        zi(tickets), zi(tickets), zf(tickets), zf(tickets), np.zeros(tickets, bool),
        np.zeros(tickets, bool), zi(tickets), zi(tickets), zf(tickets), zf(tickets),
        zi(tickets), np.zeros(tickets, bool),
        zi(deps), zi(deps), zi(deps), zi(deps), zf(deps), zf(deps), zi(deps), zi(deps),
        zf(deps), zi(deps),
        zi(nP, max(1, deps)), zi(nP), zi(nP), zi(nP, max(1, deps)), zi(nP), zi(nP),
        np.zeros(nP, bool), zi(nP), zi(nP), zi(n_teams, max_responders + 1), zi(n_teams),
        zi(n_apps),
        zf(n_teams), zf(n_teams), zf(n_teams), zf(n_teams), zi(n_teams), zf(n_teams),
        zi(n_teams), zi(n_teams), zi(n_teams), zi(n_teams), zf(n_teams), zf(n_teams),
        zi(n_teams), zf(n_teams), zf(n_teams), zf(n_teams), zf(n_apps),
        zf(tickets), zi(tickets), zf(deps), zf(waits), zi(waits))
