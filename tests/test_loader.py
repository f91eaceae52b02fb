"""Loading scenarios into model objects: values, defaults, stamping, safety limits."""

import glob
import textwrap
import time
from pathlib import Path

import pytest

from whorunsit.errors import InputError, Location
from whorunsit.model import Approval, Funding, OutOfHours, RotaCover, TeamKind, Window
from whorunsit.scenario import load_gates, load_scenario, loads_scenario

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "you-build-it-ops-run-it.yaml"

MINIMAL = """\
teams:
  dev: {headcount: 4}
applications:
  shop: {owner: dev, incidents: 2/week}
support_paths:
  self:
    tiers:
      - team: owner
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def problems(tmp_path: Path, text: str, name: str = "s.yaml") -> list[str]:
    path = write(tmp_path, text, name)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return [str(p).replace(str(path), name) for p in info.value.problems]


def test_flagship_values():
    s = load_scenario(FLAGSHIP)
    assert s.name == "You Build It Ops Run It"
    assert (s.horizon, s.warmup, s.replications, s.seed) == (13 * 168.0, 168.0, 200, 20261121)
    assert [t.name for t in s.teams] == ["service-desk", "ops-bridge", "app-ops", "delivery"]
    app_ops = s.team("app-ops")
    assert (app_ops.kind, app_ops.headcount, app_ops.responders) == (TeamKind.APP_OPS, 5, 3)
    assert app_ops.funding is Funding.OPEX and app_ops.hourly_cost == 45.0
    delivery = s.team("delivery")
    assert delivery.out_of_hours is OutOfHours.BEST_ENDEAVOURS
    assert delivery.best_endeavours.answer_probability == 0.7
    assert delivery.best_endeavours.toil_hours_per_callout == 2.0
    rota = s.rotas_for("app-ops")[0]
    assert (rota.name, rota.members, rota.cover) == ("app-ops", 5, RotaCover.OUT_OF_HOURS)
    assert (rota.pay.standby_per_week, rota.pay.callout_fee, rota.pay.callout_per_hour) == (300, 60, 45)
    app = s.application("checkout")
    assert app.incident_rate == pytest.approx(4 / 168)
    assert app.priority_mix == (0.05, 0.15, 0.5, 0.3)
    assert (app.availability_target, app.downtime_cost_per_hour) == (0.999, 4000.0)
    assert app.deployment_rate == pytest.approx(1 / 168) and app.change_failure_rate == 0.15
    path = s.support_path("ops-run")
    assert path.detection.alert_share == 0.6
    assert [t.name for t in path.tiers] == ["L1", "L2", "L3"]
    assert [t.resolve for t in path.tiers] == [0.25, 0.55, 1.0]
    assert path.tiers[0].alert_team == "ops-bridge" and path.tiers[2].team == "owner"
    policy = s.deployment_policy("change-board")
    assert policy.performer == "app-ops"
    assert policy.approval == Approval("board", board_at=34.0, board_every=168.0)
    assert policy.change_windows == (Window(90.0, 94.0),)
    assert [(g.expression, g.level) for g in s.gates] == [
        ("incidents.time_to_restore.p95 <= 3d", "error"), ("oncall.unpaid_hours == 0", "warn")]
    assert s.gates[0].location.file == str(FLAGSHIP)
    assert s.gates[0].location.line > 1


@pytest.mark.parametrize("path", sorted(glob.glob(str(ROOT / "scenarios" / "*.yaml"))
                                        + glob.glob(str(ROOT / "benchmarks" / "*.yaml"))))
def test_every_shipped_scenario_loads(path):
    s = load_scenario(path)
    assert s.teams and s.applications and s.support_paths


def test_shipped_scenarios_point_at_the_schema():
    for path in glob.glob(str(ROOT / "scenarios" / "*.yaml")):
        first = Path(path).read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=./whorunsit.schema.json", path


def test_defaults(tmp_path):
    s = load_scenario(write(tmp_path, MINIMAL, "minimal.yaml"))
    assert s.name == "minimal" and s.currency == "GBP"
    assert (s.horizon, s.warmup, s.replications, s.seed) == (13 * 168.0, 0.0, 100, 1)
    assert s.calendar.working_days == (0, 1, 2, 3, 4)
    assert (s.calendar.start_hour, s.calendar.end_hour, s.calendar.always) == (9.0, 17.0, False)
    team = s.team("dev")
    assert (team.kind, team.responders, team.funding) == (TeamKind.DELIVERY, 4, Funding.CAPEX)
    assert team.out_of_hours is OutOfHours.NONE and team.domain is None
    app = s.application("shop")
    assert app.support_path == "self" and app.deployment_policy == "default"
    assert app.priority_mix == (0.05, 0.15, 0.5, 0.3) and app.availability_target == 0.99
    assert [p.name for p in s.deployment_policies] == ["default"]
    assert s.deployment_policies[0].performer == "owner"
    tier = s.support_paths[0].tiers[0]
    assert (tier.name, tier.resolve, tier.work.params, tier.pickup.params) == ("L1", 1.0, (1.0,), (0.0,))
    assert s.callout_priorities == (1, 2) and s.priority_impact == (1.0, 0.5, 0.0, 0.0)
    assert s.rotas == () and s.policies == () and s.gates == ()


def test_ops_team_funding_defaults_to_opex():
    text = MINIMAL.replace("dev: {headcount: 4}", "dev: {headcount: 4}\n  ops: {headcount: 3, kind: app-ops}")
    scenario = loads_scenario(text)
    assert scenario.team("ops").funding is Funding.OPEX


def test_calendar_24x7_and_custom_days():
    s = loads_scenario(MINIMAL + "calendar: {working_hours: 24x7}\n")
    assert s.calendar.always
    s = loads_scenario(MINIMAL + "calendar: {working_days: [Sun, Mon], working_hours: 08:30-18:00}\n")
    assert s.calendar.working_days == (0, 6)
    assert (s.calendar.start_hour, s.calendar.end_hour) == (8.5, 18.0)


def test_arrivals_default_uniform_scenario_default_inherited_and_overridden(tmp_path):
    assert loads_scenario(MINIMAL).application("shop").in_hours_share is None
    text = MINIMAL.replace("shop: {owner: dev, incidents: 2/week}", textwrap.dedent("""\
        shop: {owner: dev, incidents: 2/week}
          jobs: {owner: dev, incidents: 1/week, arrivals: uniform}
          web: {owner: dev, incidents: 1/week, arrivals: {in_hours: 0.9}}"""))
    s = loads_scenario(text + "arrivals: {in_hours: 69%}\n")
    shares = {a.name: a.in_hours_share for a in s.applications}
    assert shares == {"shop": pytest.approx(0.69), "jobs": None, "web": 0.9}
    # a proposal extending the base inherits its default, and may take it away
    base = write(tmp_path, text + "arrivals: {in_hours: 69%}\n", "base.yaml")
    same = write(tmp_path, "extends: base.yaml\nname: same\n", "same.yaml")
    assert load_scenario(same).application("shop").in_hours_share == pytest.approx(0.69)
    even = write(tmp_path, "extends: base.yaml\narrivals: null\n", "even.yaml")
    assert load_scenario(even).application("shop").in_hours_share is None
    assert load_scenario(base).application("jobs").in_hours_share is None
    # all working hours: 100% is the only share a calendar without nights can meet
    always = loads_scenario(MINIMAL + "calendar: {working_hours: 24x7}\n"
                            "arrivals: {in_hours: 100%}\n")
    assert always.application("shop").in_hours_share == 1.0


def test_money_periods_convert():
    text = MINIMAL.replace("dev: {headcount: 4}", textwrap.dedent("""\
        dev:
            headcount: 4
            hourly_cost: 30 GBP/h
            rota: {standby: 40 GBP/day, callout_pay: 50, toil: 90m, callout_fee: '1,200 GBP'}"""))
    text = text.replace("incidents: 2/week}", "incidents: 2/week, downtime_cost: 24k GBP/day}")
    s = loads_scenario(text)
    pay = s.rotas[0].pay
    assert (pay.standby_per_week, pay.callout_per_hour, pay.toil_hours_per_callout) == (280, 50, 1.5)
    assert pay.callout_fee == 1200
    assert s.team("dev").hourly_cost == 30
    assert s.application("shop").downtime_cost_per_hour == 1000


def test_stamping_with_templates():
    text = """\
