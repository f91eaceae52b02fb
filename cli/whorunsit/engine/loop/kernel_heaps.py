"""Array heaps and ring buffers for the compiled event loop (``kernel_loop``).

The event heap orders by (time, sequence number) and a pool's queue by one integer key
(priority above sequence number): total orders, so the entries come out in the order
Python's ``heapq`` gives them whatever the layout inside.
"""

from __future__ import annotations

from whorunsit.engine.compiled import jit  # first: numba's cache and WHORUNSIT_JIT
from whorunsit.engine.loop.kernel_state import EVENTS, FULL_EVENTS, FULL_QUEUE, LAST_SEQ, STATUS


# -- heaps ---------------------------------------------------------------------------------
@jit
def push(s, t, kind, x, y):
    s.int_slots[LAST_SEQ] += 1
    n = s.int_slots[EVENTS]
    if n >= len(s.event_time):
        s.int_slots[STATUS] = FULL_EVENTS
        return
    sq = s.int_slots[LAST_SEQ]
    times, seqs = s.event_time, s.event_seq
    while n > 0:
        parent = (n - 1) >> 1
        pt = times[parent]
        if pt < t or (pt == t and seqs[parent] < sq):
            break
        times[n] = pt
        seqs[n] = seqs[parent]
        s.event_kind[n] = s.event_kind[parent]
        s.event_subject[n] = s.event_subject[parent]
        s.event_arg[n] = s.event_arg[parent]
        n = parent
    times[n] = t
    seqs[n] = sq
    s.event_kind[n] = kind
    s.event_subject[n] = x
    s.event_arg[n] = y
    s.int_slots[EVENTS] += 1


@jit
def pop_event(s):
    """Remove the earliest event; its fields are read from position 0 before calling."""
    times, seqs, kinds = s.event_time, s.event_seq, s.event_kind
    subjects, args = s.event_subject, s.event_arg
    n = s.int_slots[EVENTS] - 1
    s.int_slots[EVENTS] = n
    if n == 0:
        return
    t, sq, k, x, y = times[n], seqs[n], kinds[n], subjects[n], args[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and (times[c + 1] < times[c] or
                          (times[c + 1] == times[c] and seqs[c + 1] < seqs[c])):
            c += 1
        if t < times[c] or (t == times[c] and sq < seqs[c]):
            break
        times[i], seqs[i], kinds[i] = times[c], seqs[c], kinds[c]
        subjects[i], args[i] = subjects[c], args[c]
        i = c
    times[i], seqs[i], kinds[i], subjects[i], args[i] = t, sq, k, x, y


@jit
def queue_push(s, p, key, part):
    n = s.queue_length[p]
    if n >= s.queue_key.shape[1]:
        s.int_slots[STATUS] = FULL_QUEUE
        return
    keys, parts = s.queue_key[p], s.queue_part[p]
    while n > 0:
        parent = (n - 1) >> 1
        if keys[parent] < key:
            break
        keys[n] = keys[parent]
        parts[n] = parts[parent]
        n = parent
    keys[n] = key
    parts[n] = part
    s.queue_length[p] += 1


@jit
def queue_pop(s, p):
    keys, parts = s.queue_key[p], s.queue_part[p]
    key, part = keys[0], parts[0]
    n = s.queue_length[p] - 1
    s.queue_length[p] = n
    if n > 0:
        last_key, last_part = keys[n], parts[n]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= n:
                break
            if c + 1 < n and keys[c + 1] < keys[c]:
                c += 1
            if last_key < keys[c]:
                break
            keys[i] = keys[c]
            parts[i] = parts[c]
            i = c
        keys[i] = last_key
        parts[i] = last_part
    return key, part


# -- ring buffers: the deployments waiting in order, by policy -----------------------------
@jit
def ring_append(buf, head, count, p, v):
    cap = buf.shape[1]
    buf[p, (head[p] + count[p]) % cap] = v
    count[p] += 1


@jit
def ring_appendleft(buf, head, count, p, v):
    cap = buf.shape[1]
    head[p] = (head[p] - 1) % cap
    buf[p, head[p]] = v
    count[p] += 1


@jit
def ring_popleft(buf, head, count, p):
    v = buf[p, head[p]]
    head[p] = (head[p] + 1) % buf.shape[1]
    count[p] -= 1
    return v
