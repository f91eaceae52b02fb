"""The top-level app: help with examples, version, every command wired, exit codes in one place."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whorunsit import __version__
from whorunsit.app import app
from whorunsit.exitcodes import ExitCode

COMMANDS = ("init", "validate", "schema", "show", "simulate", "compare", "gate", "calibrate",
            "fit", "metrics", "sweep", "optimise", "sensitivity", "cache", "warmup")
runner = CliRunner()
BIN = Path(sys.executable).parent


def test_help_lists_every_command_and_the_exit_codes():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output
    assert "Exit codes: 0 success, 1 a gate failed, 2 invalid input or usage." in result.output
    # examples are kept verbatim (not rewrapped into the middle of a file name)
    assert "  whorunsit compare scenarios/you-build-it-ops-run-it.yaml \\" in result.output


def test_command_list_shows_whole_descriptions_at_80_columns():
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "80"})
    listing = result.output[result.output.index("Commands:"):]
    lines = [line for line in listing.splitlines()[1:] if line.strip()]
    assert len(lines) >= len(COMMANDS)
    for line in lines:
        assert not line.rstrip().endswith("..."), line
        assert line.rstrip().endswith("."), line


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_examples(name):
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_version_names_the_numeric_stack():
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    # one line, as CI cache keys and bug reports read it
    assert result.output.strip() == (
        f"whorunsit {__version__} (numba {version('numba')}, numpy {version('numpy')}, "
        f"Python {'.'.join(map(str, sys.version_info[:3]))})")


@pytest.mark.parametrize(("shell", "hook"), [
    ("bash", "complete -o default -F _whorunsit_completion whorunsit"),
    ("zsh", "compdef _whorunsit_completion whorunsit"),
    ("fish", "complete --command whorunsit"),
])
def test_the_completion_script_is_produced(shell, hook):
    # typer detects the shell from the parent process; this variable (typer's own, for
    # tests) makes --show-completion take the shell as its value instead
    env = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    result = subprocess.run([str(BIN / "whorunsit"), "--show-completion", shell], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "_WHORUNSIT_COMPLETE" in result.stdout
    assert hook in result.stdout


def test_the_completion_script_completes_commands_and_flags():
    env = {**os.environ, "_WHORUNSIT_COMPLETE": "complete_bash",
           "COMP_WORDS": "whorunsit val", "COMP_CWORD": "1"}
    done = subprocess.run([str(BIN / "whorunsit")], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["validate"]
    env.update(COMP_WORDS="whorunsit gate --bas", COMP_CWORD="2")
    done = subprocess.run([str(BIN / "whorunsit")], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["--baseline"]


def test_no_arguments_shows_help_and_is_a_usage_error():
    result = runner.invoke(app, [])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "Usage" in result.output


def test_unknown_command_is_a_usage_error():
    result = runner.invoke(app, ["simulat"])
    assert result.exit_code == ExitCode.INVALID_INPUT


def test_exit_codes_are_the_documented_ones():
    assert [int(c) for c in ExitCode] == [0, 1, 2]
