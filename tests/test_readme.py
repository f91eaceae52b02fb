"""Every `$ whorunsit ...` example in README.md runs, through typer's runner, and succeeds."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
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


# -- what the README shows matches what the commands do ----------------------------------

SAMPLE = re.compile(r"```console\n\$ whorunsit (?P<command>[^\n]+)\n```\n\n[^`]*?```text\n(?P<output>.*?)```",
                    re.DOTALL)


def _shape(line: str) -> str:
    """A line's words before its first figure: what a layout change moves and a
    different result does not."""
    words = re.split(r"[-+£€$(]*\d", line, maxsplit=1)[0]
    words = re.sub("─+", "─", " ".join(words.split()))  # widths follow the figures
    return words if len(words) > 2 else ""


def test_readme_has_a_sample_of_real_output():
    assert SAMPLE.search(README), "a ```text block of output after a $ whorunsit command"


@pytest.mark.parametrize("match", list(SAMPLE.finditer(README)), ids=lambda m: m["command"][:40])
def test_sample_output_is_what_the_command_prints_at_80_columns(match, tmp_path, monkeypatch):
    args = [str(ROOT / a) if (ROOT / a).exists() and "/" in a else a for a in shlex.split(match["command"])]
    monkeypatch.chdir(ROOT)  # the sample shows the scenario paths as written
    result = CliRunner().invoke(app, [*shlex.split(match["command"]), "--quiet", "--workers", "1"],
                                env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert args  # the command names real files
    real = [line.rstrip() for line in result.stdout.splitlines()]
    sample = match["output"].rstrip("\n").splitlines()
    assert all(len(line) <= 80 for line in sample)
    assert [_shape(line) for line in sample if _shape(line)] == [_shape(line) for line in real if _shape(line)]


def test_starter_scenario_in_the_readme_is_the_shipped_one():
    block = re.search(r"```yaml\n(name: Starter\n.*?)```", README, re.DOTALL)
    assert block, "the starter scenario is shown in full"
    shipped = (ROOT / "docs" / "examples" / "starter.yaml").read_text()
    assert block[1] in shipped and shipped.endswith(block[1])


def test_every_flag_the_readme_names_exists():
    runner = CliRunner()
    helps = "\n".join(runner.invoke(app, [*cmd, "--help"], env={"COLUMNS": "200"}).output
                      for cmd in [[]] + [[c.name] for c in typer.main.get_command(app)
                                         .commands.values()])
    # flags on lines about whorunsit (pip's and pipx's own flags are theirs)
    ours = "\n".join(line for line in README.splitlines()
                     if "whorunsit" in line or not re.search(r"\b(pip|pipx)\b", line))
    flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", ours))
    assert {"--column", "--all", "--section", "--practical"} <= flags
    missing = sorted(f for f in flags if f not in helps)
    assert not missing, missing
