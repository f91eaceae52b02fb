"""Everything the compiled loop reads and writes, in one numba structure.

The scenario (``kernel_plan.KPlan``), one replication's random numbers
(``kernel_draws.Draws``) and its state (``kernel_state.State``) are put together in one
StructRef: the loop's functions then pass a single pointer to each other. (Passing the
three named tuples instead copied a hundred and fifty array descriptors on every call,
which made the compiled loop slower than the Python one.) The structure shares the
arrays of the tuples, so what the loop writes is read back from the ``State``.

``FIELDS`` lists every field with its numba type, and ``make`` copies them one by one:
a field added to one of the tuples must be added to both (``make`` fails loudly when a
type does not match).
"""

from __future__ import annotations

from numba import njit, types
from numba.experimental import structref


@structref.register
class KernelType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


def _a(dtype, ndim: int) -> types.Array:
    return types.Array(dtype, ndim, "C")


F, I, B = types.float64, types.int64, types.boolean  # noqa: E741
FIELDS = [
    # pl
    ("W", F), ("H", F), ("always", B), ("callout", _a(B, 1)), ("impact", _a(F, 1)),
    ("resp", _a(I, 1)), ("head", _a(I, 1)), ("be", _a(B, 1)), ("be_p", _a(F, 1)),
    ("be_toil", _a(F, 1)), ("be_kind", _a(I, 1)), ("be_par", _a(F, 2)),
    ("be_emp", _a(F, 2)), ("be_emp_n", _a(I, 1)), ("pols", _a(I, 2)), ("npols", _a(I, 1)),
    ("r_teams", _a(I, 2)), ("r_nteams", _a(I, 1)), ("r_oncall", _a(I, 1)),
    ("r_cov", _a(B, 2)), ("r_paid", _a(B, 1)), ("r_fee", _a(F, 1)), ("r_hour", _a(F, 1)),
    ("r_toil", _a(F, 1)), ("r_capex", _a(B, 1)), ("r_kf", _a(F, 1)), ("owner", _a(I, 1)),
    ("entry", _a(I, 1)), ("policy", _a(I, 1)), ("cfr", _a(F, 1)), ("cover", _a(I, 3)),
    ("t_last", _a(B, 2)), ("t_resolve", _a(F, 2)), ("t_misroute", _a(F, 2)),
    ("t_team", _a(I, 3)), ("t_kf", _a(F, 3)), ("t_mteam", _a(I, 2)),
    ("performer", _a(I, 1)), ("approval", _a(I, 1)), ("capacity", _a(I, 1)),
    ("haswin", _a(B, 1)), ("conc", _a(I, 1)), ("crew_size", _a(I, 1)),
    ("redeploy", _a(B, 1)), ("flip_t", _a(F, 1)), ("flip_k", _a(I, 1)),
    ("seg_start", _a(F, 1)), ("seg_kind", _a(I, 1)), ("seg_cum", _a(F, 1)), ("per_week", F),
    # dr
    ("inc_off", _a(I, 1)), ("inc_start", _a(F, 1)), ("inc_prio", _a(I, 1)),
    ("inc_alert", _a(B, 1)), ("dep_off", _a(I, 1)), ("dep_n", _a(I, 1)),
    ("dep_rows", _a(I, 1)), ("effort", _a(F, 1)), ("pipeline", _a(F, 1)),
    ("approval_delay", _a(F, 1)), ("fail", _a(F, 1)), ("dep_prio", _a(I, 1)),
    ("dep_alert", _a(B, 1)), ("dep_detect", _a(F, 1)), ("tier", _a(F, 3)), ("n_inc", I),
    # st
    ("sf", _a(F, 1)), ("si", _a(I, 1)), ("ev_t", _a(F, 1)), ("ev_s", _a(I, 1)),
    ("ev_k", _a(I, 1)), ("ev_x", _a(I, 1)), ("ev_y", _a(I, 1)), ("busy", _a(I, 1)),
    ("cap", _a(I, 1)), ("q_key", _a(I, 2)), ("q_tid", _a(I, 2)), ("q_len", _a(I, 1)),
    ("tk_app", _a(I, 1)), ("tk_prio", _a(I, 1)), ("tk_start", _a(F, 1)),
    ("tk_alert", _a(B, 1)), ("tk_row", _a(I, 1)), ("tk_tier", _a(I, 1)),
    ("tk_handoffs", _a(I, 1)), ("tk_reass", _a(I, 1)), ("tk_qwait", _a(F, 1)),
    ("tk_hdelay", _a(F, 1)), ("tk_worked", _a(F, 1)), ("tk_phase", _a(I, 1)),
    ("tk_teams", _a(I, 1)), ("tk_qstart", _a(F, 1)), ("tk_kf", _a(F, 1)),
    ("tk_measured", _a(B, 1)), ("tk_open", _a(B, 1)), ("p_team", _a(I, 1)),
    ("p_pool", _a(I, 1)), ("p_qenter", _a(F, 1)), ("p_attach", _a(F, 1)),
    ("p_token", _a(I, 1)), ("p_asked", _a(B, 1)), ("d_app", _a(I, 1)), ("d_row", _a(I, 1)),
    ("d_attempt", _a(I, 1)), ("d_policy", _a(I, 1)), ("d_req", _a(F, 1)),
    ("d_remain", _a(F, 1)), ("d_version", _a(I, 1)), ("d_pool", _a(I, 1)),
    ("d_end", _a(F, 1)), ("d_index", _a(I, 1)), ("ready", _a(I, 2)), ("ready_h", _a(I, 1)),
    ("ready_n", _a(I, 1)), ("waiting", _a(I, 2)), ("waiting_h", _a(I, 1)),
    ("waiting_n", _a(I, 1)), ("win_open", _a(B, 1)), ("active", _a(I, 1)),
    ("crew", _a(I, 1)), ("stack", _a(I, 2)), ("stack_n", _a(I, 1)),
    ("rework_used", _a(I, 1)), ("busy_work", _a(F, 1)), ("labour", _a(F, 1)),
    ("away", _a(F, 1)), ("toil_balance", _a(F, 1)), ("t_tickets", _a(I, 1)),
    ("t_work_sum", _a(F, 1)), ("t_work_n", _a(I, 1)), ("t_resolved", _a(I, 1)),
    ("t_deploys", _a(I, 1)), ("qlen", _a(I, 1)), ("q_last", _a(F, 1)), ("q_area", _a(F, 1)),
    ("callouts", _a(I, 1)), ("callout_cost", _a(F, 1)), ("unpaid", _a(F, 1)),
    ("toil_hours", _a(F, 1)), ("downtime", _a(F, 1)), ("ttr", _a(F, 1)),
    ("ttr_prio", _a(I, 1)), ("lead", _a(F, 1)), ("waits", _a(F, 1)),
    ("waits_team", _a(I, 1)),
]
KERNEL = KernelType(FIELDS)


