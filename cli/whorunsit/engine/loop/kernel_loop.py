"""The compiled event loop: ``replication`` and ``changes`` in numba.

Each function mirrors the Python method of the same name (``Replication._enqueue`` is
``enqueue`` here), statement for statement, so both engines play the same events in the
same order, draw the same sequence numbers and add up the same sums
(tests/test_kernel.py holds them to it). A ticket has one part (team visit) at a time:
the kernel does not play swarms (see ``kernel_plan.ineligible``), so a part's fields
live with its ticket. ``s`` is a view of one ``kernel_struct`` holding the scenario, the
replication's random numbers and its state.
"""

from __future__ import annotations

from numba import njit

from whorunsit.engine.compiled import hot, jit  # first: numba's cache and WHORUNSIT_JIT
from whorunsit.engine.loop.kernel_heaps import (
    pop_event,
    push,
    q_pop,
    q_push,
    rb_append,
    rb_appendleft,
    rb_popleft,
)
from whorunsit.engine.loop.kernel_state import (
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
    OVERFLOW,
    SEG,
    SEG_END,
    SEG_START,
    SEQ,
    STATUS,
    T_CHANGE,
    WAITING,
)
from whorunsit.engine.loop.kernel_struct import make, prefetch, view
from whorunsit.engine.loop.kernel_tally import (
    account,
    be_delay,
    deployed,
    engaged,
    on_call_team,
    pydivmod,
    queue_change,
    resolved,
    trailing_load,
    working_capacity,
)
from whorunsit.engine.metrics.tally import QUEUE_CAP
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
)
from whorunsit.engine.plan.plan import APPROVE_BOARD, APPROVE_NONE
from whorunsit.engine.random.draws import (
    BE_DELAY_U,
    BE_U,
    HANDOFF,
    PICKUP,
    REPICKUP,
    ROUTE,
    TRIAGE,
    WORK,
)

SEG_WORK = 0
NORMAL, REASSESS, MISROUTED = 0, 1, 2
BEST_ENDEAVOURS = -1
PHI = 0.6180339887498949
PRIO_SHIFT = 1 << 58  # a queue key: priority above the sequence number
SEQ_MASK = PRIO_SHIFT - 1
ATTEMPTS = 3
#: how many events known in advance ahead the loop prefetches an arrival's tier draws
AHEAD = 4



# -- calendar ------------------------------------------------------------------------------
@jit
def flip(s, index):
    start = s.flip_t[index]
    kind = s.flip_k[index]
    end = s.flip_t[index + 1] if index + 1 < len(s.flip_t) else s.H
    s.si[SEG] = kind
    nT = len(s.resp)
    if kind == SEG_WORK:
        for t in range(nT):
            s.cap[t] = working_capacity(s, t, start, end) if s.toil_balance[t] > 0.0 \
                else s.resp[t]
    else:
        for t in range(nT):
            s.cap[t] = 0
    for r in range(len(s.r_oncall)):
        s.cap[nT + r] = s.r_oncall[r] if s.r_cov[r, kind] else 0
    s.sf[SEG_START] = start
    s.sf[SEG_END] = end
    rehome(s)
    for p in range(len(s.cap)):
        if s.q_len[p] > 0 or (p < nT and s.npols[p] > 0):
            fill(s, p)
    for pol in range(len(s.performer)):
        if not s.haswin[pol] and s.performer[pol] >= 0:
            window(s, pol, kind == SEG_WORK)
        elif s.performer[pol] >= 0:
            dispatch(s, pol)


@jit
def rehome(s):
    """Move every waiting part to the pool that serves it in the new segment, in key
    order (``home`` may ask best endeavours, which numbers events)."""
    if s.si[WAITING] == 0:
        return
    keys, parts = s.re_key, s.re_tid
    n = 0
    for p in range(len(s.q_len)):
        for k in range(s.q_len[p]):
            key = s.q_key[p, k]
            part = s.q_tid[p, k]
            if s.p_token[part] == key & SEQ_MASK:
                keys[n] = key
                parts[n] = part
                n += 1
        s.q_len[p] = 0
    _sort_pairs(keys, parts, n)
    for m in range(n):
        part = parts[m]
        p = home(s, part)
        s.p_pool[part] = p
        q_push(s, p, keys[m], part)


