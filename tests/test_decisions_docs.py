"""docs/decisions.md: every `$ whorunsit ...` example runs (with fewer replications) and
reaches the decision the page describes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whorunsit.app import app

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "decisions.md").read_text()
#: a command may continue over lines ending in a backslash
EXAMPLES = [re.sub(r"\\\n\s*", "", m) for m in
            re.findall(r"^\$ (whorunsit (?:.*\\\n)*.*)$", PAGE, flags=re.MULTILINE)]
#: what each example must still say: the decision the page draws from it
DECISIONS = [
    ("sweep", "teams.app-ops.headcount=4..9", ["Knee, the first value meeting every target"]),
    ("sweep", "teams.delivery.count=6..18/7", ["Past it, the targets are first missed at"]),
    ("optimise", "teams.delivery.rota.cover", ["Winner: teams.delivery.rota.cover=out-of-hours, "
                                               "teams.delivery.rota.on_call=1",
                                               "gave the winner's result in every replication"]),
    ("sensitivity", "tiers.L2.resolve", ["Sobol indices of cost.total"]),
]


def test_every_example_is_checked():
    assert len(EXAMPLES) == len(DECISIONS)


def _fewer(args: list[str], replications: str, samples: str = "4") -> list[str]:
    out = list(args)
    for flag, value in (("--replications", replications), ("--samples", samples)):
        if flag in out:
            out[out.index(flag) + 1] = value
    return out


@pytest.mark.parametrize(("command", "marker", "says"), DECISIONS)
def test_example_runs_and_reaches_its_decision(command, marker, says, monkeypatch):
    (line,) = [e for e in EXAMPLES if e.split()[1] == command and marker in e]
    args = shlex.split(line)[1:]
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, [*_fewer(args, "20"), "--quiet", "--workers", "1"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # rich wraps lines at the runner's width
    for phrase in says:
        assert phrase in text, result.output
