"""The compiled event loop: incidents through tiers, pools and rotas, and deployments.

One function per step of docs/model.md (``arrive``, ``enter_tier``, ``enqueue``,
``fill``, ``attach``, ``start``, ``done``, ``escalate``, ``bounce``, ``resolve``; for
deployments ``dep_request`` to ``dep_done``), each on ``s``: a view of one
``kernel_struct`` holding the plan (``kernel_plan.KPlan``), the replication's random
numbers (``kernel_draws.Draws``) and its state (``kernel_state.State``). A ticket's visit
to a tier engages one team, or several for a swarm: each engagement is a *part*, and
part ``k`` of ticket ``t`` is number ``t * max_parts + k``. ``WHORUNSIT_JIT=0`` runs this
same source as plain Python (engine/compiled.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from whorunsit.engine.compiled import jit  # first: numba's cache and WHORUNSIT_JIT
from whorunsit.engine.loop.kernel_heaps import (
    pop_event,
    push,
    queue_pop,
    queue_push,
    ring_append,
    ring_appendleft,
    ring_popleft,
)
from whorunsit.engine.loop.kernel_state import (
    BACKLOG,
    BACKLOG_AT_MARK,
    CHANGE_INCIDENTS,
    DEPLOYMENTS,
    DEPLOYS_DEMANDED,
    DEPLOYS_PREEMPTED,
    EVENTS,
    FULL_REWORK,
    LAST_SEQ,
    MEASURED_TICKETS,
    NOW,
    OPEN_TICKETS,
    OVERFLOW,
    PARTS_WAITING,
    RUN_END,
    SEGMENT_END,
    SEGMENT_KIND,
    SEGMENT_START,
    STATUS,
    TICKETS,
)
from whorunsit.engine.loop.kernel_struct import make, view
from whorunsit.engine.loop.kernel_tally import (
    ADD,
    JOINED,
    LEFT,
    PAID,
    POOLED,
    REMOVE,
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
# constants passed as arguments are typed numpy scalars (see ``kernel_tally``): numba
# then compiles each function once
BEST_ENDEAVOURS = np.int64(-1)   # the pool of a part best endeavours answered
NO_ARG = np.int64(0)             # an event's argument when it has none
FIRST_ATTEMPT = np.int64(0)      # a deployment's first try
QUEUED, AT_ONCE = np.bool_(True), np.bool_(False)  # ``attach``: from a queue or not
ROOT = np.int64(0)               # a heap's top
PHI = 0.6180339887498949
PRIO_SHIFT = 1 << 58  # a queue key: priority above the sequence number
SEQ_MASK = PRIO_SHIFT - 1
ATTEMPTS = 3



# -- calendar ------------------------------------------------------------------------------
@jit
def flip(s, index):
    start = s.flip_time[index]
    kind = s.flip_kind[index]
    end = s.flip_time[index + 1] if index + 1 < len(s.flip_time) else s.horizon
    s.int_slots[SEGMENT_KIND] = kind
    n_teams = len(s.responders)
    if kind == SEG_WORK:
        for t in range(n_teams):
            s.pool_capacity[t] = working_capacity(s, t, start, end) if s.toil_balance[t] > 0.0 \
                else s.responders[t]
    else:
        for t in range(n_teams):
            s.pool_capacity[t] = 0
    for r in range(len(s.rota_on_call)):
        s.pool_capacity[n_teams + r] = s.rota_on_call[r] if s.rota_covers[r, kind] else 0
    s.float_slots[SEGMENT_START] = start
    s.float_slots[SEGMENT_END] = end
    rehome(s)
    for p in range(len(s.pool_capacity)):
        if s.queue_length[p] > 0 or (p < n_teams and s.team_policy_count[p] > 0):
            fill(s, p)
    for pol in range(len(s.policy_performer)):
        if not s.policy_has_windows[pol] and s.policy_performer[pol] >= 0:
            window(s, pol, kind == SEG_WORK)
        elif s.policy_performer[pol] >= 0:
            dispatch(s, pol)


@jit
def rehome(s):
    """Move every waiting part to the pool that serves it in the new segment, in key
    order (``home`` may ask best endeavours, which numbers events)."""
    if s.int_slots[PARTS_WAITING] == 0:
        return
    keys, parts = s.rehome_key, s.rehome_part
    n = ROOT
    for p in range(len(s.queue_length)):
        for k in range(s.queue_length[p]):
            key = s.queue_key[p, k]
            part = s.queue_part[p, k]
            if s.part_token[part] == key & SEQ_MASK:
                keys[n] = key
                parts[n] = part
                n += 1
        s.queue_length[p] = 0
    _sort_pairs(keys, parts, n)
    for m in range(n):
        part = parts[m]
        p = home(s, part)
        s.part_pool[part] = p
        queue_push(s, p, keys[m], part)


@jit
def _sort_pairs(keys, values, n):
    """Sort ``keys[:n]`` (distinct) ascending in place, ``values`` alongside: a heapsort,
    as the loop allocates nothing."""
    for start in range(n // 2 - 1, -1, -1):
        _sift(keys, values, start, n)
    for end in range(n - 1, 0, -1):
        keys[0], keys[end] = keys[end], keys[0]
        values[0], values[end] = values[end], values[0]
        _sift(keys, values, ROOT, end)


@jit
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
@jit
def new_ticket(s, a, prio, start, alert, row):
    ticket = s.int_slots[TICKETS]
    s.int_slots[TICKETS] = ticket + 1
    s.ticket_app[ticket] = a
    s.ticket_prio[ticket] = prio
    s.ticket_opened[ticket] = start
    s.ticket_alert[ticket] = alert
    s.ticket_row[ticket] = row
    s.ticket_phase[ticket] = NORMAL
    s.ticket_knowledge[ticket] = 1.0
    measured = start >= s.warmup
    s.ticket_measured[ticket] = measured
    if measured:
        s.int_slots[MEASURED_TICKETS] += 1
    s.ticket_open[ticket] = True
    s.int_slots[OPEN_TICKETS] += 1
    return ticket


@jit
def arrive(s, a, i):
    row = s.inc_off[a] + i
    ticket = new_ticket(s, a, s.inc_prio[row], s.inc_start[row], s.inc_alert[row], row)
    enter_tier(s, ticket, entry_tier(s, ticket))


@jit
def entry_tier(s, ticket):
    return s.app_alert_entry[s.ticket_app[ticket]] if s.ticket_alert[ticket] else 0


@jit
def change_incident(s, a, row):
    """A failed deployment raises an incident now, detected after its delay."""
    now = s.float_slots[NOW]
    ticket = new_ticket(s, a, s.dep_prio[row], now, s.dep_alert[row], s.n_inc + row)
    if s.ticket_measured[ticket]:
        s.int_slots[CHANGE_INCIDENTS] += 1
    push(s, now + s.dep_detect[row], EV_CHANGE_ARRIVE, ticket, NO_ARG)


@jit
def enter_tier(s, ticket, j):
    a = s.ticket_app[ticket]
    channel = 1 if s.ticket_alert[ticket] else 0
    team = s.tier_team[a, j, channel]
    knowledge = s.tier_knowledge[a, j, channel]
    swarm = s.tier_swarm_size[a, j, channel] > 1
    if not swarm and team == s.sre_team[a] and not sre_keeps_pager(s, a, team):
        # the error budget is spent or SRE are over their ops cap: the pager goes back
        team = s.app_owner[a]
        knowledge = 1.0
    s.ticket_tier[ticket] = j
    s.ticket_phase[ticket] = NORMAL
    s.ticket_team[ticket] = team
    s.ticket_swarm[ticket] = swarm
    s.ticket_knowledge[ticket] = knowledge
    if swarm:
        join_swarm(s, ticket)
    else:
        join(s, ticket, team)


@jit
def sre_keeps_pager(s, a, team):
    period, _ = pydivmod(s.float_slots[NOW], s.sre_period[a])
    if s.budget_spent[a, int(period)] > s.sre_budget[a]:
        return False
    return trailing_load(s, team) < s.sre_ops_cap[a]


@jit
def new_part(s, part, team, now):
    s.part_team[part] = team
    s.part_pool[part] = -2
    s.part_queued[part] = now
    s.part_attached[part] = -1.0
    s.part_token[part] = 0
    s.part_asked[part] = False


@jit
def join(s, ticket, team):
    now = s.float_slots[NOW]
    s.ticket_queued[ticket] = now
    part = ticket * s.max_parts
    new_part(s, part, team, now)
    s.ticket_parts[ticket] = 1
    s.ticket_pending[ticket] = 1
    enqueue(s, part)


@jit
def join_swarm(s, ticket):
    """A swarm calls its teams in one fixed order (by team), each once the previous has
    a responder on the bridge: two swarms then never wait on each other."""
    now = s.float_slots[NOW]
    s.ticket_queued[ticket] = now
    a = s.ticket_app[ticket]
    j = s.ticket_tier[ticket]
    channel = 1 if s.ticket_alert[ticket] else 0
    n = s.tier_swarm_size[a, j, channel]
    first = ticket * s.max_parts
    for k in range(n):
        new_part(s, first + k, s.tier_swarm[a, j, channel, k], now)
    s.ticket_parts[ticket] = n
    s.ticket_pending[ticket] = n
    enqueue(s, first)


# Placing a part is naturally recursive: enqueue -> attach -> (a swarm's next part)
# enqueue -> fill -> attach -> ... The loop takes the same steps in the same order without
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
        ticket = part // s.max_parts
        s.int_slots[LAST_SEQ] += 1
        sq = s.int_slots[LAST_SEQ]
        s.part_token[part] = sq
        p = s.part_team[part] if s.int_slots[SEGMENT_KIND] == SEG_WORK else home(s, part)
        s.part_pool[part] = p
        if s.queue_length[p] == 0 and s.pool_busy[p] < s.pool_capacity[p]:
            part = attach(s, part, p, AT_ONCE)
            continue
        s.int_slots[PARTS_WAITING] += 1
        queue_change(s, s.part_team[part], JOINED)
        if s.int_slots[PARTS_WAITING] + s.int_slots[BACKLOG] > QUEUE_CAP:
            s.int_slots[OVERFLOW] = 1
        queue_push(s, p, s.ticket_prio[ticket] * PRIO_SHIFT + sq, part)
        if p < len(s.responders) and s.pool_busy[p] >= s.pool_capacity[p] \
                and s.holding_count[p] > 0 \
                and s.int_slots[SEGMENT_KIND] == SEG_WORK:
            preempt(s, p)
        return p
    return -1


@jit
def home(s, part):
    """The pool a waiting part belongs to now (asking best endeavours on the way)."""
    ticket, k = divmod(part, s.max_parts)
    team = s.part_team[part]
    seg = s.int_slots[SEGMENT_KIND]
    if seg == SEG_WORK or not s.prio_calls_out[s.ticket_prio[ticket]]:
        return team
    r = s.app_cover[s.ticket_app[ticket], team, seg]
    if r >= 0:
        return len(s.responders) + r
    if s.best_endeavours[team] and not s.part_asked[part]:
        s.part_asked[part] = True
        row = s.ticket_row[ticket]
        j = s.ticket_tier[ticket]
        turn = PHI * (k + 3 * s.ticket_phase[ticket])
        if (s.tier_draws[row, j, BE_U] + turn) % 1.0 < s.be_answer_chance[team]:
            delay = be_delay(s, team, (s.tier_draws[row, j, BE_DELAY_U] + turn) % 1.0)
            push(s, s.float_slots[NOW] + delay, EV_ANSWER, part, s.part_token[part])
    return team


@jit
def answer(s, part, token):
    """Best endeavours answered: take the part if it is still waiting out of hours."""
    if s.part_token[part] != token or s.int_slots[SEGMENT_KIND] == SEG_WORK:
        return
    nxt = attach(s, part, BEST_ENDEAVOURS, QUEUED)
    if nxt >= 0:
        enqueue(s, nxt)


@jit
def fill(s, p):
    """Give pool p's free responders their waiting parts in order; then, with people
    still free, its deployments. A swarm's next part placed on the way may need a fill
    of its own, done before this one goes on (see ``enqueue``)."""
    stack = s.fill_stack
    stack[0] = p
    depth = 1
    while depth > 0:
        p = stack[depth - 1]
        if s.queue_length[p] > 0 and s.pool_busy[p] < s.pool_capacity[p]:
            key, part = queue_pop(s, p)
            if s.part_token[part] == key & SEQ_MASK:
                nxt = attach(s, part, p, QUEUED)
                if nxt >= 0:
                    inner = place(s, nxt)
                    if inner >= 0:
                        stack[depth] = inner
                        depth += 1
            continue
        depth -= 1
        if p < len(s.responders) and s.pool_busy[p] < s.pool_capacity[p]:
            for k in range(s.team_policy_count[p]):
                dispatch(s, s.team_policies[p, k])


@jit
def attach(s, part, p, queued):
    """A responder takes the part. The swarm's next part, to be placed now, or -1."""
    s.part_token[part] = -1
    s.part_pool[part] = p
    s.part_attached[part] = s.float_slots[NOW]
    if p >= 0:
        s.pool_busy[p] += 1
    if queued:
        s.int_slots[PARTS_WAITING] -= 1
        queue_change(s, s.part_team[part], LEFT)
    ticket = part // s.max_parts
    s.ticket_pending[ticket] -= 1
    if s.ticket_pending[ticket] == 0:
        start(s, ticket)
        return -1
    s.part_queued[part + 1] = s.float_slots[NOW]  # the swarm's next team is called
    return part + 1


