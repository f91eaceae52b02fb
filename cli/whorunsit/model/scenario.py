"""Applications, support paths, deployments, policies, gates and the scenario itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from whorunsit.errors import Location
from whorunsit.model.calendar import Calendar
from whorunsit.model.distributions import ZERO, Distribution
from whorunsit.model.organisation import Rota, Team

#: the special team name meaning "the application's owning team"
OWNER = "owner"
PRIORITIES = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True)
class Application:
    name: str
    #: owning (delivery) team
    owner: str
    #: incidents per hour, Poisson
    incident_rate: float
    #: shares of P1..P4, summing to 1
    priority_mix: tuple[float, float, float, float] = (0.05, 0.15, 0.5, 0.3)
    #: availability target, 0..1 (0.999 for 99.9%)
    availability_target: float = 0.99
    #: cost per hour of a full outage, scenario currency
    downtime_cost_per_hour: float = 0.0
    #: deployment requests per hour, Poisson
    deployment_rate: float = 0.0
    #: share of deployments that fail and raise an incident
    change_failure_rate: float = 0.0
    #: name of the support path incidents of this app walk
    support_path: str = "default"
    #: name of the deployment policy that serves its deployment requests
    deployment_policy: str = "default"
    #: share of incidents that arrive in working hours (per the scenario calendar), 0..1;
    #: None spreads them evenly over the week. Real tickets bunch in working hours, which
    #: even arrivals overstate out of hours (and with them callouts)
    in_hours_share: float | None = None


@dataclass(frozen=True)
class Detection:
    #: share of incidents raised by monitoring alerts; the rest are reported by customers
    alert_share: float = 0.5
    alert_delay: Distribution = ZERO
    customer_delay: Distribution = ZERO
    #: index of the tier alert-raised incidents enter at (customers always enter at 0)
    alert_entry_tier: int = 0


@dataclass(frozen=True)
class OnHold:
    """Time a ticket waits on the user or a vendor ("Awaiting User", "Wait-Vendor"): part
    of its time to restore that no team can shorten. The engine places the wait before the
    ticket reaches its first tier (a simplification: in a real log it falls anywhere)."""
    #: share of incidents that are put on hold
    share: float
    #: how long one waits, when it does
    wait: Distribution


@dataclass(frozen=True)
class Tier:
    name: str
    #: team that works this tier, or OWNER for the application's owning team
    team: str
    #: team that works alert-raised incidents at this tier instead (an Ops Bridge at L1)
    alert_team: str | None = None
    #: delay from a responder becoming free to starting work (acknowledgement, triage)
    pickup: Distribution = ZERO
    work: Distribution = field(default_factory=lambda: Distribution.fixed(1.0))
    #: chance the incident is resolved here (the last tier always resolves)
    resolve: float = 1.0
    #: chance the ticket is misrouted to a wrong team instead of moving on
    misroute: float = 0.0
    #: time the wrong team spends before bouncing the ticket back
    misroute_triage: Distribution = ZERO
    #: the wrong team (its responders spend the triage time); None = no modelled team
    misroute_team: str | None = None
    #: delay from escalating here to the next tier's queue
    handoff: Distribution = ZERO
    #: work-time multiplier for a team that does not own the application
    knowledge_factor: float = 1.0
    #: extra multiplier per further application a non-owning team supports: knowledge
    #: thins as App Ops takes on more apps (factor x (1 + dilution x (apps - 1)))
    knowledge_dilution: float = 0.0
    #: a swarm tier engages one responder from each of these teams at once
    swarm: tuple[str, ...] = ()


@dataclass(frozen=True)
class SupportPath:
    name: str
    detection: Detection
    tiers: tuple[Tier, ...]
    #: waiting on the user or a vendor; None: incidents are never put on hold
    on_hold: OnHold | None = None


@dataclass(frozen=True)
class Window:
    """A weekly window: from day/hour to day/hour, hours since Monday 00:00 (0..168)."""

    start: float
    end: float


@dataclass(frozen=True)
class Approval:
    """Approval a deployment waits for before it can be performed."""

    #: "none", "board" (a recurring change board) or "delay" (a random approval time)
    kind: str = "none"
    #: for a board: hours since Monday 00:00 when it sits, and how often (hours)
    board_at: float = 0.0
    board_every: float = 168.0
    #: for kind "delay"
    delay: Distribution = ZERO
    #: most changes a board sitting approves (0 = no limit); the rest wait for the next
    capacity: int = 0


@dataclass(frozen=True)
class DeploymentPolicy:
    name: str
    #: OWNER for self-service on the owner's pipeline, or the name of an ops team
    performer: str = OWNER
    #: responder time an ops team spends per deployment
    effort: Distribution = field(default_factory=lambda: Distribution.fixed(1.0))
    #: pipeline duration for self-service deployments (no responder queue)
    pipeline: Distribution = field(default_factory=lambda: Distribution.fixed(0.25))
    approval: Approval = field(default_factory=Approval)
    #: when an ops team may deploy; empty means its working hours
    change_windows: tuple[Window, ...] = ()
    #: most deployments an ops team works at once (0 = as many as it has responders)
    concurrency: int = 0
    #: a failed deployment raises an incident and is requested again (rework)
    redeploy_failed: bool = True


@dataclass(frozen=True)
class ErrorBudgetPolicy:
    """SRE hold an app's pager while its error budget lasts and their ops load is capped."""

    team: str
    applications: tuple[str, ...]
    #: share of SRE time that may go to ops work before the pager is handed back
    ops_cap: float = 0.5
    #: the window the error budget is measured over, hours (a quarter by default)
    budget_period: float = 13 * 168.0


@dataclass(frozen=True)
class GateSpec:
    """One assertion as written in a scenario or policy file; parsed by the gate package."""

    expression: str
    level: str = "error"
    location: Location = field(default_factory=lambda: Location("<scenario>"))


@dataclass(frozen=True)
class Scenario:
    name: str
    teams: tuple[Team, ...]
    applications: tuple[Application, ...]
    support_paths: tuple[SupportPath, ...]
    description: str = ""
    source: str = "<memory>"
    currency: str = "GBP"
    horizon: float = 13 * 168.0
    warmup: float = 0.0
    replications: int = 100
    seed: int = 1
    calendar: Calendar = field(default_factory=Calendar)
    rotas: tuple[Rota, ...] = ()
    deployment_policies: tuple[DeploymentPolicy, ...] = (DeploymentPolicy("default"),)
    policies: tuple[ErrorBudgetPolicy, ...] = ()
    gates: tuple[GateSpec, ...] = ()
    #: priorities (1-based) that call people out of hours; others wait for working hours
    callout_priorities: tuple[int, ...] = (1, 2)
    #: share of a full outage each priority represents, for downtime and availability
    priority_impact: tuple[float, float, float, float] = (1.0, 0.5, 0.0, 0.0)

    # -- lookups the engine and reports need --------------------------------------------
    def team(self, name: str) -> Team:
        for t in self.teams:
            if t.name == name:
                return t
        raise KeyError(name)

    def application(self, name: str) -> Application:
        for a in self.applications:
            if a.name == name:
                return a
        raise KeyError(name)

    def support_path(self, name: str) -> SupportPath:
        for p in self.support_paths:
            if p.name == name:
                return p
        raise KeyError(name)

    def deployment_policy(self, name: str) -> DeploymentPolicy:
        for d in self.deployment_policies:
            if d.name == name:
                return d
        raise KeyError(name)

    def rotas_for(self, team: str) -> tuple[Rota, ...]:
        return tuple(r for r in self.rotas if team in r.teams)
