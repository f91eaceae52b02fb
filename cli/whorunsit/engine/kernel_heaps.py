"""Array heaps and ring buffers for the compiled event loop (``kernel_loop``).

The event heap orders by (time, sequence number) and a pool's queue by one integer key
(priority above sequence number): total orders, so the entries come out in the order
Python's ``heapq`` gives them whatever the layout inside.
"""

from __future__ import annotations

from numba import njit

from whorunsit.engine.kernel_state import EVN, FULL_EVENTS, FULL_QUEUE, SEQ, STATUS

jit = njit(cache=True)


# -- heaps ---------------------------------------------------------------------------------
@jit
def push(st, t, kind, x, y):
    st.si[SEQ] += 1
    n = st.si[EVN]
    if n >= len(st.ev_t):
        st.si[STATUS] = FULL_EVENTS
        return
    s = st.si[SEQ]
    ev_t, ev_s = st.ev_t, st.ev_s
    while n > 0:
        parent = (n - 1) >> 1
        pt = ev_t[parent]
        if pt < t or (pt == t and ev_s[parent] < s):
            break
        ev_t[n] = pt
        ev_s[n] = ev_s[parent]
        st.ev_k[n] = st.ev_k[parent]
        st.ev_x[n] = st.ev_x[parent]
        st.ev_y[n] = st.ev_y[parent]
        n = parent
    ev_t[n] = t
    ev_s[n] = s
    st.ev_k[n] = kind
    st.ev_x[n] = x
    st.ev_y[n] = y
    st.si[EVN] += 1


@jit
def pop_event(st):
    """Remove the earliest event; its fields are read from position 0 before calling."""
    ev_t, ev_s, ev_k, ev_x, ev_y = st.ev_t, st.ev_s, st.ev_k, st.ev_x, st.ev_y
    n = st.si[EVN] - 1
    st.si[EVN] = n
    if n == 0:
        return
    t, s, k, x, y = ev_t[n], ev_s[n], ev_k[n], ev_x[n], ev_y[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and (ev_t[c + 1] < ev_t[c] or
                          (ev_t[c + 1] == ev_t[c] and ev_s[c + 1] < ev_s[c])):
            c += 1
        if t < ev_t[c] or (t == ev_t[c] and s < ev_s[c]):
            break
        ev_t[i], ev_s[i], ev_k[i], ev_x[i], ev_y[i] = ev_t[c], ev_s[c], ev_k[c], ev_x[c], ev_y[c]
        i = c
    ev_t[i], ev_s[i], ev_k[i], ev_x[i], ev_y[i] = t, s, k, x, y


@jit
def q_push(st, p, key, tid):
    n = st.q_len[p]
    if n >= st.q_key.shape[1]:
        st.si[STATUS] = FULL_QUEUE
        return
    keys, tids = st.q_key[p], st.q_tid[p]
    while n > 0:
        parent = (n - 1) >> 1
        if keys[parent] < key:
            break
        keys[n] = keys[parent]
        tids[n] = tids[parent]
        n = parent
    keys[n] = key
    tids[n] = tid
    st.q_len[p] += 1


@jit
def q_pop(st, p):
    keys, tids = st.q_key[p], st.q_tid[p]
    key, tid = keys[0], tids[0]
    n = st.q_len[p] - 1
    st.q_len[p] = n
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
