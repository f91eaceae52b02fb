"""The engine's compiled code, and the one switch that runs it as plain Python.

``WHORUNSIT_JIT=0`` in the environment makes every numba-compiled function the plain
Python function it is written as (numba's ``DISABLE_JIT``), and swaps each hand-written
LLVM intrinsic for its plain-Python meaning: the same loop source then runs in the
interpreter, with the same results, where coverage tools and debuggers see every line
(tests/test_jit_switch.py compares the two). It is for debugging: a replication takes
seconds instead of milliseconds.

Every module with compiled code imports this one first.
"""

from __future__ import annotations

import os
import warnings

import numba
from numba import njit

from whorunsit.engine import numba_cache  # noqa: F401  (first: it sets where numba caches)

#: False when WHORUNSIT_JIT is 0 (or false, no, off): the engine runs as plain Python
JIT = os.environ.get("WHORUNSIT_JIT", "1").strip().lower() not in ("0", "false", "no", "off")
if not JIT:
    numba.config.DISABLE_JIT = True
    # the random streams' unsigned arithmetic wraps around, as compiled code's does:
    # numpy says so for every scalar, which is expected here
    warnings.filterwarnings("ignore", "overflow encountered in scalar", RuntimeWarning)

#: the loop's functions run without numba's reference counting (``_nrt=False``): every
#: array they touch is borrowed from the structure and nothing is allocated, so each
#: field read or call would only increment and decrement null counts (docs/performance.md)
jit = njit(cache=True, _nrt=False)
#: small functions called on nearly every event. Compiled once each and linked into
#: their callers, where LLVM inlines them; numba's own IR inlining (``inline="always"``)
#: typed and lowered each body again at every call site: 37.4 s of CPU for the event
#: loop's first compile against 31.0 s without, the same run time and the same bits
#: (docs/performance.md, "First compile")
hot = njit(cache=True, _nrt=False)


def plain(meaning):
    """Decorator for an ``@intrinsic``: keep it when compiling; when running as plain
    Python, use ``meaning``, a Python function that computes the same thing."""
    def choose(intrinsic):
        return intrinsic if JIT else meaning
    return choose