@njit(cache=True)
def make(pl, dr, st):
    """The structure over the arrays of a plan, a replication's draws and its state."""
    s = structref.new(KERNEL)
    s.W = pl.W
    s.H = pl.H
    s.always = pl.always
    s.callout = pl.callout
    s.impact = pl.impact
    s.resp = pl.resp
    s.head = pl.head
    s.be = pl.be
    s.be_p = pl.be_p
    s.be_toil = pl.be_toil
    s.be_kind = pl.be_kind
    s.be_par = pl.be_par
    s.be_emp = pl.be_emp
    s.be_emp_n = pl.be_emp_n
    s.pols = pl.pols
    s.npols = pl.npols
    s.r_teams = pl.r_teams
    s.r_nteams = pl.r_nteams
    s.r_oncall = pl.r_oncall
    s.r_cov = pl.r_cov
    s.r_paid = pl.r_paid
    s.r_fee = pl.r_fee
    s.r_hour = pl.r_hour
    s.r_toil = pl.r_toil
    s.r_capex = pl.r_capex
    s.r_kf = pl.r_kf
    s.owner = pl.owner
    s.entry = pl.entry
    s.policy = pl.policy
    s.cfr = pl.cfr
    s.cover = pl.cover
    s.t_last = pl.t_last
    s.t_resolve = pl.t_resolve
    s.t_misroute = pl.t_misroute
    s.t_team = pl.t_team
    s.t_kf = pl.t_kf
    s.t_mteam = pl.t_mteam
    s.performer = pl.performer
    s.approval = pl.approval
    s.capacity = pl.capacity
    s.haswin = pl.haswin
    s.conc = pl.conc
    s.crew_size = pl.crew_size
    s.redeploy = pl.redeploy
    s.flip_t = pl.flip_t
    s.flip_k = pl.flip_k
    s.seg_start = pl.seg_start
    s.seg_kind = pl.seg_kind
    s.seg_cum = pl.seg_cum
    s.per_week = pl.per_week
    s.inc_off = dr.inc_off
    s.inc_start = dr.inc_start
    s.inc_prio = dr.inc_prio
    s.inc_alert = dr.inc_alert
    s.dep_off = dr.dep_off
    s.dep_n = dr.dep_n
    s.dep_rows = dr.dep_rows
    s.effort = dr.effort
    s.pipeline = dr.pipeline
    s.approval_delay = dr.approval_delay
    s.fail = dr.fail
    s.dep_prio = dr.dep_prio
    s.dep_alert = dr.dep_alert
    s.dep_detect = dr.dep_detect
    s.tier = dr.tier
    s.n_inc = dr.n_inc
    s.sf = st.sf
    s.si = st.si
    s.ev_t = st.ev_t
    s.ev_s = st.ev_s
    s.ev_k = st.ev_k
    s.ev_x = st.ev_x
    s.ev_y = st.ev_y
    s.busy = st.busy
    s.cap = st.cap
    s.q_key = st.q_key
    s.q_tid = st.q_tid
    s.q_len = st.q_len
    s.tk_app = st.tk_app
    s.tk_prio = st.tk_prio
    s.tk_start = st.tk_start
    s.tk_alert = st.tk_alert
    s.tk_row = st.tk_row
    s.tk_tier = st.tk_tier
    s.tk_handoffs = st.tk_handoffs
    s.tk_reass = st.tk_reass
    s.tk_qwait = st.tk_qwait
    s.tk_hdelay = st.tk_hdelay
    s.tk_worked = st.tk_worked
    s.tk_phase = st.tk_phase
    s.tk_teams = st.tk_teams
    s.tk_qstart = st.tk_qstart
    s.tk_kf = st.tk_kf
    s.tk_measured = st.tk_measured
    s.tk_open = st.tk_open
    s.p_team = st.p_team
    s.p_pool = st.p_pool
    s.p_qenter = st.p_qenter
    s.p_attach = st.p_attach
    s.p_token = st.p_token
    s.p_asked = st.p_asked
    s.d_app = st.d_app
    s.d_row = st.d_row
    s.d_attempt = st.d_attempt
    s.d_policy = st.d_policy
    s.d_req = st.d_req
    s.d_remain = st.d_remain
    s.d_version = st.d_version
    s.d_pool = st.d_pool
    s.d_end = st.d_end
    s.d_index = st.d_index
    s.ready = st.ready
    s.ready_h = st.ready_h
    s.ready_n = st.ready_n
    s.waiting = st.waiting
    s.waiting_h = st.waiting_h
    s.waiting_n = st.waiting_n
    s.win_open = st.win_open
    s.active = st.active
    s.crew = st.crew
    s.stack = st.stack
    s.stack_n = st.stack_n
    s.rework_used = st.rework_used
    s.busy_work = st.busy_work
    s.labour = st.labour
    s.away = st.away
    s.toil_balance = st.toil_balance
    s.t_tickets = st.t_tickets
    s.t_work_sum = st.t_work_sum
    s.t_work_n = st.t_work_n
    s.t_resolved = st.t_resolved
    s.t_deploys = st.t_deploys
    s.qlen = st.qlen
    s.q_last = st.q_last
    s.q_area = st.q_area
    s.callouts = st.callouts
    s.callout_cost = st.callout_cost
    s.unpaid = st.unpaid
    s.toil_hours = st.toil_hours
    s.downtime = st.downtime
    s.ttr = st.ttr
    s.ttr_prio = st.ttr_prio
    s.lead = st.lead
    s.waits = st.waits
    s.waits_team = st.waits_team

    return s