teams:
  team:
    count: 6
    headcount: 5
    domain: domain-{i/3}
    rota: {members: 5, applications: ['app-{i}']}
rotas:
  domain:
    count: 2
    domain: domain-{i}
    members: 6
    targets: [99%]
applications:
  app:
    count: 6
    owner: team-{i}
    incidents: 1/week
  "svc-{i}-x": {count: 2, owner: "team-{i}", incidents: 1/week}
support_paths:
  p: {tiers: [{team: owner}]}
"""
    s = loads_scenario(text)
    assert [t.name for t in s.teams] == [f"team-{i}" for i in range(1, 7)]
    assert [t.domain for t in s.teams] == ["domain-1"] * 3 + ["domain-2"] * 3
    assert [a.owner for a in s.applications][:6] == [f"team-{i}" for i in range(1, 7)]
    assert [a.name for a in s.applications][6:] == ["svc-1-x", "svc-2-x"]
    rotas = {r.name: r for r in s.rotas}
    assert rotas["team-4"].applications == ("app-4",)
    assert rotas["domain-2"].teams == ("team-4", "team-5", "team-6")
    assert rotas["domain-2"].targets == (0.99,) and rotas["domain-2"].funding is Funding.CAPEX


def test_flow_collections_may_hold_templates():
    text = MINIMAL.replace("dev: {headcount: 4}", "dev: {headcount: 4, count: 2}").replace(
        "shop: {owner: dev, incidents: 2/week}", "shop: {count: 2, owner: dev-{i}, incidents: 2/week}")
    s = loads_scenario(text)
    assert [a.owner for a in s.applications] == ["dev-1", "dev-2"]


def test_rota_members_and_funding_default_from_teams():
    text = MINIMAL + textwrap.dedent("""\
        rotas:
          shared: {teams: [dev, ops], cover: 24x7}
        """)
    text = text.replace("dev: {headcount: 4}", "dev: {headcount: 4}\n  ops: {headcount: 3, kind: app-ops}")
    rota = loads_scenario(text).rotas[0]
    assert (rota.members, rota.funding, rota.cover, rota.teams) == (7, Funding.CAPEX, RotaCover.ALWAYS, ("dev", "ops"))


def test_approval_by_delay_and_windows():
    text = MINIMAL + textwrap.dedent("""\
        deployments:
          cab:
            performer: dev
            approval: {delay: exponential(mean=1d)}
            change_windows: [Mon-Fri 18:00-20:00]
            concurrency: 2
            redeploy_failed: false
        """)
    p = loads_scenario(text).deployment_policies[0]
    assert p.approval.kind == "delay" and p.approval.delay.params == (24.0,)
    assert len(p.change_windows) == 5 and p.concurrency == 2 and not p.redeploy_failed


def test_policies_and_priorities():
    text = MINIMAL.replace("dev: {headcount: 4}", "dev: {headcount: 4}\n  sre: {headcount: 5, kind: sre}") + textwrap.dedent("""\
        callout_priorities: [P1]
        priority_impact: {P2: 25%}
        policies:
          - error_budget: {team: sre, applications: [shop], ops_cap: 40%}
        """)
    s = loads_scenario(text)
    assert s.callout_priorities == (1,) and s.priority_impact == (1.0, 0.25, 0.0, 0.0)
    pol = s.policies[0]
    assert (pol.team, pol.applications, pol.ops_cap, pol.budget_period) == ("sre", ("shop",), 0.4, 13 * 168.0)


def test_alerts_enter_at_tier_and_swarm():
    text = MINIMAL.replace("""      - team: owner
