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
