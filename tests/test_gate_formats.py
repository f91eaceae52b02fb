"""Every gate report format, on one run with a pass, a fail, a warning and an
inconclusive assertion."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from whorunsit.errors import InputError, Location
from whorunsit.gate import parse, run_gate
from whorunsit.gate.formats import FORMATS, display_path, render
from whorunsit.gate.formats.markdown import render_markdown
from whorunsit.model import GateSpec, Scenario
from whorunsit.stats.results import Results

GATES = [
    ("incidents.time_to_restore.p95 < 4h", "error"),           # 2h: pass
    ("cost.total <= 1.2M GBP", "error"),                        # 1.5M: fail
    ("oncall.unpaid_hours == 0", "warn"),                       # 30h: warn
    ("delta(deployments.lead_time.p50) <= 10%", "error"),       # +10%: inconclusive
]


def scenario(name: str) -> Scenario:
    return Scenario(name=name, teams=(), applications=(), support_paths=(), source=f"{name}.yaml",
                    replications=20, seed=9)


def simulate(scn, *, replications, seed, workers=None, progress=None):
    rng = np.random.default_rng(seed)
    z, own = rng.standard_normal(replications), rng.standard_normal(replications)
    base = scn.name == "current"
    return Results(scn, seed, {
        "incidents.time_to_restore.p95": 2 + 0.1 * z,
        "cost.total": 1.5e6 + 1e4 * z,
        "oncall.unpaid_hours": 30 + 5 * z,
        "deployments.lead_time.p50": (10 if base else 11) + z + (0 if base else 0.5 * own),
    })


@pytest.fixture(scope="module")
def run():
    assertions = [parse(GateSpec(text, level, Location("policy.yaml", i + 2, 5)))
                  for i, (text, level) in enumerate(GATES)]
    return run_gate(scenario("proposal"), assertions, baseline=scenario("current"),
                    max_replications=20, simulate=simulate)


def test_the_run_has_one_outcome_of_each_kind(run):
    assert [run.verdict(o) for o in run.outcomes] == ["PASS", "FAIL", "WARN", "INCONCLUSIVE"]


def test_table(run):
    raw = render(run, "table", width=100)
    text = " ".join(raw.split())
    assert "\x1b[" not in raw and all(line == line.rstrip() for line in raw.splitlines())
    assert text.startswith("whorunsit gate: proposal (proposal.yaml) against baseline current (current.yaml)")
    for verdict, (expression, level) in zip(["PASS", "FAIL", "WARN", "INCONCLUSIVE"], GATES, strict=True):
        assert f"{verdict:<14}{expression}  [{level}]" in raw
    assert "the whole interval is above £1,200,000/yr" in text  # money as every command writes it
    assert raw.splitlines()[2].startswith("gate FAILED: 1 of 3")  # the answer first (heading wraps)
    assert "counted as failed (--allow-inconclusive accepts it)" in text
    assert text.rstrip().endswith("(20 replications, seed 9)")
    assert "gate FAILED: 1 of 3 error-level assertions pass, 1 fail, 1 inconclusive; 1 warning" in text
    assert "\x1b[" in render(run, "table", color=True)


def test_json(run):
    data = json.loads(render(run, "json"))
    assert data["schema_version"] == 1
    assert (data["passed"], data["exit_code"]) == (False, 1)
    assert data["baseline"] == {"name": "current", "file": "current.yaml", "currency": "GBP"}
    assert (data["seed"], data["replications"], data["rounds"]) == (9, 20, [20])
    first, second, third, fourth = data["assertions"]
    assert first["status"] == "pass" and first["unit"] == "h" and first["threshold"] == 4.0
    assert first["location"] == {"file": "policy.yaml", "line": 2, "col": 5}
    assert len(first["ci95"]) == 2 and first["ci95"][0] < first["value"] < first["ci95"][1]
    assert second["status"] == "fail" and second["counts_as_failure"] and second["unit"] == "GBP/year"
    assert third["verdict"] == "WARN" and not third["counts_as_failure"]
    assert fourth["status"] == "inconclusive" and fourth["relative"] and fourth["unit"] == "%"


def test_junit_has_one_testcase_per_assertion(run):
    root = ET.fromstring(render(run, "junit"))
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [text for text, _ in GATES]
    assert root.get("tests") == "4" and root.get("failures") == "2"
    failures = {c.get("name"): c.find("failure") for c in cases}
    assert failures[GATES[0][0]] is None and failures[GATES[2][0]] is None
    assert failures[GATES[1][0]].get("type") == "fail"
    assert failures[GATES[3][0]].get("type") == "inconclusive"
    assert cases[1].get("file") == "policy.yaml" and cases[1].get("line") == "3"
    assert cases[2].find("system-out").text.startswith("WARN: ")


def test_github_annotations_point_at_the_assertion(run):
    lines = render(run, "github").splitlines()
    assert lines[0].startswith("PASS incidents.time_to_restore.p95 < 4h: p95 2")
    assert lines[1].startswith("::error file=policy.yaml,line=3,col=5,title=whorunsit gate%3A FAIL (error)::"
                               "cost.total <= 1.2M GBP: estimate £")
    assert lines[2].startswith("::warning file=policy.yaml,line=4,col=5,")
    # a % in the message is escaped, or GitHub would read it as an escape itself
    assert lines[3].startswith("::error file=policy.yaml,line=5,col=5,")
    assert "delta(deployments.lead_time.p50) <= 10%25: relative change +" in lines[3]
    assert lines[-1].startswith("gate FAILED")
    assert len(lines) == 5


def test_markdown_folds_details(run):
    text = render(run, "markdown")
    assert text.startswith("## ❌ whorunsit gate failed")
    assert "| result | assertion | level | value | 95% CI | where |" in text
    assert "<details><summary>" in text and text.rstrip().endswith("</details>")
    # failures first
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert [r.split("|")[1].strip() for r in rows] == ["❌ FAIL", "❔ INCONCLUSIVE", "⚠️ WARN", "✅ PASS"]


def test_markdown_stays_under_the_limit_with_thousands_of_assertions(run):
    many = type(run)(run.outcomes * 500, run.candidate, run.baseline, run.seed, run.rounds,
                     run.max_replications, run.allow_inconclusive)
    text = render_markdown(many)
    assert len(text.encode("utf-8")) <= 60_000
    assert "more left out to stay under 60 kB" in text
    assert text.rstrip().endswith("</details>")
    small = render_markdown(many, limit=5_000)
    assert len(small.encode("utf-8")) <= 5_000 and "more assertions left out" in small


def test_unknown_format(run):
    with pytest.raises(InputError, match="unknown format 'xml'; one of " + ", ".join(FORMATS)):
        render(run, "xml")


def test_paths_are_shown_relative_to_the_checkout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display_path(str(tmp_path / "docs" / "p.yaml")) == "docs/p.yaml"
    assert display_path("/elsewhere/p.yaml") == "/elsewhere/p.yaml"
    assert display_path("p.yaml") == "p.yaml"


def test_money_reads_the_same_as_in_simulate_and_compare():
    from whorunsit.gate.quantities import show
    from whorunsit.report import format as fmt

    assert show(113_092, "money/year", "EUR") == "€113,092/yr" == fmt.money_per_year(113_092, "EUR")
    assert show(-1500, "money/year", "GBP", signed=True) == "-£1,500/yr"
    assert show(1500, "money/year", "GBP", signed=True) == "+£1,500/yr"
    assert show(1200, "money/year", "CHF") == "CHF 1,200/yr" == fmt.money_per_year(1200, "CHF")
