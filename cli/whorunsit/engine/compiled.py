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

#: every function of the loop, small helpers included: each is compiled once and linked
#: into its callers, where LLVM inlines the small ones (numba's own IR inlining typed and
#: lowered each body again at every call site: docs/performance.md, "First compile")
jit = njit(cache=True)


def plain(meaning):
    """Decorator for an ``@intrinsic``: keep it when compiling; when running as plain
    Python, use ``meaning``, a Python function that computes the same thing."""
    def choose(intrinsic):
        return intrinsic if JIT else meaning
    return choose
