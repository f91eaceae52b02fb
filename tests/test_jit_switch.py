"""WHORUNSIT_JIT=0 runs the compiled loop's own source as plain Python (engine/compiled.py),
with byte-identical results: one source of truth, visible to coverage and debuggers."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(glob.glob(str(ROOT / "scenarios" / "*.yaml"))) + [
    str(ROOT / "benchmarks" / "tiers3.yaml")]


def run(path: Path, out: Path, jit: str) -> bytes:
    env = {**os.environ, "WHORUNSIT_JIT": jit}
    subprocess.run([sys.executable, "-m", "whorunsit", "simulate", str(path), "-n", "2",
                    "--workers", "1", "--seed", "5", "--format", "json", "-o", str(out)],
                   check=True, env=env, capture_output=True, cwd=ROOT)
    return out.read_bytes()


@pytest.mark.parametrize("path", SCENARIOS, ids=os.path.basename)
def test_plain_python_gives_the_compiled_results(path, tmp_path):
    short = tmp_path / "short.yaml"
    # two weeks: every feature of the scenario plays, and plain Python stays quick
    short.write_text(f"extends: {path}\nhorizon: 2w\nwarmup: 1d\n")
    compiled = run(short, tmp_path / "compiled.json", "1")
    plain = run(short, tmp_path / "plain.json", "0")
    assert plain == compiled


def test_the_switch_really_turns_compilation_off():
    code = ("from whorunsit.engine import compiled; from whorunsit.engine.loop import kernel_loop;"
            "print(compiled.JIT, type(kernel_loop.run).__name__)")
    out = {jit: subprocess.run([sys.executable, "-c", code], env={**os.environ,
                               "WHORUNSIT_JIT": jit}, capture_output=True, text=True,
                               check=True).stdout.split()
           for jit in ("0", "1")}
    assert out["0"] == ["False", "function"]
    assert out["1"] == ["True", "CPUDispatcher"]
