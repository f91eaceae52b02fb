"""What the compiled loop counts as it plays, and Python's float arithmetic.

The sums here (busy hours, callouts, waits, times to restore, lead times) are what
``metrics.tally.finish`` turns into a replication's metrics. ``pydivmod`` and ``inv_cdf``
reproduce how CPython rounds ``divmod``/``//`` on floats and ``NormalDist.inv_cdf``, so
the loop computes the same values compiled and as plain Python.
"""

from __future__ import annotations

import math

import numpy as np

from whorunsit.engine.compiled import jit  # first: numba's cache and WHORUNSIT_JIT
from whorunsit.engine.loop.kernel_state import (
    CALLOUT_CAPEX,
    CALLOUT_OPEX,
    DEPLOYS_DONE,
    FULL_WAITS,
    INCIDENT_FLOW,
    INCIDENT_FLOW_COUNT,
    INCIDENT_HANDOFF_DELAY,
    INCIDENT_HANDOFFS,
    INCIDENT_QUEUE_WAIT,
    INCIDENT_REASSIGNMENTS,
    LEAD_COUNT,
    NOW,
    SEGMENT_END,
    SEGMENT_KIND,
    SEGMENT_START,
    STATUS,
    TTR_COUNT,
    WAITS_COUNT,
)

SEG_WORK = 0
WEEK = 168.0
# Arguments passed as constants are typed numpy scalars: numba compiles a function once
# per distinct argument type, and a Python literal (True, -1, 1) is a type of its own.
PAID, UNPAID = np.bool_(True), np.bool_(False)          # ``account``: paid hours
POOLED, OFF_POOL = np.bool_(True), np.bool_(False)      # a team's working-hours pool
ADD, REMOVE = 1.0, -1.0                                 # floats are never literal types
NO_ROTA = np.int64(-1)                                  # ``callout`` on best endeavours
JOINED, LEFT = np.int64(1), np.int64(-1)                # ``queue_change``



# -- Python's float arithmetic -------------------------------------------------------------
@jit
def pydivmod(x, y):
    """Python's ``divmod`` for floats: numba's rounds as CPython's does (fmod-based)."""
    return divmod(x, y)


@jit
def inv_cdf(p):
    """``statistics.NormalDist().inv_cdf``: Wichura's AS241, as CPython computes it."""
    q = p - 0.5
    if math.fabs(q) <= 0.425:
        r = 0.180625 - q * q
        num = (((((((2.5090809287301226727e+3 * r +
                     3.3430575583588128105e+4) * r +
                     6.7265770927008700853e+4) * r +
                     4.5921953931549871457e+4) * r +
                     1.3731693765509461125e+4) * r +
                     1.9715909503065514427e+3) * r +
                     1.3314166789178437745e+2) * r +
                     3.3871328727963666080e+0) * q
        den = (((((((5.2264952788528545610e+3 * r +
                     2.8729085735721942674e+4) * r +
                     3.9307895800092710610e+4) * r +
                     2.1213794301586595867e+4) * r +
                     5.3941960214247511077e+3) * r +
                     6.8718700749205790830e+2) * r +
                     4.2313330701600911252e+1) * r +
                     1.0)
        return 0.0 + (num / den) * 1.0
    r = p if q <= 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        r = r - 1.6
        num = (((((((7.74545014278341407640e-4 * r +
                     2.27238449892691845833e-2) * r +
                     2.41780725177450611770e-1) * r +
                     1.27045825245236838258e+0) * r +
                     3.64784832476320460504e+0) * r +
                     5.76949722146069140550e+0) * r +
                     4.63033784615654529590e+0) * r +
                     1.42343711074968357734e+0)
        den = (((((((1.05075007164441684324e-9 * r +
                     5.47593808499534494600e-4) * r +
                     1.51986665636164571966e-2) * r +
                     1.48103976427480074590e-1) * r +
                     6.89767334985100004550e-1) * r +
                     1.67638483018380384940e+0) * r +
                     2.05319162663775882187e+0) * r +
                     1.0)
    else:
        r = r - 5.0
        num = (((((((2.01033439929228813265e-7 * r +
                     2.71155556874348757815e-5) * r +
                     1.24266094738807843860e-3) * r +
                     2.65321895265761230930e-2) * r +
                     2.96560571828504891230e-1) * r +
                     1.78482653991729133580e+0) * r +
                     5.46378491116411436990e+0) * r +
                     6.65790464350110377720e+0)
        den = (((((((2.04426310338993978564e-15 * r +
                     1.42151175831644588870e-7) * r +
                     1.84631831751005468180e-5) * r +
                     7.86869131145613259100e-4) * r +
                     1.48753612908506148525e-2) * r +
                     1.36929880922735805310e-1) * r +
                     5.99832206555887937690e-1) * r +
                     1.0)
    x = num / den
    if q < 0.0:
        x = -x
    return 0.0 + x * 1.0


