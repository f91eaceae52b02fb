"""`whorunsit show`: the scenario as simulated, defaults marked; validate's defaults note."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from whorunsit.app import app
from whorunsit.scenario import load_scenario, loads_scenario

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml")) + [ROOT / "docs/examples/proposal.yaml"]
runner = CliRunner()

MINIMAL = """\
name: minimal YBIYRI
description: "a draft: # not a comment"
teams:
  service-desk: {kind: service-desk, headcount: 4}
  team: {count: 3, headcount: 6, rota: {standby: 250 GBP/week}}
applications:
  app: {count: 3, owner: 'team-{i}', incidents: 2/week}
support_paths:
  default:
    tiers:
      - {team: service-desk, resolve: 20%}
      - {team: owner, work: 'lognormal(median=1h, p95=4h)'}
deployments:
  board:
    performer: service-desk
    approval: {board: Tue 10:00}
    change_windows: ["Sat,Sun 10:00-16:00"]
"""


def comparable(scenario):
    gates = tuple((g.expression, g.level) for g in scenario.gates)
    return dataclasses.replace(scenario, source="", gates=gates)


def show(path) -> str:
    result = runner.invoke(app, ["show", str(path)])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_shown_yaml_loads_to_the_same_scenario(path):
    text = show(path)
    assert comparable(loads_scenario(text, "shown.yaml")) == comparable(load_scenario(path))
    data = yaml.safe_load(text)
    assert "extends" not in data
    assert not any("count" in team for team in data["teams"].values())


@pytest.fixture
def minimal(tmp_path):
    path = tmp_path / "minimal.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    return path


def test_defaults_are_filled_in_and_marked(minimal):
    text = show(minimal)
    assert comparable(loads_scenario(text, "shown.yaml")) == comparable(load_scenario(minimal))
    data = yaml.safe_load(text)
    # count: stamped out, {i} substituted
    assert [n for n in data["teams"]] == ["service-desk", "team-1", "team-2", "team-3"]
    assert [a["owner"] for a in data["applications"].values()] == ["team-1", "team-2", "team-3"]
    assert data["description"] == "a draft: # not a comment"
    tiers = data["support_paths"]["default"]["tiers"]
    assert [t["work"] for t in tiers] == ["1h", "lognormal(median=1h, p95=4h)"]
    assert data["deployments"]["board"]["change_windows"] == ["Sat,Sun 10:00-16:00"]
    lines = text.splitlines()
    assert "        work: 1h  # default" in lines                # the tier that says nothing
    assert "        work: lognormal(median=1h, p95=4h)" in lines   # written: no mark
    assert "      - name: L1  # default: L1, L2, ... by position" in lines
    assert "        resolve: 100%  # default: the last tier resolves" in lines
    assert "    responders: 6  # default: the headcount" in lines
    assert "      members: 6  # default: the team's headcount" in lines
    assert "    support_path: default  # default: the only support path, else 'default'" in lines
    assert "  working_hours: 09:00-17:00  # default" in lines
    assert "      every: 1w  # default" in lines


def test_the_extends_chain_is_named_and_merged():
    text = show(ROOT / "scenarios" / "you-build-it-you-run-it.yaml")
    assert "# extends applied: scenarios/you-build-it-ops-run-it.yaml" in text.replace(str(ROOT) + "/", "")
    data = yaml.safe_load(text)
    assert set(data["teams"]) == {"service-desk", "delivery"}   # the nulls removed the rest
    assert set(data["support_paths"]) == {"team-run"}
    # inherited from the base, not written in the extending file
    assert data["teams"]["delivery"]["hourly_cost"] == "60 GBP"


def test_validate_notes_the_timing_defaults_in_one_line(minimal):
    result = runner.invoke(app, ["validate", str(minimal)])
    assert result.exit_code == 0, result.output
    first, note = result.stdout.splitlines()
    assert first.startswith(f"{minimal}: valid. ")
    # work 1h only on the tier that leaves it out; handoff only where there is a next tier;
    # pipeline is not used by an ops-performed policy, effort is
    assert note == (
        "  note: 7 timings not written, so default: alert_delay 0m (default.detection); "
        "customer_delay 0m (default.detection); pickup 0m (default.L1, default.L2); "
        "work 1h (default.L1); handoff 0m (default.L1); effort 1h (deployments.board); "
        f"'whorunsit show {minimal}' marks every default")


def test_validate_says_nothing_more_when_every_timing_is_written():
    path = ROOT / "scenarios" / "you-build-it-ops-run-it.yaml"
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1


def test_many_places_are_cut_short(tmp_path):
    tiers = "\n".join(f"      - {{name: T{i}, team: desk, resolve: 50%, work: 1h}}" for i in range(6))
    path = tmp_path / "deep.yaml"
    path.write_text(f"""\
teams: {{desk: {{headcount: 2}}}}
applications: {{app: {{owner: desk, incidents: 1/week}}}}
support_paths:
  p:
    detection: {{alerts: 0%}}
    tiers:
{tiers}
      - {{team: desk, work: 1h, pickup: 5m}}
""", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    note = result.stdout.splitlines()[1]
    assert "pickup 0m (p.T0, p.T1, p.T2 +3 more)" in note
    assert "alert_delay" not in note   # no incident is raised by an alert
    assert note.startswith("  note: 14 timings not written")


def test_an_invalid_file_lists_its_problems_and_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("teams: {a: {headcount: 0}}\n", encoding="utf-8")
    result = runner.invoke(app, ["show", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{path}:1:" in result.stderr and "Traceback" not in result.output


def test_output_writes_a_file_that_validates(minimal, tmp_path):
    out = tmp_path / "shown.yaml"
    result = runner.invoke(app, ["show", str(minimal), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    check = runner.invoke(app, ["validate", str(out)])
    assert check.exit_code == 0, check.output
    assert len(check.stdout.splitlines()) == 1   # nothing left to default