@jit
def start(s, ticket):
    """Every engaged responder is here: the visit's pickup and work begin."""
    now = s.float_slots[NOW]
    phase = s.ticket_phase[ticket]
    row = s.ticket_row[ticket]
    j = s.ticket_tier[ticket]
    n_teams = len(s.responders)
    first = ticket * s.max_parts
    if phase == NORMAL:
        pick = s.tier_draws[row, j, PICKUP]
        work = s.tier_draws[row, j, WORK] * s.ticket_knowledge[ticket]
        p = s.part_pool[first]
        if p >= n_teams and s.ticket_parts[ticket] == 1:
            r = p - n_teams
            if on_call_team(s, r) != s.part_team[first]:
                work *= s.rota_knowledge[r]
    elif phase == REASSESS:
        pick = s.tier_draws[row, j, REPICKUP]
        work = 0.0
    else:
        pick = 0.0
        work = s.tier_draws[row, j, TRIAGE]
    end = now + pick + work
    if s.ticket_measured[ticket]:
        s.ticket_queue_wait[ticket] += now - s.ticket_queued[ticket]
        if phase == NORMAL:
            s.ticket_worked[ticket] += work
        elif phase == MISROUTED:
            s.ticket_handoff_delay[ticket] += work
    for k in range(s.ticket_parts[ticket]):
        engaged(s, ticket, first + k, end, work if phase != REASSESS else -1.0)
    push(s, end, EV_DONE, ticket, NO_ARG)