@jit
def be_delay(s, team, u):
    """``quantiles.quantile`` of a team's best-endeavours answer delay."""
    k = s.be_delay_kind[team]
    p0 = s.be_delay_params[team, 0]
    p1 = s.be_delay_params[team, 1]
    p2 = s.be_delay_params[team, 2]
    if k == 0:
        return p0
    if k == 1:
        return -p0 * math.log1p(-u)
    if k == 2:
        if u <= 0.0:
            return 0.0
        return math.exp(p0 + p1 * inv_cdf(u))
    if k == 3:
        return p0 + u * (p1 - p0)
    if k == 4:
        if u < (p1 - p0) / (p2 - p0):
            return p0 + math.sqrt(u * (p2 - p0) * (p1 - p0))
        return p2 - math.sqrt((1.0 - u) * (p2 - p0) * (p2 - p1))
    n = s.be_delay_count[team]
    i = min(int(u * n), n - 1)
    return s.be_delay_values[team, i]


@jit
def working_hours(s, t):
    """``WeekPlan.working_hours``."""
    if t <= 0.0:
        return 0.0
    w, r = pydivmod(t, WEEK)
    i = np.searchsorted(s.segment_start, r, side="right") - 1
    inside = r - s.segment_start[i] if s.segment_kind[i] == SEG_WORK else 0.0
    part = s.segment_hours_before[i] + inside
    return w * s.working_per_week + part


# -- tally ---------------------------------------------------------------------------------
@jit
def queue_change(s, team, delta):
    now = s.float_slots[NOW]
    last = s.team_queue_since[team]
    if now > last:
        warmup = s.warmup
        if now > warmup:
            since = last if last > warmup else warmup
            s.team_queue_area[team] += s.team_queue[team] * (now - since)
        s.team_queue_since[team] = now
    s.team_queue[team] += delta


@jit
def account(s, team, a, b, paid, pooled, sign):
    if s.track_load[team]:
        day, _ = pydivmod(a, 24.0)
        s.team_day_load[team, int(day)] += sign * (b - a)
    warmup, horizon = s.warmup, s.horizon
    lo = a if a > warmup else warmup
    hi = b if b < horizon else horizon
    if hi > lo:
        if paid:
            s.labour[team] += sign * (hi - lo)
        if not pooled:
            return
        if s.always_working:
            s.busy_work[team] += sign * (hi - lo)
        elif lo >= s.float_slots[SEGMENT_START] and hi <= s.float_slots[SEGMENT_END]:
            if s.int_slots[SEGMENT_KIND] == 0:
                s.busy_work[team] += sign * (hi - lo)
        else:
            s.busy_work[team] += sign * (working_hours(s, hi) - working_hours(s, lo))


@jit
def on_call_team(s, r):
    n = s.rota_team_count[r]
    if n > 1:
        w, _ = pydivmod(s.float_slots[NOW], WEEK)
        return s.rota_teams[r, int(w) % n]
    return s.rota_teams[r, 0]


@jit
def callout(s, team, r, hours, toil):
    s.toil_balance[team] += toil
    if s.float_slots[NOW] < s.warmup:
        return
    s.callouts[team] += 1
    s.toil_hours[team] += toil
    if r >= 0 and s.rota_paid[r]:
        cost = s.rota_callout_fee[r] + s.rota_callout_hourly[r] * hours
        s.callout_cost[team] += cost
        if s.rota_capex[r]:
            s.float_slots[CALLOUT_CAPEX] += cost
        else:
            s.float_slots[CALLOUT_OPEX] += cost
    else:
        s.unpaid[team] += hours


