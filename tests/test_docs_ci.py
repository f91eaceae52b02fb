"""docs/ci.md: the example workflow's commands run, as written, and do what the page says.

The workflow is read from the page itself; every `run:` step that calls whorunsit is run
with bash in a copy of the files it names, with $GITHUB_STEP_SUMMARY set as GitHub sets
it. Only the install step is skipped (the test already runs in an installed venv).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "ci.md"
BIN = Path(sys.executable).parent


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


def workflows() -> list[dict]:
    return [yaml.safe_load(b) for b in blocks("yaml") if b.lstrip().startswith("name:")]


def uses_the_action(wf: dict) -> bool:
    return any(s.get("uses") == "./" for s in wf["jobs"]["gate"]["steps"])


def workflow() -> dict:
    """The workflow without the action: plain `run:` steps."""
    (found,) = [wf for wf in workflows() if not uses_the_action(wf)]
    return found


def action_workflow() -> dict:
    (found,) = [wf for wf in workflows() if uses_the_action(wf)]
    return found


def steps() -> list[dict]:
    return workflow()["jobs"]["gate"]["steps"]


@pytest.fixture
def checkout(tmp_path):
    """The repository files the workflow reads, at the same relative paths."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    return tmp_path


def run_step(step: dict, cwd: Path, summary: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "GITHUB_STEP_SUMMARY": str(summary), "NO_COLOR": "1"}
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_workflow_is_a_pull_request_check():
    wf = workflow()
    trigger = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in trigger
    uses = [s["uses"].split("@")[0] for s in steps() if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "actions/upload-artifact"]
    runs = [s["run"] for s in steps() if "run" in s]
    # every command step but the install calls whorunsit, so the test below runs them all
    assert [r for r in runs if "whorunsit" not in r] == ["pip install ."]


def test_the_proposal_extends_the_current_scenario():
    text = (ROOT / "docs" / "examples" / "proposal.yaml").read_text(encoding="utf-8")
    assert "extends: ../../scenarios/you-build-it-ops-run-it.yaml" in text
    gate_step = next(s for s in steps() if "whorunsit gate" in s.get("run", ""))
    assert "docs/examples/proposal.yaml" in gate_step["run"]
    assert "--baseline scenarios/you-build-it-ops-run-it.yaml" in gate_step["run"]


def test_the_workflow_commands_run_and_report(checkout):
    summary = checkout / "summary.md"
    outputs = []
    for step in steps():
        if "whorunsit" not in step.get("run", ""):
            continue
        result = run_step(step, checkout, summary)
        assert result.returncode == 0, (step["name"], result.stdout, result.stderr)
        outputs.append(result.stdout)
    log = outputs[-1]
    # the log is what the page shows, number for number apart from the figures
    shown = blocks("text")[0].strip().splitlines()
    figures = re.compile(r"[-+]?\d[\d,.]*")
    assert [figures.sub("#", line) for line in log.strip().splitlines()] == \
        [figures.sub("#", line) for line in shown]
    assert "::warning file=docs/examples/policy.yaml,line=8,col=14," in log
    junit = ET.parse(checkout / "gate-report.xml").getroot()
    assert len(junit.findall(".//testcase")) == 6
    assert junit.get("failures") == "0"
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## ✅ whorunsit gate passed") and "<details>" in text
    assert len(text.encode("utf-8")) < 60_000


def test_a_proposal_that_breaks_a_limit_fails_the_step(checkout):
    policy = checkout / "docs" / "examples" / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("delta(cost.total) <= 5%",
                                                                  "delta(cost.total) <= -5%"),
                      encoding="utf-8")
    gate_step = next(s for s in steps() if "whorunsit gate" in s.get("run", ""))
    result = run_step(gate_step, checkout, checkout / "summary.md")
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1
    assert errors[0].startswith("::error file=docs/examples/policy.yaml,line=6,col=5,")
    assert "delta(cost.total) <= -5%25" in errors[0]
    assert (checkout / "summary.md").read_text(encoding="utf-8").startswith("## ❌ whorunsit gate failed")


# -- the workflow that uses the action (action.yml) ------------------------------------

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def test_the_action_workflow_can_comment_and_passes_declared_inputs():
    wf = action_workflow()
    assert "pull_request" in wf.get("on", wf.get(True))
    assert wf["permissions"]["pull-requests"] == "write"
    (step,) = [s for s in wf["jobs"]["gate"]["steps"] if s.get("uses") == "./"]
    assert set(step["with"]) <= set(ACTION["inputs"])
    required = {k for k, v in ACTION["inputs"].items() if v.get("required")}
    assert required <= set(step["with"])


def test_every_action_input_is_documented():
    text = PAGE.read_text(encoding="utf-8")
    for name in ACTION["inputs"]:
        assert f"`{name}`" in text, name


def test_the_action_workflow_gates_as_written(checkout):
    """The action's gate step, with the inputs the page's workflow gives it."""
    (step,) = [s for s in action_workflow()["jobs"]["gate"]["steps"] if s.get("uses") == "./"]
    gate = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "gate")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WHORUNSIT_"))}
    for key, value in gate["env"].items():   # ${{ inputs.x }} -> the workflow's `with:`
        m = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value)
        if m:
            env[key] = str(step["with"].get(m.group(1), ACTION["inputs"][m.group(1)]
                                             .get("default", "")))
    env.update(WHORUNSIT_REPORT_DIR=str(checkout / "reports"),
               GITHUB_OUTPUT=str(checkout / "out.txt"),
               GITHUB_STEP_SUMMARY=str(checkout / "summary.md"),
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", NO_COLOR="1")
    script = gate["run"].replace('"$GITHUB_ACTION_PATH/', f'"{ROOT}/')
    done = subprocess.run(["bash", "-e", "-c", script], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    out = dict(line.split("=", 1) for line in (checkout / "out.txt").read_text().splitlines())
    assert out["exit-code"] == "0" and out["passed"] == "true"
    # the annotation the page shows for the warn-level policy line
    assert "::warning file=docs/examples/policy.yaml,line=8,col=14," in done.stdout
    reports = checkout / "reports"
    assert {p.suffix for p in reports.iterdir()} >= {".md", ".xml", ".json"}
    body = (reports / "comment.md").read_text(encoding="utf-8")
    assert body.startswith("## ✅ whorunsit gate passed")
    assert re.search(r"whorunsit \d\S* \(numba \S+, numpy", body)
    assert (checkout / "summary.md").read_text(encoding="utf-8").startswith("## ✅ whorunsit")
