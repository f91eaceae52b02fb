"""`whorunsit calibrate` through the typer app: formats, flags, --output, exit codes."""

import json

import pytest
import yaml
from typer.testing import CliRunner

from whorunsit.app import app

runner = CliRunner()

HEADER = "number,reassignment_count,opened_at,priority,assignment_group,resolved_at"


def run(*args, env=None):
    return runner.invoke(app, ["calibrate", *args], env=env)


@pytest.fixture
def log(tmp_path):
    """21 incidents in the week of Mon 29 Feb 2016 and 9 in the next, each resolved 24.5h
    after it was opened, each with an earlier, unresolved update before its last row."""
    rows = []
    for i in range(30):
        day = 1 + i % 5 if i < 21 else 7 + i % 5
        opened = f"{day}/3/2016 {8 + i % 12:02d}:00"
        rows.append(f"INC{i},0,{opened},3 - Moderate,Team X,?")
        rows.append(f"INC{i},{i % 4},{opened},{1 + i % 4} - x,Team {'AB'[i % 2]},"
                    f"{day + 1}/3/2016 {8 + i % 12:02d}:30")
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def test_help_lists_every_flag_and_examples():
    result = run("--help")
    assert result.exit_code == 0
    for flag in ("--format", "--output", "--working-hours", "--column", "--weeks",
                 "--date-format", "--top", "--quiet"):
        assert flag in result.stdout
    assert "Examples:" in result.stdout and "whorunsit calibrate incidents.csv" in result.stdout


def test_table_at_80_columns_without_colour(log):
    result = run(str(log), env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for section in ("whorunsit · calibrate", "Volume", "Time to restore (opened_at -> "
                    "resolved_at)", "Reassignments (reassignment_count)", "Priorities (priority)",
                    "Top assignment groups", "Scenario snippet", "Notes"):
        assert section in out, section
    assert "30 incidents" in out and "\x1b[" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_json_has_every_figure_with_its_interval(log):
    result = run(str(log), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["rows"] == 60
    figures = data["figures"]
    for name in ("incidents.count", "incidents.per_week.median", "incidents.per_week.mean",
                 "incidents.out_of_hours", "incidents.time_to_restore.p50",
                 "incidents.time_to_restore.p99", "incidents.time_to_restore.mean",
                 "incidents.reassignments.mean", "incidents.reassignments.share.3+",
                 "incidents.priority.P1", "incidents.P4.time_to_restore.p95"):
        assert set(figures[name]) == {"value", "ci95", "unit", "n"}, name
    assert figures["incidents.count"]["value"] == 30
    assert figures["incidents.time_to_restore.p50"]["value"] == 24.5
    assert figures["incidents.time_to_restore.p50"]["unit"] == "h"
    assert data["weeks"]["incidents"] == {"2016-W09": 21, "2016-W10": 9}
    assert [g["name"] for g in data["groups"]] == ["Team A", "Team B"]
    assert data["snippet"].startswith("# From `whorunsit calibrate` on export.csv")


def test_yaml_is_the_scenario_snippet(log):
    result = run(str(log), "--format", "yaml")
    assert result.exit_code == 0, result.stderr
    entry = yaml.safe_load(result.stdout)["applications"]["export"]
    assert entry == {"incidents": "21/week", "priorities": {"P1": "26.7%", "P2": "26.7%",
                                                            "P3": "23.3%", "P4": "23.3%"},
                     "arrivals": {"in_hours": "60%"}}


def test_flags_reach_the_calibration(log):
    result = run(str(log), "--format", "json", "--weeks", "2016-W10..",
                 "--working-hours", "Mon-Sun 00:00-24:00", "--column", "group=",
                 "--date-format", "%d/%m/%Y %H:%M", "--top", "1")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["weeks"]["steady"] == {"first": "2016-W10", "last": "2016-W10", "weeks": 1,
                                       "chosen": "--weeks"}
    assert data["figures"]["incidents.per_week.mean"]["value"] == 9
    assert data["figures"]["incidents.out_of_hours"]["value"] == 0
    assert data["working_hours"] == "Mon-Sun 00:00-24:00"
    assert data["columns"]["group"] is None and data["groups"] == []


def test_output_writes_the_file_and_says_so(log, tmp_path):
    out = tmp_path / "cal.json"
    result = run(str(log), "--format", "json", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and f"wrote json calibration to {out}" in result.stderr
    assert json.loads(out.read_text())["figures"]["incidents.count"]["value"] == 30
    table = tmp_path / "cal.txt"
    quiet = run(str(log), "--output", str(table), "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert "Volume" in table.read_text() and "\x1b[" not in table.read_text()


def test_failed_render_leaves_the_previous_file(log, tmp_path, monkeypatch):
    out = tmp_path / "cal.json"
    out.write_text("previous\n")

    def broken(cal):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr("whorunsit.calibrate.render.render_json", broken)
    result = run(str(log), "--format", "json", "--output", str(out))
    assert result.exit_code == 2
    assert "internal error: RuntimeError: renderer bug" in result.stderr
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cal.json", "export.csv"]


@pytest.mark.parametrize("args, message", [
    (["--format", "xml"], "error: --format must be one of table, json, yaml, html; got 'xml'"),
    (["--weeks", "last..week"], "--weeks: 'last..week' is not a range of weeks"),
    (["--working-hours", "17:00-09:00"], "--working-hours: '17:00-09:00' ends before it starts"),
    (["--column", "who=Team"], "--column: unknown column name 'who'"),
    (["--column", "id"], "--column: 'id' is not name=header"),
    (["--top", "-1"], "--top: '-1' is not a number of groups"),
])
def test_bad_flags_are_one_line_and_exit_2_before_reading(tmp_path, args, message):
    result = run(str(tmp_path / "not-there.csv"), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), lines


def test_missing_file_is_one_line(tmp_path):
    result = run(str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.csv'}: no such file; a CSV incident log, or a " \
                            ".zip holding one\n"


def test_bad_log_is_located_never_a_traceback(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("ticket,created\nT1,yesterday\n")
    result = run(str(path), "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{path}:1:1: no column 'number' (the incident id)")
    assert len(lines) == 6  # one per missing column
    fixed = run(str(path), "-c", "id=ticket", "-c", "opened=created", "-c", "resolved=",
                "-c", "reassignments=", "-c", "priority=", "-c", "group=")
    assert fixed.exit_code == 2
    assert fixed.stderr == (f"{path}:2:4: created 'yesterday' is not a date; a date such as "
                            "29/2/2016 13:05 or 2016-02-29 13:05:00; --date-format names "
                            "another format\n")
