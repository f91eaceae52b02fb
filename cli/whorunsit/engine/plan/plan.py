"""A scenario compiled for the event loop: names become indices, lookups become tables.

Compiled once per run (and once per worker process), never per replication. It also
checks the cross-references the loop relies on (teams, rotas, paths, policies named
but not declared), so a scenario built in code fails with a located input error rather
than a KeyError deep in a replication.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whorunsit.engine.memo import once_per
from whorunsit.engine.plan.week import NIGHT, WEEKEND, WeekPlan, window_flips
from whorunsit.engine.random.arrivals import ArrivalProfile
from whorunsit.errors import InputError, Location, Problem
from whorunsit.model import (
    Distribution,
    Funding,
    OutOfHours,
    RotaCover,
    Scenario,
    Tier,
)
from whorunsit.model.calendar import HOURS_PER_WEEK
from whorunsit.model.scenario import OWNER

APPROVE_NONE, APPROVE_BOARD, APPROVE_DELAY = 0, 1, 2


@dataclass
class TeamPlan:
    index: int
    name: str
    responders: int
    headcount: int
    hourly_cost: float
    capex: bool
    #: best endeavours out of hours: (answer probability, answer delay, TOIL per callout)
    best_endeavours: tuple[float, Distribution, float] | None
    #: applications whose support the team takes part in (for knowledge dilution)
    apps_supported: int = 0
    #: people of this team in on-call rotas (a shared rota's members split evenly)
    rota_people: float = 0.0
    #: deployment policies this team performs
    policies: list[int] = field(default_factory=list)
    #: the error-budget policy needs this team's trailing busy hours
    track_load: bool = False


@dataclass
class RotaPlan:
    index: int
    name: str
    teams: tuple[int, ...]
    members: int
    on_call: int
    covers: tuple[bool, bool, bool]  # by segment kind: WORK (never), NIGHT, WEEKEND
    standby_per_week: float
    callout_fee: float
    callout_per_hour: float
    toil: float
    paid: bool
    capex: bool
    knowledge_factor: float


@dataclass
class TierPlan:
    index: int
    name: str
    last: bool
    resolve: float
    misroute: float
    pickup: Distribution
    work: Distribution
    handoff: Distribution
    triage: Distribution
    #: teams engaged (one, or several for a swarm) for customer- and alert-raised tickets
    teams: tuple[tuple[int, ...], tuple[int, ...]]
    #: work-time multiplier (knowledge) for each of the two
    knowledge: tuple[float, float]
    misroute_team: int


@dataclass
class SrePlan:
    team: int
    ops_cap: float
    period: float
    budget: float


@dataclass
class AppPlan:
    index: int
    name: str
    owner: int
    incident_rate: float
    cum_mix: tuple[float, float, float]
    target: float
    cost_per_hour: float
    deployment_rate: float
    change_failure_rate: float
    alert_share: float
    alert_delay: Distribution
    customer_delay: Distribution
    alert_entry: int
    tiers: list[TierPlan]
    policy: int
    sre: SrePlan | None
    #: cover[team][kind] = rota index answering out-of-hours calls (-1: none)
    cover: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    #: when in the week incidents arrive; None = evenly
    arrivals: ArrivalProfile | None = None
    #: share of incidents put on hold (waiting on the user or a vendor) and for how long
    hold_share: float = 0.0
    hold_wait: Distribution | None = None


@dataclass
class PolicyPlan:
    index: int
    name: str
    performer: int  # team index, or -1 for the owner's self-service pipeline
    effort: Distribution
    pipeline: Distribution
    approval: int
    board_at: float
    board_every: float
    board_capacity: int
    approval_delay: Distribution
    #: (time, open) flips of its change windows, or None: the performer's working hours
    windows: list[tuple[float, bool]] | None
    concurrency: int
    #: people who staff a change window outside working hours
    crew: int
    redeploy: bool


class Plan:
    """Everything the event loop needs about a scenario, by index."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.problems: list[Problem] = []
        self.where = Location(scenario.source)
        self.week = WeekPlan(scenario.calendar)
        self.horizon = float(scenario.horizon)
        self.warmup = float(scenario.warmup)
        self.team_index = {t.name: i for i, t in enumerate(scenario.teams)}
        self.teams = [self._team(i, t) for i, t in enumerate(scenario.teams)]
        self.rotas = [self._rota(i, r) for i, r in enumerate(scenario.rotas)]
        self.policy_index = {p.name: i for i, p in enumerate(scenario.deployment_policies)}
        self.policies = [self._policy(i, p) for i, p in enumerate(scenario.deployment_policies)]
        self.callout = tuple((p + 1) in scenario.callout_priorities for p in range(4))
        self.impact = tuple(float(x) for x in scenario.priority_impact)
        self._profiles: dict[float, ArrivalProfile] = {}
        self.apps = [self._app(i, a) for i, a in enumerate(scenario.applications)]
        if self.problems:
            raise InputError(self.problems)
        self._knowledge()
        for r in self.rotas:
            for t in r.teams:
                self.teams[t].rota_people += r.members / len(r.teams)
        for p in self.policies:
            if p.performer >= 0:
                self.teams[p.performer].policies.append(p.index)

    # -- checks ----------------------------------------------------------------------------
    def _bad(self, message: str, expected: str) -> None:
        self.problems.append(Problem(self.where, message, expected))

    def _team_ref(self, name: str, owner: int, what: str) -> int:
        if name == OWNER:
            return owner
        if name not in self.team_index:
            self._bad(f"{what} names team {name!r}, which is not declared",
                      f"one of: {', '.join(self.team_index) or '(no teams)'}")
            return -1
        return self.team_index[name]

    # -- compilers -------------------------------------------------------------------------
    def _team(self, i, t) -> TeamPlan:
        be = None
        if t.out_of_hours == OutOfHours.BEST_ENDEAVOURS:
            b = t.best_endeavours
            if b is None:
                self._bad(f"team {t.name!r} has best-endeavours cover without its terms",
                          "answer probability, answer delay and TOIL hours")
            else:
                be = (float(b.answer_probability), b.answer_delay, float(b.toil_hours_per_callout))
        return TeamPlan(i, t.name, int(t.responders), int(t.headcount), float(t.hourly_cost),
                        t.funding == Funding.CAPEX, be)

    def _rota(self, i, r) -> RotaPlan:
        teams = tuple(self._team_ref(n, -1, f"rota {r.name!r}") for n in r.teams)
        night = r.cover in (RotaCover.OUT_OF_HOURS, RotaCover.ALWAYS)
        weekend = r.cover in (RotaCover.OUT_OF_HOURS, RotaCover.WEEKENDS, RotaCover.ALWAYS)
        pay = r.pay
        return RotaPlan(i, r.name, teams, max(1, int(r.members)), int(r.on_call),
                        (False, night, weekend), float(pay.standby_per_week),
                        float(pay.callout_fee), float(pay.callout_per_hour),
                        float(pay.toil_hours_per_callout), bool(pay.paid),
                        r.funding == Funding.CAPEX, float(r.knowledge_factor))

    def _policy(self, i, p) -> PolicyPlan:
        performer = -1 if p.performer == OWNER else self._team_ref(
            p.performer, -1, f"deployment policy {p.name!r}")
        kind = {"none": APPROVE_NONE, "board": APPROVE_BOARD, "delay": APPROVE_DELAY}.get(
            p.approval.kind)
        if kind is None:
            self._bad(f"deployment policy {p.name!r} has approval {p.approval.kind!r}",
                      "none, board or delay")
            kind = APPROVE_NONE
        if kind == APPROVE_BOARD and p.approval.board_every <= 0:
            self._bad(f"deployment policy {p.name!r} has a change board that never sits",
                      "a positive interval between sittings")
        windows = window_flips(p.change_windows, self.horizon) if p.change_windows else None
        crew = 0
        if performer >= 0:
            crew = p.concurrency if p.concurrency > 0 else self.teams[performer].responders
        return PolicyPlan(i, p.name, performer, p.effort, p.pipeline, kind,
                          float(p.approval.board_at), float(p.approval.board_every),
                          int(p.approval.capacity), p.approval.delay, windows,
                          int(p.concurrency), crew, bool(p.redeploy_failed))

    def _app(self, i, a) -> AppPlan:
        s = self.scenario
        owner = self._team_ref(a.owner, -1, f"application {a.name!r}")
        try:
            path = s.support_path(a.support_path)
        except KeyError:
            self._bad(f"application {a.name!r} uses support path {a.support_path!r}, which is "
                      "not declared", f"one of: {', '.join(p.name for p in s.support_paths)}")
            path = None
        policy = self.policy_index.get(a.deployment_policy, -1)
        if policy < 0 and a.deployment_rate > 0:
            self._bad(f"application {a.name!r} uses deployment policy {a.deployment_policy!r}, "
                      "which is not declared",
                      f"one of: {', '.join(self.policy_index) or '(none)'}")
        mix = [max(0.0, float(x)) for x in a.priority_mix]
        total = sum(mix) or 1.0
        cum, acc = [], 0.0
        for x in mix[:3]:
            acc += x / total
            cum.append(acc)
        tiers = []
        detection = path.detection if path else None
        if path is not None:
            if not path.tiers:
                self._bad(f"support path {path.name!r} has no tiers", "at least one tier")
            for j, tier in enumerate(path.tiers):
                tiers.append(self._tier(j, tier, len(path.tiers), owner, a.name))
            if not 0 <= detection.alert_entry_tier < max(1, len(path.tiers)):
                self._bad(f"support path {path.name!r} sends alerts to tier "
                          f"{detection.alert_entry_tier + 1}, which it does not have",
                          f"a tier between 1 and {len(path.tiers)}")
        sre = None
        for pol in s.policies:
            if a.name in pol.applications:
                team = self._team_ref(pol.team, -1, "error-budget policy")
                budget = (1.0 - a.availability_target) * pol.budget_period
                sre = SrePlan(team, float(pol.ops_cap), float(pol.budget_period), budget)
                if team >= 0:
                    self.teams[team].track_load = True
        app = AppPlan(
            i, a.name, owner, float(a.incident_rate), tuple(cum), float(a.availability_target),
            float(a.downtime_cost_per_hour), float(a.deployment_rate),
            float(a.change_failure_rate),
            float(detection.alert_share) if detection else 0.0,
            detection.alert_delay if detection else Distribution.fixed(0.0),
            detection.customer_delay if detection else Distribution.fixed(0.0),
            int(detection.alert_entry_tier) if detection else 0, tiers, policy, sre)
        app.arrivals = self._arrivals(a)
        if path is not None and path.on_hold is not None and path.on_hold.share > 0:
            app.hold_share, app.hold_wait = float(path.on_hold.share), path.on_hold.wait
        return app

    def _arrivals(self, a) -> ArrivalProfile | None:
        """The arrival profile of an application; one per share, shared by applications."""
        share = a.in_hours_share
        if share is None:
            return None
        if not 0.0 <= share <= 1.0:
            self._bad(f"application {a.name!r} has {share!r} of incidents in working hours",
                      "a share between 0 and 1")
            return None
        if self.week.working_per_week >= HOURS_PER_WEEK:
            if share < 1.0:
                self._bad(f"application {a.name!r} has {share:.0%} of incidents in working "
                          "hours, but the calendar has no out-of-hours time",
                          "100% (or None) with a calendar that is all working hours")
            return None   # every hour is a working hour: even arrivals are that
        share = float(share)
        if share not in self._profiles:
            self._profiles[share] = ArrivalProfile(self.week, share)
        return self._profiles[share]

    def _tier(self, j: int, tier: Tier, n: int, owner: int, app: str) -> TierPlan:
        where = f"tier {tier.name!r} of application {app!r}"

        def engaged(lead_name: str) -> tuple[int, ...]:
            lead = self._team_ref(lead_name, owner, where)
            out = [lead]
            for name in tier.swarm:
                t = self._team_ref(name, owner, where)
                if t not in out:
                    out.append(t)
            return tuple(out)

        customer = engaged(tier.team)
        alert = engaged(tier.alert_team) if tier.alert_team else customer
        misroute_team = (self._team_ref(tier.misroute_team, owner, where)
                         if tier.misroute_team else -1)
        return TierPlan(j, tier.name, j == n - 1, float(tier.resolve), float(tier.misroute),
                        tier.pickup, tier.work, tier.handoff, tier.misroute_triage,
                        (customer, alert), (1.0, 1.0), misroute_team)

    def _knowledge(self) -> None:
        """Knowledge factors need every team's count of supported applications."""
        supported: dict[int, set[int]] = {}
        for app in self.apps:
            for tier in app.tiers:
                for group in tier.teams:
                    for t in group:
                        supported.setdefault(t, set()).add(app.index)
            if app.sre is not None:
                supported.setdefault(app.sre.team, set()).add(app.index)
        for t, apps in supported.items():
            self.teams[t].apps_supported = len(apps)
        model_paths = {p.name: p for p in self.scenario.support_paths}
        for app, model_app in zip(self.apps, self.scenario.applications, strict=True):
            path = model_paths[model_app.support_path]
            for tier, model_tier in zip(app.tiers, path.tiers, strict=True):
                tier.knowledge = tuple(
                    self.knowledge(group, app.owner, model_tier) for group in tier.teams)
            self._cover(app)

    def knowledge(self, group: tuple[int, ...], owner: int, tier: Tier) -> float:
        """Work-time multiplier: 1 when the owning team is engaged, else the tier's factor
        thinned by how many applications the (best-placed) team supports."""
        if owner in group:
            return 1.0
        apps = min(self.teams[t].apps_supported for t in group)
        return tier.knowledge_factor * (1.0 + tier.knowledge_dilution * max(0, apps - 1))

    def _cover(self, app: AppPlan) -> None:
        model = self.scenario.rotas
        target = app.target
        for t in range(len(self.teams)):
            name = self.teams[t].name
            found = [-1, -1, -1]
            for kind in (NIGHT, WEEKEND):
                for r, rota in zip(self.rotas, model, strict=True):
                    if rota.covers(name, app.name, target) and r.covers[kind]:
                        found[kind] = r.index
                        break
            app.cover[t] = tuple(found)


_PLANS: dict[int, tuple[object, Plan]] = {}


def plan_for(scenario) -> Plan:
    """The compiled plan of a scenario, compiled once per process."""
    return once_per(_PLANS, scenario, Plan)
