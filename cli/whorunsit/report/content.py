"""What the simulate report says, independent of how it is drawn.

``build(results)`` turns a run's estimates into plain sections of text cells (with a
warning flag per cell), so the rich terminal report and the markdown report say exactly
the same things. Which metrics go where, what counts as a warning and how the delivery
verdict is reached are decided here, once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from whorunsit.model import OutOfHours, RotaCover, Scenario
from whorunsit.model.scenario import OWNER
from whorunsit.report import format as fmt
from whorunsit.scenario.advice import advise
from whorunsit.stats import stability
from whorunsit.stats.intervals import MIN_VALUES
from whorunsit.stats.results import Estimate, Results

#: utilisation above which queues grow non-linearly (and people burn out)
UTILISATION_WARNING = 0.85
#: precision is reported on this metric's relative 95% CI half-width
PRECISION_METRIC = "incidents.time_to_restore.mean"


@dataclass(frozen=True)
class Cell:
    text: str
    warn: bool = False
    #: numbers are right-aligned, names left-aligned
    numeric: bool = True
    #: a secondary line under a name (a team's tier, its funding)
    sub: str = ""


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    #: how many rows are totals, ending at row ``totals_at`` (None: the last row)
    totals: int = 0
    totals_at: int | None = None

    def is_total(self, i: int) -> bool:
        end = len(self.rows) if self.totals_at is None else self.totals_at
        return end - self.totals <= i < end

    def before_totals(self, i: int) -> bool:
        """Whether row i is the last before the totals (a rule goes under it)."""
        return self.totals > 0 and self.is_total(i + 1) and not self.is_total(i)


@dataclass(frozen=True)
class Verdict:
    #: None when no deployments were demanded
    continuous: bool | None
    #: share of replications in which delivery fell behind demand
    share: float
    headline: str
    detail: str


@dataclass(frozen=True)
class Chart:
    title: str
    counts: np.ndarray
    #: what one pooled item is ("incidents", "deployments")
    items: str


@dataclass
class Report:
    title: str
    header: list[tuple[str, str]]
    headline: Table
    verdict: Verdict
    tables: list[Table]
    charts: list[Chart]
    warnings: list[str]


def build(results: Results, *, precision: float | None = None) -> Report:
    """The whole report for one run. ``precision`` is the target the run was asked for."""
    view = _View(results)
    return Report(
        title=results.scenario.name,
        header=_header(view, precision),
        headline=_headline(view),
        verdict=verdict(results),
        tables=[t for t in (_flow(view), _per_incident(view), _by_priority(view),
                            _oncall(view), _costs(view), _availability(view)) if t.rows],
        charts=_charts(results),
        warnings=_warnings(view, precision),
    )


class _View:
    """Estimates by name, computed once, and cell helpers that know the currency."""

    def __init__(self, results: Results):
        self.results = results
        self.scenario: Scenario = results.scenario
        self.currency = results.scenario.currency
        self.estimates: dict[str, Estimate] = results.estimates()

    def get(self, name: str) -> Estimate | None:
        return self.estimates.get(name)

    def value(self, name: str) -> float:
        est = self.estimates.get(name)
        return est.value if est is not None else math.nan

    def has(self, name: str) -> bool:
        return name in self.estimates

    def cell(self, name: str, *, warn: bool = False, unit: str | None = None,
             suffix: bool = False, scale: tuple[float, str] | None = None) -> Cell:
        text = fmt.estimate(self.get(name), self.currency, unit=unit, suffix=suffix, scale=scale)
        return Cell(text + (" !" if warn else ""), warn)


def split_names(table: Table) -> Table:
    """The first column's secondary lines as a column of their own ("Team / tier" ->
    "Team", "Tier"), for wide terminals and markdown."""
    if not any(row[0].sub for row in table.rows):
        return table
    head, _, subhead = table.columns[0].partition(" / ")
    rows = [[replace(r[0], sub=""), Cell(r[0].sub, numeric=False)] + r[1:] for r in table.rows]
    return replace(table, columns=[head, subhead.capitalize()] + table.columns[1:], rows=rows)


def _name(text: str, sub: str = "") -> Cell:
    return Cell(text, numeric=False, sub=sub)


# -- header ---------------------------------------------------------------------------------

def _header(view: _View, precision: float | None) -> list[tuple[str, str]]:
    s, r = view.scenario, view.results
    rows = [
        ("scenario", s.name),
        ("file", s.source),
        ("horizon", f"{fmt.span(s.horizon)} (warm-up {fmt.span(s.warmup)} not counted)"
         if s.warmup > 0 else fmt.span(s.horizon)),
        ("replications", f"{r.replications:,}"),
        ("seed", str(r.seed)),
        ("precision", precision_text(view.get(PRECISION_METRIC), precision)),
        ("confidence", "± is the 95% confidence interval across replications"),
    ]
    return rows


def precision_text(est: Estimate | None, target: float | None = None) -> str:
    """How precise the figures are: "TTR mean ±3.1%" (and the target when one was set)."""
    if est is None or not math.isfinite(est.value):
        return "not measured (no incidents)"
    rel = fmt.relative_precision(est)
    text = "TTR mean ±?" if not math.isfinite(rel) else f"TTR mean ±{rel:.1%}"
    if target is not None:
        met = "met" if rel <= target else "NOT met"
        text += f" (target ±{target:.1%}, {met})"
    return text


# -- headline ---------------------------------------------------------------------------------

def verdict(results: Results) -> Verdict:
    """Continuous or Discontinuous Delivery: discontinuous when the deployment backlog grew
    over the measured horizon, significantly and by more than two weeks of demand
    (stats/stability.py)."""
    d = stability.delivery(results.samples)
    samples = results.samples.get("delivery.discontinuous")
    if d is None or samples is None:
        return Verdict(None, math.nan, "No deployment demand",
                       "no deployments were requested, so there is no delivery verdict")
    finite = samples[np.isfinite(samples)]
    share = float(finite.mean()) if len(finite) else math.nan
    if d.discontinuous:
        return Verdict(False, share, "Discontinuous Delivery",
                       f"{fmt.number(d.throughput_per_week)} deployments a week delivered "
                       f"against {fmt.number(d.demand_per_week)} asked for: the backlog grew "
                       f"by {fmt.number(d.growth)} requests on average over the horizon, so "
                       "lead times grow with it")
    return Verdict(True, share, "Continuous Delivery",
                   f"{fmt.number(d.throughput_per_week)} deployments a week delivered against "
                   f"{fmt.number(d.demand_per_week)} asked for, with no lasting backlog")


def _headline(view: _View) -> Table:
    rows = []

    def row(label: str, *names: str, warn: bool = False, unit: str | None = None) -> None:
        if not any(view.has(n) for n in names):
            return
        # one unit for the row: "56.3h / 37.3h", never "2.35d / 37.3h"
        scale = fmt.row_scale([view.value(n) for n in names]) if fmt.display_unit(names[0]) == "h" \
            else None
        cells = [view.cell(n, warn=warn, unit=unit, suffix=True, scale=scale) for n in names]
        text = " / ".join(c.text for c in cells)
        rows.append([_name(label), Cell(text, warn)])

    row("Time to restore p50 / p95", "incidents.time_to_restore.p50",
        "incidents.time_to_restore.p95")
    row("Deployment lead time p50 / p95", "deployments.lead_time.p50",
        "deployments.lead_time.p95")
    if view.has("deployments.throughput_per_week"):
        v = verdict(view.results)
        delivered = view.cell("deployments.throughput_per_week", suffix=True).text
        demanded = view.cell("deployments.demand_per_week", suffix=True).text
        rows.append([_name("Deployments delivered / demanded"),
                     Cell(f"{delivered} / {demanded}", v.continuous is False)])
    row("Incidents", "incidents.per_week")
    row("Headcount cost (people x paid hours)", "cost.headcount")
    row("On-call cost (standby + callouts)", "cost.oncall")
    row("Downtime cost", "cost.downtime")
    unpaid = view.value("oncall.unpaid_hours")
    row("Unpaid out-of-hours work", "oncall.unpaid_hours", warn=unpaid > 0)
    row("Total cost (headcount + on-call + downtime)", "cost.total")
    return Table("Headline outcomes", ["Outcome", "Estimate ±95% CI"], rows)


# -- incident flow ----------------------------------------------------------------------------

def team_roles(scenario: Scenario) -> dict[str, str]:
    """Each team's place in the support paths ("L1", "L2 · deploys"), in tier order."""
    roles: dict[str, list[str]] = {}

    def add(team: str | None, role: str) -> None:
        if team is None:
            return
        names = [a.owner for a in scenario.applications] if team == OWNER else [team]
        for name in names:
            if role not in roles.setdefault(name, []):
                roles[name].append(role)

    for path in scenario.support_paths:
        for tier in path.tiers:
            add(tier.team, tier.name)
            if tier.alert_team:
                add(tier.alert_team, f"{tier.name} alerts")
            for member in tier.swarm:
                add(member, tier.name)
    used = {a.deployment_policy for a in scenario.applications}
    for policy in scenario.deployment_policies:
        if policy.name in used and policy.performer != OWNER:
            add(policy.performer, "deploys")
    return {team: " · ".join(r) for team, r in roles.items()}


