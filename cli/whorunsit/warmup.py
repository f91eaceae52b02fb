"""Two small scenarios that, played once, make numba compile every piece of compiled
code a simulation can use: one for the compiled event loop (office hours, rotas, best
endeavours, misroutes, deployments through a change board) and one for the fast path
(a 24x7 FIFO network). ``api.warmup`` plays them; ``whorunsit warmup`` and `make demo`
call it, so the one-off compile is paid up front, where the user chose to."""

from __future__ import annotations

EVENT_LOOP = """
name: warm-up (compiled event loop)
currency: GBP
horizon: 2w
warmup: 1d
replications: 1
seed: 1
calendar: {working_days: [Mon, Tue, Wed, Thu, Fri], working_hours: 09:00-17:00}
arrivals: {in_hours: 70%}
teams:
  desk:
    kind: service-desk
    headcount: 4
    responders: 2
    funding: opex
    hourly_cost: 30 GBP
    rota: {members: 4, cover: out-of-hours, standby: 150 GBP/week, callout_fee: 30 GBP}
  ops:
    kind: app-ops
    headcount: 4
    responders: 2
    funding: opex
    hourly_cost: 45 GBP
    rota: {members: 4, cover: out-of-hours, standby: 300 GBP/week, callout_pay: 45 GBP/h}
  dev:
    kind: delivery
    headcount: 5
    responders: 2
    funding: capex
    hourly_cost: 60 GBP
    out_of_hours:
      best_endeavours: {answer: 70%, delay: exponential(mean=45m), toil: 2h}
applications:
  shop:
    owner: dev
    incidents: 6/week
    priorities: {P1: 10%, P2: 20%, P3: 40%, P4: 30%}
    availability_target: 99.9%
    downtime_cost: 1000 GBP/h
    deployments: 2/week
    change_failure_rate: 15%
    support_path: tiers
    deployment: board
support_paths:
  tiers:
    detection: {alerts: 50%, alert_delay: exponential(mean=10m),
                customer_delay: exponential(mean=30m)}
    tiers:
      - {name: L1, team: desk, pickup: exponential(mean=15m),
         work: "lognormal(median=20m, p95=1h)", resolve: 25%, misroute: 10%,
         misroute_triage: exponential(mean=30m), handoff: exponential(mean=30m)}
      - {name: L2, team: ops, work: "lognormal(median=1h, p95=4h)", resolve: 50%,
         knowledge_factor: 1.5}
      - {name: L3, team: owner, work: "lognormal(median=2h, p95=8h)"}
deployments:
  board:
    performer: ops
    effort: lognormal(median=2h, p95=6h)
    approval: {board: Tue 10:00, every: 1w}
    change_windows: [Thu 18:00-22:00]
    concurrency: 1
"""

FAST_PATH = """
name: warm-up (fast path)
currency: GBP
horizon: 1w
warmup: 1d
replications: 1
seed: 1
calendar: {working_hours: 24x7}
teams:
  l1: {kind: service-desk, headcount: 2, responders: 2, funding: opex, hourly_cost: 30 GBP}
  l2: {kind: delivery, headcount: 3, responders: 3, funding: capex, hourly_cost: 60 GBP}
applications:
  service:
    owner: l2
    incidents: 2/h
    priorities: {P1: 0%, P2: 100%, P3: 0%, P4: 0%}
    availability_target: 99%
    downtime_cost: 1000 GBP/h
    support_path: tiers
support_paths:
  tiers:
    detection: {alerts: 0%}
    tiers:
      - {name: L1, team: l1, work: exponential(mean=20m), resolve: 50%}
      - {name: L2, team: l2, work: exponential(mean=1h)}
"""

SCENARIOS = {"compiled event loop": EVENT_LOOP, "fast path": FAST_PATH}
