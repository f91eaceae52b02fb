"""The fitted scenario as YAML: ``extends`` the original and overrides what the fit set.

Only the fitted keys are written, so the file reads as the fit's diff and the original
stays the one place for everything else. Tiers are a list, which ``extends`` replaces
wholesale, so every tier of the fitted path is written in full. The text is loaded back
before it is written (a fitted scenario that does not load is a bug, not a file), and
written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from whorunsit.fit import tune
from whorunsit.model import Scenario


def _pct(x: float) -> str:
    return f"{x * 100:.4g}%"


def _mix(mix) -> dict:
    """Shares in hundredths of a percent that add up to exactly 100%."""
    bp = [round(x * 10000) for x in mix]
    bp[bp.index(max(bp))] += 10000 - sum(bp)
    return {f"P{i + 1}": f"{b / 100:g}%" for i, b in enumerate(bp)}


def _tier(t, last: bool) -> dict:
    d: dict = {"name": t.name, "team": t.team}
    if t.alert_team:
        d["alert_team"] = t.alert_team
    d["pickup"] = tune.text(t.pickup)
    d["work"] = tune.text(t.work)
    if not last:
        d["resolve"] = _pct(t.resolve)
        d["misroute"] = _pct(t.misroute)
        d["misroute_triage"] = tune.text(t.misroute_triage)
        if t.misroute_team:
            d["misroute_team"] = t.misroute_team
        d["handoff"] = tune.text(t.handoff)
    if t.knowledge_factor != 1.0:
        d["knowledge_factor"] = t.knowledge_factor
    if t.knowledge_dilution:
        d["knowledge_dilution"] = t.knowledge_dilution
    if t.swarm:
        d["swarm"] = list(t.swarm)
    return d


def _top_level_rotas(source: str) -> set[str]:
    try:
        with open(source, encoding="utf-8") as f:
            raw = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError):
        return set()
    rotas = raw.get("rotas") if isinstance(raw, dict) else None
    return set(rotas) if isinstance(rotas, dict) else set()


def fitted_yaml(fit, output: str | Path) -> str:
    before: Scenario = fit.scenario
    after: Scenario = fit.fitted
    base = os.path.relpath(os.path.abspath(before.source),
                           os.path.dirname(os.path.abspath(output)))
    doc: dict = {"extends": base}
    if after.horizon != before.horizon:  # long enough for the slowest tickets to finish
        doc["horizon"] = f"{after.horizon / 168:g}w"
    apps = {}
    for a in after.applications:
        if a.support_path != fit.path:
            continue
        apps[a.name] = {
            "incidents": f"{a.incident_rate * 168:.6g}/week",
            "priorities": _mix(a.priority_mix),
            "arrivals": "uniform" if a.in_hours_share is None else
            {"in_hours": _pct(a.in_hours_share)},
        }
    doc["applications"] = apps
    if after.callout_priorities != before.callout_priorities:
        doc["callout_priorities"] = [f"P{p}" for p in after.callout_priorities]
    teams = {}
    for t0, t1 in zip(before.teams, after.teams, strict=True):
        if (t0.responders, t0.headcount) != (t1.responders, t1.headcount):
            teams[t1.name] = {"headcount": t1.headcount, "responders": t1.responders}
    top = _top_level_rotas(before.source)
    rotas = {}
    for r0, r1 in zip(before.rotas, after.rotas, strict=True):
        if (r0.on_call, r0.members) != (r1.on_call, r1.members):
            change = {"members": r1.members, "on_call": r1.on_call}
            if r1.name in top:
                rotas[r1.name] = change
            else:  # a team's own rota, written inside the team
                teams.setdefault(r1.name, {})["rota"] = change
    if teams:
        doc["teams"] = teams
    if rotas:
        doc["rotas"] = rotas
    path = tune.path_of(after, fit.path)
    entry: dict = {}
    if path.on_hold is not None:
        entry["on_hold"] = {"share": _pct(path.on_hold.share),
                            "wait": tune.text(path.on_hold.wait)}
    entry["tiers"] = [_tier(t, j == len(path.tiers) - 1) for j, t in enumerate(path.tiers)]
    doc["support_paths"] = {fit.path: entry}
    head = (f"# Fitted by `whorunsit fit` to {fit.cases.name}, weeks {fit.train.weeks}\n"
            f"# ({fit.train.n:,} incidents). Only the fitted keys are here: the rest is\n"
            f"# the scenario it extends. See docs/fit.md for what each key was fitted from.\n")
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def write(fit, output: str | Path) -> None:
    """Write the fitted scenario to ``output`` atomically, after loading it back."""
    import tempfile

    from whorunsit import api
    from whorunsit.report import write_atomic

    text = fitted_yaml(fit, output)
    directory = os.path.dirname(os.path.abspath(output))
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=directory, prefix=".fit-",
                                     delete=False, encoding="utf-8") as f:
        f.write(text)
        probe = f.name
    try:
        api.load(probe)
    finally:
        os.unlink(probe)
    write_atomic(output, text)
