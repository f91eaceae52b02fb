"""numpy's PCG64 generator, compiled: the same numbers as ``np.random.Generator(PCG64)``.

``kernel_draws`` used to re-seed one numpy generator per stream and call it a dozen
times per application; each call is cheap but thirty applications times five streams
times a handful of calls, plus the Python around them, was a third of a flagship
replication. Here a stream is four words (state and increment, high and low 64 bits)
in a row of a ``uint64`` array, computed by ``seeded``, and the draws that
``kernel_draws`` needs run in one compiled call.

Only what the engine draws is reproduced, each as numpy computes it (numpy's
``random/src/distributions/distributions.c`` and ``pcg64.h``): ``random`` (53-bit
doubles), ``uniform(low, high)`` (``low + (high - low) * random``) and ``poisson``
(multiplication below a mean of 10, Hormann's PTRS above). tests/test_kernel_random.py
compares each with numpy's own generator, value for value.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

from whorunsit.engine import compiled  # noqa: F401  (first: numba's cache and WHORUNSIT_JIT)

M128_HI = np.uint64(0x2360ED051FC65DA4)  # PCG_DEFAULT_MULTIPLIER_128
M128_LO = np.uint64(0x4385DF649FCCF645)
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53
# typed integers for the arguments ``replication_uniforms`` passes as constants: numba
# compiles a function once per distinct argument type, and a literal 0, 1 or 3 is a type
# of its own (``fill`` was compiled six times)
FIRST_ROW, ONE_COLUMN, ATTR_COLUMNS = np.int64(0), np.int64(1), np.int64(3)

jit = njit(cache=True)


def state_rows(states: list[tuple[int, int]]) -> np.ndarray:
    """``streams.states`` (128-bit state and increment per stream) as (streams, 4) words."""
    out = np.empty((len(states), 4), np.uint64)
    m64 = (1 << 64) - 1
    for i, (s, inc) in enumerate(states):
        out[i] = (s >> 64, s & m64, inc >> 64, inc & m64)
    return out


_LOW32 = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)


@njit(cache=True, inline="always")
def _mul_high(a, b):
    """The high 64 bits of the 128-bit product of two 64-bit words, from 32-bit halves
    (the low 64 bits are the wrapping product ``a * b``)."""
    a0, a1 = a & _LOW32, a >> _32
    b0, b1 = b & _LOW32, b >> _32
    t = a1 * b0 + ((a0 * b0) >> _32)
    w = (t & _LOW32) + a0 * b1
    return a1 * b1 + (t >> _32) + (w >> _32)


@njit(cache=True, inline="always")
def _multiplier(st):
    """PCG64's multiplier (high, low words) as values the compiler cannot see. With the
    constant itself, LLVM folds the 32-bit halves of ``_mul_high`` apart and no longer
    recognises the one multiply-high instruction they make (measured: the streams 1.7
    times slower, docs/performance.md); ``st`` always has 4 columns, so this adds 0."""
    unseen = uint64(st.shape[1] - 4)
    return M128_HI + unseen, M128_LO + unseen


@njit(cache=True, inline="always")
def _lcg128(hi, lo, inc_hi, inc_lo, m_hi, m_lo):
    """PCG64's state step ``state * MULT + inc`` modulo 2**128, on (high, low) words
    (``MULT``: ``_multiplier``): the low words' full product, plus the cross products
    (only their low 64 bits reach the result), plus the increment with its carry."""
    new_lo = lo * m_lo
    new_hi = _mul_high(lo, m_lo) + hi * m_lo + lo * m_hi
    out_lo = new_lo + inc_lo
    carry = np.uint64(1) if out_lo < new_lo else np.uint64(0)
    return new_hi + inc_hi + carry, out_lo


@njit(cache=True, inline="always")
def _step(hi, lo, inc_hi, inc_lo, m_hi, m_lo):
    """One step of a stream held in locals (registers: the bulk fills below keep it out
    of memory): the new state, and numpy's double from its XSL-RR output."""
    hi2, lo2 = _lcg128(hi, lo, inc_hi, inc_lo, m_hi, m_lo)
    x = hi2 ^ lo2
    rot = hi2 >> uint64(58)
    out = (x >> rot) | (x << ((uint64(64) - rot) & uint64(63)))
    return hi2, lo2, float(out >> uint64(11)) * _TO_DOUBLE


@njit(cache=True, inline="always")
def random(st, k):
    """``Generator.random()`` from stream ``k``: a double in [0, 1) with 53 random bits."""
    m_hi, m_lo = _multiplier(st)
    st[k, 0], st[k, 1], u = _step(st[k, 0], st[k, 1], st[k, 2], st[k, 3], m_hi, m_lo)
    return u


