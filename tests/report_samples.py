"""Hand-built scenarios and Results with synthetic samples, for the report tests.

The renderers only read ``Results`` (samples per metric, pooled histograms) and the
scenario's structure, so they are tested without the engine: every figure here is
chosen, so the tests can assert what the report must say about it.
"""

from __future__ import annotations

import numpy as np

from whorunsit.model import (
    Application,
    BestEndeavours,
    DeploymentPolicy,
    Detection,
    Funding,
    OutOfHours,
    PayRules,
    Rota,
    RotaCover,
    Scenario,
    SupportPath,
    Team,
    TeamKind,
    Tier,
)
from whorunsit.model.bins import HISTOGRAM_EDGES
from whorunsit.stats.results import Results

TEAMS = ("service-desk", "ops-bridge", "app-ops", "delivery")


def scenario(currency: str = "GBP") -> Scenario:
    teams = (
        Team("service-desk", TeamKind.SERVICE_DESK, 6, 3, Funding.OPEX, 30.0),
        Team("ops-bridge", TeamKind.OPS_BRIDGE, 5, 2, Funding.OPEX, 35.0),
        Team("app-ops", TeamKind.APP_OPS, 5, 3, Funding.OPEX, 45.0),
        Team("delivery", TeamKind.DELIVERY, 7, 2, Funding.CAPEX, 60.0,
             OutOfHours.BEST_ENDEAVOURS, BestEndeavours(0.7)),
    )
    rotas = (
        Rota("service-desk", ("service-desk",), 6, RotaCover.OUT_OF_HOURS, PayRules(150.0, 30.0)),
        Rota("ops-bridge", ("ops-bridge",), 5, RotaCover.OUT_OF_HOURS, PayRules(200.0, 40.0)),
        Rota("app-ops", ("app-ops",), 5, RotaCover.OUT_OF_HOURS, PayRules(300.0, 60.0, 45.0)),
    )
    apps = (
        Application("checkout", "delivery", 4 / 168, availability_target=0.999,
                    downtime_cost_per_hour=4000.0, deployment_rate=1 / 168,
                    support_path="ops-run", deployment_policy="change-board"),
        Application("search", "delivery", 2 / 168, availability_target=0.99,
                    support_path="ops-run", deployment_policy="change-board"),
    )
    path = SupportPath("ops-run", Detection(0.6), (
        Tier("L1", "service-desk", alert_team="ops-bridge", resolve=0.25),
        Tier("L2", "app-ops", resolve=0.55),
        Tier("L3", "owner"),
    ))
    return Scenario(
        name="Ops Run It (synthetic)", teams=teams, applications=apps, support_paths=(path,),
        source="scenarios/synthetic.yaml", currency=currency, horizon=13 * 168.0,
        warmup=168.0, replications=30, seed=7, rotas=rotas,
        deployment_policies=(DeploymentPolicy("change-board", performer="app-ops"),),
    )


