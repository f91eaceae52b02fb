"""The compiled engine's disk cache is keyed by all its sources, so no edit or upgrade
ever loads machine code built from older ones."""

from __future__ import annotations

import os
import shutil

import numba
import pytest

from whorunsit.engine import cache_location, numba_cache
from whorunsit.engine.loop import kernel_loop


@pytest.mark.skipif(bool(os.environ.get("NUMBA_CACHE_DIR")), reason="the user's own choice")
def test_the_compiled_loop_caches_in_the_directory_for_these_sources():
    assert str(cache_location.directory()) == numba.config.CACHE_DIR
    index = kernel_loop.play._cache._cache_path
    assert index.startswith(str(numba_cache.directory()))


def test_any_edit_to_an_engine_source_moves_the_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("WHORUNSIT_CACHE_DIR", raising=False)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    copy = tmp_path / "engine"
    shutil.copytree(cache_location.ENGINE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_location, "ENGINE", copy)
    before = cache_location.directory()
    assert before == cache_location.directory()  # stable
    helper = copy / "loop" / "kernel_heaps.py"  # not the loop's own file, but inlined into it
    helper.write_text(helper.read_text() + "\n# edited\n")
    assert cache_location.directory() != before
    assert cache_location.directory().parent == copy / "__pycache__"
    plumbing = copy / "numba_cache.py"  # no compiled code comes from it
    moved = cache_location.directory()
    plumbing.write_text(plumbing.read_text() + "\n# edited\n")
    assert cache_location.directory() == moved


def test_a_read_only_install_caches_in_the_users_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("WHORUNSIT_CACHE_DIR", raising=False)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(cache_location.os, "access", lambda path, mode: False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_location.directory().parent == tmp_path / "whorunsit"


def test_whorunsit_cache_dir_moves_it_and_keeps_a_folder_per_version(tmp_path, monkeypatch):
    monkeypatch.setenv("WHORUNSIT_CACHE_DIR", str(tmp_path / "ci-cache"))
    here = cache_location.directory()
    assert here.parent == tmp_path / "ci-cache" and here.name.startswith("numba-")


def test_a_new_version_clears_the_older_ones_away(tmp_path, monkeypatch):
    engine = tmp_path / "engine"
    (engine / "__pycache__" / "numba-0123456789abcdef").mkdir(parents=True)
    (engine / "__pycache__" / "kernel_loop.play-1.py311.nbi").write_bytes(b"")
    (engine / "__pycache__" / "tally.cpython-311.pyc").write_bytes(b"")
    (engine / "kernel_loop.py").write_text("# the sources\n")
    monkeypatch.setattr(cache_location, "ENGINE", engine)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("WHORUNSIT_CACHE_DIR", raising=False)
    before = numba.config.CACHE_DIR
    try:
        numba_cache.configure()
        assert str(cache_location.directory()) == numba.config.CACHE_DIR
    finally:
        numba.config.CACHE_DIR = before
    left = sorted(p.name for p in (engine / "__pycache__").iterdir())
    assert left == [cache_location.directory().name, "tally.cpython-311.pyc"]
