"""Every `$ whorunsit ...` example in README.md runs, through typer's runner, and succeeds."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whorunsit.app import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
EXAMPLES = re.findall(r"^\$ whorunsit (.+)$", README, flags=re.MULTILINE)


def test_readme_has_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("line", EXAMPLES)
def test_readme_example_runs(line, tmp_path, monkeypatch):
    # Examples are written from the project root; outputs they write land in tmp_path.
    args = [str(ROOT / a) if (ROOT / a).exists() and "/" in a else a for a in shlex.split(line)]
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [*args, "--workers", "1"] if _takes_workers(args) else args)
    assert result.exit_code == 0, result.output
    if "--output" in args:
        assert (tmp_path / args[args.index("--output") + 1]).stat().st_size > 0


def _takes_workers(args: list[str]) -> bool:
    return args[0] in {"simulate", "compare", "gate"}
