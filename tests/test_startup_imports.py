"""What a command path loads (issue 13): nothing it does not use. Checked in a fresh
interpreter, since this test process has long imported everything."""

import subprocess
import sys

import pytest


def loaded_after(code: str) -> set[str]:
    script = code + "\nimport sys\nprint('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_simulate_flags_for_a_machine_format_load_no_terminal_renderer(fmt):
    mods = loaded_after("from whorunsit.commands import simulate\n"
                        f"simulate.parse_options('10', None, None, None, '{fmt}')")
    assert "whorunsit.report.terminal" not in mods
    assert "rich.console" not in mods


def test_simulate_flags_still_check_section_names():
    mods = loaded_after("from whorunsit.commands import simulate\n"
                        "o = simulate.parse_options(None, None, None, None, 'table', "
                        "section='flow,cost')\nassert o.show == ['flow', 'cost'], o.show")
    assert "whorunsit.report.terminal" not in mods


def test_a_progress_bar_that_is_never_shown_loads_no_rich():
    mods = loaded_after("from whorunsit.report.progress import progress_bar\n"
                        "with progress_bar(enabled=False) as p:\n    assert p is None")
    assert "rich" not in mods


def test_the_cache_location_loads_no_numba():
    mods = loaded_after("from whorunsit.engine import cache_location\n"
                        "cache_location.candidates()")
    assert "numba" not in mods
    assert "scipy" not in mods


def test_the_engine_package_still_offers_its_two_names():
    mods = loaded_after("import whorunsit.engine as e\nassert e.__all__\n"
                        "assert callable(e.plan_for) and callable(e.run_replication)")
    assert "whorunsit.engine.loop.kernel" in mods
