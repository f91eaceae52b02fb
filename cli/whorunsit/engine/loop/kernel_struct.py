"""Everything the compiled loop reads and writes, in one numba structure.

The scenario (``kernel_plan.KPlan``), one replication's random numbers
(``kernel_draws.Draws``) and its state (``kernel_state.State``) are put together in one
StructRef: the loop's functions then pass a single pointer to each other instead of the
three tuples' hundred and fifty array descriptors (docs/performance.md).

The structure's fields are the tuples' fields, under the same names and types: ``make``
builds the structure type from the types numba gives the three tuples, so a field added
to a tuple reaches the loop with nothing else to edit. The arrays are held *borrowed*
(no reference count, see ``borrowed``), so the structure must not outlive the tuples it
was made from: ``kernel_loop.play`` makes it, plays and drops it while its arguments
hold the arrays. The loop itself is handed a ``View`` of the structure (``view``): a
plain pointer to its fields, which numba does not reference-count.
"""

from __future__ import annotations

from types import SimpleNamespace

from numba import types
from numba.core import cgutils, imputils
from numba.core.typing.templates import AttributeTemplate
from numba.experimental import structref
from numba.extending import (
    infer_getattr,
    intrinsic,
    lower_getattr_generic,
    models,
    overload,
    register_model,
)

from whorunsit.engine.compiled import plain  # first: numba's cache and WHORUNSIT_JIT


@structref.register
class KernelType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


def make(pl, dr, st):
    """The structure over the fields of a plan, a replication's draws and its state.

    As plain Python (WHORUNSIT_JIT=0) it is a namespace with the same fields; compiled,
    the numba structure that ``_make`` generates."""
    s = SimpleNamespace()
    for source in (pl, dr, st):
        for name in source._fields:
            if hasattr(s, name):
                raise TypeError(f"field {name!r} is in two of the plan, draws and state")
            setattr(s, name, getattr(source, name))
    return s


@overload(make)
def _make(pl, dr, st):
    fields = []
    for source in (pl, dr, st):
        fields.extend(zip(source.fields, source.types, strict=True))
    names = [name for name, _ in fields]
    if len(set(names)) != len(names):
        raise TypeError("a field is in two of the plan, draws and state")
    kernel = KernelType(fields)
    owner = {name: tup for tup, source in zip(("pl", "dr", "st"), (pl, dr, st), strict=True)
             for name in source.fields}
    lines = ["def impl(pl, dr, st):", "    s = new(kernel)"]
    for name, typ in fields:
        value = f"{owner[name]}.{name}"
        if isinstance(typ, types.Array):
            value = f"borrowed({value})"
        lines.append(f"    s.{name} = {value}")
    lines.append("    return s")
    scope = {"new": structref.new, "kernel": kernel, "borrowed": borrowed}
    exec("\n".join(lines), scope)  # noqa: S102  (one assignment per field, from their names)
    return scope["impl"]


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
        # a StructRef is a meminfo whose data is the fields' payload
        meminfo = cgutils.create_struct_proxy(sig.args[0])(context, builder, value=args[0]).meminfo
        payload = context.data_model_manager[sig.args[0].get_data_type()].get_value_type()
        return builder.bitcast(context.nrt.meminfo_data(builder, meminfo), payload.as_pointer())
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
