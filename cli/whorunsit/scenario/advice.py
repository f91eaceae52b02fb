"""Warnings about a valid scenario that pays for something that does nothing.

A scenario can be valid and still wrong in a way that costs money: a rota stamped onto
delivery teams that own no application adds standby pay and answers no call. These are
not errors (the simulation runs, and a user may be modelling exactly that), so
``whorunsit validate`` prints them as warnings and exits 0. docs/scenario-reference.md
lists every check ("Warnings").
"""

from __future__ import annotations

from whorunsit.errors import Location, Problem
from whorunsit.model import Scenario
from whorunsit.model.scenario import OWNER, Application
from whorunsit.scenario.problems import Problems
from whorunsit.scenario.yamlnode import YNode


def _working(scenario: Scenario, app: Application) -> set[str]:
    """The teams that work on ``app``'s incidents: its support path's tiers, their
    alert teams and swarms (``owner`` resolved to the application's owner)."""
    teams: set[str] = set()
    for path in scenario.support_paths:
        if path.name != app.support_path:
            continue
        for tier in path.tiers:
            for team in (tier.team, tier.alert_team, tier.misroute_team, *tier.swarm):
                if team is not None:
                    teams.add(app.owner if team == OWNER else team)
    return teams


def _deployers(scenario: Scenario) -> set[str]:
    used = {a.deployment_policy for a in scenario.applications}
    out = set()
    for policy in scenario.deployment_policies:
        if policy.name in used:
            out |= {a.owner for a in scenario.applications if a.deployment_policy == policy.name} \
                if policy.performer == OWNER else {policy.performer}
    return out


def _locate(tree: YNode | None, *keys: str) -> Location | None:
    node, loc = tree, None
    for key in keys:
        if node is None or not node.is_map or key not in node.value:
            return loc
        loc = node.key_locs[key]
        node = node.value[key]
    return loc


def advise(scenario: Scenario, tree: YNode | None = None) -> list[Problem]:
    """Every money-for-nothing configuration in ``scenario``, located in ``tree`` (the
    scenario's YAML) where it can be."""
    out = Problems()
    where = Location(scenario.source)
    working = {a.name: _working(scenario, a) for a in scenario.applications}
    busy = set().union(*working.values()) if working else set()
    for rota in scenario.rotas:
        covered = [a.name for a in scenario.applications
                   if any(t in working[a.name] and rota.covers(t, a.name, a.availability_target)
                          for t in rota.teams)]
        if covered:
            continue
        loc = (_locate(tree, "rotas", rota.name) or _locate(tree, "teams", rota.name, "rota")
               or where)
        teams = ", ".join(rota.teams)
        if not any(t in busy for t in rota.teams):
            why = (f"its team{'s' if len(rota.teams) > 1 else ''} ({teams}) work on no "
                   "application's incidents (no support path names them and they own no "
                   "application)")
            fix = ("remove the rota, or give its teams an application (owner:) or a place on "
                   "a support path")
        else:
            why = "its applications or targets match none of the applications its teams work on"
            fix = "widen its applications: or targets:, or remove the rota"
        pay = "; it adds standby pay and answers no call" if rota.pay.paid else ""
        out.add(loc, f"warning: rota '{rota.name}' serves no application: {why}{pay}", fix)
    if scenario.rotas and not scenario.callout_priorities:
        out.add(_locate(tree, "callout_priorities") or where,
                "warning: no priority calls anyone out (callout_priorities is empty), so every "
                "rota's standby pay buys no cover",
                "callout_priorities: [1, 2] for the priorities that wake people, or no rotas")
    deployers = _deployers(scenario)
    for team in scenario.teams:
        if team.name in busy or team.name in deployers or scenario.rotas_for(team.name):
            continue
        out.add(_locate(tree, "teams", team.name) or where,
                f"warning: team '{team.name}' works on no incident and performs no deployment",
                "put it on a support path (team: or swarm:), make it an application's owner, "
                "or remove it")
    return out.items