@jit
def done(s, ticket):
    n = s.ticket_parts[ticket]
    first = ticket * s.max_parts
    for k in range(n):  # the pools freed, kept before the ticket moves on
        freed = s.part_pool[first + k]
        s.freed_pools[k] = freed
        if freed >= 0:
            s.pool_busy[freed] -= 1
    phase = s.ticket_phase[ticket]
    j = s.ticket_tier[ticket]
    a = s.ticket_app[ticket]
    row = s.ticket_row[ticket]
    if phase == NORMAL:
        u = s.tier_draws[row, j, ROUTE]
        resolve_p = s.tier_resolve[a, j]
        if s.tier_last[a, j] or u < resolve_p:
            resolve(s, ticket)
        elif u < resolve_p + s.tier_misroute[a, j]:
            # ping-pong: handed to a wrong team, bounced back, re-assessed, escalated
            s.ticket_reassignments[ticket] += 1
            s.ticket_handoffs[ticket] += 1
            if s.tier_misroute_team[a, j] >= 0:
                s.ticket_phase[ticket] = MISROUTED
                join(s, ticket, s.tier_misroute_team[a, j])
            else:
                triage = s.tier_draws[row, j, TRIAGE]
                if s.ticket_measured[ticket]:
                    s.ticket_handoff_delay[ticket] += triage
                push(s, s.float_slots[NOW] + triage, EV_BOUNCE, ticket, NO_ARG)
        else:
            escalate(s, ticket, j)
    elif phase == MISROUTED:
        bounce(s, ticket)
    else:
        escalate(s, ticket, j)
    for k in range(n):
        freed = s.freed_pools[k]
        if freed >= 0 and (s.queue_length[freed] > 0
                           or (freed < len(s.responders) and s.team_policy_count[freed] > 0)):
            fill(s, freed)


