"""The scenario as the naive simulator reads it, straight from the public model objects.

Every rule here is a sentence of docs/model.md; the section is named in each comment.
Nothing is imported from the engine's plan: names are resolved, knowledge factors worked
out and rotas looked up here, independently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whorunsit.model import OutOfHours, RotaCover, Scenario
from whorunsit.model.scenario import OWNER

WEEK = 168.0
DAY = 24.0
# kinds of time (docs/model.md, "A replication": working hours, out of hours, weekend)
WORKING, NIGHT, WEEKEND = "working", "night", "weekend"


@dataclass
class TierView:
    name: str
    last: bool
    resolve: float
    misroute: float
    #: teams engaged for a customer-reported ticket and for an alert (a swarm: several;
    #: the first is the tier's own team, credited with the resolution)
    customer_teams: list[str]
    alert_teams: list[str]
    customer_knowledge: float
    alert_knowledge: float
    misroute_team: str | None


@dataclass
class AppView:
    name: str
    owner: str
    target: float
    cost_per_hour: float
    change_failure_rate: float
    alert_entry: int
    tiers: list[TierView]
    policy: object | None  # the model's DeploymentPolicy, or None without one
    #: (SRE team, ops cap, budget period, budget hours) of an error-budget policy
    sre: tuple[str, float, float, float] | None = None


@dataclass
class Organisation:
    scenario: Scenario
    team_names: list[str]
    apps: list[AppView]
    #: per team: how many applications' support involves it (knowledge dilution)
    apps_supported: dict[str, int] = field(default_factory=dict)

    def team(self, name: str):
        return self.scenario.team(name)

    def rota_for(self, app: AppView, team: str, kind: str):
        """docs/model.md, "Out of hours": the first rota, in the order written, that
        includes the team, covers the application and covers this hour."""
        for rota in self.scenario.rotas:
            if rota.covers(team, app.name, app.target) and rota_covers(rota, kind):
                return rota
        return None

    def calls_out(self, priority: int) -> bool:
        """Only the priorities in ``callout_priorities`` (P1, P2 by default) call anyone."""
        return priority in self.scenario.callout_priorities


def rota_covers(rota, kind: str) -> bool:
    if kind == WORKING:
        return False  # in working hours the team itself responds
    if rota.cover == RotaCover.WEEKENDS:
        return kind == WEEKEND
    return True  # out-of-hours and 24x7 rotas cover nights and weekends


def best_endeavours(team) -> object | None:
    return team.best_endeavours if team.out_of_hours == OutOfHours.BEST_ENDEAVOURS else None


def read(scenario: Scenario) -> Organisation:
    names = [t.name for t in scenario.teams]
    apps = []
    for a in scenario.applications:
        path = scenario.support_path(a.support_path)

        def team_of(name: str, owner: str = a.owner) -> str:
            return owner if name == OWNER else name

        tiers = []
        for j, t in enumerate(path.tiers):
            swarm = [team_of(n) for n in t.swarm]
            lead = team_of(t.team)
            alert_lead = team_of(t.alert_team) if t.alert_team else lead
            customer = [lead] + [s for s in swarm if s != lead]
            alert = [alert_lead] + [s for s in swarm if s != alert_lead]
            customer = list(dict.fromkeys(customer))
            alert = list(dict.fromkeys(alert))
            tiers.append(TierView(t.name, j == len(path.tiers) - 1, t.resolve, t.misroute,
                                  customer, alert, 1.0, 1.0,
                                  team_of(t.misroute_team) if t.misroute_team else None))
        policy = next((p for p in scenario.deployment_policies
                       if p.name == a.deployment_policy), None)
        app = AppView(a.name, a.owner, a.availability_target, a.downtime_cost_per_hour,
                      a.change_failure_rate, path.detection.alert_entry_tier, tiers, policy)
        # docs/model.md, "Error-budget policy": budget = (1 - target) x period
        for pol in scenario.policies:
            if a.name in pol.applications:
                app.sre = (pol.team, pol.ops_cap, pol.budget_period,
                           (1.0 - a.availability_target) * pol.budget_period)
        apps.append(app)
    org = Organisation(scenario, names, apps)
    # docs/model.md, "Pickup and work": "apps the team supports" counts every application
    # whose support path (or error-budget policy) involves the team
    supported: dict[str, set[str]] = {}
    for app in apps:
        for tier in app.tiers:
            for team in tier.customer_teams + tier.alert_teams:
                supported.setdefault(team, set()).add(app.name)
        if app.sre is not None:
            supported.setdefault(app.sre[0], set()).add(app.name)
    org.apps_supported = {t: len(s) for t, s in supported.items()}
    for a, app in zip(scenario.applications, apps, strict=True):
        path = scenario.support_path(a.support_path)
        for model_tier, tier in zip(path.tiers, app.tiers, strict=True):
            tier.customer_knowledge = _knowledge(org, app, model_tier, tier.customer_teams)
            tier.alert_knowledge = _knowledge(org, app, model_tier, tier.alert_teams)
    return org


def _knowledge(org: Organisation, app: AppView, tier, teams: list[str]) -> float:
    """knowledge_factor x (1 + knowledge_dilution x (apps the team supports - 1)), and 1
    when the owning team works the tier (for a swarm: is in it). For a swarm without the
    owner the best-placed team (fewest applications) sets the dilution: docs/model.md is
    silent there, and this is the engine's reading."""
    if app.owner in teams:
        return 1.0
    apps = min(org.apps_supported.get(t, 0) for t in teams)
    return tier.knowledge_factor * (1.0 + tier.knowledge_dilution * max(0, apps - 1))


