"""The compiled event loop: ``replication`` and ``changes`` in numba.

Each function mirrors the Python method of the same name (``Replication._enqueue`` is
``enqueue`` here), statement for statement, so both engines play the same events in the
same order, draw the same sequence numbers and add up the same sums
(tests/test_kernel.py holds them to it). A ticket has one part (team visit) at a time:
the kernel does not play swarms (see ``kernel_plan.ineligible``), so a part's fields
live with its ticket. ``pl`` is the scenario (``KPlan``), ``dr`` the replication's
random numbers (``Draws``), ``st`` its state (``State``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from whorunsit.engine.draws import (
    BE_DELAY_U,
    BE_U,
    HANDOFF,
    PICKUP,
    REPICKUP,
    ROUTE,
    TRIAGE,
    WORK,
)
from whorunsit.engine.events import (
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
)
from whorunsit.engine.kernel_heaps import (
    pop_event,
    push,
    q_pop,
    q_push,
    rb_append,
    rb_appendleft,
    rb_popleft,
)
from whorunsit.engine.kernel_state import (
    BACKLOG,
    BACKLOG_MARK,
    D_DEMAND,
    D_PREEMPTED,
    END,
    EVN,
    FULL_REWORK,
    NDEP,
    NMEASURED,
    NOPEN,
    NOW,
    NTK,
    OPEN_MARK,
    OVERFLOW,
    SEG,
    SEG_END,
    SEG_START,
    SEQ,
    STATUS,
    T_CHANGE,
    WAITING,
)
from whorunsit.engine.kernel_tally import (
    account,
    be_delay,
    deployed,
    engaged,
    on_call_team,
    queue_change,
    resolved,
    working_capacity,
)
from whorunsit.engine.plan import APPROVE_BOARD, APPROVE_NONE
from whorunsit.engine.tally import QUEUE_CAP

SEG_WORK = 0
NORMAL, REASSESS, MISROUTED = 0, 1, 2
BEST_ENDEAVOURS = -1
PHI = 0.6180339887498949
PRIO_SHIFT = 1 << 58  # a queue key: priority above the sequence number
SEQ_MASK = PRIO_SHIFT - 1
ATTEMPTS = 3

jit = njit(cache=True)


# -- calendar ------------------------------------------------------------------------------
@jit
def flip(pl, dr, st, index):
    start = pl.flip_t[index]
    kind = pl.flip_k[index]
    end = pl.flip_t[index + 1] if index + 1 < len(pl.flip_t) else pl.H
    st.si[SEG] = kind
    nT = len(pl.resp)
    if kind == SEG_WORK:
        for t in range(nT):
            st.cap[t] = working_capacity(pl, st, t, start, end) if st.toil_balance[t] > 0.0 \
                else pl.resp[t]
    else:
        for t in range(nT):
            st.cap[t] = 0
    for r in range(len(pl.r_oncall)):
        st.cap[nT + r] = pl.r_oncall[r] if pl.r_cov[r, kind] else 0
    st.sf[SEG_START] = start
    st.sf[SEG_END] = end
    rehome(pl, dr, st)
    for p in range(len(st.cap)):
        if st.q_len[p] > 0 or (p < nT and pl.npols[p] > 0):
            fill(pl, dr, st, p)
    for pol in range(len(pl.performer)):
        if not pl.haswin[pol] and pl.performer[pol] >= 0:
            window(pl, dr, st, pol, kind == SEG_WORK)
        elif pl.performer[pol] >= 0:
            dispatch(pl, dr, st, pol)


@jit
def rehome(pl, dr, st):
    """Move every waiting ticket to the pool that serves it in the new segment."""
    if st.si[WAITING] == 0:
        return
    total = 0
    for p in range(len(st.q_len)):
        total += st.q_len[p]
    keys = np.empty(total, np.int64)
    tids = np.empty(total, np.int64)
    n = 0
    for p in range(len(st.q_len)):
        for k in range(st.q_len[p]):
            key = st.q_key[p, k]
            tid = st.q_tid[p, k]
            if st.p_token[tid] == key & SEQ_MASK:
                keys[n] = key
                tids[n] = tid
                n += 1
        st.q_len[p] = 0
    order = np.argsort(keys[:n])
    for m in range(n):
        tid = tids[order[m]]
        p = home(pl, dr, st, tid)
        st.p_pool[tid] = p
        q_push(st, p, keys[order[m]], tid)


# -- incidents: arrival and tiers ----------------------------------------------------------
@jit
def new_ticket(pl, st, a, prio, start, alert, row):
    tid = st.si[NTK]
    st.si[NTK] = tid + 1
    st.tk_app[tid] = a
    st.tk_prio[tid] = prio
    st.tk_start[tid] = start
    st.tk_alert[tid] = alert
    st.tk_row[tid] = row
    st.tk_phase[tid] = NORMAL
    st.tk_kf[tid] = 1.0
    measured = start >= pl.W
    st.tk_measured[tid] = measured
    if measured:
        st.si[NMEASURED] += 1
    st.tk_open[tid] = True
    st.si[NOPEN] += 1
    return tid


@jit
def arrive(pl, dr, st, a, i):
    row = dr.inc_off[a] + i
    tid = new_ticket(pl, st, a, dr.inc_prio[row], dr.inc_start[row], dr.inc_alert[row], row)
    enter_tier(pl, dr, st, tid, entry_tier(pl, st, tid))


@jit
def entry_tier(pl, st, tid):
    return pl.entry[st.tk_app[tid]] if st.tk_alert[tid] else 0


@jit
def change_incident(pl, dr, st, a, row):
    """A failed deployment raises an incident now, detected after its delay."""
    now = st.sf[NOW]
    tid = new_ticket(pl, st, a, dr.dep_prio[row], now, dr.dep_alert[row], dr.n_inc + row)
    if st.tk_measured[tid]:
        st.si[T_CHANGE] += 1
    push(st, now + dr.dep_detect[row], EV_CHANGE_ARRIVE, tid, 0)


@jit
def enter_tier(pl, dr, st, tid, j):
    a = st.tk_app[tid]
    channel = 1 if st.tk_alert[tid] else 0
    team = pl.t_team[a, j, channel]
    st.tk_tier[tid] = j
    st.tk_phase[tid] = NORMAL
    st.tk_teams[tid] = team
    st.tk_kf[tid] = pl.t_kf[a, j, channel]
    join(pl, dr, st, tid, team)


@jit
def join(pl, dr, st, tid, team):
    now = st.sf[NOW]
    st.tk_qstart[tid] = now
    st.p_team[tid] = team
    st.p_pool[tid] = -2
    st.p_qenter[tid] = now
    st.p_attach[tid] = -1.0
    st.p_token[tid] = 0
    st.p_asked[tid] = False
    enqueue(pl, dr, st, tid)


@jit
def enqueue(pl, dr, st, tid):
    st.si[SEQ] += 1
    s = st.si[SEQ]
    st.p_token[tid] = s
    p = st.p_team[tid] if st.si[SEG] == SEG_WORK else home(pl, dr, st, tid)
    st.p_pool[tid] = p
    if st.q_len[p] == 0 and st.busy[p] < st.cap[p]:
        attach(pl, dr, st, tid, p, False)
        return
    st.si[WAITING] += 1
    queue_change(pl, st, st.p_team[tid], 1)
    if st.si[WAITING] + st.si[BACKLOG] > QUEUE_CAP:
        st.si[OVERFLOW] = 1
    q_push(st, p, st.tk_prio[tid] * PRIO_SHIFT + s, tid)
    if p < len(pl.resp) and st.busy[p] >= st.cap[p] and st.stack_n[p] > 0 \
            and st.si[SEG] == SEG_WORK:
        preempt(pl, dr, st, p)
    fill(pl, dr, st, p)


@jit
def home(pl, dr, st, tid):
    """The pool a waiting part belongs to now (asking best endeavours on the way)."""
    team = st.p_team[tid]
    seg = st.si[SEG]
    if seg == SEG_WORK or not pl.callout[st.tk_prio[tid]]:
        return team
    r = pl.cover[st.tk_app[tid], team, seg]
    if r >= 0:
        return len(pl.resp) + r
    if pl.be[team] and not st.p_asked[tid]:
        st.p_asked[tid] = True
        row = st.tk_row[tid]
        j = st.tk_tier[tid]
        turn = PHI * (3 * st.tk_phase[tid])
        if (dr.tier[row, j, BE_U] + turn) % 1.0 < pl.be_p[team]:
            delay = be_delay(pl, team, (dr.tier[row, j, BE_DELAY_U] + turn) % 1.0)
            push(st, st.sf[NOW] + delay, EV_ANSWER, tid, st.p_token[tid])
    return team


@jit
def answer(pl, dr, st, tid, token):
    """Best endeavours answered: take the ticket if it is still waiting out of hours."""
    if st.p_token[tid] != token or st.si[SEG] == SEG_WORK:
        return
    attach(pl, dr, st, tid, BEST_ENDEAVOURS, True)


@jit
def fill(pl, dr, st, p):
    while st.q_len[p] > 0 and st.busy[p] < st.cap[p]:
        key, tid = q_pop(st, p)
        if st.p_token[tid] == key & SEQ_MASK:
            attach(pl, dr, st, tid, p, True)
    if p < len(pl.resp) and st.busy[p] < st.cap[p]:
        for k in range(pl.npols[p]):
            dispatch(pl, dr, st, pl.pols[p, k])


@jit
def attach(pl, dr, st, tid, p, queued):
    st.p_token[tid] = -1
    st.p_pool[tid] = p
    st.p_attach[tid] = st.sf[NOW]
    if p >= 0:
        st.busy[p] += 1
    if queued:
        st.si[WAITING] -= 1
        queue_change(pl, st, st.p_team[tid], -1)
    start(pl, dr, st, tid)


@jit
def start(pl, dr, st, tid):
    """The responder is here: the visit's pickup and work begin."""
    now = st.sf[NOW]
    phase = st.tk_phase[tid]
    row = st.tk_row[tid]
    j = st.tk_tier[tid]
    nT = len(pl.resp)
    if phase == NORMAL:
        pick = dr.tier[row, j, PICKUP]
        work = dr.tier[row, j, WORK] * st.tk_kf[tid]
        p = st.p_pool[tid]
        if p >= nT:
            r = p - nT
            if on_call_team(pl, st, r) != st.p_team[tid]:
                work *= pl.r_kf[r]
    elif phase == REASSESS:
        pick = dr.tier[row, j, REPICKUP]
        work = 0.0
    else:
        pick = 0.0
        work = dr.tier[row, j, TRIAGE]
    end = now + pick + work
    if st.tk_measured[tid]:
        st.tk_qwait[tid] += now - st.tk_qstart[tid]
        if phase == NORMAL:
            st.tk_worked[tid] += work
        elif phase == MISROUTED:
            st.tk_hdelay[tid] += work
    engaged(pl, st, tid, end, work if phase != REASSESS else -1.0)
    push(st, end, EV_DONE, tid, 0)