@jit
def bounce(s, ticket):
    s.ticket_handoffs[ticket] += 1
    s.ticket_phase[ticket] = REASSESS
    if s.ticket_swarm[ticket]:
        join_swarm(s, ticket)
    else:
        join(s, ticket, s.ticket_team[ticket])


@jit
def escalate(s, ticket, j):
    s.ticket_handoffs[ticket] += 1
    delay = s.tier_draws[s.ticket_row[ticket], j, HANDOFF]
    if delay > 0.0:
        if s.ticket_measured[ticket]:
            s.ticket_handoff_delay[ticket] += delay
        push(s, s.float_slots[NOW] + delay, EV_JOIN, ticket, j + 1)
    else:
        enter_tier(s, ticket, j + 1)


@jit
def resolve(s, ticket):
    s.ticket_open[ticket] = False
    s.int_slots[OPEN_TICKETS] -= 1
    resolved(s, ticket, s.ticket_team[ticket])


# -- deployments ---------------------------------------------------------------------------
@jit
def dep_request(s, a, index, attempt):
    pol = s.app_policy[a]
    if pol < 0:
        return
    if attempt < ATTEMPTS:
        local = index * ATTEMPTS + attempt
    else:
        local = s.dep_n[a] * ATTEMPTS + s.rework_used[a]
        s.rework_used[a] += 1
        if local >= s.dep_rows[a]:
            s.int_slots[STATUS] = FULL_REWORK
            return
    row = s.dep_off[a] + local
    work = s.effort[row] if s.policy_performer[pol] >= 0 else s.pipeline[row]
    deploy = s.int_slots[DEPLOYMENTS]
    s.int_slots[DEPLOYMENTS] = deploy + 1
    now = s.float_slots[NOW]
    s.deploy_app[deploy] = a
    s.deploy_row[deploy] = row
    s.deploy_attempt[deploy] = attempt
    s.deploy_policy[deploy] = pol
    s.deploy_requested[deploy] = now
    s.deploy_remaining[deploy] = work
    s.deploy_version[deploy] = 0
    s.deploy_pool[deploy] = -1
    s.deploy_end[deploy] = 0.0
    s.deploy_index[deploy] = index
    s.int_slots[BACKLOG] += 1
    if now >= s.warmup:
        s.int_slots[DEPLOYS_DEMANDED] += 1
    if s.int_slots[PARTS_WAITING] + s.int_slots[BACKLOG] > QUEUE_CAP:
        s.int_slots[OVERFLOW] = 1
    if s.policy_approval[pol] == APPROVE_NONE:
        dep_approved(s, deploy)
    elif s.policy_approval[pol] == APPROVE_BOARD:
        ring_append(s.board_ring, s.board_head, s.board_count, pol, deploy)
    else:
        push(s, now + s.approval_delay[row], EV_APPROVED, deploy, NO_ARG)


