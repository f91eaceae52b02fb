"""The fast path's compiled kernel: one replication's tickets served and counted.

Given one replication's draws (``fastpath.Draws``: every incident's start, detection,
channel, entry and resolving tier, and per tier its pickup, work and handoff), ``solve``
serves the teams in an order tickets only flow forward in: a team's tickets join at
detection (entry tier) or when the previous tier ends plus the handoff delay, are put
in joining order, and the Kiefer-Wolfowitz recursion (``kw_step``) gives their
starts and ends. Meanwhile it adds up what ``tally`` counts, in the engine's order (per
team in service order, per incident in resolution order, so the totals carry the
engine's bits), and lists each team's waits and the times to restore in that order:
``fastpath_metrics.finish`` takes their means, percentiles and histogram counts as
numpy does, and turns the figures into metrics.

Everything compiled lives in this one module on purpose: numba's on-disk cache (kept
next to the module, ``cache=True``) is invalidated only when the file that defines a
function changes, not when a function it calls in another file does. Importing this
module imports numba, so only the fast path imports it, when it runs.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from whorunsit.engine import compiled  # noqa: F401  (first: numba's cache and WHORUNSIT_JIT)
from whorunsit.engine.random.draws import ROUTE

#: per team, floats: busy hours, work added up, the queue's time-weighted area after the
#: warm-up and the time of its last change
T_BUSY, T_WORK, T_AREA, T_Q_LAST = range(4)
#: per team, counts: tickets measured and those of them that waited, where their waits
#: start in ``waits`` and ``waited``, the queue at the end, the longest queue, and the
#: incidents it resolved
T_TICKETS, T_WAITED, T_FIRST, T_Q_NOW, T_LONGEST, T_RESOLVED, T_Q_MARK = range(7)
#: per replication, floats: the totals of the queue waits, handoff delays and flow
#: efficiencies of the resolved incidents
I_QWAIT, I_HDELAY, I_FLOW = range(3)
#: per replication, counts
I_DONE, I_FLOW_N, I_HANDOFFS, I_CREATED, I_LATE, I_OPEN = range(6)


# -- ordering by time ------------------------------------------------------------------------
@numba.njit(cache=True)
def sort_by_time(times, order, lo, hi, nearly):
    """Sort times[lo:hi] ascending, carrying ``order`` along; equal times by ascending
    order (so the result is unique, and a stable sort when order starts ascending).

    A team's arrivals from one source come almost in time order (a ticket is overtaken
    only by those served next to it), so insertion sort is linear on them (``nearly``).
    Otherwise, or past a budget of moves, one bucket pass (each time to its share of
    the range, a monotone key) leaves only neighbours out of order for insertion sort
    to settle; a merge sort takes whatever is still far from sorted."""
    n = hi - lo
    if nearly and _insertion_sort(times, order, lo, hi, 4 * n + 64):
        return
    _bucket_pass(times, order, lo, hi)
    if _insertion_sort(times, order, lo, hi, 8 * n + 64):
        return
    _merge_sort(times, order, lo, hi)


@numba.njit(cache=True)
def _before(t1, o1, t2, o2):
    return t1 < t2 or (t1 == t2 and o1 < o2)


@numba.njit(cache=True)
def _insertion_sort(times, order, lo, hi, budget):
    """Insertion sort of (time, order) pairs; False when it gives up past ``budget``
    moves, leaving a permutation of them."""
    for i in range(lo + 1, hi):
        t, o = times[i], order[i]
        h = i
        while h > lo and _before(t, o, times[h - 1], order[h - 1]):
            times[h] = times[h - 1]
            order[h] = order[h - 1]
            h -= 1
        times[h] = t
        order[h] = o
        budget -= i - h
        if budget < 0:
            return False
    return True


@numba.njit(cache=True)
def _bucket_pass(times, order, lo, hi):
    """A stable counting sort on floor((time - least) * n / range): n buckets."""
    n = hi - lo
    if n < 2:
        return
    least = most = times[lo]
    for i in range(lo + 1, hi):
        least = min(least, times[i])
        most = max(most, times[i])
    span = most - least
    if not (span > 0.0 and span < math.inf):
        return
    scale = n / span
    key = np.empty(n, dtype=np.int64)
    start = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        k = min(int((times[lo + i] - least) * scale), n - 1)
        key[i] = k
        start[k + 1] += 1
    for k in range(n):
        start[k + 1] += start[k]
    spare_t, spare_o = np.empty(n), np.empty(n, dtype=order.dtype)
    for i in range(n):
        at = start[key[i]]
        spare_t[at], spare_o[at] = times[lo + i], order[lo + i]
        start[key[i]] = at + 1
    for i in range(n):  # (element by element: slice assignment is slow to compile)
        times[lo + i], order[lo + i] = spare_t[i], spare_o[i]


@numba.njit(cache=True)
def _merge_sort(times, order, lo, hi):
    """Bottom-up merge sort of (time, order) pairs."""
    n = hi - lo
    src_t, src_o = np.empty(n), np.empty(n, dtype=order.dtype)
    dst_t, dst_o = np.empty(n), np.empty(n, dtype=order.dtype)
    for i in range(n):
        src_t[i], src_o[i] = times[lo + i], order[lo + i]
    width = 1
    while width < n:
        for a in range(0, n, 2 * width):
            mid, b = min(a + width, n), min(a + 2 * width, n)
            i, j = a, mid
            for k in range(a, b):
                if j >= b or (i < mid and _before(src_t[i], src_o[i], src_t[j], src_o[j])):
                    dst_t[k], dst_o[k] = src_t[i], src_o[i]
                    i += 1
                else:
                    dst_t[k], dst_o[k] = src_t[j], src_o[j]
                    j += 1
        src_t, dst_t = dst_t, src_t
        src_o, dst_o = dst_o, src_o
        width *= 2
    for i in range(n):
        times[lo + i], order[lo + i] = src_t[i], src_o[i]


# -- FIFO queues (Kiefer-Wolfowitz) --------------------------------------------------------
@numba.njit(cache=True)
def kw_step(free, arrival, pickup, work):
    """One customer through a FIFO queue whose servers are next free at ``free``
    (ascending): returns its start and end, and updates ``free``.

    It starts at max(arrival, the earliest free time), and that server is then free
    when it is done: the Kiefer-Wolfowitz recursion, customer after customer in arrival
    order, carrying the servers' free times sorted (the workload vector) instead of an
    event list. (The end is never before the earliest free time, which it replaces.)
    The end is ``(start + pickup) + work``, the floating-point sum the event-driven
    engine makes, so both give identical times.
    """
    first = free[0]
    start = arrival if arrival > first else first
    end = (start + pickup) + work
    # drop the earliest server's old free time and insert its new one, in order, with
    # no branch: the new i-th earliest is min(free[i+1], max(free[i], end))
    last = free.shape[0] - 1
    for i in range(last):
        free[i] = min(free[i + 1], max(free[i], end))
    free[last] = max(free[last], end)
    return start, end


# -- draws into the kernel's layout ----------------------------------------------------------
@numba.njit(cache=True)
def prepare(start, attrs, u, alert_share, alert_entry, resolve, knowledge, customer_delay,
            alert_delay, lo, detect, alert, exit_tier, entry, work):
    """An application's incidents into rows lo.. of the replication's arrays: channel
    (alert when the channel uniform is below the alert share), entry tier, resolving
    tier (the first from the entry whose routing uniform is below its resolve share),
    detection (start + the channel's delay) and work times the channel's knowledge
    factor (None: all 1); what ``draws.Incidents`` and the engine make of the same
    uniforms."""
    tiers = u.shape[1]
    for i in range(u.shape[0]):
        raised = attrs[i, 1] < alert_share
        first = alert_entry if raised else 0
        last = tiers - 1
        for j in range(tiers - 2, -1, -1):  # the lowest such tier wins, without a branch
            last = j if (j >= first) & (u[i, j, ROUTE] < resolve[j]) else last
        row = lo + i
        detect[row] = start[i] + (alert_delay[i] if raised else customer_delay[i])
        alert[row], entry[row], exit_tier[row] = raised, first, last
        if knowledge is not None:
            for j in range(tiers):
                work[j, row] *= knowledge[j, 1 if raised else 0]


# -- one replication ---------------------------------------------------------------------------
@numba.njit(cache=True)
def solve(horizon, warmup, start, detect, alert, exit_tier, entry, pickup, work, handoff,
          app_first, app_split, teams, src_first, src_app, src_tier, src_chan, src_entry,
          src_next, src_team, servers, resolver, team_f, team_n, waits, waited, inc_f, inc_n,
          ttr, resolved_at):
    """One replication. Incidents are numbered across applications (application a owns
    numbers app_first[a] .. app_first[a+1]-1, in start order); tier draws are (tier,
    incident) matrices. ``teams`` lists the teams to serve in order; team k's sources
    (application, tier, channel) are src_*[src_first[k]:src_first[k+1]], ``src_entry``
    marks those tickets enter at (detection), ``src_next`` is the source an escalation
    goes to (the next tier of the same application and channel) and ``src_team`` the
    position in ``teams`` a source belongs to.

    Fills ``team_f``/``team_n`` (team, T_*), ``waits`` (each team's waits of its measured
    tickets in service order, from T_FIRST on; room for as many tickets as its sources
    have incidents), ``waited`` (the same for those above zero), ``inc_f``/``inc_n``
    (I_*), ``ttr`` (times to restore in
    resolution order) and ``resolved_at`` (inf where unresolved): each application's
    outages are their union, worked out by ``finish``.
    """
    n_all = start.shape[0]
    n_teams = teams.shape[0]
    # per team, room for every ticket its sources could bring: when each joins, and
    # which it is (its source's rank in the team, high bits; its incident, low bits)
    base = np.zeros(n_teams + 1, dtype=np.int64)
    for k in range(n_teams):
        base[k + 1] = base[k]
        for s in range(src_first[k], src_first[k + 1]):
            base[k + 1] += app_first[src_app[s] + 1] - app_first[src_app[s]]
    times = np.empty(base[n_teams] + 1)
    ticket = np.empty(base[n_teams] + 1, dtype=np.int64)
    fill = np.empty(n_teams, dtype=np.int64)  # the next free slot of each team
    for k in range(n_teams):
        fill[k] = base[k]
    done_at = np.empty(n_all)  # when its resolving tier is done with it
    for i in range(n_all):
        done_at[i] = np.inf
    qwait = np.zeros(n_all)
    worked = np.zeros(n_all)
    hdelay = np.zeros(n_all)
    # tickets join their entry tier at detection (escalations are added as they happen)
    for s in range(src_first[n_teams]):
        if src_entry[s]:
            a, k = src_app[s], src_team[s]
            raised, either = src_chan[s] == 1, not app_split[a]
            rank = (s - src_first[k]) << 32
            at = fill[k]
            for i in range(app_first[a], app_first[a + 1]):
                times[at], ticket[at] = detect[i], rank | i
                # kept, without a branch (a dropped one is overwritten; the arrays
                # have one spare slot at the end)
                at += ((alert[i] == raised) | either) & (detect[i] < horizon)
            fill[k] = at
    for k in range(n_teams):
        # first come, first served; simultaneous joins in source order
        lo, hi = base[k], fill[k]
        sort_by_time(times, ticket, lo, hi, src_first[k + 1] - src_first[k] == 1)
        _serve(k, teams[k], servers[teams[k]], times, ticket, lo, hi, fill, horizon, warmup, start,
               exit_tier, pickup, work, handoff, src_first, src_tier, src_next, src_team,
               done_at, qwait, worked, hdelay, waits, waited, team_f, team_n)
    _incidents(horizon, warmup, start, detect, alert, exit_tier, entry, app_first, resolver,
               done_at, qwait, hdelay, worked, team_n, inc_f, inc_n, ttr,
               resolved_at)


@numba.njit(cache=True)
def _serve(k, t, servers, times, ticket, lo, hi, fill, horizon, warmup, start, exit_tier,
           pickup, work, handoff, src_first, src_tier, src_next, src_team, done_at, qwait,
           worked, hdelay, waits, waited, team_f, team_n):
    """Team t (k-th in order) serves its tickets times[lo:hi] in joining order (the
    Kiefer-Wolfowitz recursion), hands escalations on to the next tier's team, and
    counts as ``tally`` does, ticket by ticket: busy time and work (``engaged``), the
    queue (``queue_change``: a ticket that waits adds one when it joins and takes one
    off when a responder takes it; joins and takes merged in time order, a join before
    a take at the same time), and per incident its waits, work and handoff delays, tier
    after tier (teams are served in an order tickets flow forward in)."""
    free = np.zeros(servers)
    ups = np.empty(hi - lo + 1)  # joins of tickets that wait, then takes (in time order)
    downs = np.empty(hi - lo + 1)
    n_up = n_down = tickets = n_waited = 0
    busy = total_work = 0.0
    for q in range(lo, hi):
        s, i = src_first[k] + (ticket[q] >> 32), ticket[q] & 0xFFFFFFFF
        j, joined = src_tier[s], times[q]
        begun, ended = kw_step(free, joined, pickup[j, i], work[j, i])
        if exit_tier[i] > j:  # escalated: the engine adds the handoff delay
            hdelay[i] += handoff[j, i]
            arrival = ended + handoff[j, i]
            if arrival < horizon:
                nxt = src_next[s]
                to = src_team[nxt]
                times[fill[to]] = arrival
                ticket[fill[to]] = ((nxt - src_first[to]) << 32) | i
                fill[to] += 1
        else:
            done_at[i] = ended
        queued = begun > joined
        ups[n_up], downs[n_down] = joined, begun
        n_up += queued  # kept, without a branch
        n_down += queued & (begun < horizon)
        if begun < horizon:
            start_lo = begun if begun > warmup else warmup
            end_hi = ended if ended < horizon else horizon
            if end_hi > start_lo:
                busy += end_hi - start_lo
            qwait[i] += begun - joined
            worked[i] += work[j, i]
            if start[i] >= warmup:
                total_work += work[j, i]
                waits[lo + tickets] = waited[lo + n_waited] = begun - joined
                tickets += 1
                n_waited += queued  # kept, without a branch
    # the queue's changes merged in time order (sentinels end both runs)
    ups[n_up] = downs[n_down] = np.inf
    queue = longest = up = down = 0
    at_mark = -1  # the queue at the end of the warm-up
    last = area = 0.0
    for _ in range(n_up + n_down):
        joining = ups[up] <= downs[down]
        at = ups[up] if joining else downs[down]
        if at > warmup and at_mark < 0:
            at_mark = queue
        if at > warmup and at > last:
            area += queue * (at - (last if last > warmup else warmup))
        queue += 1 if joining else -1
        up += joining
        down += not joining
        longest = max(longest, queue)
        last = at
    team_f[t, T_BUSY], team_f[t, T_WORK] = busy, total_work
    team_f[t, T_AREA], team_f[t, T_Q_LAST] = area, last
    team_n[t, T_TICKETS], team_n[t, T_WAITED], team_n[t, T_FIRST] = tickets, n_waited, lo
    team_n[t, T_Q_NOW], team_n[t, T_LONGEST] = queue, longest
    team_n[t, T_Q_MARK] = queue if at_mark < 0 else at_mark


@numba.njit(cache=True)
def _incidents(horizon, warmup, start, detect, alert, exit_tier, entry, app_first, resolver,
               done_at, qwait, hdelay, worked, team_n, inc_f, inc_n, ttr,
               resolved_at):
    """What ``resolved`` (``loop/kernel_tally``) adds up, over the resolved incidents in
    resolution order."""
    n_all = start.shape[0]
    res = np.empty(n_all)
    order = np.empty(n_all, dtype=np.int64)
    done = handoffs = created = late = still_open = 0
    for a in range(app_first.shape[0] - 1):
        for i in range(app_first[a], app_first[a + 1]):
            arrived = detect[i] < horizon
            resolved = done_at[i] if arrived and done_at[i] < horizon else math.inf
            measured = start[i] >= warmup
            if resolved < math.inf and measured:
                team_n[resolver[a, exit_tier[i], 1 if alert[i] else 0], T_RESOLVED] += 1
                handoffs += int(exit_tier[i]) - int(entry[i])  # int8 columns: no wrap in Python
                res[done], order[done] = resolved, i
                done += 1
            if arrived and measured:
                created += 1
            if measured and detect[i] >= horizon:
                late += 1
            if arrived and not resolved < math.inf:
                still_open += 1
            resolved_at[i] = resolved
    # resolution order; simultaneous ones by application, then start
    # (typed arguments, not literals: the teams' sorts and this share one compiled sort)
    sort_by_time(res, order, np.int64(0), np.int64(done), np.bool_(False))
    total_q = total_h = flow = 0.0
    flowing = 0
    for k in range(done):
        i = order[k]
        t = res[k] - start[i]
        ttr[k] = t
        total_q += qwait[i]
        total_h += hdelay[i]
        if t > 0.0:
            flow += worked[i] / t
            flowing += 1
    inc_f[I_QWAIT], inc_f[I_HDELAY], inc_f[I_FLOW] = total_q, total_h, flow
    inc_n[I_DONE], inc_n[I_FLOW_N], inc_n[I_HANDOFFS] = done, flowing, handoffs
    inc_n[I_CREATED], inc_n[I_LATE], inc_n[I_OPEN] = created, late, still_open


# -- downtime -------------------------------------------------------------------------------
@numba.njit(cache=True)
def outage_union(app_first, start, resolved_at, warmup, end, out):
    """Per application, the length of the union of its incidents' outages in [warmup, end):
    ``tally.union_length`` of what ``tally.outage_hours`` keeps, operation for operation.
    Each incident is down from its start to its resolution (``end`` if unresolved);
    incidents are numbered by application and, within one, in start order, which is the
    order ``union_length`` sorts them into (equal starts in any order: they give the same
    union), so no sort is needed. The running maximum runs over every application at
    once on times shifted by ``app * span``, as numpy's does, so the reaches carry the
    same bits."""
    out[:] = 0.0
    n_apps = len(app_first) - 1
    top = -math.inf
    for i in range(len(start)):
        lo = max(start[i], warmup) - warmup
        stop = resolved_at[i] if math.isfinite(resolved_at[i]) else end
        hi = min(stop, end) - warmup
        if hi > lo:
            top = max(top, hi)
    if top == -math.inf:
        return
    span = top * 2.0 + 1.0
    running = -math.inf
    last_app = -1
    began = 0.0
    reach = 0.0
    for a in range(n_apps):
        shift = a * span
        for i in range(app_first[a], app_first[a + 1]):
            lo = max(start[i], warmup) - warmup
            stop = resolved_at[i] if math.isfinite(resolved_at[i]) else end
            hi = min(stop, end) - warmup
            if not hi > lo:
                continue
            running = max(running, hi + shift)
            if a != last_app or lo > reach:  # a new outage begins: the last one ends
                if last_app >= 0:
                    out[last_app] += reach - began
                last_app, began = a, lo
            reach = running - shift
    if last_app >= 0:
        out[last_app] += reach - began