@jit
def done(pl, dr, st, tid):
    freed = st.p_pool[tid]
    if freed >= 0:
        st.busy[freed] -= 1
    phase = st.tk_phase[tid]
    j = st.tk_tier[tid]
    a = st.tk_app[tid]
    row = st.tk_row[tid]
    if phase == NORMAL:
        u = dr.tier[row, j, ROUTE]
        resolve_p = pl.t_resolve[a, j]
        if pl.t_last[a, j] or u < resolve_p:
            resolve(pl, st, tid)
        elif u < resolve_p + pl.t_misroute[a, j]:
            # ping-pong: handed to a wrong team, bounced back, re-assessed, escalated
            st.tk_reass[tid] += 1
            st.tk_handoffs[tid] += 1
            if pl.t_mteam[a, j] >= 0:
                st.tk_phase[tid] = MISROUTED
                join(pl, dr, st, tid, pl.t_mteam[a, j])
            else:
                triage = dr.tier[row, j, TRIAGE]
                if st.tk_measured[tid]:
                    st.tk_hdelay[tid] += triage
                push(st, st.sf[NOW] + triage, EV_BOUNCE, tid, 0)
        else:
            escalate(pl, dr, st, tid, j)
    elif phase == MISROUTED:
        bounce(pl, dr, st, tid)
    else:
        escalate(pl, dr, st, tid, j)
    if freed >= 0 and (st.q_len[freed] > 0 or (freed < len(pl.resp) and pl.npols[freed] > 0)):
        fill(pl, dr, st, freed)


