"""Array heaps and ring buffers for the compiled event loop (``kernel_loop``).

The event heap orders by (time, sequence number) and a pool's queue by one integer key
(priority above sequence number): total orders, so the entries come out in the order
Python's ``heapq`` gives them whatever the layout inside.
"""

from __future__ import annotations

from whorunsit.engine.compiled import hot, jit  # first: numba's cache and WHORUNSIT_JIT
from whorunsit.engine.loop.kernel_state import EVN, FULL_EVENTS, FULL_QUEUE, SEQ, STATUS


# -- heaps ---------------------------------------------------------------------------------
@hot
def push(s, t, kind, x, y):
    s.si[SEQ] += 1
    n = s.si[EVN]
    if n >= len(s.ev_t):
        s.si[STATUS] = FULL_EVENTS
        return
    sq = s.si[SEQ]
    ev_t, ev_s = s.ev_t, s.ev_s
    while n > 0:
        parent = (n - 1) >> 1
        pt = ev_t[parent]
        if pt < t or (pt == t and ev_s[parent] < sq):
            break
        ev_t[n] = pt
        ev_s[n] = ev_s[parent]
        s.ev_k[n] = s.ev_k[parent]
        s.ev_x[n] = s.ev_x[parent]
        s.ev_y[n] = s.ev_y[parent]
        n = parent
    ev_t[n] = t
    ev_s[n] = sq
    s.ev_k[n] = kind
    s.ev_x[n] = x
    s.ev_y[n] = y
    s.si[EVN] += 1


@hot
def pop_event(s):
    """Remove the earliest event; its fields are read from position 0 before calling."""
    ev_t, ev_s, ev_k, ev_x, ev_y = s.ev_t, s.ev_s, s.ev_k, s.ev_x, s.ev_y
    n = s.si[EVN] - 1
    s.si[EVN] = n
    if n == 0:
        return
    t, sq, k, x, y = ev_t[n], ev_s[n], ev_k[n], ev_x[n], ev_y[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and (ev_t[c + 1] < ev_t[c] or
                          (ev_t[c + 1] == ev_t[c] and ev_s[c + 1] < ev_s[c])):
            c += 1
        if t < ev_t[c] or (t == ev_t[c] and sq < ev_s[c]):
            break
        ev_t[i], ev_s[i], ev_k[i], ev_x[i], ev_y[i] = ev_t[c], ev_s[c], ev_k[c], ev_x[c], ev_y[c]
        i = c
    ev_t[i], ev_s[i], ev_k[i], ev_x[i], ev_y[i] = t, sq, k, x, y


@hot
def q_push(s, p, key, tid):
    n = s.q_len[p]
    if n >= s.q_key.shape[1]:
        s.si[STATUS] = FULL_QUEUE
        return
    keys, tids = s.q_key[p], s.q_tid[p]
    while n > 0:
        parent = (n - 1) >> 1
        if keys[parent] < key:
            break
        keys[n] = keys[parent]
        tids[n] = tids[parent]
        n = parent
    keys[n] = key
    tids[n] = tid
    s.q_len[p] += 1


@hot
def q_pop(s, p):
    keys, tids = s.q_key[p], s.q_tid[p]
    key, tid = keys[0], tids[0]
    n = s.q_len[p] - 1
    s.q_len[p] = n
    if n > 0:
        k, t = keys[n], tids[n]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= n:
                break
            if c + 1 < n and keys[c + 1] < keys[c]:
                c += 1
            if k < keys[c]:
                break
            keys[i] = keys[c]
            tids[i] = tids[c]
            i = c
        keys[i] = k
        tids[i] = t
    return key, tid


# -- ring buffers (the deques of ``changes``) ---------------------------------------------
@jit
def rb_append(buf, head, count, p, v):
    cap = buf.shape[1]
    buf[p, (head[p] + count[p]) % cap] = v
    count[p] += 1


@jit
def rb_appendleft(buf, head, count, p, v):
    cap = buf.shape[1]
    head[p] = (head[p] - 1) % cap
    buf[p, head[p]] = v
    count[p] += 1


@jit
def rb_popleft(buf, head, count, p):
    v = buf[p, head[p]]
    head[p] = (head[p] + 1) % buf.shape[1]
    count[p] -= 1
    return v
