"""Everything the compiled loop reads and writes, in one numba structure.

The scenario (``kernel_plan.KPlan``), one replication's random numbers
(``kernel_draws.Draws``) and its state (``kernel_state.State``) are put together in one
StructRef: the loop's functions then pass a single pointer to each other. (Passing the
three named tuples instead copied a hundred and fifty array descriptors on every call,
which made the compiled loop slower than the Python one.) The structure shares the
arrays of the tuples, so what the loop writes is read back from the ``State``.

It holds them *borrowed* (``borrowed``: no reference count): numba increments and
decrements an array's reference count, atomically, each time a field is read, and
that was a quarter of the loop's time. So the structure must not outlive the tuples
it was made from: ``kernel_loop.play`` makes it, plays and drops it while its
arguments hold the arrays.

The loop itself is handed a ``View`` of the structure (``view``): a plain pointer to
its fields, which numba does not reference-count. Passed as the StructRef, every call
and every inlined helper incremented and decremented the structure's own count
(atomically); perf put those two instructions at a third of the loop's time. ``play``
keeps the StructRef alive until the loop returns.

``FIELDS`` lists every field with its numba type, and ``make`` copies them one by one:
a field added to one of the tuples must be added to both (``make`` fails loudly when a
type does not match).
"""

from __future__ import annotations

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils, imputils
from numba.core.typing.templates import AttributeTemplate
from numba.experimental import structref
from numba.extending import (
    infer_getattr,
    intrinsic,
    lower_getattr_generic,
    models,
    register_model,
)

from whorunsit.engine.compiled import JIT, plain  # first: numba's cache and WHORUNSIT_JIT


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
    ("t_team", _a(I, 3)), ("t_swarm", _a(I, 4)), ("t_nswarm", _a(I, 3)), ("t_kf", _a(F, 3)), ("t_mteam", _a(I, 2)),
    ("performer", _a(I, 1)), ("approval", _a(I, 1)), ("capacity", _a(I, 1)),
    ("haswin", _a(B, 1)), ("conc", _a(I, 1)), ("crew_size", _a(I, 1)),
    ("redeploy", _a(B, 1)), ("flip_t", _a(F, 1)), ("flip_k", _a(I, 1)),
    ("seg_start", _a(F, 1)), ("seg_kind", _a(I, 1)), ("seg_cum", _a(F, 1)), ("per_week", F),
    ("sre_team", _a(I, 1)), ("sre_cap", _a(F, 1)), ("sre_period", _a(F, 1)),
    ("sre_budget", _a(F, 1)), ("track", _a(B, 1)), ("max_parts", I),
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
    ("tk_measured", _a(B, 1)), ("tk_open", _a(B, 1)), ("tk_end", _a(F, 1)), ("tk_nparts", _a(I, 1)), ("tk_pending", _a(I, 1)),
    ("tk_swarm", _a(B, 1)), ("p_team", _a(I, 1)),
    ("p_pool", _a(I, 1)), ("p_qenter", _a(F, 1)), ("p_attach", _a(F, 1)),
    ("p_token", _a(I, 1)), ("p_asked", _a(B, 1)), ("re_key", _a(I, 1)), ("re_tid", _a(I, 1)), ("fills", _a(I, 1)), ("d_app", _a(I, 1)), ("d_row", _a(I, 1)),
    ("d_attempt", _a(I, 1)), ("d_policy", _a(I, 1)), ("d_req", _a(F, 1)),
    ("d_remain", _a(F, 1)), ("d_version", _a(I, 1)), ("d_pool", _a(I, 1)),
    ("d_end", _a(F, 1)), ("d_index", _a(I, 1)), ("ready", _a(I, 2)), ("ready_h", _a(I, 1)),
    ("ready_n", _a(I, 1)), ("waiting", _a(I, 2)), ("waiting_h", _a(I, 1)),
    ("waiting_n", _a(I, 1)), ("win_open", _a(B, 1)), ("active", _a(I, 1)),
    ("crew", _a(I, 1)), ("stack", _a(I, 2)), ("stack_n", _a(I, 1)),
    ("rework_used", _a(I, 1)), ("busy_work", _a(F, 1)), ("labour", _a(F, 1)),
    ("away", _a(F, 1)), ("toil_balance", _a(F, 1)), ("t_tickets", _a(I, 1)),
    ("t_work_sum", _a(F, 1)), ("t_work_n", _a(I, 1)), ("t_resolved", _a(I, 1)),
    ("t_deploys", _a(I, 1)), ("qlen", _a(I, 1)), ("q_mark", _a(I, 1)), ("q_last", _a(F, 1)), ("q_area", _a(F, 1)),
    ("callouts", _a(I, 1)), ("callout_cost", _a(F, 1)), ("unpaid", _a(F, 1)),
    ("toil_hours", _a(F, 1)), ("ttr", _a(F, 1)),
    ("ttr_prio", _a(I, 1)), ("lead", _a(F, 1)), ("waits", _a(F, 1)),
    ("waits_team", _a(I, 1)), ("load", _a(F, 2)), ("spent", _a(F, 2)), ("freed", _a(I, 1)),
]
KERNEL = KernelType(FIELDS)


