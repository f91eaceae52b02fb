"""Hypothesis: random YAML and random mutations of valid scenarios never make the loader
raise anything but InputError, and whatever it accepts is internally consistent."""

import glob
import math
import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whorunsit.errors import InputError
from whorunsit.model import Scenario
from whorunsit.model.scenario import OWNER
from whorunsit.scenario import loads_scenario
from whorunsit.scenario.spec import SCENARIO

ROOT = Path(__file__).resolve().parent.parent
SELF_CONTAINED = [
    Path(p).read_text() for p in sorted(glob.glob(str(ROOT / "scenarios" / "*.yaml")))
    if not any(line.startswith("extends:") for line in Path(p).read_text().splitlines())
]
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

KEYS = sorted({f.key for f in SCENARIO.fields} | {
    "headcount", "responders", "kind", "funding", "rota", "members", "cover", "standby",
    "owner", "incidents", "priorities", "tiers", "team", "resolve", "work", "count",
    "detection", "alerts", "approval", "board", "delay", "change_windows", "error_budget",
    "P1", "P2", "P3", "P4", "extends", "<<"})
NASTY = st.sampled_from([
    None, True, 0, -1, 1, 2**70, 1e308, -0.5, float("nan"), "", " ", "5", "1h", "-1h", "50%",
    "150%", "3/week", "0/h", "1.2M GBP", "10 EUR/week", "x.y", "a b", "{i}", "team-{i/0}",
    "{i/3}", "owner", "lognormal(median=1h, p95=1h)", "exponential(mean=0m)",
    "empirical([])", "fixed(5m)", "Tue 10:00", "Mon-Fri 18:00-22:00", "24x7", "none",
    "09:00-17:00", "17:00-09:00", "P1", "delivery", "app-ops", "checkout", "ops-run",
    "service-desk", [], {}, ["P1"], {"best_endeavours": {}}, {"board": "Tue 10:00"},
    "\x00", "é", "1e999h",
])


def check(text: str) -> None:
    try:
        scenario = loads_scenario(text, "fuzz.yaml")
    except InputError as exc:
        assert exc.problems
        for p in exc.problems:
            assert str(p).startswith("fuzz.yaml")
        return
    consistent(scenario)


def consistent(s: Scenario) -> None:
    teams = {t.name for t in s.teams}
    assert teams and s.applications and s.support_paths
    for t in s.teams:
        assert 1 <= t.responders <= t.headcount and "." not in t.name
    for a in s.applications:
        assert a.owner in teams
        assert math.isclose(sum(a.priority_mix), 1.0, abs_tol=1e-6)
        s.support_path(a.support_path)
        s.deployment_policy(a.deployment_policy)
    for p in s.support_paths:
        assert p.tiers and p.tiers[-1].resolve == 1.0
        assert 0 <= p.detection.alert_entry_tier < len(p.tiers)
        for tier in p.tiers:
            assert tier.team in teams | {OWNER}
            assert 0 <= tier.resolve <= 1 and 0 <= tier.misroute <= 1
    for r in s.rotas:
        assert set(r.teams) <= teams and 1 <= r.on_call <= r.members
    assert s.horizon > 0 and s.replications >= 1


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text):
    check(text)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), NASTY)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=5),
    ),
    max_leaves=25,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), trees, max_size=8))
def test_random_structures(data):
    check(yaml.safe_dump(data, allow_unicode=True))


def _load_plain(text: str):
    """The scenario as plain data. {i} templates are hidden from PyYAML (they would open a
    flow mapping inside [...]) and put back afterwards."""
    hidden = re.sub(r"\{(i(?:/\d+)?)\}", "\u27e8\\1\u27e9", text)

    def restore(node):
        if isinstance(node, dict):
            return {restore(k): restore(v) for k, v in node.items()}
        if isinstance(node, list):
            return [restore(v) for v in node]
        if isinstance(node, str):
            return node.replace("\u27e8", "{").replace("\u27e9", "}")
        return node

    return restore(yaml.safe_load(hidden))


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _mutate(data, path, action, value):
    if not path:
        return
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = value
    elif action == "rename" and isinstance(parent, dict):
        parent[str(last)[:-1] + "x"] = parent.pop(last)
    elif action == "wrap":
        parent[last] = [parent[last]]


@FUZZ
@given(st.sampled_from(range(len(SELF_CONTAINED))), st.data())
def test_mutated_valid_scenarios(index, data):
    tree = _load_plain(SELF_CONTAINED[index])
    for _ in range(data.draw(st.integers(1, 4))):
        paths = list(_paths(tree))
        path = data.draw(st.sampled_from(paths))
        action = data.draw(st.sampled_from(["delete", "replace", "replace", "rename", "wrap"]))
        _mutate(tree, path, action, data.draw(st.one_of(NASTY, trees)))
    check(yaml.safe_dump(tree, allow_unicode=True))


@FUZZ
@given(st.sampled_from(range(len(SELF_CONTAINED))), st.data())
def test_mutated_text(index, data):
    text = SELF_CONTAINED[index]
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 8))
        insert = data.draw(st.sampled_from(["", ":", "-", "{", "[", "&a", "*a", "\t", "  ", "\n",
                                            "'", "%", "{i}", "x", "0", "!!str "]))
        text = text[:at] + insert + text[at + cut:]
    check(text)


def test_the_unmutated_scenarios_are_consistent():
    assert SELF_CONTAINED
    for text in SELF_CONTAINED:
        consistent(loads_scenario(text))