@jit
def dep_approved(s, deploy):
    pol = s.deploy_policy[deploy]
    if s.policy_performer[pol] < 0:
        s.deploy_version[deploy] += 1
        push(s, s.float_slots[NOW] + s.deploy_remaining[deploy], EV_DEP_DONE, deploy,
             s.deploy_version[deploy])
    else:
        ring_append(s.ready_ring, s.ready_head, s.ready_count, pol, deploy)
        dispatch(s, pol)


@jit
def board(s, p):
    n = s.board_count[p]
    room = s.board_capacity[p] or n
    for _ in range(min(room, n)):
        dep_approved(s, ring_popleft(s.board_ring, s.board_head, s.board_count, p))


@jit
def window(s, p, is_open):
    s.window_open[p] = is_open
    if is_open:
        dispatch(s, p)


@jit
def dispatch(s, p):
    """Start approved deployments of policy ``p`` while window, limit and people allow."""
    if s.ready_count[p] == 0 or not s.window_open[p]:
        return
    team = s.policy_performer[p]
    limit = s.policy_concurrency[p]
    while s.ready_count[p] > 0 and (limit == 0 or s.deploys_active[p] < limit):
        if s.int_slots[SEGMENT_KIND] == SEG_WORK:
            if s.pool_busy[team] >= s.pool_capacity[team]:
                return
            pool = team
        elif s.crew_busy[p] < s.policy_crew[p]:
            pool = -1
        else:
            return
        dep_start(s, ring_popleft(s.ready_ring, s.ready_head, s.ready_count, p), pool)


