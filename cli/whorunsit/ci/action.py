"""The steps of the whorunsit GitHub Action (action.yml), testable on any machine.

Standard library only, run by path from the action's checkout:

- ``action.py versions``: reads ``whorunsit --version`` and writes the versions and the
  compile-cache key (whorunsit, numba, Python, OS) to $GITHUB_OUTPUT.
- ``action.py gate`` (also ``python -m whorunsit.ci.action gate`` in the GitLab CI
  template, with ``--exit-with-gate-code`` and WHORUNSIT_LOG_FORMAT=table): runs ``whorunsit gate`` on every scenario (inputs in WHORUNSIT_*
  variables, see action.yml), streams its annotations to the log, keeps the markdown,
  JUnit, JSON and, when the installed whorunsit has it, HTML reports, appends the
  markdown to the job summary, writes the pull-request comment body, and records the
  worst exit code (2 bad input, then 1 gate failed, then 0) for the last step to return.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: GitHub refuses comments over 65,536 characters; keep room for the frame
COMMENT_LIMIT = 60_000
VERSION_RE = re.compile(r"^whorunsit (\S+)(?: \((.*)\))?")


def output(name: str, value: str, env: dict[str, str]) -> None:
    path = env.get("GITHUB_OUTPUT")
    line = f"{name}={value}\n"
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line)
    else:
        sys.stdout.write(line)


# -- versions and the cache key ---------------------------------------------------------

def parse_version(text: str) -> dict[str, str]:
    """``whorunsit 0.2.0 (numba 0.61.0, numpy 2.2.1, Python 3.11.9)`` -> a dict.

    An older whorunsit prints only its own version: the rest is "unknown", which still
    makes a valid (if coarser) cache key.
    """
    m = VERSION_RE.match(text.strip().splitlines()[0] if text.strip() else "")
    if not m:
        raise ValueError(f"not a whorunsit --version line: {text.strip()[:80]!r}")
    found = {"whorunsit": m.group(1), "numba": "unknown", "numpy": "unknown", "python": "unknown"}
    for part in (m.group(2) or "").split(","):
        name, _, version = part.strip().partition(" ")
        if name.lower() in found and version:
            found[name.lower()] = version
    return found


def cache_key(versions: dict[str, str], runner_os: str) -> str:
    return (f"whorunsit-{runner_os}-{versions['whorunsit']}-numba-{versions['numba']}"
            f"-py{versions['python']}")


def versions_step(env: dict[str, str], whorunsit: str) -> int:
    done = subprocess.run([whorunsit, "--version"], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.stdout.write(done.stdout + done.stderr)
        print("::error title=whorunsit::`whorunsit --version` failed: is it installed?")
        return 2
    versions = parse_version(done.stdout)
    print(done.stdout.strip())
    for name, value in versions.items():
        output(name, value, env)
    output("cache-key", cache_key(versions, env.get("RUNNER_OS", sys.platform)), env)
    return 0


# -- the gate ---------------------------------------------------------------------------

@dataclass
class Inputs:
    scenarios: list[str]
    baseline: str = ""
    baseline_ref: str = ""
    policies: list[str] | None = None
    replications: str = ""
    max_replications: str = ""
    seed: str = ""
    allow_inconclusive: bool = False
    report_dir: Path = Path("whorunsit-reports")
    #: what the gate prints to the log: github (annotations) or, elsewhere, table
    log_format: str = "github"

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Inputs:
        return cls(
            scenarios=_words(env.get("WHORUNSIT_SCENARIOS", "")),
            baseline=env.get("WHORUNSIT_BASELINE", "").strip(),
            baseline_ref=env.get("WHORUNSIT_BASELINE_REF", "").strip(),
            policies=_words(env.get("WHORUNSIT_POLICIES", "")),
            replications=env.get("WHORUNSIT_REPLICATIONS", "").strip(),
            max_replications=env.get("WHORUNSIT_MAX_REPLICATIONS", "").strip(),
            seed=env.get("WHORUNSIT_SEED", "").strip(),
            allow_inconclusive=env.get("WHORUNSIT_ALLOW_INCONCLUSIVE", "").strip().lower()
            in ("1", "true", "yes"),
            report_dir=Path(env.get("WHORUNSIT_REPORT_DIR", "").strip() or "whorunsit-reports"),
            log_format=env.get("WHORUNSIT_LOG_FORMAT", "").strip() or "github",
        )


def _words(text: str) -> list[str]:
    """Paths one per line or separated by spaces (a quoted path may hold spaces)."""
    return [w for line in text.splitlines() for w in shlex.split(line)]


@dataclass
class Result:
    scenario: str
    exit_code: int
    markdown: str
    baseline_note: str = ""


def supports_html(whorunsit: str, env: dict[str, str]) -> bool:
    """Whether the installed gate can write HTML (--report html=PATH): asked, not assumed."""
    done = subprocess.run([whorunsit, "gate", "--help"], capture_output=True, text=True, env=env)
    return done.returncode == 0 and re.search(r"\bhtml\b", done.stdout) is not None


def baseline_tree(ref: str, env: dict[str, str]) -> Path:
    """A worktree of ``ref`` (the pull request's target branch), so a baseline read from it
    resolves its relative extends: paths there too."""
    where = Path(env.get("RUNNER_TEMP") or env.get("TMPDIR") or "/tmp") / "whorunsit-baseline"
    if where.exists():
        return where
    for cmd in (["git", "fetch", "--no-tags", "--depth=1", "origin", ref],
                ["git", "worktree", "add", "--detach", str(where), "FETCH_HEAD"]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.strip()[:300]}")
    return where


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", path.strip("./")).strip("-") or "scenario"


def gate_one(scenario: str, inputs: Inputs, whorunsit: str, html: bool,
             env: dict[str, str]) -> Result:
    slug = _slug(scenario)
    out = inputs.report_dir
    github = inputs.log_format == "github"
    cmd = [whorunsit, "gate", scenario, "--format", inputs.log_format, "--quiet"]
    note = ""
    if inputs.baseline_ref:
        try:
            tree = baseline_tree(inputs.baseline_ref, env)
        except RuntimeError as exc:
            return Result(scenario, 2, "", f"could not check out {inputs.baseline_ref}: {exc}")
        base = tree / (inputs.baseline or scenario)
        if base.exists():
            cmd += ["--baseline", str(base)]
            note = f"baseline: `{inputs.baseline or scenario}` on `{inputs.baseline_ref}`"
        else:
            note = (f"no baseline: `{inputs.baseline or scenario}` does not exist on "
                    f"`{inputs.baseline_ref}`")
    elif inputs.baseline:
        cmd += ["--baseline", inputs.baseline]
    for policy in inputs.policies or ():
        cmd += ["--policy", policy]
    for flag, value in (("--replications", inputs.replications),
                        ("--max-replications", inputs.max_replications), ("--seed", inputs.seed)):
        if value:
            cmd += [flag, value]
    if inputs.allow_inconclusive:
        cmd.append("--allow-inconclusive")
    reports = {"markdown": out / f"{slug}.md", "junit": out / f"{slug}.xml",
               "json": out / f"{slug}.json"}
    if html:
        reports["html"] = out / f"{slug}.html"
    for fmt, path in reports.items():
        cmd += ["--report", f"{fmt}={path}"]
    if github:
        print(f"::group::whorunsit gate {scenario}")
    print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    sys.stdout.write(done.stdout)
    sys.stdout.write(done.stderr)
    if github:
        print("::endgroup::", flush=True)
    md = reports["markdown"]
    if done.returncode in (0, 1) and md.exists():
        markdown = md.read_text(encoding="utf-8")
    else:
        # bad input: no report was written; the problems are the message
        problems = done.stderr.strip() or done.stdout.strip() or f"exit code {done.returncode}"
        markdown = (f"## ⛔ whorunsit gate could not run on `{scenario}`\n\n"
                    f"Exit code {done.returncode} (2 = invalid input):\n\n```text\n"
                    f"{problems[:8000]}\n```\n")
        for line in problems.splitlines()[:20] if github else ():
            print(f"::error title=whorunsit gate::{_escape(line)}")
    return Result(scenario, done.returncode, markdown, note)


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def worst(codes: list[int]) -> int:
    """2 (bad input) outranks 1 (failed), which outranks 0."""
    if any(c not in (0, 1) for c in codes):
        return 2
    return 1 if 1 in codes else 0


def comment_body(results: list[Result], env: dict[str, str], version: str = "") -> str:
    code = worst([r.exit_code for r in results])
    title = {0: "✅ passed", 1: "❌ failed", 2: "⛔ could not run"}[code]
    single = len(results) == 1
    # one scenario's report has its own verdict heading; several get one above them
    parts = [] if single else [f"## whorunsit gate {title} on {len(results)} scenarios", ""]
    bodies = []
    for r in results:
        body = r.markdown.strip()
        if not single:   # one heading level down under the overall verdict
            body = re.sub(r"^## ", "### ", body, flags=re.M)
        if r.baseline_note:
            body += f"\n\n_{r.baseline_note}_"
        bodies.append(body)
    total = sum(len(b) for b in bodies)
    if total > COMMENT_LIMIT:
        # too long for one comment: each scenario's verdict line; the rest is in the job
        # summary and the report artifact
        bodies = [b.split("\n\n")[0] + "\n\n" + _verdict_line(b) for b in bodies]
        bodies.append("_The full reports are in the job summary and the "
                      "`whorunsit-gate-reports` artifact._")
    parts.append("\n\n".join(bodies))
    sha = env.get("WHORUNSIT_HEAD_SHA") or env.get("GITHUB_SHA", "")
    run_url = ""
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        run_url = f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    footer = ["updated for " + (f"`{sha[:7]}`" if sha else "this push")]
    if version:
        footer.append(version)
    if run_url:
        footer.append(f"[workflow run]({run_url})")
    parts += ["", "<sub>" + " · ".join(footer) + "</sub>", ""]
    return "\n".join(parts)


def _verdict_line(markdown: str) -> str:
    for line in markdown.splitlines():
        if line.startswith(("gate passed", "gate failed")):
            return line
    return ""


def gate_step(env: dict[str, str], whorunsit: str, exit_with_code: bool = False) -> int:
    inputs = Inputs.from_env(env)
    if not inputs.scenarios:
        print("::error title=whorunsit gate::no scenario: set the `scenarios` input"
              if inputs.log_format == "github" else "error: no scenario: set WHORUNSIT_SCENARIOS")
        output("exit-code", "2", env)
        return 2 if exit_with_code else 0
    inputs.report_dir.mkdir(parents=True, exist_ok=True)
    html = supports_html(whorunsit, env)
    if not html:
        print("this whorunsit has no HTML report (gate --report html=...): skipping it")
    results = [gate_one(s, inputs, whorunsit, html, env) for s in inputs.scenarios]
    code = worst([r.exit_code for r in results])
    version = subprocess.run([whorunsit, "--version"], capture_output=True, text=True,
                             env=env).stdout.strip()
    body = comment_body(results, env, version)
    comment = inputs.report_dir / "comment.md"
    comment.write_text(body, encoding="utf-8")
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write("\n\n".join(r.markdown.strip() for r in results) + "\n")
    output("exit-code", str(code), env)
    output("passed", "true" if code == 0 else "false", env)
    output("comment-file", str(comment), env)
    output("report-dir", str(inputs.report_dir), env)
    output("html", "true" if html and any(
        (inputs.report_dir / f"{_slug(r.scenario)}.html").exists() for r in results) else "false",
        env)
    print(f"whorunsit gate: exit code {code} over {len(results)} scenario(s)")
    # in the action the step itself succeeds so the summary, comment and cache steps
    # still run, and its last step returns the code; elsewhere (GitLab) return it here
    return code if exit_with_code else 0


def main(argv: list[str] | None = None, env: dict[str, str] | None = None) -> int:
    env = dict(os.environ if env is None else env)
    parser = argparse.ArgumentParser(prog="action.py")
    parser.add_argument("step", choices=("versions", "gate"))
    parser.add_argument("--whorunsit", default=env.get("WHORUNSIT_BIN", "whorunsit"),
                        help="The whorunsit command to run.")
    parser.add_argument("--exit-with-gate-code", action="store_true",
                        help="Exit with the gate's code (0, 1, 2) instead of 0.")
    args = parser.parse_args(argv)
    if args.step == "versions":
        return versions_step(env, args.whorunsit)
    return gate_step(env, args.whorunsit, args.exit_with_gate_code)


if __name__ == "__main__":
    sys.exit(main())
