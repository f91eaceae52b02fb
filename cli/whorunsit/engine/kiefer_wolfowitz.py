"""FIFO c-server queues solved by recursion, many replications in lockstep.

For a first-come-first-served queue with c identical servers the Kiefer-Wolfowitz
recursion gives every customer's start time from the arrival times and service times
alone: customer n starts at max(arrival_n, earliest time a server is free), and that
server is then free when the customer is done. No event list is needed, so the
recursion runs over customers in arrival order with numpy doing the same step for
every replication at once (column r of each array is replication r).
"""

from __future__ import annotations

import numpy as np


def fifo_schedule(arrivals: np.ndarray, pickup: np.ndarray | None, work: np.ndarray,
                  servers: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end times of service in R independent FIFO queues of ``servers`` each.

    ``arrivals``, ``pickup`` and ``work`` have shape (N, R): column r holds replication
    r's customers in arrival order, padded at the end with ``inf`` arrivals (which start
    and end at ``inf`` and disturb nobody). A customer holds a server for its pickup
    (None: no pickup) and then its work; the end is computed as ``(start + pickup) +
    work``, the same floating-point sum the event-driven engine makes, so both give
    identical times. Servers are free from time 0.

    The state is the Kiefer-Wolfowitz workload vector: each replication's server-free
    times kept sorted. The next customer takes the earliest (row 0); dropping it and
    inserting the new end is ``free[i] = min(free[i+1], max(free[i], end))``, two
    whole-array operations instead of a search per replication.
    """
    n, r = arrivals.shape
    starts = np.empty((n, r))
    ends = np.empty((n, r))
    if n == 0 or r == 0:
        return starts, ends
    if servers < 1:
        raise ValueError("a queue needs at least one server")
    # two buffers, written alternately, so no operation writes over its own input
    free = np.zeros((servers + 1, r))
    spare = np.zeros((servers + 1, r))
    free[servers] = spare[servers] = np.inf  # sentinel: min() against it keeps the last
    scratch = np.empty((servers, r))
    maximum, minimum, add = np.maximum, np.minimum, np.add
    for k in range(n):
        start = maximum(arrivals[k], free[0], out=starts[k])
        if pickup is None:
            end = add(start, work[k], out=ends[k])
        else:
            end = add(start, pickup[k], out=ends[k])
            add(end, work[k], out=end)
        maximum(free[:servers], end, out=scratch)
        minimum(free[1:], scratch, out=spare[:servers])
        free, spare = spare, free
    return starts, ends