@jit
def dep_start(s, deploy, pool):
    p = s.deploy_policy[deploy]
    team = s.policy_performer[p]
    now = s.float_slots[NOW]
    end = now + s.deploy_remaining[deploy]
    s.deploy_end[deploy] = end
    s.deploy_pool[deploy] = pool
    s.deploy_version[deploy] += 1
    s.deploys_active[p] += 1
    if pool >= 0:
        s.pool_busy[pool] += 1
        s.holding[pool, s.holding_count[pool]] = deploy
        s.holding_count[pool] += 1
    else:
        s.crew_busy[p] += 1
    account(s, team, now, end, PAID, pool >= 0, ADD)
    push(s, end, EV_DEP_DONE, deploy, s.deploy_version[deploy])


@jit
def preempt(s, pool):
    """An incident needs this team's responder: the latest deployment steps aside."""
    s.holding_count[pool] -= 1
    deploy = s.holding[pool, s.holding_count[pool]]
    now = s.float_slots[NOW]
    account(s, pool, now, s.deploy_end[deploy], PAID, POOLED, REMOVE)
    s.deploy_remaining[deploy] = s.deploy_end[deploy] - now
    s.deploy_version[deploy] += 1
    s.deploy_pool[deploy] = -1
    s.pool_busy[pool] -= 1
    p = s.deploy_policy[deploy]
    s.deploys_active[p] -= 1
    ring_appendleft(s.ready_ring, s.ready_head, s.ready_count, p, deploy)
    s.int_slots[DEPLOYS_PREEMPTED] += 1


