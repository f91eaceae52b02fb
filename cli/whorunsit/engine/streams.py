"""Random streams keyed by purpose and entity name, never by object order.

Every stream is a ``numpy.random.SeedSequence`` of the run's seed with a spawn key built
from the replication index, the purpose ("arrivals", "support", ...) and the entity's
name (an application). Two scenarios that share an application and its tier structure
therefore draw the same numbers for the same purpose (common random numbers, which make
comparisons paired), and a replication's numbers do not depend on which worker process
plays it or on what else the scenario contains.

``states`` computes the starting states of many such streams at once (numpy's
SeedSequence hashing and PCG64 seeding, vectorised over the streams) and ``reseed``
puts one into an existing generator: the same numbers as ``stream`` for a fraction of
the cost (creating a SeedSequence and a PCG64 per stream cost the compiled engine
a tenth of a replication). tests/test_engine_streams.py compares the states with
numpy's.
"""

from __future__ import annotations

import functools
import zlib

import numpy as np


@functools.lru_cache(maxsize=65536)
def key(*parts: str) -> tuple[int, ...]:
    """Stable 32-bit words for names (crc32 is fixed across runs, unlike ``hash``)."""
    return tuple(zlib.crc32(p.encode("utf-8")) for p in parts)


def stream(seed: int, replication: int, purpose: str, entity: str) -> np.random.Generator:
    """The generator for one purpose of one entity in one replication."""
    seq = np.random.SeedSequence(int(seed), spawn_key=(int(replication), *key(purpose, entity)))
    return np.random.Generator(np.random.PCG64(seq))


# numpy.random.SeedSequence's constants (bit_generator.pyx) and PCG64's multiplier
_POOL = 4
_INIT_A, _MULT_A = np.uint32(0x43B0D7E5), np.uint32(0x931E8875)
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = np.uint32(0xCA01F9DD), np.uint32(0x4973F715)
_SHIFT = np.uint32(16)
_PCG_MULT = 47026247687942121848144207491837523525  # PCG_DEFAULT_MULTIPLIER_128
_M128 = (1 << 128) - 1


def _words(n: int) -> list[int]:
    """numpy's ``_coerce_to_uint32_array`` of a non-negative int: 32-bit words, low first."""
    out = [n & 0xFFFFFFFF]
    n >>= 32
    while n:
        out.append(n & 0xFFFFFFFF)
        n >>= 32
    return out


def entropy_words(seed: int, replication: int) -> list[int]:
    """The 32-bit words a stream's SeedSequence starts from before its key: the seed's,
    padded to the pool size, then the replication's (both non-negative)."""
    run = _words(int(seed))
    return run + [0] * (_POOL - len(run)) + _words(int(replication))


def states(seed: int, replication: int, keys: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """PCG64 (state, increment) of ``stream(seed, replication, purpose, entity)`` for
    each (purpose, entity) of ``keys``."""
    seed, replication = int(seed), int(replication)
    if seed < 0 or replication < 0:  # numpy refuses these: let it say so
        return [_state_of(stream(seed, replication, p, e)) for p, e in keys]
    m = len(keys)
    fixed = entropy_words(seed, replication)
    entropy = np.empty((len(fixed) + 2, m), np.uint32)
    entropy[:len(fixed)] = np.asarray(fixed, np.uint64).astype(np.uint32)[:, None]
    entropy[len(fixed):] = np.asarray([key(p, e) for p, e in keys],
                                      np.uint64).astype(np.uint32).T.reshape(2, m)
    with np.errstate(over="ignore"):
        h = [_INIT_A]

        def hashmix(v):
            v = v ^ h[0]
            h[0] = h[0] * _MULT_A
            v = v * h[0]
            return v ^ (v >> _SHIFT)

        def mix(x, y):
            r = _MIX_L * x - _MIX_R * y
            return r ^ (r >> _SHIFT)

        pool = [hashmix(entropy[i]) for i in range(_POOL)]
        for src in range(_POOL):
            for dst in range(_POOL):
                if src != dst:
                    pool[dst] = mix(pool[dst], hashmix(pool[src]))
        for src in range(_POOL, len(entropy)):
            for dst in range(_POOL):
                pool[dst] = mix(pool[dst], hashmix(entropy[src]))
        out = np.empty((8, m), np.uint32)
        hb = _INIT_B
        for i in range(8):
            v = pool[i % _POOL] ^ np.uint32(hb)
            hb = (hb * _MULT_B) & 0xFFFFFFFF
            v = v * np.uint32(hb)
            out[i] = v ^ (v >> _SHIFT)
    # generate_state(4, uint64): pairs of words, little end first; seed then increment
    w = out.astype(np.uint64)
    w64 = (w[1::2] << np.uint64(32)) | w[0::2]
    result = []
    for s_hi, s_lo, i_hi, i_lo in w64.T.tolist():
        inc = ((((i_hi << 64) | i_lo) << 1) | 1) & _M128
        # pcg64_srandom_r: from state 0 one step (giving inc), add the seed, one step
        st = (((inc + ((s_hi << 64) | s_lo)) & _M128) * _PCG_MULT + inc) & _M128
        result.append((st, inc))
    return result


def _state_of(gen: np.random.Generator) -> tuple[int, int]:
    s = gen.bit_generator.state["state"]
    return s["state"], s["inc"]


def reseed(gen: np.random.Generator, state: tuple[int, int]) -> np.random.Generator:
    """``gen`` (a PCG64 generator) set to a state from ``states``: it now draws what the
    stream's own generator would."""
    gen.bit_generator.state = {"bit_generator": "PCG64",
                               "state": {"state": state[0], "inc": state[1]},
                               "has_uint32": 0, "uinteger": 0}
    return gen