@jit
def bounce(pl, dr, st, tid):
    st.tk_handoffs[tid] += 1
    st.tk_phase[tid] = REASSESS
    join(pl, dr, st, tid, st.tk_teams[tid])


@jit
def escalate(pl, dr, st, tid, j):
    st.tk_handoffs[tid] += 1
    delay = dr.tier[st.tk_row[tid], j, HANDOFF]
    if delay > 0.0:
        if st.tk_measured[tid]:
            st.tk_hdelay[tid] += delay
        push(st, st.sf[NOW] + delay, EV_JOIN, tid, j + 1)
    else:
        enter_tier(pl, dr, st, tid, j + 1)


@jit
def resolve(pl, st, tid):
    st.tk_open[tid] = False
    st.si[NOPEN] -= 1
    resolved(pl, st, tid, st.tk_teams[tid])


# -- deployments (``changes``) -------------------------------------------------------------
@jit
def dep_request(pl, dr, st, a, index, attempt):
    pol = pl.policy[a]
    if pol < 0:
        return
    if attempt < ATTEMPTS:
        local = index * ATTEMPTS + attempt
    else:
        local = dr.dep_n[a] * ATTEMPTS + st.rework_used[a]
        st.rework_used[a] += 1
        if local >= dr.dep_rows[a]:
            st.si[STATUS] = FULL_REWORK
            return
    row = dr.dep_off[a] + local
    work = dr.effort[row] if pl.performer[pol] >= 0 else dr.pipeline[row]
    did = st.si[NDEP]
    st.si[NDEP] = did + 1
    now = st.sf[NOW]
    st.d_app[did] = a
    st.d_row[did] = row
    st.d_attempt[did] = attempt
    st.d_policy[did] = pol
    st.d_req[did] = now
    st.d_remain[did] = work
    st.d_version[did] = 0
    st.d_pool[did] = -1
    st.d_end[did] = 0.0
    st.d_index[did] = index
    st.si[BACKLOG] += 1
    if now >= pl.W:
        st.si[D_DEMAND] += 1
    if st.si[WAITING] + st.si[BACKLOG] > QUEUE_CAP:
        st.si[OVERFLOW] = 1
    if pl.approval[pol] == APPROVE_NONE:
        dep_approved(pl, dr, st, did)
    elif pl.approval[pol] == APPROVE_BOARD:
        rb_append(st.waiting, st.waiting_h, st.waiting_n, pol, did)
    else:
        push(st, now + dr.approval[row], EV_APPROVED, did, 0)