@jit
def dep_done(s, deploy, version):
    if s.deploy_version[deploy] != version:
        return  # pre-empted: this completion was cancelled
    p = s.deploy_policy[deploy]
    a = s.deploy_app[deploy]
    pool = s.deploy_pool[deploy]
    performer = s.policy_performer[p]
    if performer >= 0:
        s.deploys_active[p] -= 1
        if pool >= 0:
            s.pool_busy[pool] -= 1
            n = s.holding_count[pool]
            k = 0
            while s.holding[pool, k] != deploy:
                k += 1
            for m in range(k, n - 1):
                s.holding[pool, m] = s.holding[pool, m + 1]
            s.holding_count[pool] = n - 1
        else:
            s.crew_busy[p] -= 1
    s.int_slots[BACKLOG] -= 1
    deployed(s, s.deploy_requested[deploy], performer if performer >= 0 else s.app_owner[a])
    row = s.deploy_row[deploy]
    if s.fail[row] < s.app_failure_rate[a]:
        change_incident(s, a, row)
        if s.policy_redeploys[p]:
            dep_request(s, a, s.deploy_index[deploy], s.deploy_attempt[deploy] + 1)
    if performer >= 0:
        if pool >= 0:
            fill(s, pool)
        else:
            dispatch(s, p)


# -- the loop ------------------------------------------------------------------------------
@jit
def run(s, known_time, known_kind, known_subject, known_arg):
    """Play the replication: the events known in advance (arrivals, calendar flips,
    deployment requests, windows, board sittings: ``plan.kernel_events``) merged with
    those the loop schedules on its heap. ``s.int_slots[STATUS]`` says whether a
    capacity ran out."""
    n_known = len(known_time)
    i = 0
    horizon = s.horizon
    now = 0.0
    while s.int_slots[OVERFLOW] == 0 and s.int_slots[STATUS] == 0:
        if s.int_slots[EVENTS] > 0 and (i >= n_known or s.event_time[0] < known_time[i]):
            now, kind = s.event_time[0], s.event_kind[0]
            subject, arg = s.event_subject[0], s.event_arg[0]
            pop_event(s)
        elif i < n_known:
            now, kind = known_time[i], known_kind[i]
            subject, arg = known_subject[i], known_arg[i]
            i += 1
        else:
            break
        if now >= horizon:
            break
        s.float_slots[NOW] = now
        if kind == EV_DONE:
            done(s, subject)
        elif kind == EV_JOIN:
            enter_tier(s, subject, arg)
        elif kind == EV_ARRIVE:
            arrive(s, subject, arg)
        elif kind == EV_CHANGE_ARRIVE:
            enter_tier(s, subject, entry_tier(s, subject))
        elif kind == EV_BOUNCE:
            bounce(s, subject)
        elif kind == EV_ANSWER:
            answer(s, subject, arg)
        elif kind == EV_DEP_DONE:
            dep_done(s, subject, arg)
        elif kind == EV_DEP_REQ:
            dep_request(s, subject, arg, FIRST_ATTEMPT)
        elif kind == EV_APPROVED:
            dep_approved(s, subject)
        elif kind == EV_BOARD:
            board(s, subject)
        elif kind == EV_WINDOW:
            window(s, subject, arg != 0)
        elif kind == EV_CAL:
            flip(s, subject)
        elif kind == EV_MARK:
            s.int_slots[BACKLOG_AT_MARK] = s.int_slots[BACKLOG]
            for t in range(s.team_queue.shape[0]):
                s.team_queue_at_mark[t] = s.team_queue[t]
    overflowed = s.int_slots[OVERFLOW]
    s.float_slots[RUN_END] = max(s.float_slots[NOW], s.warmup) if overflowed else horizon


@njit(cache=True)
def play(pl, dr, st, known_time, known_kind, known_subject, known_arg):
    """Play a replication from the plan, draws and state tuples (the Python entry)."""
    s = make(pl, dr, st)
    run(view(s), known_time, known_kind, known_subject, known_arg)
    return s.n_inc  # a use after the loop: ``s`` stays alive while its view is used
