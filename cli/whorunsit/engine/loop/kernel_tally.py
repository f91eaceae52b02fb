"""What the compiled loop counts (``tally`` in numba), and Python's float arithmetic.

Each function mirrors the ``tally`` (or ``week``, ``quantiles``) function of the same
name with the same floating-point operations in the same order; ``pydivmod`` and
``inv_cdf`` reproduce how CPython rounds ``divmod``/``//`` on floats and
``NormalDist.inv_cdf``, so both engines compute identical values.
"""

from __future__ import annotations

import math

import numpy as np

from whorunsit.engine.compiled import hot, jit  # first: numba's cache and WHORUNSIT_JIT
from whorunsit.engine.loop.kernel_state import (
    C_CAPEX,
    C_OPEX,
    D_DONE,
    FULL_WAITS,
    I_FLOW,
    I_FLOW_N,
    I_HANDOFFS,
    I_HDELAY,
    I_QWAIT,
    I_REASS,
    NLEAD,
    NOW,
    NTTR,
    NWAITS,
    SEG,
    SEG_END,
    SEG_START,
    STATUS,
)

SEG_WORK = 0
WEEK = 168.0



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
    k = s.be_kind[team]
    p0 = s.be_par[team, 0]
    p1 = s.be_par[team, 1]
    p2 = s.be_par[team, 2]
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
    n = s.be_emp_n[team]
    i = min(int(u * n), n - 1)
    return s.be_emp[team, i]


@jit
def working_hours(s, t):
    """``WeekPlan.working_hours``."""
    if t <= 0.0:
        return 0.0
    w, r = pydivmod(t, WEEK)
    i = np.searchsorted(s.seg_start, r, side="right") - 1
    part = s.seg_cum[i] + (r - s.seg_start[i] if s.seg_kind[i] == SEG_WORK else 0.0)
    return w * s.per_week + part


# -- tally ---------------------------------------------------------------------------------
@hot
def queue_change(s, team, delta):
    now = s.sf[NOW]
    last = s.q_last[team]
    if now > last:
        W = s.W
        if now > W:
            s.q_area[team] += s.qlen[team] * (now - (last if last > W else W))
        s.q_last[team] = now
    s.qlen[team] += delta


@hot
def account(s, team, a, b, paid, pooled, sign):
    if s.track[team]:
        day, _ = pydivmod(a, 24.0)
        s.load[team, int(day)] += sign * (b - a)
    W, H = s.W, s.H
    lo = a if a > W else W
    hi = b if b < H else H
    if hi > lo:
        if paid:
            s.labour[team] += sign * (hi - lo)
        if not pooled:
            return
        if s.always:
            s.busy_work[team] += sign * (hi - lo)
        elif lo >= s.sf[SEG_START] and hi <= s.sf[SEG_END]:
            if s.si[SEG] == 0:
                s.busy_work[team] += sign * (hi - lo)
        else:
            s.busy_work[team] += sign * (working_hours(s, hi) - working_hours(s, lo))


@hot
def on_call_team(s, r):
    n = s.r_nteams[r]
    if n > 1:
        w, _ = pydivmod(s.sf[NOW], WEEK)
        return s.r_teams[r, int(w) % n]
    return s.r_teams[r, 0]


@jit
def callout(s, team, r, hours, toil):
    s.toil_balance[team] += toil
    if s.sf[NOW] < s.W:
        return
    s.callouts[team] += 1
    s.toil_hours[team] += toil
    if r >= 0 and s.r_paid[r]:
        cost = s.r_fee[r] + s.r_hour[r] * hours
        s.callout_cost[team] += cost
        if s.r_capex[r]:
            s.sf[C_CAPEX] += cost
        else:
            s.sf[C_OPEX] += cost
    else:
        s.unpaid[team] += hours


@hot
def engaged(s, tid, part, end, work):
    team = s.p_team[part]
    pool = s.p_pool[part]
    attach = s.p_attach[part]
    nT = len(s.resp)
    if s.tk_measured[tid]:
        s.t_tickets[team] += 1
        n = s.si[NWAITS]
        if n >= len(s.waits):
            s.si[STATUS] = FULL_WAITS
            return
        s.waits[n] = attach - s.p_qenter[part]
        s.waits_team[n] = team
        s.si[NWAITS] = n + 1
        if work >= 0.0:
            s.t_work_sum[team] += work
            s.t_work_n[team] += 1
    if 0 <= pool < nT:
        account(s, team, attach, end, True, True, 1.0)
    elif pool < 0:
        account(s, team, attach, end, False, False, 1.0)
        callout(s, team, -1, end - attach, s.be_toil[team])
    else:
        r = pool - nT
        person = on_call_team(s, r)
        account(s, person, attach, end, s.r_paid[r], False, 1.0)
        callout(s, person, r, end - attach, s.r_toil[r])


@jit
def trailing_load(s, team):
    """Busy share of a team over the last seven days (the reference's ``running.trailing_load``)."""
    day, _ = pydivmod(s.sf[NOW], 24.0)
    d = int(day)
    busy = 0.0
    for k in range(d - 6, d + 1):
        if k >= 0:
            busy += s.load[team, k]
    capacity = s.resp[team] * s.per_week
    return busy / capacity if capacity > 0 else math.inf


@jit
def resolved(s, tid, team):
    now = s.sf[NOW]
    ttr = now - s.tk_start[tid]
    s.tk_end[tid] = now
    a = s.tk_app[tid]
    if s.sre_team[a] >= 0:
        period, _ = pydivmod(now, s.sre_period[a])
        s.spent[a, int(period)] += ttr * s.impact[s.tk_prio[tid]]
    if s.tk_measured[tid]:
        n = s.si[NTTR]
        s.ttr[n] = ttr
        s.ttr_prio[n] = s.tk_prio[tid]
        s.si[NTTR] = n + 1
        s.si[I_HANDOFFS] += s.tk_handoffs[tid]
        s.si[I_REASS] += s.tk_reass[tid]
        s.sf[I_QWAIT] += s.tk_qwait[tid]
        s.sf[I_HDELAY] += s.tk_hdelay[tid]
        if ttr > 0.0:
            s.sf[I_FLOW] += s.tk_worked[tid] / ttr
            s.si[I_FLOW_N] += 1
        s.t_resolved[team] += 1


@jit
def deployed(s, requested, team):
    now = s.sf[NOW]
    if now >= s.W:
        s.si[D_DONE] += 1
        s.t_deploys[team] += 1
    if requested >= s.W:
        n = s.si[NLEAD]
        s.lead[n] = now - requested
        s.si[NLEAD] = n + 1


@jit
def working_capacity(s, t, start, end):
    cap = s.resp[t]
    balance = s.toil_balance[t]
    day = end - start
    if balance > 0.0 and day > 0.0 and not s.always:
        whole, _ = pydivmod(balance, day)
        away = min(int(whole), max(0, s.head[t] - max(1, s.busy[t])))
        if away > 0:
            s.toil_balance[t] = balance - away * day
            cap = max(0, min(cap, s.head[t] - away))
    lost = s.resp[t] - cap
    if lost > 0:
        overlap = min(end, s.H) - max(start, s.W)
        if overlap > 0:
            s.away[t] += lost * overlap
    return cap


