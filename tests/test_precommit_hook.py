"""The pre-commit hook: its entry, run as pre-commit runs it, on good and bad files."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
(HOOK,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def run_hook(files: list[Path], cwd: Path) -> subprocess.CompletedProcess:
    # pre-commit runs `entry` with the staged files that match `files` appended
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([*shlex.split(HOOK["entry"]), *map(str, files)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_hook_is_declared():
    assert HOOK["id"] == "whorunsit-validate"
    assert HOOK["language"] == "python"   # pre-commit installs this repository's package
    assert shutil.which(shlex.split(HOOK["entry"])[0], path=str(BIN))


def test_the_files_pattern_picks_scenarios():
    pattern = re.compile(HOOK["files"])
    assert pattern.search("scenarios/you-build-it-ops-run-it.yaml")
    assert pattern.search("org/scenarios/proposals/self-service.yml")
    assert not pattern.search("docs/examples/policy.yaml")
    assert not pattern.search("scenarios/whorunsit.schema.json")
    assert not pattern.search(".github/workflows/gate.yml")


def test_good_files_pass(tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    files = sorted((tmp_path / "scenarios").glob("*.yaml"))
    result = run_hook([f.relative_to(tmp_path) for f in files], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": valid. ") == len(files)


def test_a_bad_file_fails_the_commit_with_its_problems(tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    bad = tmp_path / "scenarios" / "proposal.yaml"
    bad.write_text("extends: you-build-it-ops-run-it.yaml\nteams:\n  delivery:\n"
                   "    headcount: 0\n", encoding="utf-8")
    good = Path("scenarios/you-build-it-ops-run-it.yaml")
    result = run_hook([good, bad.relative_to(tmp_path)], tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith("scenarios/proposal.yaml:4:16: "
                                                    "teams.delivery.headcount")
    assert result.stderr.splitlines()[-1] == "1 of 2 files invalid"
    assert f"{good}: valid. " in result.stdout
