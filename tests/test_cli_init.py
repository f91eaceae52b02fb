"""`whorunsit init`: a valid, commented scenario from flags or from answers to prompts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from whorunsit.app import app
from whorunsit.scenario import load_scenario

runner = CliRunner()


def init(*args: str, input: str | None = None):
    return runner.invoke(app, ["init", *args], input=input)


def test_flags_write_a_scenario_that_validates_and_simulates(tmp_path):
    path = tmp_path / "ops.yaml"
    result = init(str(path), "--model", "ops-run", "--teams", "3", "--applications", "5",
                  "--targets", "99.9%,99%,95%", "--tiers", "service-desk=6,app-ops=4",
                  "--standby", "300 EUR/week", "--callout-fee", "60 EUR", "--callout-pay",
                  "40 EUR/h", "--currency", "EUR", "--name", "Our ops", "--no-input")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {path}: Our ops, 5 teams, 5 applications.")
    s = load_scenario(path)
    assert s.name == "Our ops" and s.currency == "EUR"
    assert [t.name for t in s.teams] == ["service-desk", "app-ops", "delivery-1", "delivery-2",
                                         "delivery-3"]
    assert s.team("app-ops").headcount == 4
    assert [a.availability_target for a in s.applications] == [0.999, 0.99, 0.95, 0.999, 0.99]
    assert [a.owner for a in s.applications] == ["delivery-1", "delivery-2", "delivery-3",
                                                 "delivery-1", "delivery-2"]
    assert [t.team for t in s.support_paths[0].tiers] == ["service-desk", "app-ops", "owner"]
    rota = next(r for r in s.rotas if r.name == "app-ops")
    assert rota.pay.standby_per_week == 300 and rota.pay.callout_fee == 60
    assert s.deployment_policy("change-board").performer == "app-ops"
    # nothing is left to a timing default the user never saw
    check = runner.invoke(app, ["validate", str(path)])
    assert check.exit_code == 0 and len(check.stdout.splitlines()) == 1, check.stdout
    sim = runner.invoke(app, ["simulate", str(path), "-n", "3", "--quiet", "--format", "json"])
    assert sim.exit_code == 0, sim.output


def test_you_run_puts_each_team_on_its_own_paid_rota(tmp_path):
    path = tmp_path / "s.yaml"
    assert init(str(path), "--teams", "2", "--no-input").exit_code == 0
    s = load_scenario(path)
    assert {r.name for r in s.rotas} == {"service-desk", "delivery-1", "delivery-2"}
    assert s.deployment_policy("self-service").performer == "owner"
    # alerts page the owning team; customer reports go through the service desk
    path_ = s.support_paths[0]
    assert path_.tiers[path_.detection.alert_entry_tier].team == "owner"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# A whorunsit scenario, written by `whorunsit init`.")
    assert "# Poisson; calibrate from your tickets" in text


def test_no_tiers_sends_everything_to_the_team(tmp_path):
    path = tmp_path / "s.yaml"
    assert init(str(path), "--tiers", "none", "--teams", "1", "--no-input").exit_code == 0
    s = load_scenario(path)
    assert [t.name for t in s.teams] == ["delivery"]
    assert [t.team for t in s.support_paths[0].tiers] == ["owner"]


def test_prompts_ask_for_what_no_flag_gave(tmp_path):
    path = tmp_path / "s.yaml"
    answers = "\n".join([
        "ops-run",            # model
        "",                   # name: the default
        "",                   # currency
        "4",                  # teams
        "0",                  # applications: refused, asked again
        "6",
        "99.9%,99%",          # targets
        "service-desk=5,ops-bridge=3,app-ops=4",
        "200/week",           # standby: no currency -> the scenario's
        "",                   # callout fee
        "35 GBP/h",
    ]) + "\n"
    result = init(str(path), "--interactive", input=answers)
    assert result.exit_code == 0, result.output
    assert "Operating model (you-run: " in result.output
    assert "--applications must be at least 1, got 0" in result.output
    s = load_scenario(path)
    assert s.name == "You Build It Ops Run It"
    assert len(s.applications) == 6 and len([t for t in s.teams if t.kind == "delivery"]) == 4
    assert [t.team for t in s.support_paths[0].tiers] == ["service-desk", "ops-bridge",
                                                          "app-ops", "owner"]
    rota = next(r for r in s.rotas if r.name == "ops-bridge")
    assert rota.pay.standby_per_week == 200 and rota.pay.callout_per_hour == 35


def test_a_bad_answer_is_asked_again_with_the_reason(tmp_path):
    path = tmp_path / "s.yaml"
    result = init(str(path), "--interactive", "--model", "you-run", "--name", "x",
                  "--currency", "GBP", "--teams", "1", "--applications", "1", "--targets",
                  "99%", "--tiers", "none", "--callout-fee", "0", "--callout-pay", "0",
                  input="250 GBP\n250 GBP/week\n")
    assert result.exit_code == 0, result.output
    assert "'250 GBP' has no period; an amount per week or per day" in result.output
    assert load_scenario(path).rotas[0].pay.standby_per_week == 250


def test_an_answer_missing_from_standard_input_is_a_clear_error(tmp_path):
    result = init(str(tmp_path / "s.yaml"), "--interactive", input="you-run\n")
    assert result.exit_code == 2
    assert "no answer for --name on standard input" in result.stderr
    assert not (tmp_path / "s.yaml").exists()


@pytest.mark.parametrize(("flags", "message"), [
    (["--model", "devops"], "model: unknown operating model 'devops'; one of you-run, ops-run"),
    (["--tiers", "helpdesk=3"], "tiers: unknown tier team kind 'helpdesk'"),
    (["--tiers", "app-ops"], "--tiers: 'app-ops' has no headcount"),
    (["--targets", "120%"], "targets: "),
    (["--standby", "250 USD/week"], "standby: "),
    (["--teams", "many"], "--teams must be a whole number"),
    (["--model", "ops-run", "--tiers", "none"], "needs at least one support tier"),
])
def test_bad_flags_exit_2_and_write_nothing(tmp_path, flags, message):
    path = tmp_path / "s.yaml"
    result = init(str(path), *flags, "--no-input")
    assert result.exit_code == 2
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not path.exists()


def test_an_existing_file_is_kept_without_force(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("mine\n", encoding="utf-8")
    result = init(str(path), "--no-input")
    assert result.exit_code == 2
    assert f"{path} already exists; pass --force" in result.stderr
    assert path.read_text(encoding="utf-8") == "mine\n"
    assert init(str(path), "--no-input", "--force").exit_code == 0
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["name"] == "You Build It You Run It"


def test_the_default_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert init("--no-input").exit_code == 0
    assert Path("scenario.yaml").exists()
