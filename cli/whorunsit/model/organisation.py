"""Teams, on-call rotas and their pay rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from whorunsit.model.distributions import Distribution


class TeamKind(StrEnum):
    SERVICE_DESK = "service-desk"
    OPS_BRIDGE = "ops-bridge"
    APP_OPS = "app-ops"
    MONITORING = "monitoring"
    DELIVERY = "delivery"
    SRE = "sre"


class Funding(StrEnum):
    OPEX = "opex"
    CAPEX = "capex"


class OutOfHours(StrEnum):
    """What a team does out of hours for tickets no rota covers."""

    #: nothing: the ticket waits for the next working day
    NONE = "none"
    #: unpaid best endeavours: someone may answer, after a delay, unpaid
    BEST_ENDEAVOURS = "best-endeavours"


@dataclass(frozen=True)
class BestEndeavours:
    #: chance (0..1) that somebody answers an out-of-hours call at all
    answer_probability: float = 0.5
    #: how long until they answer, when they do
    answer_delay: Distribution = field(default_factory=lambda: Distribution.fixed(1.0))
    #: time off in lieu granted per out-of-hours engagement, in hours
    toil_hours_per_callout: float = 0.0


@dataclass(frozen=True)
class Team:
    name: str
    kind: TeamKind
    headcount: int
    #: how many can work tickets at once in working hours
    responders: int
    funding: Funding
    #: loaded labour cost per person-hour, scenario currency
    hourly_cost: float = 0.0
    out_of_hours: OutOfHours = OutOfHours.NONE
    best_endeavours: BestEndeavours | None = None
    #: teams sharing a domain may share a domain rota
    domain: str | None = None


class RotaCover(StrEnum):
    """Which hours a rota is on call for. In working hours the team itself responds."""

    OUT_OF_HOURS = "out-of-hours"   # every non-working hour
    WEEKENDS = "weekends"           # Sat and Sun only
    ALWAYS = "24x7"                 # out of hours, and standby is paid for all hours


@dataclass(frozen=True)
class PayRules:
    """What the rota's owner pays. Money in the scenario's currency."""

    #: per person on call, per week of standby (a per-day rate is converted x7)
    standby_per_week: float = 0.0
    #: flat fee per callout (an out-of-hours engagement)
    callout_fee: float = 0.0
    #: per hour worked on a callout
    callout_per_hour: float = 0.0
    #: time off in lieu per callout, in hours; removes later working hours
    toil_hours_per_callout: float = 0.0
    #: False for best-endeavours arrangements that pay nothing
    paid: bool = True


@dataclass(frozen=True)
class Rota:
    name: str
    #: member teams; more than one for a rota shared by sibling teams of a domain
    teams: tuple[str, ...]
    #: people in the rotation (each is on call 1/members of the time)
    members: int
    cover: RotaCover = RotaCover.OUT_OF_HOURS
    pay: PayRules = field(default_factory=PayRules)
    #: budget that pays the rota (defaults to the first member team's funding)
    funding: Funding = Funding.OPEX
    #: people on call at once
    on_call: int = 1
    #: applications the rota covers; empty means every application the member teams
    #: are asked to work on
    applications: tuple[str, ...] = ()
    #: availability targets (0..1) of the applications covered; empty means any. This is
    #: how "Implementing YBIYRI at scale" picks cover: 99.9% apps on the team's own rota,
    #: 99.0% apps on the domain rota, 95.0% apps on none.
    targets: tuple[float, ...] = ()
    #: work-time multiplier when the person on call is from another team of the rota
    knowledge_factor: float = 1.0


    def covers(self, team: str, application: str, target: float) -> bool:
        """Whether this rota answers out-of-hours calls for ``team`` on ``application``."""
        if team not in self.teams:
            return False
        if self.applications and application not in self.applications:
            return False
        return not self.targets or any(abs(target - t) < 1e-9 for t in self.targets)