def results(replications: int = 30, *, seed: int = 7, discontinuous: float = 0.0,
            app_ops_utilisation: float = 0.92, unpaid_hours: float = 120.0,
            currency: str = "GBP", deployments: bool = True,
            checkout_availability: float = 0.9985) -> Results:
    """Results whose means are (about) the given figures, with noise across replications."""
    rng = np.random.default_rng(seed)
    n = replications

    def around(mean: float, rel: float = 0.05) -> np.ndarray:
        if mean == 0:
            return np.zeros(n)
        return mean * (1 + rel * rng.standard_normal(n))

    s: dict[str, np.ndarray] = {
        "incidents.count": around(70),
        "incidents.per_week": around(5.8),
        "incidents.unresolved": around(0.4, 0.5),
        "incidents.time_to_restore.mean": around(9.5, 0.1),
        "incidents.time_to_restore.p50": around(3.4),
        "incidents.time_to_restore.p95": around(41.0),
        "incidents.time_to_restore.p99": around(70.0),
        "incidents.handoffs.mean": around(1.7),
        "incidents.reassignments.mean": around(0.21),
        "incidents.queue_wait.mean": around(4.2),
        "incidents.handoff_delay.mean": around(1.9),
        "incidents.flow_efficiency": around(0.18),
        "oncall.unpaid_hours": around(unpaid_hours),
        "oncall.callouts_per_week": around(2.1),
        "cost.oncall": around(180_000),
        "cost.headcount": np.full(n, 1_100_000.0),
        "cost.labour": around(95_000),
        "cost.toil": around(7_500),
        "cost.downtime": around(1_234_567),
        "cost.opex": around(230_000),
        "cost.capex": around(52_000),
        "cost.total": around(1_516_567),
    }
    utilisation = {"service-desk": 0.31, "ops-bridge": 0.12, "app-ops": app_ops_utilisation,
                   "delivery": 0.22}
    for team, u in utilisation.items():
        p = f"teams.{team}."
        s[p + "utilisation"] = around(u, 0.02)
        s[p + "offered_load"] = s[p + "utilisation"] * 1.01
        s[p + "queue_growth"] = np.sin(np.arange(n))  # no trend (and no draws taken)
        s[p + "queue_wait.mean"] = around(0.6)
        s[p + "queue_wait.p95"] = around(5.5)
        s[p + "tickets_per_week"] = around(4.1)
        s[p + "work_time.mean"] = around(0.9)
        s[p + "resolved_share"] = around(0.25)
        s[p + "deployments_per_week"] = around(1.1 if team == "app-ops" and deployments else 0.0)
        q = f"oncall.{team}."
        paid = team != "delivery"
        s[q + "standby_cost"] = around(39_000 if paid else 0.0)
        s[q + "callout_cost"] = around(4_200 if paid else 0.0)
        s[q + "callouts_per_person_week"] = around(0.35)
        s[q + "unpaid_hours"] = around(0.0 if paid else unpaid_hours)
        s[q + "toil_hours"] = around(0.0 if paid else 40.0)
    if deployments:
        s["deployments.lead_time.mean"] = around(80.0)
        s["deployments.lead_time.p50"] = around(52.0)
        s["deployments.lead_time.p95"] = around(150.0)
        s["deployments.throughput_per_week"] = around(1.1)
        s["deployments.demand_per_week"] = around(1.15)
        s["deployments.backlog"] = around(0.5, 0.5)
    else:
        for m in ("lead_time.mean", "lead_time.p50", "lead_time.p95"):
            s[f"deployments.{m}"] = np.full(n, np.nan)
        s["deployments.throughput_per_week"] = np.zeros(n)
        s["deployments.demand_per_week"] = np.zeros(n)
        s["deployments.backlog"] = np.zeros(n)
    s.update(_by_priority(n, seed))
    flags = np.zeros(n)
    flags[: int(round(discontinuous * n))] = 1.0
    s["delivery.discontinuous"] = flags
    # replications that fell behind grew a backlog of about 30 requests; the others none
    s["deployments.backlog_growth"] = np.where(flags > 0, 30.0, 0.0) + np.cos(np.arange(n))
    for app, avail in (("checkout", checkout_availability), ("search", 0.9995)):
        p = f"applications.{app}."
        s[p + "availability"] = np.clip(around(avail, 0.0003), 0, 1)
        s[p + "downtime_hours"] = (1 - s[p + "availability"]) * 8736
        s[p + "p_meets_target"] = (rng.random(n) < (0.2 if app == "checkout" else 0.9)) * 1.0

    ttr = rng.lognormal(np.log(3.4), 1.3, 70 * n)
    lead = rng.lognormal(np.log(52.0), 0.6, 14 * n) if deployments else np.array([])
    hist = {
        "incidents.time_to_restore": np.histogram(ttr, bins=HISTOGRAM_EDGES)[0],
        "deployments.lead_time": np.histogram(lead, bins=HISTOGRAM_EDGES)[0],
    }
    return Results(scenario(currency), seed, {k: np.asarray(v, float) for k, v in s.items()},
                   hist)


def _by_priority(n: int, seed: int) -> dict[str, np.ndarray]:
    """Time to restore by priority, from a generator of its own (the other figures keep
    their draws): P1/P2 restored fast on call, P3 waiting for working hours, no P4 at
    all, and P1s so rare that one replication in ten has none (NaN, as the engine says)."""
    rng = np.random.default_rng(seed + 1)
    means = {"P1": (1.6, 1.2, 3.9), "P2": (2.8, 2.1, 7.5), "P3": (12.0, 4.4, 52.0),
             "urgent": (2.5, 1.9, 7.0)}
    out = {}
    for group in ("P1", "P2", "P3", "P4", "urgent"):
        for stat, mean in zip(("mean", "p50", "p95"), means.get(group, (np.nan,) * 3),
                              strict=True):
            values = mean * (1 + 0.05 * rng.standard_normal(n))
            if group == "P1":
                values[np.arange(n) % 10 == 9] = np.nan
            out[f"incidents.{group}.time_to_restore.{stat}"] = values
    return out
