"""What the compiled loop counts (``tally`` in numba), and Python's float arithmetic.

Each function mirrors the ``tally`` (or ``week``, ``quantiles``) function of the same
name with the same floating-point operations in the same order; ``pydivmod`` and
``inv_cdf`` reproduce how CPython rounds ``divmod``/``//`` on floats and
``NormalDist.inv_cdf``, so both engines compute identical values.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from whorunsit.engine.kernel_state import (
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

jit = njit(cache=True)


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
def be_delay(pl, team, u):
    """``quantiles.quantile`` of a team's best-endeavours answer delay."""
    k = pl.be_kind[team]
    p0 = pl.be_par[team, 0]
    p1 = pl.be_par[team, 1]
    p2 = pl.be_par[team, 2]
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
    n = pl.be_emp_n[team]
    i = min(int(u * n), n - 1)
    return pl.be_emp[team, i]


@jit
def working_hours(pl, t):
    """``WeekPlan.working_hours``."""
    if t <= 0.0:
        return 0.0
    w, r = pydivmod(t, WEEK)
    i = np.searchsorted(pl.seg_start, r, side="right") - 1
    part = pl.seg_cum[i] + (r - pl.seg_start[i] if pl.seg_kind[i] == SEG_WORK else 0.0)
    return w * pl.per_week + part


# -- tally ---------------------------------------------------------------------------------
@jit
def queue_change(pl, st, team, delta):
    now = st.sf[NOW]
    last = st.q_last[team]
    if now > last:
        W = pl.W
        if now > W:
            st.q_area[team] += st.qlen[team] * (now - (last if last > W else W))
        st.q_last[team] = now
    st.qlen[team] += delta


@jit
def account(pl, st, team, a, b, paid, pooled, sign):
    W, H = pl.W, pl.H
    lo = a if a > W else W
    hi = b if b < H else H
    if hi > lo:
        if paid:
            st.labour[team] += sign * (hi - lo)
        if not pooled:
            return
        if pl.always:
            st.busy_work[team] += sign * (hi - lo)
        elif lo >= st.sf[SEG_START] and hi <= st.sf[SEG_END]:
            if st.si[SEG] == 0:
                st.busy_work[team] += sign * (hi - lo)
        else:
            st.busy_work[team] += sign * (working_hours(pl, hi) - working_hours(pl, lo))


@jit
def on_call_team(pl, st, r):
    n = pl.r_nteams[r]
    if n > 1:
        w, _ = pydivmod(st.sf[NOW], WEEK)
        return pl.r_teams[r, int(w) % n]
    return pl.r_teams[r, 0]


@jit
def callout(pl, st, team, r, hours, toil):
    st.toil_balance[team] += toil
    if st.sf[NOW] < pl.W:
        return
    st.callouts[team] += 1
    st.toil_hours[team] += toil
    if r >= 0 and pl.r_paid[r]:
        cost = pl.r_fee[r] + pl.r_hour[r] * hours
        st.callout_cost[team] += cost
        if pl.r_capex[r]:
            st.sf[C_CAPEX] += cost
        else:
            st.sf[C_OPEX] += cost
    else:
        st.unpaid[team] += hours


@jit
def engaged(pl, st, tid, end, work):
    team = st.p_team[tid]
    pool = st.p_pool[tid]
    attach = st.p_attach[tid]
    nT = len(pl.resp)
    if st.tk_measured[tid]:
        st.t_tickets[team] += 1
        n = st.si[NWAITS]
        if n >= len(st.waits):
            st.si[STATUS] = FULL_WAITS
            return
        st.waits[n] = attach - st.p_qenter[tid]
        st.waits_team[n] = team
        st.si[NWAITS] = n + 1
        if work >= 0.0:
            st.t_work_sum[team] += work
            st.t_work_n[team] += 1
    if 0 <= pool < nT:
        account(pl, st, team, attach, end, True, True, 1.0)
    elif pool < 0:
        account(pl, st, team, attach, end, False, False, 1.0)
        callout(pl, st, team, -1, end - attach, pl.be_toil[team])
    else:
        r = pool - nT
        person = on_call_team(pl, st, r)
        account(pl, st, person, attach, end, pl.r_paid[r], False, 1.0)
        callout(pl, st, person, r, end - attach, pl.r_toil[r])


@jit
def resolved(pl, st, tid, team):
    now = st.sf[NOW]
    a = st.tk_app[tid]
    ttr = now - st.tk_start[tid]
    down = ttr * pl.impact[st.tk_prio[tid]]
    if st.tk_measured[tid]:
        n = st.si[NTTR]
        st.ttr[n] = ttr
        st.ttr_prio[n] = st.tk_prio[tid]
        st.si[NTTR] = n + 1
        st.si[I_HANDOFFS] += st.tk_handoffs[tid]
        st.si[I_REASS] += st.tk_reass[tid]
        st.sf[I_QWAIT] += st.tk_qwait[tid]
        st.sf[I_HDELAY] += st.tk_hdelay[tid]
        if ttr > 0.0:
            st.sf[I_FLOW] += st.tk_worked[tid] / ttr
            st.si[I_FLOW_N] += 1
        st.t_resolved[team] += 1
        st.downtime[a] += down


@jit
def deployed(pl, st, requested, team):
    now = st.sf[NOW]
    if now >= pl.W:
        st.si[D_DONE] += 1
        st.t_deploys[team] += 1
    if requested >= pl.W:
        n = st.si[NLEAD]
        st.lead[n] = now - requested
        st.si[NLEAD] = n + 1


@jit
def working_capacity(pl, st, t, start, end):
    cap = pl.resp[t]
    balance = st.toil_balance[t]
    day = end - start
    if balance > 0.0 and day > 0.0 and not pl.always:
        whole, _ = pydivmod(balance, day)
        away = min(int(whole), max(0, pl.head[t] - max(1, st.busy[t])))
        if away > 0:
            st.toil_balance[t] = balance - away * day
            cap = max(0, min(cap, pl.head[t] - away))
    lost = pl.resp[t] - cap
    if lost > 0:
        overlap = min(end, pl.H) - max(start, pl.W)
        if overlap > 0:
            st.away[t] += lost * overlap
    return cap