@jit
def dep_approved(pl, dr, st, did):
    pol = st.d_policy[did]
    if pl.performer[pol] < 0:
        st.d_version[did] += 1
        push(st, st.sf[NOW] + st.d_remain[did], EV_DEP_DONE, did, st.d_version[did])
    else:
        rb_append(st.ready, st.ready_h, st.ready_n, pol, did)
        dispatch(pl, dr, st, pol)


@jit
def board(pl, dr, st, p):
    n = st.waiting_n[p]
    room = pl.capacity[p] or n
    for _ in range(min(room, n)):
        dep_approved(pl, dr, st, rb_popleft(st.waiting, st.waiting_h, st.waiting_n, p))


@jit
def window(pl, dr, st, p, is_open):
    st.win_open[p] = is_open
    if is_open:
        dispatch(pl, dr, st, p)


@jit
def dispatch(pl, dr, st, p):
    """Start approved deployments of policy ``p`` while window, limit and people allow."""
    if st.ready_n[p] == 0 or not st.win_open[p]:
        return
    team = pl.performer[p]
    limit = pl.conc[p]
    while st.ready_n[p] > 0 and (limit == 0 or st.active[p] < limit):
        if st.si[SEG] == SEG_WORK:
            if st.busy[team] >= st.cap[team]:
                return
            pool = team
        elif st.crew[p] < pl.crew[p]:
            pool = -1
        else:
            return
        dep_start(pl, dr, st, rb_popleft(st.ready, st.ready_h, st.ready_n, p), pool)


@jit
def dep_start(pl, dr, st, did, pool):
    p = st.d_policy[did]
    team = pl.performer[p]
    now = st.sf[NOW]
    end = now + st.d_remain[did]
    st.d_end[did] = end
    st.d_pool[did] = pool
    st.d_version[did] += 1
    st.active[p] += 1
    if pool >= 0:
        st.busy[pool] += 1
        st.stack[pool, st.stack_n[pool]] = did
        st.stack_n[pool] += 1
    else:
        st.crew[p] += 1
    account(pl, st, team, now, end, True, pool >= 0, 1.0)
    push(st, end, EV_DEP_DONE, did, st.d_version[did])


