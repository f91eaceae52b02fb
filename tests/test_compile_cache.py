"""The compile cache never breaks the tool: a damaged entry is discarded and rebuilt with
one warning, an unusable location is reported once with what to do, and two cold runs
started together both succeed. Each case runs a fresh process (as a user would) on a
small compiled function, so it pays numba's import, not the engine's minute of compile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

TINY = '''
from whorunsit.engine import numba_cache  # noqa: F401  (first, as in the engine)
from numba import njit


@njit(cache=True)
def double_plus_one(x):
    return 2 * x + 1


@njit(cache=True)
def triple(x):
    return 3 * x


print(double_plus_one(20), triple(2), double_plus_one.stats.cache_hits.get(
    double_plus_one.signatures[0], 0) if double_plus_one.signatures else 0)
'''


@pytest.fixture
def tiny(tmp_path):
    (tmp_path / "tiny.py").write_text(TINY)
    return tmp_path


def _env(tmp: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR",)}
    env["WHORUNSIT_CACHE_DIR"] = str(cache)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp), str(ROOT / "cli")])
    return env


def _run(tmp: Path, cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(tmp / "tiny.py")], env=_env(tmp, cache),
                          capture_output=True, text=True, timeout=300)


def _entries(cache: Path, suffix: str) -> list[Path]:
    return sorted(p for p in cache.rglob(f"tiny.double_plus_one-*{suffix}"))


def test_a_second_run_loads_what_the_first_compiled(tiny):
    cache = tiny / "cache"
    first, second = _run(tiny, cache), _run(tiny, cache)
    assert (first.returncode, first.stdout.split(), first.stderr) == (0, ["41", "6", "0"], "")
    assert (second.returncode, second.stdout.split(), second.stderr) == \
        (0, ["41", "6", "1"], "")
    assert _entries(cache, ".nbi") and _entries(cache, ".nbc")
    assert all(p.parent.parent.name.startswith("numba-") or
               p.parent.name.startswith("numba-") for p in _entries(cache, ".nbi"))


@pytest.mark.parametrize("damage", ["truncated data", "empty index", "truncated index"])
def test_a_damaged_entry_is_discarded_rebuilt_and_reported_once(tiny, damage):
    cache = tiny / "cache"
    assert _run(tiny, cache).returncode == 0
    if damage == "truncated data":
        (data,) = _entries(cache, ".nbc")
        data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    else:
        (index,) = _entries(cache, ".nbi")
        index.write_bytes(b"" if damage == "empty index" else index.read_bytes()[:40])
    hurt = _run(tiny, cache)
    assert hurt.returncode == 0, hurt.stderr
    assert hurt.stdout.split()[:2] == ["41", "6"]
    lines = hurt.stderr.splitlines()
    assert len(lines) == 1, hurt.stderr
    assert "double_plus_one was damaged" in lines[0]
    assert "compiling it again" in lines[0]
    healed = _run(tiny, cache)  # rebuilt: loaded from the cache, silently
    assert (healed.returncode, healed.stdout.split(), healed.stderr) == \
        (0, ["41", "6", "1"], "")


def test_an_unusable_location_is_reported_once_with_what_to_do(tiny):
    blocker = tiny / "not-a-folder"
    blocker.write_text("a file where the cache folder should be\n")
    result = _run(tiny, blocker)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["41", "6"]
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr  # two functions compiled, one line
    assert str(blocker) in lines[0] and "WHORUNSIT_CACHE_DIR" in lines[0]
    assert "compiles the engine afresh" in lines[0]


def test_a_read_only_default_falls_back_to_the_users_cache_and_says_so(tmp_path, monkeypatch):
    from whorunsit.engine import cache_location, numba_cache

    monkeypatch.delenv("WHORUNSIT_CACHE_DIR", raising=False)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    engine = tmp_path / "engine"
    engine.mkdir()
    (engine / "__pycache__").write_text("a file, so nothing can be made under it\n")
    (engine / "kernel_loop.py").write_text("# the sources\n")
    monkeypatch.setattr(cache_location, "ENGINE", engine)
    monkeypatch.setattr(numba_cache, "warned", set())
    import numba

    before = numba.config.CACHE_DIR
    try:
        chosen = numba_cache.configure()
        assert chosen.parent == tmp_path / "xdg" / "whorunsit"
        assert str(chosen) == numba.config.CACHE_DIR
        assert numba_cache.warned == {"location"}
    finally:
        numba.config.CACHE_DIR = before


def test_two_cold_runs_started_together_both_succeed_and_leave_a_usable_cache(tiny):
    cache = tiny / "cache"
    runs = [subprocess.Popen([sys.executable, str(tiny / "tiny.py")], env=_env(tiny, cache),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert (run.returncode, out.split()[:2], err) == (0, ["41", "6"], "")
    after = _run(tiny, cache)
    assert (after.returncode, after.stdout.split(), after.stderr) == (0, ["41", "6", "1"], "")
    assert not list(cache.rglob("*.tmp.*"))  # numba writes a temporary file, then renames


def test_the_engine_itself_survives_a_truncated_entry(tmp_path):
    """The whole tool, as a user runs it: the engine's real compile cache with one
    entry cut short (as a partial CI cache restore leaves it) still gives a run."""
    from whorunsit.engine import cache_location

    own = cache_location.candidates()[0]
    if own.setting == "NUMBA_CACHE_DIR":
        pytest.skip("the user's own NUMBA_CACHE_DIR has no versioned folder to copy")
    whorunsit = [str(Path(sys.executable).parent / "whorunsit")]
    env = {k: v for k, v in os.environ.items() if k != "WHORUNSIT_CACHE_DIR"}
    if not (own.directory / "compiled-simulation-engine").exists():
        subprocess.run([*whorunsit, "warmup"], env=env, check=True, capture_output=True)
    copy = tmp_path / "cache" / own.directory.name
    shutil.copytree(own.directory, copy)
    (data,) = copy.rglob("kernel_events.merged-*.nbc")  # a small function: quick to rebuild
    data.write_bytes(data.read_bytes()[:100])
    env["WHORUNSIT_CACHE_DIR"] = str(tmp_path / "cache")
    result = subprocess.run([*whorunsit, "warmup"], env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    # one warning for the damaged entry; then, if the copy was taken while other tests
    # were still compiling into the same cache, notices for what it lacked; then ready
    damaged = [line for line in lines if "was damaged" in line]
    assert len(damaged) == 1 and "merged was damaged" in damaged[0], result.stderr
    assert "compiling it again" in damaged[0]
    assert lines[-1].startswith("ready: ") and "Traceback" not in result.stderr


def test_without_a_usable_cache_the_compile_notice_does_not_promise_once(tmp_path, monkeypatch):
    from whorunsit.engine import numba_cache

    monkeypatch.setattr(numba_cache, "temporary", [tmp_path])
    monkeypatch.setattr(numba_cache, "directory", lambda: tmp_path)
    import io

    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    with numba_cache.compiling("fast path"):
        pass
    lines = err.getvalue().splitlines()
    assert lines[0] == ("whorunsit: compiling the fast path for this run (no usable compile "
                        "cache, see above)")
    assert "once" not in err.getvalue() and "later runs" not in err.getvalue()
    assert lines[1].startswith("whorunsit: compiled the fast path in ")


def test_the_compile_notice_says_once_then_what_it_took_then_nothing(tmp_path, monkeypatch):
    import io

    from whorunsit.engine import numba_cache

    monkeypatch.setattr(numba_cache, "temporary", [])
    monkeypatch.setattr(numba_cache, "directory", lambda: tmp_path)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    with numba_cache.compiling("simulation engine"):
        pass
    first = err.getvalue().splitlines()
    assert first[0] == ("whorunsit: compiling the simulation engine for this installation; "
                        f"this happens once (later runs load it from {tmp_path})")
    assert first[1].startswith("whorunsit: compiled the simulation engine in ")
    assert first[1].endswith("; later runs load it in about a second")
    assert (tmp_path / "compiled-simulation-engine").exists()
    with numba_cache.compiling("simulation engine"):
        pass
    assert err.getvalue().splitlines() == first  # compiled: nothing more said


def test_on_a_terminal_progress_shows_seconds_functions_and_the_one_compiling(monkeypatch):
    import io
    import threading
    import types

    from whorunsit.engine import numba_cache

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    progress = numba_cache._Progress("simulation engine")
    assert progress.tty

    class Event:
        data = {"dispatcher": types.SimpleNamespace(__qualname__="play")}

    progress.on_start(Event())
    progress.on_end(Event())
    ticker = threading.Thread(target=progress.tick)
    ticker.start()
    threading.Event().wait(1.3)  # one tick of the one-second clock
    progress.stop.set()
    ticker.join()
    shown = err.getvalue()
    assert shown.startswith("\r") and "s, 1 functions compiled, now play" in shown