@jit
def _loggam(x):
    a = (8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
         -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
         6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
         -1.39243221690590e+00)
    if x == 1.0 or x == 2.0:
        return 0.0
    n = int(7 - x) if x < 7.0 else 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = a[9]
    for k in range(8, -1, -1):
        gl0 *= x2
        gl0 += a[k]
    gl = gl0 / x0 + 0.5 * 1.8378770664093453e+00 + (x0 - 0.5) * math.log(x0) - x0
    if x < 7.0:
        for _ in range(n):
            gl -= math.log(x0 - 1.0)
            x0 -= 1.0
    return gl


@jit
def poisson(st, k, lam):
    """``Generator.poisson(lam)`` from stream ``k``."""
    if lam == 0.0:
        return 0
    if lam < 10.0:
        enlam = math.exp(-lam)
        x = 0
        prod = 1.0
        while True:
            prod *= random(st, k)
            if prod > enlam:
                x += 1
            else:
                return x
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = random(st, k) - 0.5
        v = random(st, k)
        us = 0.5 - math.fabs(u)
        n = int(math.floor((2 * a / us + b) * u + lam + 0.43))
        if us >= 0.07 and v <= vr:
            return n
        if n < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)) <= \
                (-lam + n * loglam - _loggam(n + 1)):
            return n


@jit
def fill(st, k, out, lo, hi, columns, scale):
    """Rows ``lo:hi`` of the 2-d ``out``, their first ``columns`` entries, with
    ``scale * random()`` from stream ``k`` (``uniform(0, scale)`` as numpy computes it:
    ``0.0 + scale * random()``), row by row."""
    s_hi, s_lo, i_hi, i_lo = st[k, 0], st[k, 1], st[k, 2], st[k, 3]
    m_hi, m_lo = _multiplier(st)
    for r in range(lo, hi):
        for c in range(columns):
            s_hi, s_lo, u = _step(s_hi, s_lo, i_hi, i_lo, m_hi, m_lo)
            out[r, c] = 0.0 + scale * u
    st[k, 0] = s_hi
    st[k, 1] = s_lo


@jit
def replication_uniforms(st, lam_inc, span, lam_dep, horizon, tiers, max_tiers, cfr,
                         redeploy, spare, attempts, dep_columns, tier_columns):
    """Every uniform of one replication, per application in ``kernel_draws``'s layout.

    ``st`` holds five streams per application (arrivals, support, deployments,
    change-support, rework: ``seeded`` in that order), advanced in place. Per
    application: the incident count (Poisson, mean ``lam_inc``; 0: none), that many
    uniforms on [0, ``span``) sorted, three attribute uniforms each; the request count
    (mean ``lam_dep``), request times on [0, ``horizon``) sorted, ``attempts`` rows of
    ``dep_columns`` uniforms per request; rework rows when ``redeploy`` and a request
    fails all its attempts (failure column 3 below ``cfr``): one per such request plus
    ``spare``, each ``dep_columns`` uniforms then the row's tier uniforms. Tier uniforms
    (``tiers`` of the application's, ``tier_columns`` each) per incident from the support
    stream, per attempt row from change-support.
    """
    m = len(lam_inc)
    n_inc = np.zeros(m, np.int64)
    n_dep = np.zeros(m, np.int64)
    for i in range(m):
        if lam_inc[i] > 0.0:
            n_inc[i] = poisson(st, 5 * i, lam_inc[i])
        if lam_dep[i] > 0.0:
            n_dep[i] = poisson(st, 5 * i + 2, lam_dep[i])
    N = n_inc.sum()
    start = np.empty((N, 1))
    attrs = np.empty((N, 3))
    row = FIRST_ROW
    for i in range(m):
        n = n_inc[i]
        fill(st, 5 * i, start, row, row + n, ONE_COLUMN, span[i])
        start[row:row + n, 0] = np.sort(start[row:row + n, 0])
        fill(st, 5 * i, attrs, row, row + n, ATTR_COLUMNS, 1.0)
        row += n
    times = np.empty((n_dep.sum(), 1))
    tried = np.empty((attempts * n_dep.sum(), dep_columns))
    rows = np.zeros(m, np.int64)
    t, row = FIRST_ROW, FIRST_ROW
    for i in range(m):
        n = n_dep[i]
        fill(st, 5 * i + 2, times, t, t + n, ONE_COLUMN, horizon)
        times[t:t + n, 0] = np.sort(times[t:t + n, 0])
        fill(st, 5 * i + 2, tried, row, row + attempts * n, dep_columns, 1.0)
        chains = 0
        if redeploy[i]:
            for q in range(n):
                failed = True
                for a in range(attempts):
                    if not tried[row + q * attempts + a, 3] < cfr[i]:
                        failed = False
                chains += failed
        rows[i] = attempts * n + (chains + spare if chains else 0)
        t += n
        row += attempts * n
    dep_u = np.empty((rows.sum(), dep_columns))
    width = max_tiers * tier_columns
    # every entry is drawn when every application has all the tiers
    full = (tiers == max_tiers).all()
    tier = np.empty((N + rows.sum(), width)) if full else np.zeros((N + rows.sum(), width))
    row = FIRST_ROW
    for i in range(m):
        fill(st, 5 * i + 1, tier, row, row + n_inc[i], tiers[i] * tier_columns, 1.0)
        row += n_inc[i]
    src = 0
    for i in range(m):
        drawn = attempts * n_dep[i]
        dep_u[row - N:row - N + drawn] = tried[src:src + drawn]
        fill(st, 5 * i + 3, tier, row, row + drawn, tiers[i] * tier_columns, 1.0)
        for r in range(row + drawn, row + rows[i]):
            fill(st, 5 * i + 4, dep_u, r - N, r - N + 1, dep_columns, 1.0)
            fill(st, 5 * i + 4, tier, r, r + 1, tiers[i] * tier_columns, 1.0)
        src += drawn
        row += rows[i]
    return (n_inc, start[:, 0].copy(), attrs, n_dep, times[:, 0].copy(), dep_u, rows,
            tier.reshape((N + rows.sum(), max_tiers, tier_columns)))