class View(types.Type):
    """The fields of a ``KernelType`` structure by plain pointer (read-only)."""

    def __init__(self, struct: KernelType):
        self.struct = struct
        super().__init__(name=f"View({struct.name})")


@register_model(View)
class _ViewModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        payload = dmm.lookup(fe_type.struct.get_data_type()).get_value_type()
        super().__init__(dmm, fe_type, payload.as_pointer())


@infer_getattr
class _ViewAttributes(AttributeTemplate):
    key = View

    def generic_resolve(self, typ, attr):
        return typ.struct.field_dict.get(attr)


@lower_getattr_generic(View)
def _view_getattr(context, builder, typ, val, attr):
    payload = cgutils.create_struct_proxy(typ.struct.get_data_type())(
        context, builder, ref=val)
    return imputils.impl_ret_borrowed(context, builder, typ.struct.field_dict[attr],
                                      getattr(payload, attr))


def _same(x):
    return x


@plain(_same)
@intrinsic
def view(typingctx, s):
    """A ``View`` of structure ``s``: valid while ``s`` is alive."""
    def codegen(context, builder, sig, args):
        return structref._Utils(context, builder, sig.args[0]).get_data_pointer(args[0])
    return View(s)(s), codegen


@plain(_same)
@intrinsic
def borrowed(typingctx, arr):
    """The same array without its reference count (a null meminfo): reading it from the
    structure then costs no atomic increment and decrement. The caller keeps the owner
    alive (``play``'s arguments outlive the structure)."""
    def codegen(context, builder, sig, args):
        src = context.make_array(sig.args[0])(context, builder, args[0])
        out = context.make_array(sig.return_type)(context, builder)
        for name in ("nitems", "itemsize", "data", "shape", "strides"):
            setattr(out, name, getattr(src, name))
        out.meminfo = cgutils.get_null_value(out.meminfo.type)
        out.parent = cgutils.get_null_value(out.parent.type)
        return out._getvalue()
    return arr(arr), codegen


