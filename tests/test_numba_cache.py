"""The compiled engine's disk cache is keyed by all its sources, so no edit or upgrade
ever loads machine code built from older ones."""

from __future__ import annotations

import os
import shutil

import numba
import pytest

from whorunsit.engine import kernel_loop, numba_cache


@pytest.mark.skipif(bool(os.environ.get("NUMBA_CACHE_DIR")), reason="the user's own choice")
def test_the_compiled_loop_caches_in_the_directory_for_these_sources():
    assert str(numba_cache.directory()) == numba.config.CACHE_DIR
    index = kernel_loop.play._cache._cache_path
    assert index.startswith(str(numba_cache.directory()))


def test_any_edit_to_an_engine_source_moves_the_cache(tmp_path, monkeypatch):
    copy = tmp_path / "engine"
    shutil.copytree(numba_cache.ENGINE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(numba_cache, "ENGINE", copy)
    before = numba_cache.directory()
    assert before == numba_cache.directory()  # stable
    helper = copy / "kernel_heaps.py"  # not the file defining the loop, but inlined into it
    helper.write_text(helper.read_text() + "\n# edited\n")
    assert numba_cache.directory() != before
    assert numba_cache.directory().parent == copy / "__pycache__"


def test_a_read_only_install_caches_in_the_users_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(numba_cache.os, "access", lambda path, mode: False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert numba_cache.directory().parent == tmp_path / "whorunsit"


def test_a_new_version_clears_the_older_ones_away(tmp_path, monkeypatch):
    engine = tmp_path / "engine"
    (engine / "__pycache__" / "numba-0123456789abcdef").mkdir(parents=True)
    (engine / "__pycache__" / "kernel_loop.play-1.py311.nbi").write_bytes(b"")
    (engine / "__pycache__" / "tally.cpython-311.pyc").write_bytes(b"")
    (engine / "kernel_loop.py").write_text("# the sources\n")
    monkeypatch.setattr(numba_cache, "ENGINE", engine)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    numba_cache.configure()
    assert str(numba_cache.directory()) == numba.config.CACHE_DIR
    left = sorted(p.name for p in (engine / "__pycache__").iterdir())
    assert left == ["tally.cpython-311.pyc"]  # Python's own bytecode stays