_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875  # numpy.random.SeedSequence's constants
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_W32 = 0xFFFFFFFF


@njit(cache=True, inline="always")
def _hashmix(value, h):
    value = (value ^ h) & uint64(_W32)
    h = (h * uint64(_MULT_A)) & uint64(_W32)
    value = (value * h) & uint64(_W32)
    return value ^ (value >> uint64(16)), h


@njit(cache=True, inline="always")
def _mix(x, y):
    r = (uint64(_MIX_L) * x - uint64(_MIX_R) * y) & uint64(_W32)
    return r ^ (r >> uint64(16))


@jit
def seeded(fixed, keys):
    """``streams.states`` compiled, as ``state_rows``: the PCG64 state of the stream whose
    SeedSequence entropy is ``fixed`` (the run's seed words padded to four, then the
    replication's) followed by a row of ``keys`` (two crc32 words: purpose, entity)."""
    m = keys.shape[0]
    n = len(fixed) + 2
    out = np.empty((m, 4), np.uint64)
    entropy = np.empty(n, np.uint64)
    pool = np.empty(4, np.uint64)
    words = np.empty(8, np.uint64)
    for s in range(m):
        entropy[:n - 2] = fixed
        entropy[n - 2] = keys[s, 0]
        entropy[n - 1] = keys[s, 1]
        h = uint64(_INIT_A)
        for i in range(4):
            pool[i], h = _hashmix(entropy[i], h)
        for src in range(4):
            for dst in range(4):
                if src != dst:
                    v, h = _hashmix(pool[src], h)
                    pool[dst] = _mix(pool[dst], v)
        for src in range(4, n):
            for dst in range(4):
                v, h = _hashmix(entropy[src], h)
                pool[dst] = _mix(pool[dst], v)
        hb = uint64(_INIT_B)
        for i in range(8):
            v = (pool[i % 4] ^ hb) & uint64(_W32)
            hb = (hb * uint64(_MULT_B)) & uint64(_W32)
            v = (v * hb) & uint64(_W32)
            words[i] = v ^ (v >> uint64(16))
        seed_hi = (words[1] << uint64(32)) | words[0]
        seed_lo = (words[3] << uint64(32)) | words[2]
        init_hi = (words[5] << uint64(32)) | words[4]
        init_lo = (words[7] << uint64(32)) | words[6]
        # pcg64_srandom_r: inc = init << 1 | 1; from state 0 one step (giving inc), add
        # the seed, one more step
        inc_hi = (init_hi << uint64(1)) | (init_lo >> uint64(63))
        inc_lo = (init_lo << uint64(1)) | uint64(1)
        lo = inc_lo + seed_lo
        hi = inc_hi + seed_hi + (uint64(1) if lo < inc_lo else uint64(0))
        out[s, 0], out[s, 1] = _lcg128(hi, lo, inc_hi, inc_lo, M128_HI, M128_LO)
        out[s, 2] = inc_hi
        out[s, 3] = inc_lo
    return out
