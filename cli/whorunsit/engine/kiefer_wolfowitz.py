"""FIFO c-server queues solved by recursion, many replications in lockstep.

For a first-come-first-served queue with c identical servers the Kiefer-Wolfowitz
recursion gives every customer's start time from the arrival times and service times
alone: customer n starts at max(arrival_n, earliest time a server is free), and that
server is then free at start + service. No event list is needed, so the recursion runs
over customers in arrival order with numpy doing the same step for every replication
at once (column r of each array is replication r).
"""

from __future__ import annotations

import numpy as np


def fifo_starts(arrivals: np.ndarray, service: np.ndarray, servers: int) -> np.ndarray:
    """Start times of service in R independent FIFO queues with ``servers`` servers each.

    ``arrivals`` and ``service`` have shape (N, R): column r holds replication r's
    customers in arrival order, padded at the end with ``inf`` arrivals (which then
    start at ``inf`` and disturb nobody). Servers are free from time 0.
    """
    n, r = arrivals.shape
    starts = np.empty((n, r))
    if n == 0 or r == 0:
        return starts
    # free[r*c + j] is when server j of replication r is next free; a flat view lets
    # one fancy index read and write the chosen server of every replication.
    free = np.zeros(r * servers)
    grid = free.reshape(r, servers)
    base = np.arange(r) * servers
    maximum = np.maximum
    for k in range(n):
        pos = base + grid.argmin(axis=1)
        start = maximum(arrivals[k], free[pos])
        free[pos] = start + service[k]
        starts[k] = start
    return starts