def _teams_in_order(view: _View) -> list[str]:
    """Teams in support-path order (L1 first), then any others as the scenario lists them."""
    roles = team_roles(view.scenario)
    declared = [t.name for t in view.scenario.teams]
    ordered = [t for t in roles if t in declared] + [t for t in declared if t not in roles]
    return [t for t in ordered if any(k.startswith(f"teams.{t}.") or k.startswith(f"oncall.{t}.")
                                      for k in view.estimates)]


def _flow(view: _View) -> Table:
    roles = team_roles(view.scenario)
    deploys = any(view.value(f"teams.{t.name}.deployments_per_week") > 0
                  for t in view.scenario.teams)
    columns = ["Team / tier", "Tickets /wk", "Queue wait mean", "Queue wait p95",
               "Work time", "Utilisation", "Resolved here"]
    if deploys:
        columns.insert(2, "Deploys /wk")
    rows = []
    for team in _teams_in_order(view):
        p = f"teams.{team}."
        if not view.has(p + "utilisation"):
            continue
        busy = view.value(p + "utilisation") > UTILISATION_WARNING
        cells = [_name(team, roles.get(team, "")), view.cell(p + "tickets_per_week"),
                 view.cell(p + "queue_wait.mean"), view.cell(p + "queue_wait.p95"),
                 view.cell(p + "work_time.mean"), view.cell(p + "utilisation", warn=busy),
                 view.cell(p + "resolved_share")]
        if deploys:
            cells.insert(2, view.cell(p + "deployments_per_week"))
        rows.append(cells)
    notes = [f"! utilisation over {UTILISATION_WARNING:.0%}: queues grow non-linearly"] if any(
        c.warn for r in rows for c in r) else []
    return Table("Incident flow by team", columns, rows, notes)


