"""Random streams keyed by purpose and entity name, never by object order.

Every stream is a ``numpy.random.SeedSequence`` of the run's seed with a spawn key built
from the replication index, the purpose ("arrivals", "support", ...) and the entity's
name (an application). Two scenarios that share an application and its tier structure
therefore draw the same numbers for the same purpose (common random numbers, which make
comparisons paired), and a replication's numbers do not depend on which worker process
plays it or on what else the scenario contains.

The compiled engine does not build numpy generators: ``kernel_random.seeded`` computes
the same starting states from ``entropy_words`` and ``key`` (numpy's SeedSequence
hashing and PCG64 seeding, compiled) and draws from them; ``states`` gives numpy's own,
which the tests compare with it.
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


#: numpy.random.SeedSequence's pool size (its entropy is padded to it)
_POOL = 4


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
    """numpy's PCG64 (state, increment) of ``stream(seed, replication, purpose, entity)``
    for each (purpose, entity) of ``keys``."""
    return [_state_of(stream(seed, replication, p, e)) for p, e in keys]


def _state_of(gen: np.random.Generator) -> tuple[int, int]:
    s = gen.bit_generator.state["state"]
    return s["state"], s["inc"]