# -- the calendar ------------------------------------------------------------------------
def week_pieces(calendar) -> list[tuple[float, float, str]]:
    """The week (0..168 h from Monday 00:00) cut into pieces of one kind of time:
    working hours, weekday nights, weekends (docs/model.md, "Time")."""
    if calendar.always:
        return [(0.0, WEEK, WORKING)]
    cuts = sorted({d * DAY + h for d in range(7) for h in (0.0, calendar.start_hour,
                                                          calendar.end_hour)} | {WEEK})
    pieces: list[tuple[float, float, str]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b <= a or a >= WEEK:
            continue
        mid = (a + b) / 2
        if calendar.is_working(mid):
            kind = WORKING
        elif mid // DAY >= 5:  # Saturday and Sunday
            kind = WEEKEND
        else:
            kind = NIGHT
        if pieces and pieces[-1][2] == kind:
            pieces[-1] = (pieces[-1][0], b, kind)
        else:
            pieces.append((a, b, kind))
    return pieces


def segments(calendar, horizon: float) -> list[tuple[float, float, str]]:
    """(start, end, kind) of every stretch of one kind of time from 0 to the horizon."""
    out: list[tuple[float, float, str]] = []
    week = 0
    pieces = week_pieces(calendar)
    while week * WEEK < horizon:
        for a, b, kind in pieces:
            start, end = week * WEEK + a, min(week * WEEK + b, horizon)
            if start >= horizon:
                break
            if out and out[-1][2] == kind:
                out[-1] = (out[-1][0], end, kind)
            else:
                out.append((start, end, kind))
        week += 1
    return out


def window_changes(windows, horizon: float) -> list[tuple[float, bool]]:
    """(time, open) whenever a policy's weekly change windows open or close; a window
    may wrap past Sunday midnight, and one whose end equals its start is always open."""
    def is_open(t: float) -> bool:
        r = t % WEEK
        for w in windows:
            s, e = w.start % WEEK, w.end % WEEK
            if s == e or (s < e and s <= r < e) or (e < s and (r >= s or r < e)):
                return True
        return False

    points = sorted({0.0} | {w.start % WEEK for w in windows} | {w.end % WEEK for w in windows})
    out: list[tuple[float, bool]] = []
    week = 0
    while week * WEEK < horizon:
        for p in points:
            t = week * WEEK + p
            if t >= horizon:
                break
            state = is_open(t)
            if not out or out[-1][1] != state:
                out.append((t, state))
        week += 1
    return out
