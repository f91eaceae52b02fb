"""From the walked records to the model: derived defaults, cross-references, invariants.

The spec (``spec.py``) holds every fixed default; this module works out the ones that
depend on other values (responders = headcount, rota members, funding by team kind, the
only support path) and checks everything that spans entries: references to teams,
applications, paths and policies, priority mixes summing to 100%, the last tier
resolving. Every problem is collected; nothing is built when there is one.
"""

from __future__ import annotations

import os
from typing import Any

from whorunsit.errors import Location
from whorunsit.model import (
    Application,
    Approval,
    BestEndeavours,
    Calendar,
    DeploymentPolicy,
    Detection,
    ErrorBudgetPolicy,
    Funding,
    GateSpec,
    OnHold,
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
from whorunsit.model.calendar import HOURS_PER_WEEK
from whorunsit.model.scenario import OWNER, PRIORITIES
from whorunsit.scenario.problems import Problems, did_you_mean
from whorunsit.scenario.spec import MAX_ENTITIES
from whorunsit.scenario.walk import LocList, LocMap, Record

_TOLERANCE = 1e-6
_CAPEX_KINDS = (TeamKind.DELIVERY, TeamKind.SRE)


class Builder:
    def __init__(self, root: Record, file: str, problems: Problems):
        self.root = root
        self.file = file
        self.problems = problems
        self.teams: dict[str, Team] = {}
        self.app_names: set[str] = set()

    def problem(self, loc: Location, path: str, message: str, expected: str = "") -> None:
        self.problems.add(loc, f"{path}: {message}" if path else message, expected)

    # -- references ---------------------------------------------------------------------
    def team_ref(self, rec: Record, key: str, value: Any = None, loc: Location | None = None,
                 owner_ok: bool = False) -> str | None:
        name = rec[key] if value is None else value
        if name is None:
            return None
        if owner_ok and name == OWNER:
            return name
        if name not in self.teams:
            if name in self.root["teams"] or self.root["teams"].incomplete:
                return None   # declared but broken, or maybe among entries dropped: reported
            choices = list(self.teams) + ([OWNER] if owner_ok else [])
            self.problem(loc or rec.at(key), rec.sub(key), f"unknown team '{name}'",
                         did_you_mean(name, choices, "teams"))
            return None
        return name

    def app_ref(self, rec: Record, key: str, name: str, loc: Location) -> str | None:
        if name not in self.app_names:
            if self.root["applications"].incomplete:
                return None
            self.problem(loc, rec.sub(key), f"unknown application '{name}'",
                         did_you_mean(name, self.app_names, "applications"))
            return None
        return name

    # -- the whole scenario -------------------------------------------------------------
    def build(self) -> Scenario | None:
        r = self.root
        self.teams = self._teams(r["teams"])
        self.app_names = set(r["applications"] or ())
        entities = len(self.teams) + len(self.app_names) + len(r["rotas"] or ())
        if entities > MAX_ENTITIES:
            self.problem(r.loc, "", f"{entities:,} teams, applications and rotas",
                         f"at most {MAX_ENTITIES:,} in all")
        paths = self._paths(r["support_paths"])
        policies = self._deployments(r["deployments"])
        calendar = self._calendar(r["calendar"])
        default_share = self._in_hours(r, calendar)
        apps = self._applications(r["applications"], paths, policies, calendar, default_share)
        rotas = self._inline_rotas(r["teams"]) + self._rotas(r["rotas"])
        self._unique_rotas(rotas)
        routing = self._policies(r["policies"])
        gates = gates_from(r["gates"], self.problems)
        horizon, warmup = r["horizon"], r["warmup"]
        if r.has("warmup") and horizon is not None and warmup is not None and warmup >= horizon:
            self.problem(r.at("warmup"), "warmup", "the warm-up is as long as the horizon",
                         "a warm-up shorter than the horizon")
        if self.problems:
            return None
        return Scenario(
            name=r["name"] if r["name"] is not None else _stem(self.file),
            description=r["description"] or "",
            source=self.file,
            currency=r["currency"],
            horizon=horizon,
            warmup=warmup,
            replications=r["replications"],
            seed=r["seed"],
            calendar=calendar,
            teams=tuple(self.teams.values()),
            applications=apps,
            support_paths=tuple(paths.values()),
            rotas=rotas,
            deployment_policies=tuple(policies.values()),
            policies=routing,
            gates=gates,
            callout_priorities=tuple(sorted({int(p[1]) for p in r["callout_priorities"]})),
            priority_impact=tuple(r["priority_impact"][p] for p in PRIORITIES),
        )

    def _calendar(self, rec: Record) -> Calendar:
        hours = rec["working_hours"]
        if hours is None:
            return Calendar(always=True)
        return Calendar(tuple(sorted(set(rec["working_days"]))), hours[0], hours[1])

    # -- teams and rotas ----------------------------------------------------------------
    def _teams(self, teams: LocMap) -> dict[str, Team]:
        out: dict[str, Team] = {}
        for name, rec in teams.items():
            if name == OWNER:
                self.problem(teams.locs[name], rec.path, "'owner' is reserved for an "
                             "application's owning team", "another team name")
                continue
            kind = TeamKind(rec["kind"])
            headcount = rec["headcount"] or 1
            responders = rec["responders"] if rec["responders"] is not None else headcount
            if responders > headcount:
                self.problem(rec.at("responders"), rec.sub("responders"),
                             f"{responders} responders but a headcount of {headcount}",
                             "at most the headcount")
            funding = rec["funding"] or (Funding.CAPEX if kind in _CAPEX_KINDS else Funding.OPEX)
            ooh, best = OutOfHours.NONE, None
            if isinstance(rec["out_of_hours"], Record):
                b = rec["out_of_hours"]["best_endeavours"]
                if b is not None:
                    ooh = OutOfHours.BEST_ENDEAVOURS
                    best = BestEndeavours(b["answer"], b["delay"], b["toil"])
            out[name] = Team(name, kind, headcount, responders, Funding(funding),
                             rec["hourly_cost"], ooh, best, rec["domain"])
        return out

    def _inline_rotas(self, teams: LocMap) -> tuple[Rota, ...]:
        rotas = []
        for name, rec in teams.items():
            r = rec["rota"]
            if not isinstance(r, Record) or name not in self.teams:
                continue
            team = self.teams[name]
            rota = self._rota(r, name, (name,), team.headcount, team.funding)
            if rota:
                rotas.append(rota)
        return tuple(rotas)

    def _rotas(self, rotas: LocMap) -> tuple[Rota, ...]:
        out = []
        for name, rec in rotas.items():
            members = self._rota_teams(rec)
            if members is None:
                continue
            headcount = sum(self.teams[t].headcount for t in members)
            funding = rec["funding"] or self.teams[members[0]].funding
            rota = self._rota(rec, name, members, headcount, Funding(funding),
                              rec["knowledge_factor"])
            if rota:
                out.append(rota)
        return tuple(out)

    def _rota_teams(self, rec: Record) -> tuple[str, ...] | None:
        if rec.has("teams") and rec.has("domain"):
            self.problem(rec.at("domain"), rec.path, "has both teams and domain",
                         "one of them")
            return None
        if rec.has("domain"):
            domain = rec["domain"]
            members = tuple(n for n, t in self.teams.items() if t.domain == domain)
            if not members:
                domains = {t.domain for t in self.teams.values() if t.domain}
                self.problem(rec.at("domain"), rec.sub("domain"), f"no team has domain '{domain}'",
                             did_you_mean(domain, domains, "domains"))
                return None
            return members
        if rec.has("teams"):
            teams: LocList = rec["teams"]
            names = [self.team_ref(rec, "teams", t, loc) for t, loc in zip(teams, teams.locs, strict=True)]
            if None in names:
                return None
            if not names:  # an empty list, reported as such by the spec
                return None
            return tuple(dict.fromkeys(names))  # type: ignore[arg-type]
        if "teams" not in rec.invalid and "domain" not in rec.invalid:
            self.problem(rec.loc, rec.path, "names no member teams",
                         "teams: [team, ...] or domain: <domain name>")
        return None

    def _rota(self, rec: Record, name: str, teams: tuple[str, ...], headcount: int,
              funding: Funding, knowledge_factor: float = 1.0) -> Rota | None:
        members = rec["members"] if rec["members"] is not None else headcount
        if rec["on_call"] > members:
            self.problem(rec.at("on_call"), rec.sub("on_call"),
                         f"{rec['on_call']} on call at once but {members} members",
                         "at most the number of members")
        apps = rec["applications"]
        for app, loc in zip(apps, apps.locs, strict=True):
            self.app_ref(rec, "applications", app, loc)
        pay = PayRules(rec["standby"], rec["callout_fee"], rec["callout_pay"], rec["toil"],
                       rec["paid"])
        return Rota(name, teams, members, RotaCover(rec["cover"]), pay, funding, rec["on_call"],
                    tuple(apps), tuple(rec["targets"]), knowledge_factor)

    def _unique_rotas(self, rotas: tuple[Rota, ...]) -> None:
        teams = self.root["teams"]
        seen: set[str] = set()
        for rota in rotas:
            if rota.name in seen:
                loc = self.root["rotas"].locs.get(rota.name, teams.locs.get(rota.name, self.root.loc))
                self.problem(loc, f"rotas.{rota.name}", "the name is taken by the rota "
                             f"written inside team '{rota.name}'", "another rota name")
            seen.add(rota.name)

    # -- applications -------------------------------------------------------------------
    def _in_hours(self, rec: Record, calendar: Calendar) -> float | None:
        """The share of incidents arriving in working hours that ``arrivals`` sets, or None
        (uniform). The share cannot be met when the calendar has no out-of-hours time."""
        arrivals = rec["arrivals"]
        if not isinstance(arrivals, Record) or arrivals["in_hours"] is None:
            return None
        share = arrivals["in_hours"]
        if share < 1.0 and calendar.working_hours_per_week >= HOURS_PER_WEEK:
            self.problem(arrivals.at("in_hours"), arrivals.sub("in_hours"),
                         f"{share * 100:g}% of incidents in working hours, but the calendar "
                         "has no out-of-hours time", "100%, or arrivals: uniform, with a "
                         "calendar that is all working hours")
            return None
        return share

    def _applications(self, apps: LocMap, paths: dict[str, SupportPath],
                      policies: dict[str, DeploymentPolicy], calendar: Calendar,
                      default_share: float | None) -> tuple[Application, ...]:
        out = []
        for name, rec in apps.items():
            # an application that says nothing about arrivals takes the scenario's
            in_hours = self._in_hours(rec, calendar) if rec.has("arrivals") else (
                None if "arrivals" in rec.invalid else default_share)
            owner = self.team_ref(rec, "owner")
            prio = rec["priorities"]
            mix = tuple(prio[p] for p in PRIORITIES)
            if abs(sum(mix) - 1.0) > _TOLERANCE and "priorities" not in rec.invalid:
                self.problem(rec.at("priorities"), rec.sub("priorities"),
                             f"the shares add up to {sum(mix) * 100:g}%",
                             "P1..P4 shares that add up to 100%")
            path = self._choose(rec, "support_path", paths, self.root["support_paths"],
                                ("support path", "support paths"))
            policy = self._choose(rec, "deployment", policies, self.root["deployments"],
                                  ("deployment policy", "deployment policies"))
            if owner is None or path is None or policy is None:
                continue
            out.append(Application(
                name, owner, rec["incidents"], mix,  # type: ignore[arg-type]
                rec["availability_target"], rec["downtime_cost"], rec["deployments"],
                rec["change_failure_rate"], path, policy, in_hours,
            ))
        return tuple(out)

    def _choose(self, rec: Record, key: str, declared: dict[str, Any], written: LocMap,
                what: tuple[str, str]) -> str | None:
        """The path or policy an application names, or the only one there is."""
        if rec.has(key):
            name = rec[key]
            if name not in declared:
                if name in written or written.incomplete:
                    return None   # declared but invalid: its own problems are reported
                self.problem(rec.at(key), rec.sub(key), f"unknown {what[0]} '{name}'",
                             did_you_mean(name, written, what[1]))
                return None
            return name
        if key in rec.invalid:
            return None
        if len(written) > len(declared):
            return None   # a broken entry might have been the one: fix that first
        if len(declared) == 1:
            return next(iter(declared))
        if "default" in declared:
            return "default"
        if declared:
            self.problem(rec.loc, rec.path, f"names no {key} and there are {len(declared)} "
                         f"({', '.join(sorted(declared))})", f"{key}: <one of them>")
        elif not written.incomplete:
            self.problem(rec.loc, rec.path, f"has no {key}: no {what[1]} are declared",
                         f"at least one of the {what[1]}")
        return None

    # -- support paths ------------------------------------------------------------------
    def _paths(self, paths: LocMap) -> dict[str, SupportPath]:
        out = {}
        for name, rec in paths.items():
            tiers = self._tiers(rec)
            det = rec["detection"]
            entry = 0
            if det.has("alerts_enter_at"):
                names = [t["name"] or f"L{i + 1}" for i, t in enumerate(rec["tiers"] or ())]
                target = det["alerts_enter_at"]
                if target in names:
                    entry = min(names.index(target), max(len(tiers) - 1, 0))
                else:
                    self.problem(det.at("alerts_enter_at"), det.sub("alerts_enter_at"),
                                 f"unknown tier '{target}'", did_you_mean(target, names, "tiers"))
            if not tiers:
                continue
            detection = Detection(det["alerts"], det["alert_delay"], det["customer_delay"], entry)
            hold = rec["on_hold"] if rec.has("on_hold") else None
            on_hold = None
            if hold is not None and hold["share"] is not None and hold["wait"] is not None:
                on_hold = OnHold(hold["share"], hold["wait"])
            out[name] = SupportPath(name, detection, tuple(tiers), on_hold)
        return out

    def _tiers(self, path: Record) -> list[Tier]:
        recs = path["tiers"] or LocList()
        tiers: list[Tier] = []
        seen: dict[str, Location] = {}
        for i, rec in enumerate(recs):
            last = i == len(recs) - 1
            name = rec["name"] or f"L{i + 1}"
            if name in seen:
                self.problem(rec.at("name"), rec.sub("name"), f"tier '{name}' is declared twice "
                             f"(first at line {seen[name].line})", "unique tier names")
            seen.setdefault(name, rec.at("name"))
            resolve = rec["resolve"]
            if resolve is None:
                if not last and "resolve" not in rec.invalid:
                    self.problem(rec.loc, rec.path, f"tier '{name}' is not the last tier but has "
                                 "no resolve", "resolve: <share resolved here, e.g. 40%>")
                resolve = 1.0
            elif last and resolve < 1.0:
                self.problem(rec.at("resolve"), rec.sub("resolve"),
                             f"the last tier resolves only {resolve * 100:g}%",
                             "100% (or leave it out): the last tier resolves every incident")
            team = self.team_ref(rec, "team", owner_ok=True)
            alert_team = self.team_ref(rec, "alert_team")
            misroute_team = self.team_ref(rec, "misroute_team")
            swarm = rec["swarm"]
            members = [self.team_ref(rec, "swarm", t, loc, owner_ok=True)
                       for t, loc in zip(swarm, swarm.locs, strict=True)]
            if team is None:
                continue
            tiers.append(Tier(
                name, team, alert_team, rec["pickup"], rec["work"], resolve, rec["misroute"],
                rec["misroute_triage"], misroute_team, rec["handoff"], rec["knowledge_factor"],
                rec["knowledge_dilution"], tuple(m for m in members if m is not None),
            ))
        return tiers

    # -- deployments and policies -------------------------------------------------------
    def _deployments(self, policies: LocMap) -> dict[str, DeploymentPolicy]:
        if not policies and not policies.incomplete:
            # none written (or an empty mapping): every application deploys itself
            return {"default": DeploymentPolicy("default")}
        out = {}
        for name, rec in policies.items():
            performer = self.team_ref(rec, "performer", owner_ok=True)
            approval = self._approval(rec)
            windows = tuple(w for group in rec["change_windows"] for w in group)
            if performer is None or approval is None:
                continue
            out[name] = DeploymentPolicy(name, performer, rec["effort"], rec["pipeline"],
                                         approval, windows, rec["concurrency"],
                                         rec["redeploy_failed"])
        return out

    def _approval(self, rec: Record) -> Approval | None:
        a = rec["approval"]
        if not isinstance(a, Record):
            return Approval()
        if a.has("board") and a.has("delay"):
            self.problem(a.at("delay"), a.path, "has both board and delay",
                         "a change board ({board: Tue 10:00, every: 1w}) or a delay, not both")
            return None
        if a.has("board"):
            return Approval("board", a["board"], a["every"], capacity=a["capacity"])
        if a.has("delay"):
            return Approval("delay", delay=a["delay"])
        if not (a.invalid & {"board", "delay"}):
            self.problem(rec.at("approval"), a.path, "names neither board nor delay",
                         "{board: Tue 10:00, every: 1w} or {delay: lognormal(median=1d, p95=5d)}")
        return None

    def _policies(self, policies: LocList) -> tuple[ErrorBudgetPolicy, ...]:
        out = []
        for rec in policies:
            budget = rec["error_budget"]
            if budget is None:
                if not rec.invalid:
                    self.problem(rec.loc, rec.path, "names no policy", "error_budget: {...}")
                continue
            team = self.team_ref(budget, "team")
            apps = budget["applications"] or LocList()
            names = [self.app_ref(budget, "applications", a, loc)
                     for a, loc in zip(apps, apps.locs, strict=True)]
            if team is None or None in names:
                continue
            out.append(ErrorBudgetPolicy(team, tuple(names), budget["ops_cap"],  # type: ignore[arg-type]
                                         budget["period"]))
        return tuple(out)


def gates_from(gates: LocList | None, problems: Problems) -> tuple[GateSpec, ...]:
    """Gate assertions as written, each with its position; the gate package parses them."""
    out = []
    for i, (value, loc) in enumerate(zip(gates or (), (gates.locs if gates else ()), strict=True)):
        if isinstance(value, Record):
            text, level, where = value["assert"], value["level"], value.at("assert")
        else:
            text, level, where = value, "error", loc
        if text is None:
            continue
        if not text.strip():
            problems.add(where, f"gates[{i + 1}]: the assertion is empty",
                         "an assertion such as incidents.time_to_restore.p95 <= 4h")
            continue
        out.append(GateSpec(text.strip(), level, where))
    return tuple(out)


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]
