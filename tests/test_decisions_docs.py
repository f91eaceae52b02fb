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
#: (phrases in the order the report prints them)
DECISIONS = [
    ("sweep", "teams.app-ops.headcount=4..9", ["Knee, the first value meeting every target: "
                                               "teams.app-ops.headcount=7, "
                                               "teams.app-ops.responders=4"]),
    # the knee is also the cheapest staffing: adding people costs money
    ("optimise", "teams.app-ops.headcount=4..9", ["Winner: teams.app-ops.headcount=7, "
                                                  "teams.app-ops.responders=4",
                                                  "The winner is separated from every other "
                                                  "candidate"]),
    ("sweep", "teams.delivery.count=6..18/7", ["Past it, the targets are first missed at"]),
    ("optimise", "teams.delivery.rota.cover", ["Winner: teams.delivery.rota.cover=out-of-hours, "
                                               "teams.delivery.rota.on_call=1",
                                               "gave the winner's result in every replication"]),
    # headcount is the widest bar (printed first): each App Ops engineer is 45 GBP x 2,080 h
    ("sensitivity", "tiers.L2.resolve", ["low 4: -£93,600/yr; high 8: +£280,800/yr",
                                         "low 40%:", "low 35 GBP: -£104,000/yr; "
                                         "high 55 GBP: +£104,000/yr",
                                         "Sobol indices of cost.total"]),
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
    at = 0
    for phrase in says:
        found = text.find(phrase, at)
        assert found >= 0, f"{phrase!r} missing or out of order in:\n{result.output}"
        at = found + len(phrase)