@jit
def _sort_pairs(keys, values, n):
    """Sort ``keys[:n]`` (distinct) ascending in place, ``values`` alongside: a heapsort,
    as the loop allocates nothing (it runs without numba's reference counting)."""
    for start in range(n // 2 - 1, -1, -1):
        _sift(keys, values, start, n)
    for end in range(n - 1, 0, -1):
        keys[0], keys[end] = keys[end], keys[0]
        values[0], values[end] = values[end], values[0]
        _sift(keys, values, 0, end)


@hot
def _sift(keys, values, i, n):
    key, value = keys[i], values[i]
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and keys[c + 1] > keys[c]:
            c += 1
        if keys[c] <= key:
            break
        keys[i], values[i] = keys[c], values[c]
        i = c
    keys[i], values[i] = key, value


# -- incidents: arrival and tiers ----------------------------------------------------------
@hot
def new_ticket(s, a, prio, start, alert, row):
    tid = s.si[NTK]
    s.si[NTK] = tid + 1
    s.tk_app[tid] = a
    s.tk_prio[tid] = prio
    s.tk_start[tid] = start
    s.tk_alert[tid] = alert
    s.tk_row[tid] = row
    s.tk_phase[tid] = NORMAL
    s.tk_kf[tid] = 1.0
    measured = start >= s.W
    s.tk_measured[tid] = measured
    if measured:
        s.si[NMEASURED] += 1
    s.tk_open[tid] = True
    s.si[NOPEN] += 1
    return tid


@jit
def arrive(s, a, i):
    row = s.inc_off[a] + i
    tid = new_ticket(s, a, s.inc_prio[row], s.inc_start[row], s.inc_alert[row], row)
    enter_tier(s, tid, entry_tier(s, tid))


@hot
def entry_tier(s, tid):
    return s.entry[s.tk_app[tid]] if s.tk_alert[tid] else 0


@jit
def change_incident(s, a, row):
    """A failed deployment raises an incident now, detected after its delay."""
    now = s.sf[NOW]
    tid = new_ticket(s, a, s.dep_prio[row], now, s.dep_alert[row], s.n_inc + row)
    if s.tk_measured[tid]:
        s.si[T_CHANGE] += 1
    push(s, now + s.dep_detect[row], EV_CHANGE_ARRIVE, tid, 0)


@hot
def enter_tier(s, tid, j):
    a = s.tk_app[tid]
    channel = 1 if s.tk_alert[tid] else 0
    team = s.t_team[a, j, channel]
    kf = s.t_kf[a, j, channel]
    swarm = s.t_nswarm[a, j, channel] > 1
    if not swarm and team == s.sre_team[a] and not sre_keeps_pager(s, a, team):
        # the error budget is spent or SRE are over their ops cap: the pager goes back
        team = s.owner[a]
        kf = 1.0
    s.tk_tier[tid] = j
    s.tk_phase[tid] = NORMAL
    s.tk_teams[tid] = team
    s.tk_swarm[tid] = swarm
    s.tk_kf[tid] = kf
    if swarm:
        join_swarm(s, tid)
    else:
        join(s, tid, team)


@jit
def sre_keeps_pager(s, a, team):
    period, _ = pydivmod(s.sf[NOW], s.sre_period[a])
    if s.spent[a, int(period)] > s.sre_budget[a]:
        return False
    return trailing_load(s, team) < s.sre_cap[a]


@hot
def new_part(s, part, team, now):
    s.p_team[part] = team
    s.p_pool[part] = -2
    s.p_qenter[part] = now
    s.p_attach[part] = -1.0
    s.p_token[part] = 0
    s.p_asked[part] = False


@hot
def join(s, tid, team):
    now = s.sf[NOW]
    s.tk_qstart[tid] = now
    part = tid * s.max_parts
    new_part(s, part, team, now)
    s.tk_nparts[tid] = 1
    s.tk_pending[tid] = 1
    enqueue(s, part)


@jit
def join_swarm(s, tid):
    """A swarm calls its teams in one fixed order (by team), each once the previous has
    a responder on the bridge: two swarms then never wait on each other."""
    now = s.sf[NOW]
    s.tk_qstart[tid] = now
    a = s.tk_app[tid]
    j = s.tk_tier[tid]
    channel = 1 if s.tk_alert[tid] else 0
    n = s.t_nswarm[a, j, channel]
    first = tid * s.max_parts
    for k in range(n):
        new_part(s, first + k, s.t_swarm[a, j, channel, k], now)
    s.tk_nparts[tid] = n
    s.tk_pending[tid] = n
    enqueue(s, first)


# The Python loop recurses: enqueue -> attach -> (a swarm's next part) enqueue -> fill
# -> attach -> ... The compiled loop does the same steps in the same order without
# recursion (numba cannot cache a recursive function: numba issue #6061): ``place``
# follows a chain of parts that find a responder at once, and ``fill`` keeps the pools
# still to be filled on an explicit stack, innermost last.
@jit
def enqueue(s, part):
    p = place(s, part)
    if p >= 0:
        fill(s, p)


@jit
def place(s, part):
    """``enqueue`` up to its fill: a part that finds a free responder attaches, and a
    swarm's next part is placed in turn. The pool to fill then, or -1."""
    while part >= 0:
        tid = part // s.max_parts
        s.si[SEQ] += 1
        sq = s.si[SEQ]
        s.p_token[part] = sq
        p = s.p_team[part] if s.si[SEG] == SEG_WORK else home(s, part)
        s.p_pool[part] = p
        if s.q_len[p] == 0 and s.busy[p] < s.cap[p]:
            part = attach(s, part, p, False)
            continue
        s.si[WAITING] += 1
        queue_change(s, s.p_team[part], 1)
        if s.si[WAITING] + s.si[BACKLOG] > QUEUE_CAP:
            s.si[OVERFLOW] = 1
        q_push(s, p, s.tk_prio[tid] * PRIO_SHIFT + sq, part)
        if p < len(s.resp) and s.busy[p] >= s.cap[p] and s.stack_n[p] > 0 \
                and s.si[SEG] == SEG_WORK:
            preempt(s, p)
        return p
    return -1


@jit
def home(s, part):
    """The pool a waiting part belongs to now (asking best endeavours on the way)."""
    tid, k = divmod(part, s.max_parts)
    team = s.p_team[part]
    seg = s.si[SEG]
    if seg == SEG_WORK or not s.callout[s.tk_prio[tid]]:
        return team
    r = s.cover[s.tk_app[tid], team, seg]
    if r >= 0:
        return len(s.resp) + r
    if s.be[team] and not s.p_asked[part]:
        s.p_asked[part] = True
        row = s.tk_row[tid]
        j = s.tk_tier[tid]
        turn = PHI * (k + 3 * s.tk_phase[tid])
        if (s.tier[row, j, BE_U] + turn) % 1.0 < s.be_p[team]:
            delay = be_delay(s, team, (s.tier[row, j, BE_DELAY_U] + turn) % 1.0)
            push(s, s.sf[NOW] + delay, EV_ANSWER, part, s.p_token[part])
    return team


@jit
def answer(s, part, token):
    """Best endeavours answered: take the part if it is still waiting out of hours."""
    if s.p_token[part] != token or s.si[SEG] == SEG_WORK:
        return
    nxt = attach(s, part, BEST_ENDEAVOURS, True)
    if nxt >= 0:
        enqueue(s, nxt)


@jit
def fill(s, p):
    """Give pool p's free responders their waiting parts in order; then, with people
    still free, its deployments. A swarm's next part placed on the way may need a fill
    of its own, done before this one goes on (see ``enqueue``)."""
    stack = s.fills
    stack[0] = p
    depth = 1
    while depth > 0:
        p = stack[depth - 1]
        if s.q_len[p] > 0 and s.busy[p] < s.cap[p]:
            key, part = q_pop(s, p)
            if s.p_token[part] == key & SEQ_MASK:
                nxt = attach(s, part, p, True)
                if nxt >= 0:
                    inner = place(s, nxt)
                    if inner >= 0:
                        stack[depth] = inner
                        depth += 1
            continue
        depth -= 1
        if p < len(s.resp) and s.busy[p] < s.cap[p]:
            for k in range(s.npols[p]):
                dispatch(s, s.pols[p, k])


@hot
def attach(s, part, p, queued):
    """A responder takes the part. The swarm's next part, to be placed now, or -1."""
    s.p_token[part] = -1
    s.p_pool[part] = p
    s.p_attach[part] = s.sf[NOW]
    if p >= 0:
        s.busy[p] += 1
    if queued:
        s.si[WAITING] -= 1
        queue_change(s, s.p_team[part], -1)
    tid = part // s.max_parts
    s.tk_pending[tid] -= 1
    if s.tk_pending[tid] == 0:
        start(s, tid)
        return -1
    s.p_qenter[part + 1] = s.sf[NOW]  # the swarm's next team is called
    return part + 1


@hot
def start(s, tid):
    """Every engaged responder is here: the visit's pickup and work begin."""
    now = s.sf[NOW]
    phase = s.tk_phase[tid]
    row = s.tk_row[tid]
    j = s.tk_tier[tid]
    nT = len(s.resp)
    first = tid * s.max_parts
    if phase == NORMAL:
        pick = s.tier[row, j, PICKUP]
        work = s.tier[row, j, WORK] * s.tk_kf[tid]
        p = s.p_pool[first]
        if p >= nT and s.tk_nparts[tid] == 1:
            r = p - nT
            if on_call_team(s, r) != s.p_team[first]:
                work *= s.r_kf[r]
    elif phase == REASSESS:
        pick = s.tier[row, j, REPICKUP]
        work = 0.0
    else:
        pick = 0.0
        work = s.tier[row, j, TRIAGE]
    end = now + pick + work
    if s.tk_measured[tid]:
        s.tk_qwait[tid] += now - s.tk_qstart[tid]
        if phase == NORMAL:
            s.tk_worked[tid] += work
        elif phase == MISROUTED:
            s.tk_hdelay[tid] += work
    for k in range(s.tk_nparts[tid]):
        engaged(s, tid, first + k, end, work if phase != REASSESS else -1.0)
    push(s, end, EV_DONE, tid, 0)


@jit
def done(s, tid):
    n = s.tk_nparts[tid]
    first = tid * s.max_parts
    for k in range(n):  # the pools freed, kept before the ticket moves on
        freed = s.p_pool[first + k]
        s.freed[k] = freed
        if freed >= 0:
            s.busy[freed] -= 1
    phase = s.tk_phase[tid]
    j = s.tk_tier[tid]
    a = s.tk_app[tid]
    row = s.tk_row[tid]
    if phase == NORMAL:
        u = s.tier[row, j, ROUTE]
        resolve_p = s.t_resolve[a, j]
        if s.t_last[a, j] or u < resolve_p:
            resolve(s, tid)
        elif u < resolve_p + s.t_misroute[a, j]:
            # ping-pong: handed to a wrong team, bounced back, re-assessed, escalated
            s.tk_reass[tid] += 1
            s.tk_handoffs[tid] += 1
            if s.t_mteam[a, j] >= 0:
                s.tk_phase[tid] = MISROUTED
                join(s, tid, s.t_mteam[a, j])
            else:
                triage = s.tier[row, j, TRIAGE]
                if s.tk_measured[tid]:
                    s.tk_hdelay[tid] += triage
                push(s, s.sf[NOW] + triage, EV_BOUNCE, tid, 0)
        else:
            escalate(s, tid, j)
    elif phase == MISROUTED:
        bounce(s, tid)
    else:
        escalate(s, tid, j)
    for k in range(n):
        freed = s.freed[k]
        if freed >= 0 and (s.q_len[freed] > 0
                           or (freed < len(s.resp) and s.npols[freed] > 0)):
            fill(s, freed)


@jit
def bounce(s, tid):
    s.tk_handoffs[tid] += 1
    s.tk_phase[tid] = REASSESS
    if s.tk_swarm[tid]:
        join_swarm(s, tid)
    else:
        join(s, tid, s.tk_teams[tid])


@jit
def escalate(s, tid, j):
    s.tk_handoffs[tid] += 1
    delay = s.tier[s.tk_row[tid], j, HANDOFF]
    if delay > 0.0:
        if s.tk_measured[tid]:
            s.tk_hdelay[tid] += delay
        push(s, s.sf[NOW] + delay, EV_JOIN, tid, j + 1)
    else:
        enter_tier(s, tid, j + 1)


@jit
def resolve(s, tid):
    s.tk_open[tid] = False
    s.si[NOPEN] -= 1
    resolved(s, tid, s.tk_teams[tid])


# -- deployments (``changes``) -------------------------------------------------------------
@jit
def dep_request(s, a, index, attempt):
    pol = s.policy[a]
    if pol < 0:
        return
    if attempt < ATTEMPTS:
        local = index * ATTEMPTS + attempt
    else:
        local = s.dep_n[a] * ATTEMPTS + s.rework_used[a]
        s.rework_used[a] += 1
        if local >= s.dep_rows[a]:
            s.si[STATUS] = FULL_REWORK
            return
    row = s.dep_off[a] + local
    work = s.effort[row] if s.performer[pol] >= 0 else s.pipeline[row]
    did = s.si[NDEP]
    s.si[NDEP] = did + 1
    now = s.sf[NOW]
    s.d_app[did] = a
    s.d_row[did] = row
    s.d_attempt[did] = attempt
    s.d_policy[did] = pol
    s.d_req[did] = now
    s.d_remain[did] = work
    s.d_version[did] = 0
    s.d_pool[did] = -1
    s.d_end[did] = 0.0
    s.d_index[did] = index
    s.si[BACKLOG] += 1
    if now >= s.W:
        s.si[D_DEMAND] += 1
    if s.si[WAITING] + s.si[BACKLOG] > QUEUE_CAP:
        s.si[OVERFLOW] = 1
    if s.approval[pol] == APPROVE_NONE:
        dep_approved(s, did)
    elif s.approval[pol] == APPROVE_BOARD:
        rb_append(s.waiting, s.waiting_h, s.waiting_n, pol, did)
    else:
        push(s, now + s.approval_delay[row], EV_APPROVED, did, 0)


@jit
def dep_approved(s, did):
    pol = s.d_policy[did]
    if s.performer[pol] < 0:
        s.d_version[did] += 1
        push(s, s.sf[NOW] + s.d_remain[did], EV_DEP_DONE, did, s.d_version[did])
    else:
        rb_append(s.ready, s.ready_h, s.ready_n, pol, did)
        dispatch(s, pol)


@jit
def board(s, p):
    n = s.waiting_n[p]
    room = s.capacity[p] or n
    for _ in range(min(room, n)):
        dep_approved(s, rb_popleft(s.waiting, s.waiting_h, s.waiting_n, p))


@jit
def window(s, p, is_open):
    s.win_open[p] = is_open
    if is_open:
        dispatch(s, p)


@jit
def dispatch(s, p):
    """Start approved deployments of policy ``p`` while window, limit and people allow."""
    if s.ready_n[p] == 0 or not s.win_open[p]:
        return
    team = s.performer[p]
    limit = s.conc[p]
    while s.ready_n[p] > 0 and (limit == 0 or s.active[p] < limit):
        if s.si[SEG] == SEG_WORK:
            if s.busy[team] >= s.cap[team]:
                return
            pool = team
        elif s.crew[p] < s.crew_size[p]:
            pool = -1
        else:
            return
        dep_start(s, rb_popleft(s.ready, s.ready_h, s.ready_n, p), pool)


@jit
def dep_start(s, did, pool):
    p = s.d_policy[did]
    team = s.performer[p]
    now = s.sf[NOW]
    end = now + s.d_remain[did]
    s.d_end[did] = end
    s.d_pool[did] = pool
    s.d_version[did] += 1
    s.active[p] += 1
    if pool >= 0:
        s.busy[pool] += 1
        s.stack[pool, s.stack_n[pool]] = did
        s.stack_n[pool] += 1
    else:
        s.crew[p] += 1
    account(s, team, now, end, True, pool >= 0, 1.0)
    push(s, end, EV_DEP_DONE, did, s.d_version[did])


@jit
def preempt(s, pool):
    """An incident needs this team's responder: the latest deployment steps aside."""
    s.stack_n[pool] -= 1
    did = s.stack[pool, s.stack_n[pool]]
    now = s.sf[NOW]
    account(s, pool, now, s.d_end[did], True, True, -1.0)
    s.d_remain[did] = s.d_end[did] - now
    s.d_version[did] += 1
    s.d_pool[did] = -1
    s.busy[pool] -= 1
    p = s.d_policy[did]
    s.active[p] -= 1
    rb_appendleft(s.ready, s.ready_h, s.ready_n, p, did)
    s.si[D_PREEMPTED] += 1


@jit
def dep_done(s, did, version):
    if s.d_version[did] != version:
        return  # pre-empted: this completion was cancelled
    p = s.d_policy[did]
    a = s.d_app[did]
    pool = s.d_pool[did]
    performer = s.performer[p]
    if performer >= 0:
        s.active[p] -= 1
        if pool >= 0:
            s.busy[pool] -= 1
            n = s.stack_n[pool]
            k = 0
            while s.stack[pool, k] != did:
                k += 1
            for m in range(k, n - 1):
                s.stack[pool, m] = s.stack[pool, m + 1]
            s.stack_n[pool] = n - 1
        else:
            s.crew[p] -= 1
    s.si[BACKLOG] -= 1
    deployed(s, s.d_req[did], performer if performer >= 0 else s.owner[a])
    row = s.d_row[did]
    if s.fail[row] < s.cfr[a]:
        change_incident(s, a, row)
        if s.redeploy[p]:
            dep_request(s, a, s.d_index[did], s.d_attempt[did] + 1)
    if performer >= 0:
        if pool >= 0:
            fill(s, pool)
        else:
            dispatch(s, p)


# -- the loop ------------------------------------------------------------------------------
@jit
def run(s, ext_t, ext_k, ext_a, ext_b):
    """Play the replication; ``s.si[STATUS]`` says whether a capacity ran out."""
    n_ext = len(ext_t)
    i = 0
    H = s.H
    now = 0.0
    while s.si[OVERFLOW] == 0 and s.si[STATUS] == 0:
        if s.si[EVN] > 0 and (i >= n_ext or s.ev_t[0] < ext_t[i]):
            now, kind, x, y = s.ev_t[0], s.ev_k[0], s.ev_x[0], s.ev_y[0]
            pop_event(s)
        elif i < n_ext:
            now, kind, x, y = ext_t[i], ext_k[i], ext_a[i], ext_b[i]
            i += 1
            ahead = i + AHEAD
            if ahead < n_ext and ext_k[ahead] == EV_ARRIVE:
                row = s.inc_off[ext_a[ahead]] + ext_b[ahead]
                prefetch(s.tier, row, 0)
                prefetch(s.tier, row, 64)
        else:
            break
        if now >= H:
            break
        s.sf[NOW] = now
        if kind == EV_DONE:
            done(s, x)
        elif kind == EV_JOIN:
            enter_tier(s, x, y)
        elif kind == EV_ARRIVE:
            arrive(s, x, y)
        elif kind == EV_CHANGE_ARRIVE:
            enter_tier(s, x, entry_tier(s, x))
        elif kind == EV_BOUNCE:
            bounce(s, x)
        elif kind == EV_ANSWER:
            answer(s, x, y)
        elif kind == EV_DEP_DONE:
            dep_done(s, x, y)
        elif kind == EV_DEP_REQ:
            dep_request(s, x, y, 0)
        elif kind == EV_APPROVED:
            dep_approved(s, x)
        elif kind == EV_BOARD:
            board(s, x)
        elif kind == EV_WINDOW:
            window(s, x, y != 0)
        elif kind == EV_CAL:
            flip(s, x)
        elif kind == EV_MARK:
            s.si[BACKLOG_MARK] = s.si[BACKLOG]
            for t in range(s.qlen.shape[0]):
                s.q_mark[t] = s.qlen[t]
    s.sf[END] = max(s.sf[NOW], s.W) if s.si[OVERFLOW] else H


@njit(cache=True)
def play(pl, dr, st, ext_t, ext_k, ext_a, ext_b):
    """Play a replication from the plan, draws and state tuples (the Python entry)."""
    s = make(pl, dr, st)
    run(view(s), ext_t, ext_k, ext_a, ext_b)
    return s.n_inc  # a use after the loop: ``s`` stays alive while its view is used