@jit
def preempt(pl, dr, st, pool):
    """An incident needs this team's responder: the latest deployment steps aside."""
    st.stack_n[pool] -= 1
    did = st.stack[pool, st.stack_n[pool]]
    now = st.sf[NOW]
    account(pl, st, pool, now, st.d_end[did], True, True, -1.0)
    st.d_remain[did] = st.d_end[did] - now
    st.d_version[did] += 1
    st.d_pool[did] = -1
    st.busy[pool] -= 1
    p = st.d_policy[did]
    st.active[p] -= 1
    rb_appendleft(st.ready, st.ready_h, st.ready_n, p, did)
    st.si[D_PREEMPTED] += 1


@jit
def dep_done(pl, dr, st, did, version):
    if st.d_version[did] != version:
        return  # pre-empted: this completion was cancelled
    p = st.d_policy[did]
    a = st.d_app[did]
    pool = st.d_pool[did]
    performer = pl.performer[p]
    if performer >= 0:
        st.active[p] -= 1
        if pool >= 0:
            st.busy[pool] -= 1
            n = st.stack_n[pool]
            k = 0
            while st.stack[pool, k] != did:
                k += 1
            for m in range(k, n - 1):
                st.stack[pool, m] = st.stack[pool, m + 1]
            st.stack_n[pool] = n - 1
        else:
            st.crew[p] -= 1
    st.si[BACKLOG] -= 1
    deployed(pl, st, st.d_req[did], performer if performer >= 0 else pl.owner[a])
    row = st.d_row[did]
    if dr.fail[row] < pl.cfr[a]:
        change_incident(pl, dr, st, a, row)
        if pl.redeploy[p]:
            dep_request(pl, dr, st, a, st.d_index[did], st.d_attempt[did] + 1)
    if performer >= 0:
        if pool >= 0:
            fill(pl, dr, st, pool)
        else:
            dispatch(pl, dr, st, p)


# -- the loop ------------------------------------------------------------------------------
@jit
def run(pl, dr, st, ext_t, ext_k, ext_a, ext_b):
    """Play the replication; ``st.si[STATUS]`` says whether a capacity ran out."""
    n_ext = len(ext_t)
    i = 0
    H = pl.H
    now = 0.0
    while st.si[OVERFLOW] == 0 and st.si[STATUS] == 0:
        if st.si[EVN] > 0 and (i >= n_ext or st.ev_t[0] < ext_t[i]):
            now, kind, x, y = st.ev_t[0], st.ev_k[0], st.ev_x[0], st.ev_y[0]
            pop_event(st)
        elif i < n_ext:
            now, kind, x, y = ext_t[i], ext_k[i], ext_a[i], ext_b[i]
            i += 1
        else:
            break
        if now >= H:
            break
        st.sf[NOW] = now
        if kind == EV_DONE:
            done(pl, dr, st, x)
        elif kind == EV_JOIN:
            enter_tier(pl, dr, st, x, y)
        elif kind == EV_ARRIVE:
            arrive(pl, dr, st, x, y)
        elif kind == EV_CHANGE_ARRIVE:
            enter_tier(pl, dr, st, x, entry_tier(pl, st, x))
        elif kind == EV_BOUNCE:
            bounce(pl, dr, st, x)
        elif kind == EV_ANSWER:
            answer(pl, dr, st, x, y)
        elif kind == EV_DEP_DONE:
            dep_done(pl, dr, st, x, y)
        elif kind == EV_DEP_REQ:
            dep_request(pl, dr, st, x, y, 0)
        elif kind == EV_APPROVED:
            dep_approved(pl, dr, st, x)
        elif kind == EV_BOARD:
            board(pl, dr, st, x)
        elif kind == EV_WINDOW:
            window(pl, dr, st, x, y != 0)
        elif kind == EV_CAL:
            flip(pl, dr, st, x)
        elif kind == EV_MARK:
            st.si[OPEN_MARK] = st.si[NOPEN]
            st.si[BACKLOG_MARK] = st.si[BACKLOG]
    st.sf[END] = max(st.sf[NOW], pl.W) if st.si[OVERFLOW] else H