""", """      - {name: desk, team: dev, resolve: 10%}
      - {name: expert, team: owner, swarm: [dev, owner], knowledge_dilution: 3%}
    detection: {alerts: 80%, alerts_enter_at: expert}
""")
    path = loads_scenario(text).support_paths[0]
    assert path.detection.alert_entry_tier == 1 and path.detection.alert_share == 0.8
    assert path.tiers[1].swarm == ("dev", "owner") and path.tiers[1].knowledge_dilution == 0.03


def test_yaml_merge_keys():
    text = MINIMAL.replace("dev: {headcount: 4}", "base: &b {headcount: 4, hourly_cost: 50}\n  dev: {<<: *b, hourly_cost: 60}")
    s = loads_scenario(text)
    assert s.team("dev").headcount == 4 and s.team("dev").hourly_cost == 60


def test_load_gates(tmp_path):
    path = write(tmp_path, """\
        # policy
        gates:
          - incidents.time_to_restore.p95 <= 4h
          - {assert: cost.total <= 1.2M GBP, level: warn}
        """, "policy.yaml")
    gates = load_gates(path)
    assert [(g.expression, g.level) for g in gates] == [
        ("incidents.time_to_restore.p95 <= 4h", "error"), ("cost.total <= 1.2M GBP", "warn")]
    assert gates[0].location == Location(str(path), 3, 5)
    assert gates[1].location == Location(str(path), 4, 14)


def test_load_gates_problems(tmp_path):
    path = write(tmp_path, "gate:\n  - a > 1\n", "policy.yaml")
    with pytest.raises(InputError) as info:
        load_gates(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:1:1: unknown key 'gate'; did you mean 'gates'?",
    ]
    path.write_text("description: no gates\n")
    with pytest.raises(InputError) as info:
        load_gates(path)
    assert [str(p) for p in info.value.problems] == [f"{path}:1:1: missing 'gates'; gates: a list"]
    with pytest.raises(InputError, match="does not exist"):
        load_gates(tmp_path / "missing.yaml")


# -- safety ---------------------------------------------------------------------------

def test_oversized_file_is_refused_quickly(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("description: '" + "x" * (3 * 1024 * 1024) + "'\n")
    start = time.perf_counter()
    assert problems(tmp_path, path.read_text(), "big.yaml") == [
        "big.yaml: file is 3,145,744 bytes, over the 2 MB limit; a scenario file under 2 MB "
        "(use count: to stamp out many teams)"]
    assert time.perf_counter() - start < 2


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    start = time.perf_counter()
    got = problems(tmp_path, "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2
    assert len(got) == 1 and "more than 300,000 values once aliases are expanded" in got[0]


def test_recursive_alias_is_refused(tmp_path):
    got = problems(tmp_path, "a: &a [*a]\n")
    assert len(got) == 1 and ("nesting deeper" in got[0] or "undefined alias" in got[0])


def test_deep_nesting_is_refused(tmp_path):
    got = problems(tmp_path, "a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert got == ["s.yaml:1:1: the YAML nests deeper than 64 levels; a scenario nested a few levels deep"]


def test_python_tags_are_refused(tmp_path):
    got = problems(tmp_path, "name: !!python/object/apply:os.system ['echo hi']\n" + MINIMAL)
    assert got[0] == ("s.yaml:1:7: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' "
                      "is not allowed; plain YAML values without tags")


@pytest.mark.parametrize("text, expected", [
    ("replications: 2000000\n", "replications: 2,000,000 is too large; a whole number from 1 to 1,000,000"),
    ("horizon: 21y\n", "horizon: the duration is over 20 years; at most 20 years"),
    ("horizon: 0h\n", "horizon: the duration must be more than zero"),
])
def test_absurd_run_sizes(tmp_path, text, expected):
    got = problems(tmp_path, MINIMAL + text)
    assert len(got) == 1 and expected in got[0]


def test_absurd_entity_counts(tmp_path):
    text = MINIMAL.replace("dev: {headcount: 4}", "dev: {headcount: 4, count: 6000}").replace(
        "shop: {owner: dev, incidents: 2/week}", "shop: {owner: dev-1, incidents: 2/week, count: 6000}")
    start = time.perf_counter()
    got = problems(tmp_path, text)
    assert time.perf_counter() - start < 5
    assert got == ["s.yaml:4:50: applications.shop.count: 6,000 more would make over 10,000 "
                   "teams, applications and rotas; at most 10,000 in all"]


def test_big_but_legal_stamping_is_fast(tmp_path):
    text = MINIMAL.replace("dev: {headcount: 4}", "dev: {headcount: 4, count: 3000}").replace(
        "shop: {owner: dev, incidents: 2/week}", "shop: {owner: 'dev-{i}', incidents: 2/week, count: 3000}")
    start = time.perf_counter()
    s = loads_scenario(text)
    assert len(s.teams) == len(s.applications) == 3000
    assert time.perf_counter() - start < 10


def test_not_utf8(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}:1:1: the file is not UTF-8 text; a UTF-8 YAML file"


def test_directory_and_missing(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        load_scenario(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        load_scenario(tmp_path / "nope.yaml")


def test_loads_scenario_refuses_extends():
    with pytest.raises(InputError, match="extends: only works in a scenario file"):
        loads_scenario("extends: base.yaml\n" + MINIMAL)