@njit(cache=True)
def make(pl, dr, st):
    """The structure over the arrays of a plan, a replication's draws and its state."""
    s = structref.new(KERNEL)
    s.W = pl.W
    s.H = pl.H
    s.always = pl.always
    s.callout = borrowed(pl.callout)
    s.impact = borrowed(pl.impact)
    s.resp = borrowed(pl.resp)
    s.head = borrowed(pl.head)
    s.be = borrowed(pl.be)
    s.be_p = borrowed(pl.be_p)
    s.be_toil = borrowed(pl.be_toil)
    s.be_kind = borrowed(pl.be_kind)
    s.be_par = borrowed(pl.be_par)
    s.be_emp = borrowed(pl.be_emp)
    s.be_emp_n = borrowed(pl.be_emp_n)
    s.pols = borrowed(pl.pols)
    s.npols = borrowed(pl.npols)
    s.r_teams = borrowed(pl.r_teams)
    s.r_nteams = borrowed(pl.r_nteams)
    s.r_oncall = borrowed(pl.r_oncall)
    s.r_cov = borrowed(pl.r_cov)
    s.r_paid = borrowed(pl.r_paid)
    s.r_fee = borrowed(pl.r_fee)
    s.r_hour = borrowed(pl.r_hour)
    s.r_toil = borrowed(pl.r_toil)
    s.r_capex = borrowed(pl.r_capex)
    s.r_kf = borrowed(pl.r_kf)
    s.owner = borrowed(pl.owner)
    s.entry = borrowed(pl.entry)
    s.policy = borrowed(pl.policy)
    s.cfr = borrowed(pl.cfr)
    s.cover = borrowed(pl.cover)
    s.t_last = borrowed(pl.t_last)
    s.t_resolve = borrowed(pl.t_resolve)
    s.t_misroute = borrowed(pl.t_misroute)
    s.t_team = borrowed(pl.t_team)
    s.t_swarm = borrowed(pl.t_swarm)
    s.t_nswarm = borrowed(pl.t_nswarm)
    s.t_kf = borrowed(pl.t_kf)
    s.t_mteam = borrowed(pl.t_mteam)
    s.performer = borrowed(pl.performer)
    s.approval = borrowed(pl.approval)
    s.capacity = borrowed(pl.capacity)
    s.haswin = borrowed(pl.haswin)
    s.conc = borrowed(pl.conc)
    s.crew_size = borrowed(pl.crew_size)
    s.redeploy = borrowed(pl.redeploy)
    s.flip_t = borrowed(pl.flip_t)
    s.flip_k = borrowed(pl.flip_k)
    s.seg_start = borrowed(pl.seg_start)
    s.seg_kind = borrowed(pl.seg_kind)
    s.seg_cum = borrowed(pl.seg_cum)
    s.sre_team = borrowed(pl.sre_team)
    s.sre_cap = borrowed(pl.sre_cap)
    s.sre_period = borrowed(pl.sre_period)
    s.sre_budget = borrowed(pl.sre_budget)
    s.track = borrowed(pl.track)
    s.max_parts = pl.max_parts
    s.per_week = pl.per_week
    s.inc_off = borrowed(dr.inc_off)
    s.inc_start = borrowed(dr.inc_start)
    s.inc_prio = borrowed(dr.inc_prio)
    s.inc_alert = borrowed(dr.inc_alert)
    s.dep_off = borrowed(dr.dep_off)
    s.dep_n = borrowed(dr.dep_n)
    s.dep_rows = borrowed(dr.dep_rows)
    s.effort = borrowed(dr.effort)
    s.pipeline = borrowed(dr.pipeline)
    s.approval_delay = borrowed(dr.approval_delay)
    s.fail = borrowed(dr.fail)
    s.dep_prio = borrowed(dr.dep_prio)
    s.dep_alert = borrowed(dr.dep_alert)
    s.dep_detect = borrowed(dr.dep_detect)
    s.tier = borrowed(dr.tier)
    s.n_inc = dr.n_inc
    s.sf = borrowed(st.sf)
    s.si = borrowed(st.si)
    s.ev_t = borrowed(st.ev_t)
    s.ev_s = borrowed(st.ev_s)
    s.ev_k = borrowed(st.ev_k)
    s.ev_x = borrowed(st.ev_x)
    s.ev_y = borrowed(st.ev_y)
    s.busy = borrowed(st.busy)
    s.cap = borrowed(st.cap)
    s.q_key = borrowed(st.q_key)
    s.q_tid = borrowed(st.q_tid)
    s.q_len = borrowed(st.q_len)
    s.tk_app = borrowed(st.tk_app)
    s.tk_prio = borrowed(st.tk_prio)
    s.tk_start = borrowed(st.tk_start)
    s.tk_end = borrowed(st.tk_end)
    s.tk_nparts = borrowed(st.tk_nparts)
    s.tk_pending = borrowed(st.tk_pending)
    s.tk_swarm = borrowed(st.tk_swarm)
    s.tk_alert = borrowed(st.tk_alert)
    s.tk_row = borrowed(st.tk_row)
    s.tk_tier = borrowed(st.tk_tier)
    s.tk_handoffs = borrowed(st.tk_handoffs)
    s.tk_reass = borrowed(st.tk_reass)
    s.tk_qwait = borrowed(st.tk_qwait)
    s.tk_hdelay = borrowed(st.tk_hdelay)
    s.tk_worked = borrowed(st.tk_worked)
    s.tk_phase = borrowed(st.tk_phase)
    s.tk_teams = borrowed(st.tk_teams)
    s.tk_qstart = borrowed(st.tk_qstart)
    s.tk_kf = borrowed(st.tk_kf)
    s.tk_measured = borrowed(st.tk_measured)
    s.tk_open = borrowed(st.tk_open)
    s.p_team = borrowed(st.p_team)
    s.p_pool = borrowed(st.p_pool)
    s.p_qenter = borrowed(st.p_qenter)
    s.p_attach = borrowed(st.p_attach)
    s.p_token = borrowed(st.p_token)
    s.p_asked = borrowed(st.p_asked)
    s.re_key = borrowed(st.re_key)
    s.re_tid = borrowed(st.re_tid)
    s.fills = borrowed(st.fills)
    s.d_app = borrowed(st.d_app)
    s.d_row = borrowed(st.d_row)
    s.d_attempt = borrowed(st.d_attempt)
    s.d_policy = borrowed(st.d_policy)
    s.d_req = borrowed(st.d_req)
    s.d_remain = borrowed(st.d_remain)
    s.d_version = borrowed(st.d_version)
    s.d_pool = borrowed(st.d_pool)
    s.d_end = borrowed(st.d_end)
    s.d_index = borrowed(st.d_index)
    s.ready = borrowed(st.ready)
    s.ready_h = borrowed(st.ready_h)
    s.ready_n = borrowed(st.ready_n)
    s.waiting = borrowed(st.waiting)
    s.waiting_h = borrowed(st.waiting_h)
    s.waiting_n = borrowed(st.waiting_n)
    s.win_open = borrowed(st.win_open)
    s.active = borrowed(st.active)
    s.crew = borrowed(st.crew)
    s.stack = borrowed(st.stack)
    s.stack_n = borrowed(st.stack_n)
    s.rework_used = borrowed(st.rework_used)
    s.busy_work = borrowed(st.busy_work)
    s.labour = borrowed(st.labour)
    s.away = borrowed(st.away)
    s.toil_balance = borrowed(st.toil_balance)
    s.t_tickets = borrowed(st.t_tickets)
    s.t_work_sum = borrowed(st.t_work_sum)
    s.t_work_n = borrowed(st.t_work_n)
    s.t_resolved = borrowed(st.t_resolved)
    s.t_deploys = borrowed(st.t_deploys)
    s.qlen = borrowed(st.qlen)
    s.q_mark = borrowed(st.q_mark)
    s.q_last = borrowed(st.q_last)
    s.q_area = borrowed(st.q_area)
    s.callouts = borrowed(st.callouts)
    s.callout_cost = borrowed(st.callout_cost)
    s.unpaid = borrowed(st.unpaid)
    s.toil_hours = borrowed(st.toil_hours)
    s.ttr = borrowed(st.ttr)
    s.ttr_prio = borrowed(st.ttr_prio)
    s.lead = borrowed(st.lead)
    s.waits = borrowed(st.waits)
    s.waits_team = borrowed(st.waits_team)
    s.load = borrowed(st.load)
    s.spent = borrowed(st.spent)
    s.freed = borrowed(st.freed)

    return s


