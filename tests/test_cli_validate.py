"""`whorunsit validate` and `whorunsit schema` through the typer app."""

import json
from pathlib import Path

from typer.testing import CliRunner

from whorunsit.app import app
from whorunsit.scenario.jsonschema import schema_text

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = str(ROOT / "scenarios" / "you-build-it-ops-run-it.yaml")
BROKEN = ROOT / "tests" / "broken"
runner = CliRunner()


def test_valid_file_prints_a_summary_and_exits_0():
    result = runner.invoke(app, ["validate", FLAGSHIP])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{FLAGSHIP}: valid. You Build It Ops Run It: 4 teams, 1 application, 1 support path "
        "(3 tiers), 3 rotas, 1 deployment policy, 2 gates; 13w horizon x 200 replications "
        "(warm-up 1w), seed 20261121\n")
    assert result.stderr == ""


def test_every_shipped_scenario_validates():
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    result = runner.invoke(app, ["validate", *files])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": valid. ") == len(files)


def test_invalid_file_lists_every_problem_on_stderr_and_exits_2():
    path = str(BROKEN / "unknown-keys.yaml")
    result = runner.invoke(app, ["validate", path])
    assert result.exit_code == 2
    assert result.stdout == ""
    expected = (BROKEN / "unknown-keys.expected").read_text()
    assert result.stderr == expected.replace("unknown-keys.yaml", path)
    assert "Traceback" not in result.output


def test_mixed_files_report_both_and_exit_2():
    result = runner.invoke(app, ["validate", FLAGSHIP, str(BROKEN / "empty.yaml")])
    assert result.exit_code == 2
    assert ": valid. " in result.stdout
    assert result.stderr.splitlines() == [f"{BROKEN / 'empty.yaml'}:1:1: the file is empty; "
                                          "a YAML mapping such as 'name: ...'",
                                          "1 of 2 files invalid"]


def test_missing_file(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: file '{tmp_path / 'nope.yaml'}' does not exist; the path of a scenario file\n"


def test_bad_gate_in_a_valid_scenario(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {FLAGSHIP}\ngates:\n  - incidents.time_to_restor.p95 <= 4h\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (f"{path}:3:5: unknown metric 'incidents.time_to_restor.p95'; "
                             "did you mean 'incidents.time_to_restore.p95'?\n")


def test_no_files_is_a_usage_error():
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2


def test_help_has_examples():
    result = runner.invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    assert "whorunsit validate scenarios/*.yaml" in result.stdout
    assert "Exit code 0 if every file is valid, 2 otherwise." in result.stdout
    result = runner.invoke(app, ["schema", "--help"])
    assert "whorunsit schema --output scenarios/whorunsit.schema.json" in result.stdout


def test_schema_to_stdout_and_file(tmp_path):
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "whorunsit scenario"
    out = tmp_path / "schema.json"
    result = runner.invoke(app, ["schema", "--output", str(out)])
    assert result.exit_code == 0
    assert out.read_text() == schema_text()
    assert result.stderr == f"wrote {out}\n"


def test_schema_to_an_unwritable_place(tmp_path):
    result = runner.invoke(app, ["schema", "--output", str(tmp_path / "no" / "such" / "dir.json")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


IDLE = """\
name: idle rota
teams:
  dev: {headcount: 6, rota: {members: 6, standby: 300 GBP/week}}
  platform: {headcount: 3, rota: {members: 3, standby: 300 GBP/week}}
  spare: {headcount: 2}
applications:
  shop: {owner: dev, incidents: 2/week}
support_paths:
  default:
    tiers:
      - {name: L2, team: owner, work: "lognormal(median=1h, p95=4h)"}
"""


def test_configurations_that_cost_money_and_do_nothing_are_warned_about(tmp_path):
    path = tmp_path / "idle.yaml"
    path.write_text(IDLE, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output  # a warning, not an error
    assert result.stdout.startswith(f"{path}: valid.")
    assert result.stderr.splitlines() == [
        f"{path}:4:28: warning: rota 'platform' serves no application: its team (platform) work "
        "on no application's incidents (no support path names them and they own no application); "
        "it adds standby pay and answers no call; remove the rota, or give its teams an "
        "application (owner:) or a place on a support path",
        f"{path}:5:3: warning: team 'spare' works on no incident and performs no deployment; put "
        "it on a support path (team: or swarm:), make it an application's owner, or remove it",
    ]


def test_a_rota_filtered_to_no_application_and_no_callouts_are_warned_about(tmp_path):
    path = tmp_path / "filtered.yaml"
    path.write_text(IDLE.replace("  platform: {headcount: 3, rota: {members: 3, standby: 300 GBP/week}}\n", "")
                    .replace("  spare: {headcount: 2}\n", "")
                    .replace("rota: {members: 6,", "rota: {members: 6, targets: [95%],")
                    + "callout_priorities: []\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{path}:3:23: warning: rota 'dev' serves no application: its "
                               "applications or targets match none")
    assert lines[0].endswith("; widen its applications: or targets:, or remove the rota")
    assert lines[1].startswith(f"{path}:10:1: warning: no priority calls anyone out")


def test_shipped_flagship_has_no_money_for_nothing():
    from whorunsit.scenario import load_scenario
    from whorunsit.scenario.advice import advise

    assert advise(load_scenario(FLAGSHIP)) == []
