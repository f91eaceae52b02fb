"""`whorunsit cache` (where the compiled engine is kept, its size, clearing it) and
`whorunsit warmup` (paying the one-off compile up front)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from whorunsit.app import app

runner = CliRunner()


def _cache(tmp_path, *args, base=None):
    env = {"WHORUNSIT_CACHE_DIR": str(base or tmp_path / "cache"), "NUMBA_CACHE_DIR": ""}
    return runner.invoke(app, ["cache", *args], env=env)


def test_cache_shows_where_it_is_and_its_size(tmp_path):
    version = tmp_path / "cache" / "numba-0000000000000000"  # any version's folder counts
    empty = json.loads(_cache(tmp_path, "--format", "json").stdout)
    assert empty["directory"].startswith(str(tmp_path / "cache"))
    assert (empty["bytes"], empty["files"], empty["compiled"], empty["problem"]) == \
        (0, 0, [], None)
    assert empty["chosen_by"] == "WHORUNSIT_CACHE_DIR"
    here = tmp_path / "cache" / empty["directory"].rsplit("/", 1)[-1]
    here.mkdir(parents=True)
    (here / "f.nbc").write_bytes(b"x" * 1000)
    (here / "compiled-fast-path").write_text("5.0\n")
    version.mkdir()
    (version / "old.nbc").write_bytes(b"y" * 500)
    full = json.loads(_cache(tmp_path, "--format", "json").stdout)
    assert (full["bytes"], full["files"], full["bytes_all_versions"]) == (1004, 2, 1504)
    assert full["compiled"] == ["fast path"]
    text = _cache(tmp_path)
    assert text.exit_code == 0
    assert f"compile cache: {here}" in text.stdout
    assert "0.0 MB in 2 files (0.0 MB with other versions)" in text.stdout
    assert "compiled:      fast path" in text.stdout


def test_cache_clear_removes_every_version_and_nothing_else(tmp_path):
    base = tmp_path / "cache"
    (base / "numba-0123456789abcdef" / "sub").mkdir(parents=True)
    (base / "numba-0123456789abcdef" / "sub" / "f.1.nbc").write_bytes(b"x" * 100)
    (base / "notes.txt").write_text("mine\n")
    result = _cache(tmp_path, "--clear")
    assert result.exit_code == 0, result.output
    assert "cleared the compile cache: 0.0 MB freed" in result.stderr
    assert sorted(p.name for p in base.iterdir()) == ["notes.txt"]


def test_cache_reports_an_unusable_location_with_what_to_do(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    result = _cache(tmp_path, base=blocker)
    assert result.exit_code == 0
    assert f"problem:       {blocker} is not a folder" in result.stdout
    assert "set WHORUNSIT_CACHE_DIR to a writable folder" in result.stdout


def test_cache_rejects_an_unknown_format(tmp_path):
    result = _cache(tmp_path, "--format", "yaml")
    assert result.exit_code == 2
    assert "--format must be one of text, json" in result.stderr


def test_warmup_compiles_or_loads_both_engines_and_says_where():
    result = runner.invoke(app, ["warmup"])
    assert result.exit_code == 0, result.output
    last = result.stderr.splitlines()[-1]
    assert last.startswith("ready: compiled event loop ") and "fast path" in last
    assert "compile cache " in last
    info = json.loads(runner.invoke(app, ["cache", "--format", "json"]).stdout)
    assert {"simulation engine", "fast path"} <= set(info["compiled"])


def test_the_ci_cache_step_in_the_docs_keys_on_both_versions_and_uses_the_setting():
    import re
    import subprocess
    import sys
    from pathlib import Path

    import yaml

    text = (Path(__file__).resolve().parents[1] / "docs" / "ci.md").read_text()
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "actions/cache" in b]
    job = yaml.safe_load(block)
    folder = job["env"]["WHORUNSIT_CACHE_DIR"]
    steps = {s["name"]: s for s in job["steps"]}
    cache = steps["Keep the compiled engine between runs"]
    assert cache["uses"].startswith("actions/cache@")
    assert folder.endswith("/" + cache["with"]["path"])
    assert cache["with"]["key"] == "${{ steps.versions.outputs.key }}"
    key_step = steps["Versions that decide the compiled engine"]["run"]
    code = re.search(r"python -c '(.*?)'", key_step, re.S).group(1)
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.strip()
    assert re.fullmatch(r"[\w.+]+-numba-[\w.+]+", printed), printed
    assert steps["Compile the engine (only when the cache was empty)"]["run"] == \
        "whorunsit warmup"