def _plain_make(pl, dr, st):
    """``make`` as plain Python (WHORUNSIT_JIT=0): an object with the same fields."""
    from types import SimpleNamespace

    s = SimpleNamespace()
    for name, _ in FIELDS:
        for source in (pl, dr, st):
            if name in source._fields:
                setattr(s, name, getattr(source, name))
                break
        else:
            raise AttributeError(f"no {name!r} in the plan, draws or state")
    return s


if not JIT:
    make = _plain_make  # noqa: F811  (numba's structref has no plain-Python form)


def _no_prefetch(arr, row, offset):
    return None


@plain(_no_prefetch)
@intrinsic
def prefetch(typingctx, arr, row, offset):
    """Ask the CPU to start loading ``arr[row]`` (``offset`` bytes into it) into cache.

    No effect on any value. The loop reads a ticket's tier draws when a responder picks
    it up; the draws were written before the loop and have left the cache by then
    (perf put the first read of each row at a fifth of the loop's time), so the loop
    asks for the rows of the next arrivals a few events ahead."""
    def codegen(context, builder, sig, args):
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        i64 = ir.IntType(64)
        at = builder.add(builder.ptrtoint(ary.data, i64),
                         builder.add(builder.mul(args[1], builder.extract_value(ary.strides, 0)),
                                     args[2]))
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]),
            "llvm.prefetch.p0")
        # a read (0), kept in all cache levels (3), of data (1)
        builder.call(fn, [builder.inttoptr(at, i8p), ir.Constant(i32, 0), ir.Constant(i32, 3),
                          ir.Constant(i32, 1)])
        return context.get_dummy_value()
    return types.none(arr, types.int64, types.int64), codegen