def _per_incident(view: _View) -> Table:
    rows = []
    for label, name in (
        ("Handoffs between teams", "incidents.handoffs.mean"),
        ("Reassignments (ping-pong)", "incidents.reassignments.mean"),
        ("Time waiting in queues", "incidents.queue_wait.mean"),
        ("Time in handoffs", "incidents.handoff_delay.mean"),
        ("Time on hold (user, vendor)", "incidents.on_hold.mean"),
        ("Time to restore, mean", "incidents.time_to_restore.mean"),
        ("Flow efficiency (work / time to restore)", "incidents.flow_efficiency"),
        ("Still open at the horizon", "incidents.unresolved"),
    ):
        if view.has(name):
            rows.append([_name(label), view.cell(name, suffix=True)])
    return Table("Per incident", ["Measure", "Estimate ±95% CI"], rows)


def _by_priority(view: _View) -> Table:
    """Time to restore per priority, and for the urgent ones that call people out: the
    all-incident figures mix them with P3/P4 waiting for the next working day."""
    stats = ("mean", "p50", "p95")
    urgent = [f"P{p}" for p in view.scenario.callout_priorities]
    groups = [(f"P{p}", f"incidents.P{p}.") for p in range(1, 5)]
    if urgent:
        groups.append((f"Urgent ({', '.join(urgent)})", "incidents.urgent."))
    groups.append(("All incidents", "incidents."))
    rows, partial = [], False
    for label, prefix in groups:
        names = [f"{prefix}time_to_restore.{s}" for s in stats]
        est = view.get(names[0])
        if est is None or est.n == 0:
            continue   # no such incident in any replication (or an older run's results)
        partial = partial or est.n < view.results.replications
        scale = fmt.row_scale([view.value(n) for n in names])  # one unit per row
        rows.append([_name(label)] + [view.cell(n, scale=scale) for n in names])
    if len(rows) < 2:
        return Table("Time to restore by priority", [], [])
    notes = []
    if urgent:
        notes.append(f"urgent = {', '.join(urgent)}: they call people out of hours; "
                     "the rest wait for working hours")
    if partial:
        notes.append("a priority's figures average only the replications that resolved one")
    totals = 2 if urgent else 1
    return Table("Time to restore by priority", ["Priority", "Mean", "p50", "p95"], rows,
                 notes, totals=min(totals, len(rows) - 1))


