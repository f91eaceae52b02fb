"""The top-level app: help with examples, version, every command wired, exit codes in one place."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from whorunsit import __version__
from whorunsit.app import app
from whorunsit.exitcodes import ExitCode

COMMANDS = ("validate", "schema", "simulate", "compare", "gate", "calibrate", "cache", "warmup")
runner = CliRunner()


def test_help_lists_every_command_and_the_exit_codes():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output
    assert "Exit codes: 0 success, 1 a gate failed, 2 invalid input or usage." in result.output
    # examples are kept verbatim (not rewrapped into the middle of a file name)
    assert "  whorunsit compare scenarios/you-build-it-ops-run-it.yaml \\" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_examples(name):
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"whorunsit {__version__}"


def test_no_arguments_shows_help_and_is_a_usage_error():
    result = runner.invoke(app, [])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "Usage" in result.output


def test_unknown_command_is_a_usage_error():
    result = runner.invoke(app, ["simulat"])
    assert result.exit_code == ExitCode.INVALID_INPUT


def test_exit_codes_are_the_documented_ones():
    assert [int(c) for c in ExitCode] == [0, 1, 2]