@jit
def engaged(s, ticket, part, end, work):
    team = s.part_team[part]
    pool = s.part_pool[part]
    attach = s.part_attached[part]
    n_teams = len(s.responders)
    if s.ticket_measured[ticket]:
        s.team_tickets[team] += 1
        n = s.int_slots[WAITS_COUNT]
        if n >= len(s.waits):
            s.int_slots[STATUS] = FULL_WAITS
            return
        s.waits[n] = attach - s.part_queued[part]
        s.waits_team[n] = team
        s.int_slots[WAITS_COUNT] = n + 1
        if work >= 0.0:
            s.team_work_sum[team] += work
            s.team_work_count[team] += 1
    if 0 <= pool < n_teams:
        account(s, team, attach, end, PAID, POOLED, ADD)
    elif pool < 0:
        account(s, team, attach, end, UNPAID, OFF_POOL, ADD)
        callout(s, team, NO_ROTA, end - attach, s.be_toil[team])
    else:
        r = pool - n_teams
        person = on_call_team(s, r)
        account(s, person, attach, end, s.rota_paid[r], OFF_POOL, ADD)
        callout(s, person, r, end - attach, s.rota_toil[r])


@jit
def trailing_load(s, team):
    """Busy share of a team over the last seven days (the error-budget policy's ops cap)."""
    day, _ = pydivmod(s.float_slots[NOW], 24.0)
    d = int(day)
    busy = 0.0
    for k in range(d - 6, d + 1):
        if k >= 0:
            busy += s.team_day_load[team, k]
    capacity = s.responders[team] * s.working_per_week
    return busy / capacity if capacity > 0 else math.inf


@jit
def resolved(s, ticket, team):
    now = s.float_slots[NOW]
    ttr = now - s.ticket_opened[ticket]
    s.ticket_resolved[ticket] = now
    a = s.ticket_app[ticket]
    if s.sre_team[a] >= 0:
        period, _ = pydivmod(now, s.sre_period[a])
        s.budget_spent[a, int(period)] += ttr * s.prio_impact[s.ticket_prio[ticket]]
    if s.ticket_measured[ticket]:
        n = s.int_slots[TTR_COUNT]
        s.ttr[n] = ttr
        s.ttr_prio[n] = s.ticket_prio[ticket]
        s.int_slots[TTR_COUNT] = n + 1
        s.int_slots[INCIDENT_HANDOFFS] += s.ticket_handoffs[ticket]
        s.int_slots[INCIDENT_REASSIGNMENTS] += s.ticket_reassignments[ticket]
        s.float_slots[INCIDENT_QUEUE_WAIT] += s.ticket_queue_wait[ticket]
        s.float_slots[INCIDENT_HANDOFF_DELAY] += s.ticket_handoff_delay[ticket]
        if ttr > 0.0:
            s.float_slots[INCIDENT_FLOW] += s.ticket_worked[ticket] / ttr
            s.int_slots[INCIDENT_FLOW_COUNT] += 1
        s.team_resolved[team] += 1


@jit
def deployed(s, requested, team):
    now = s.float_slots[NOW]
    if now >= s.warmup:
        s.int_slots[DEPLOYS_DONE] += 1
        s.team_deploys[team] += 1
    if requested >= s.warmup:
        n = s.int_slots[LEAD_COUNT]
        s.lead[n] = now - requested
        s.int_slots[LEAD_COUNT] = n + 1


@jit
def working_capacity(s, t, start, end):
    cap = s.responders[t]
    balance = s.toil_balance[t]
    day = end - start
    if balance > 0.0 and day > 0.0 and not s.always_working:
        whole, _ = pydivmod(balance, day)
        away = min(int(whole), max(0, s.headcount[t] - max(1, s.pool_busy[t])))
        if away > 0:
            s.toil_balance[t] = balance - away * day
            cap = max(0, min(cap, s.headcount[t] - away))
    lost = s.responders[t] - cap
    if lost > 0:
        overlap = min(end, s.horizon) - max(start, s.warmup)
        if overlap > 0:
            s.away[t] += lost * overlap
    return cap