# -- on-call and cost -------------------------------------------------------------------------

def cover_text(scenario: Scenario, team: str) -> str:
    """Who answers out of hours for a team: its rota(s), best endeavours, or nobody."""
    rotas = scenario.rotas_for(team)
    if rotas:
        parts = []
        for r in rotas:
            # out of hours is what a rota covers unless it says otherwise
            text = ("shared " if len(r.teams) > 1 else "") + f"rota of {r.members}"
            if r.cover != RotaCover.OUT_OF_HOURS:
                text += f", {r.cover.value}"
            if not r.pay.paid:
                text += ", unpaid"
            if r.targets:
                text += " (" + "/".join(fmt.target(t) for t in r.targets) + " apps)"
            parts.append(text)
        return "; ".join(parts)
    try:
        t = scenario.team(team)
    except KeyError:
        return "—"
    if t.out_of_hours == OutOfHours.BEST_ENDEAVOURS:
        return "unpaid best endeavours"
    return "none"


def _funding(scenario: Scenario, team: str) -> str:
    try:
        return {"opex": "OpEx", "capex": "CapEx"}[scenario.team(team).funding.value]
    except KeyError:
        return "—"


def _oncall(view: _View) -> Table:
    c = fmt.SYMBOLS.get(view.currency, view.currency)
    columns = ["Team / funding", "Out-of-hours cover", f"Standby {c}/yr", "Callouts /person-wk",
               f"Callouts {c}/yr", "TOIL h/yr", "Unpaid h/yr"]
    rows = []
    for team in _teams_in_order(view):
        p = f"oncall.{team}."
        if not any(view.has(p + m) for m in ("standby_cost", "callout_cost", "unpaid_hours")):
            continue
        unpaid = view.value(p + "unpaid_hours") > 0
        rows.append([_name(team, _funding(view.scenario, team)),
                     _name(cover_text(view.scenario, team)), view.cell(p + "standby_cost"),
                     view.cell(p + "callouts_per_person_week"), view.cell(p + "callout_cost"),
                     view.cell(p + "toil_hours"), view.cell(p + "unpaid_hours", warn=unpaid)])
    notes = ["! unpaid out-of-hours work"] if any(r[-1].warn for r in rows) else []
    return Table("On-call and cost by team", columns, rows, notes)


def _costs(view: _View) -> Table:
    """The bill, whose lines add up to the total, then how it is funded and how much of
    the paid hours incidents, deployments and time off in lieu take (docs/model.md,
    "Costs")."""
    def rows(*items: tuple[str, str]) -> list[list[Cell]]:
        return [[_name(label), view.cell(name, suffix=True)] for label, name in items
                if view.has(name)]

    bill = rows(("Headcount (people x paid hours)", "cost.headcount"),
                ("On-call pay (standby + callouts)", "cost.oncall"),
                ("Downtime", "cost.downtime"),
                ("Total (headcount + on-call + downtime)", "cost.total"))
    inside = rows(("OpEx (headcount and on-call)", "cost.opex"),
                  ("CapEx (headcount and on-call)", "cost.capex"),
                  ("Paid hours on incidents, deployments", "cost.labour"),
                  ("Paid hours given back as TOIL", "cost.toil"))
    notes = ["below the total: how it is funded (downtime is neither OpEx nor CapEx), and "
             "what the paid hours went on (inside the headcount, not added to it)"]
    totals = 1 if bill and bill[-1][0].text.startswith("Total") else 0
    return Table("Cost per year", ["Item", "Estimate ±95% CI"], bill + inside, notes,
                 totals=totals, totals_at=len(bill))


