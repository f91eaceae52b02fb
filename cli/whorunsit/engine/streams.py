"""Random streams keyed by purpose and entity name, never by object order.

Every stream is a ``numpy.random.SeedSequence`` of the run's seed with a spawn key built
from the replication index, the purpose ("arrivals", "support", ...) and the entity's
name (an application). Two scenarios that share an application and its tier structure
therefore draw the same numbers for the same purpose (common random numbers, which make
comparisons paired), and a replication's numbers do not depend on which worker process
plays it or on what else the scenario contains.
"""

from __future__ import annotations

import zlib

import numpy as np


def key(*parts: str) -> tuple[int, ...]:
    """Stable 32-bit words for names (crc32 is fixed across runs, unlike ``hash``)."""
    return tuple(zlib.crc32(p.encode("utf-8")) for p in parts)


def stream(seed: int, replication: int, purpose: str, entity: str) -> np.random.Generator:
    """The generator for one purpose of one entity in one replication."""
    seq = np.random.SeedSequence(int(seed), spawn_key=(int(replication), *key(purpose, entity)))
    return np.random.Generator(np.random.PCG64(seq))
