"""Each team's figures at the end of a replication, compiled: ``tally.finish``'s team
and on-call columns.

They were some thirty numpy calls on arrays of a few teams each, where the calls cost
more than the arithmetic. Here one compiled call does the same element-by-element
arithmetic in the same order (each division only where ``tally._ratios`` divides, the
same products and sums), so every figure has numpy's bits; tests/test_kernel.py and
the shipped scenarios' JSON hold it to them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from whorunsit.engine import compiled  # noqa: F401  (first: numba's cache and WHORUNSIT_JIT)


@njit(cache=True, inline="always")
def _ratio(a, b):
    return a / b if b > 0 else math.nan


@njit(cache=True)
def team_columns(busy, away, q_last, q_area, q_n, q_mark, tickets, work_sum, work_n,
                 resolved, deploys, toil, unpaid, callouts, callout_cost, wait_mean,
                 wait_p95, responders, hourly, capex, people, standby_team, W, end,
                 working, nres, annual):
    """The team columns (``tally._Constants.team_names``' order), the on-call columns
    (``oncall_names``'), labour and toil cost (opex, capex) added up team by team, and
    the unpaid hours and callouts summed in team order."""
    nT = len(busy)
    hours = end - W
    weeks = hours / 168.0
    team = np.empty((nT, 10))
    oncall = np.empty((nT, 5))
    busy_cost = np.zeros(2)
    toil_cost = np.zeros(2)
    unpaid_sum = 0.0
    callouts_sum = 0.0
    for t in range(nT):
        area = q_area[t]
        if end > W and end > q_last[t]:  # the queue from its last change to the end
            area = area + q_n[t] * (end - (q_last[t] if q_last[t] >= W else W))
        avail = responders[t] * working - away[t]
        team[t, 0] = _ratio(busy[t], avail)
        team[t, 1] = wait_mean[t]
        team[t, 2] = wait_p95[t]
        team[t, 3] = area / hours if hours > 0 else math.nan
        team[t, 4] = tickets[t] / weeks if weeks > 0 else math.nan
        mean_work = _ratio(work_sum[t], work_n[t])
        team[t, 5] = mean_work
        team[t, 6] = resolved[t] / nres if nres > 0 else math.nan
        team[t, 7] = deploys[t] / weeks if weeks > 0 else math.nan
        growth = q_n[t] - q_mark[t]
        # ``tally.offered_load``: a team with no mean work time adds nothing for its queue
        queued = growth * mean_work if np.isfinite(mean_work) else 0.0
        load = busy[t] + queued
        team[t, 8] = _ratio(load if load >= 0.0 or load != load else 0.0, avail)
        team[t, 9] = growth
        busy_cost[capex[t]] += busy[t] * hourly[t] * annual
        toil_cost[capex[t]] += toil[t] * hourly[t] * annual
        oncall[t, 0] = standby_team[t]
        oncall[t, 1] = callout_cost[t] * annual
        per = people[t] * weeks
        oncall[t, 2] = callouts[t] / per if people[t] > 0 and per > 0 else math.nan
        oncall[t, 3] = unpaid[t] * annual
        oncall[t, 4] = toil[t] * annual
        unpaid_sum += unpaid[t]
        callouts_sum += callouts[t]
    return team, oncall, busy_cost, toil_cost, unpaid_sum, callouts_sum