# -- availability -----------------------------------------------------------------------------

def _availability(view: _View) -> Table:
    rows = []
    for app in view.scenario.applications:
        p = f"applications.{app.name}."
        if not view.has(p + "availability"):
            continue
        below = view.value(p + "availability") < app.availability_target
        rows.append([_name(app.name), _name(app.owner), Cell(fmt.target(app.availability_target)),
                     view.cell(p + "availability", warn=below),
                     view.cell(p + "downtime_hours"), view.cell(p + "p_meets_target")])
    notes = ["! mean availability below target"] if any(r[3].warn for r in rows) else []
    return Table("Availability by application",
                 ["Application", "Owner", "Target", "Availability", "Downtime h/yr",
                  "P(meets target)"], rows, notes)


# -- charts and warnings ----------------------------------------------------------------------

def _charts(results: Results) -> list[Chart]:
    charts = []
    for key, title, items in (
        ("incidents.time_to_restore", "Time to restore, all incidents pooled", "incidents"),
        ("deployments.lead_time", "Deployment lead time, all deployments pooled", "deployments"),
    ):
        counts = results.histograms.get(key)
        if counts is not None and np.asarray(counts).sum() > 0:
            charts.append(Chart(title, np.asarray(counts), items))
    return charts


def _warnings(view: _View, precision: float | None) -> list[str]:
    out = []
    teams = _teams_in_order(view)
    judged = stability.stability(view.results.samples, teams)
    for t in judged.unstable:
        out.append(f"{t.team} is offered {fmt.percent(t.load)} of what it can serve "
                   f"[{fmt.percent(t.low)}, {fmt.percent(t.high)}] and its queue grew by "
                   f"{fmt.number(t.growth)} tickets on average: demand is above what it can "
                   "serve, so waits grow with the horizon and the figures above are lower "
                   "bounds")
    if judged.overflowed:
        # a count, not a rounded share: one replication in 400 must not read as "0%"
        out.append(f"{judged.overflowed} of {judged.replications} replications stopped when "
                   "queues passed 20,000 items: demand is far above what the teams can serve")
    for t in judged.near_capacity:
        out.append(f"{t.team} is offered {fmt.percent(t.load)} of what it can serve (over "
                   f"{stability.NEAR_CAPACITY:.0%}): queues grow non-linearly and burnout risk "
                   "is high")
    for team in _teams_in_order(view):
        h = view.value(f"oncall.{team}.unpaid_hours")
        if h > 0:
            out.append(f"{team} works {fmt.number(h)} h/yr out of hours without pay")
    for app in view.scenario.applications:
        a = view.value(f"applications.{app.name}.availability")
        if a < app.availability_target:
            est = view.get(f"applications.{app.name}.p_meets_target")
            met = ""
            if est is not None and math.isfinite(est.value):
                # a count and the Wilson interval: "0 of 200" is not a certainty of 0
                hits = round(est.value * est.n)
                met = f" (met in {hits} of {est.n} replications"
                if est.usable:
                    met += f"; 95% CI {fmt.percent(est.low)}–{fmt.percent(est.high)}"
                met += ")"
            out.append(f"{app.name} availability {fmt.availability(a)} is below its "
                       f"{fmt.target(app.availability_target)} target{met}")
    v = verdict(view.results)
    if v.continuous is False:
        out.append(f"Discontinuous Delivery: {v.detail}")
    n = view.results.replications
    if n < MIN_VALUES:
        out.append(f"{n} replication{'s give' if n != 1 else ' gives'} no usable confidence "
                   f"interval (±?: too wide to use): run at least {MIN_VALUES} (30+ is "
                   "sensible)")
    # what validate warns about: configurations that cost money and do nothing
    for problem in advise(view.scenario):
        out.append(f"{problem.message.removeprefix('warning: ')}; {problem.expected}")
    est = view.get(PRECISION_METRIC)
    if precision is not None and est is not None and fmt.relative_precision(est) > precision:
        out.append(f"precision target ±{precision:.1%} on {PRECISION_METRIC} not reached: "
                   f"{precision_text(est)}; allow more replications")
    return out
