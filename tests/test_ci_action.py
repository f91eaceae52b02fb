"""The GitHub Action's scripts (cli/whorunsit/ci), run as the action runs them: by path,
with a fake event payload, and the comments API stubbed by a server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CI = ROOT / "cli" / "whorunsit" / "ci"
BIN = Path(sys.executable).parent

FAKE = '''#!{python}
"""A stand-in whorunsit: answers --version and gate --help, writes the reports it is
asked for, logs its arguments, and exits with $FAKE_EXIT."""
import os, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("whorunsit 9.9.9 (numba 0.61.0, numpy 2.2.0, Python 3.11.9)")
    sys.exit(0)
if args == ["gate", "--help"]:
    fmts = "table|json|junit|github|markdown" + ("|html" if os.environ.get("FAKE_HTML") else "")
    print("Usage: whorunsit gate FILE --report FORMAT=PATH  formats: " + fmts)
    sys.exit(0)
with open(os.environ["FAKE_LOG"], "a") as fh:
    fh.write(repr(args) + "\\n")
code = int(os.environ.get("FAKE_EXIT", "0"))
if code == 2:
    sys.stderr.write(args[1] + ":3:5: teams.a.headcount: 0 is too small; at least 1\\n")
    sys.exit(2)
verdict = "passed" if code == 0 else "failed"
for spec in args[args.index("gate") + 2:]:
    if "=" in spec:
        fmt, path = spec.split("=", 1)
        text = "<html></html>" if fmt == "html" else "x"
        if fmt == "markdown":
            text = ("## " + ("\\u2705" if code == 0 else "\\u274c") + " whorunsit gate " + verdict
                    + "\\n\\n**" + args[1] + "**\\n\\ngate " + verdict + ": 1 of 1\\n")
        open(path, "w").write(text)
print("PASS fake" if code == 0 else "::error file=" + args[1] + ",line=1::fake")
sys.exit(code)
'''


@pytest.fixture
def fake(tmp_path):
    path = tmp_path / "fake-whorunsit"
    path.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    path.chmod(0o755)
    return path


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


def run_action(step: str, tmp_path: Path, whorunsit: Path | str, **extra: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WHORUNSIT_"))}
    env.update(GITHUB_OUTPUT=str(tmp_path / "out.txt"),
               GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"), RUNNER_OS="Linux",
               RUNNER_TEMP=str(tmp_path / "runner"), GITHUB_REPOSITORY="org/repo",
               GITHUB_RUN_ID="77", GITHUB_SHA="0123456789abcdef",
               WHORUNSIT_REPORT_DIR=str(tmp_path / "reports"), FAKE_LOG=str(tmp_path / "log"),
               NO_COLOR="1")
    env.update(extra)
    (tmp_path / "out.txt").write_text("", encoding="utf-8")
    done = subprocess.run([sys.executable, str(CI / "action.py"), step, "--whorunsit",
                           str(whorunsit)], cwd=extra.get("CWD", ROOT), env=env,
                          capture_output=True, text=True, timeout=600)
    return done, outputs(tmp_path / "out.txt")


# -- versions and the cache key --------------------------------------------------------

def test_versions_give_the_cache_key(tmp_path, fake):
    done, out = run_action("versions", tmp_path, fake)
    assert done.returncode == 0, done.stdout + done.stderr
    assert out["whorunsit"] == "9.9.9" and out["numba"] == "0.61.0"
    assert out["cache-key"] == "whorunsit-Linux-9.9.9-numba-0.61.0-py3.11.9"


def test_versions_of_the_installed_whorunsit(tmp_path):
    from importlib.metadata import version

    done, out = run_action("versions", tmp_path, BIN / "whorunsit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert out["numba"] == version("numba") and out["numpy"] == version("numpy")


def test_an_older_whorunsit_still_gives_a_key():
    sys.path.insert(0, str(CI))
    try:
        import action
    finally:
        sys.path.remove(str(CI))
    assert action.parse_version("whorunsit 0.1.0\n")["numba"] == "unknown"
    with pytest.raises(ValueError):
        action.parse_version("command not found")


# -- the gate step, with a stand-in whorunsit ------------------------------------------

@pytest.mark.parametrize("code", [0, 1, 2])
def test_the_exit_code_is_recorded_for_the_last_step(tmp_path, fake, code):
    done, out = run_action("gate", tmp_path, fake, WHORUNSIT_SCENARIOS="a.yaml",
                           FAKE_EXIT=str(code))
    assert done.returncode == 0, done.stderr    # the step itself lets the rest run
    assert out["exit-code"] == str(code)
    assert out["passed"] == ("true" if code == 0 else "false")
    body = Path(out["comment-file"]).read_text(encoding="utf-8")
    assert "updated for `0123456`" in body and "actions/runs/77" in body
    if code == 2:
        assert "could not run on `a.yaml`" in body and "a.yaml:3:5: teams.a.headcount" in body
        assert "::error title=whorunsit gate::a.yaml:3:5:" in done.stdout
    else:
        assert body.startswith("## " + ("✅ whorunsit gate passed" if code == 0 else
                                        "❌ whorunsit gate failed"))
        assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith("## ")


def test_several_scenarios_take_the_worst_code(tmp_path, fake):
    done, out = run_action("gate", tmp_path, fake, WHORUNSIT_SCENARIOS="a.yaml\nb c.yaml",
                           FAKE_EXIT="1")
    assert out["exit-code"] == "1"
    calls = [eval(line) for line in (tmp_path / "log").read_text().splitlines()]  # noqa: S307
    assert [c[1] for c in calls] == ["a.yaml", "b", "c.yaml"]
    body = Path(out["comment-file"]).read_text(encoding="utf-8")
    assert body.startswith("## whorunsit gate ❌ failed on 3 scenarios")
    assert body.count("### ❌ whorunsit gate failed") == 3


def test_inputs_become_flags(tmp_path, fake):
    run_action("gate", tmp_path, fake, WHORUNSIT_SCENARIOS="p.yaml", WHORUNSIT_BASELINE="c.yaml",
               WHORUNSIT_POLICIES="x.yaml y.yaml", WHORUNSIT_REPLICATIONS="50",
               WHORUNSIT_SEED="7", WHORUNSIT_ALLOW_INCONCLUSIVE="true")
    (args,) = [eval(line) for line in (tmp_path / "log").read_text().splitlines()]  # noqa: S307
    joined = " ".join(args)
    assert joined.startswith("gate p.yaml --format github --quiet --baseline c.yaml "
                             "--policy x.yaml --policy y.yaml --replications 50 --seed 7 "
                             "--allow-inconclusive")
    assert f"--report markdown={tmp_path / 'reports' / 'p.yaml.md'}" in joined
    assert "html=" not in joined


@pytest.mark.parametrize("has_html", [False, True])
def test_the_html_report_only_where_the_installed_gate_has_it(tmp_path, fake, has_html):
    extra = {"FAKE_HTML": "1"} if has_html else {}
    done, out = run_action("gate", tmp_path, fake, WHORUNSIT_SCENARIOS="p.yaml", **extra)
    (args,) = [eval(line) for line in (tmp_path / "log").read_text().splitlines()]  # noqa: S307
    assert any(a.startswith("html=") for a in args) == has_html
    assert out["html"] == ("true" if has_html else "false")
    assert (tmp_path / "reports" / "p.yaml.html").exists() == has_html
    if not has_html:
        assert "no HTML report" in done.stdout


def test_the_baseline_comes_from_the_target_branch(tmp_path, fake):
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    (repo / "current.yaml").write_text("name: before\n", encoding="utf-8")
    git("add", ".")
    git("commit", "-qm", "base")
    git("remote", "add", "origin", str(repo))
    (repo / "current.yaml").write_text("name: after\n", encoding="utf-8")
    (repo / "new.yaml").write_text("name: new\n", encoding="utf-8")
    done, out = run_action("gate", tmp_path, fake, WHORUNSIT_SCENARIOS="current.yaml new.yaml",
                           WHORUNSIT_BASELINE_REF="main", CWD=str(repo))
    assert done.returncode == 0, done.stdout + done.stderr
    first, second = [eval(line) for line in (tmp_path / "log").read_text().splitlines()]  # noqa: S307
    base = Path(first[first.index("--baseline") + 1])
    assert base.read_text(encoding="utf-8") == "name: before\n"   # the target branch's
    assert "--baseline" not in second
    body = Path(out["comment-file"]).read_text(encoding="utf-8")
    assert "_baseline: `current.yaml` on `main`_" in body
    assert "_no baseline: `new.yaml` does not exist on `main`_" in body


def test_no_scenario_is_bad_input(tmp_path, fake):
    done, out = run_action("gate", tmp_path, fake, WHORUNSIT_SCENARIOS="  ")
    assert out["exit-code"] == "2"
    assert "no scenario" in done.stdout


def test_a_long_report_is_cut_to_fit_one_comment():
    sys.path.insert(0, str(CI))
    try:
        import action
    finally:
        sys.path.remove(str(CI))
    big = "## ❌ whorunsit gate failed\n\n**p**\n\ngate failed: 1 of 2\n\n" + "x" * 40_000
    body = action.comment_body([action.Result("a.yaml", 1, big), action.Result("b.yaml", 0, big)],
                               {})
    assert len(body) < 65_536
    assert body.count("gate failed: 1 of 2") == 2 and "`whorunsit-gate-reports` artifact" in body


# -- the comment: one, found again by its marker ---------------------------------------

class Stub:
    """GitHub's (or GitLab's) comment endpoints, in memory, on 127.0.0.1."""

    def __init__(self, forge: str = "github", status: int = 200, others: int = 0):
        self.forge, self.status = forge, status
        self.comments = [{"id": 1000 + i, "body": f"looks good {i}"} for i in range(others)]
        self.requests: list[tuple[str, str, dict | None]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, code, payload, headers=()):
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(n)) if n else None

            def do_GET(self):
                stub.requests.append(("GET", self.path, None))
                if stub.status != 200:
                    return self._send(stub.status, {"message": "Resource not accessible"})
                q = parse_qs(urlparse(self.path).query)
                page, per = int(q["page"][0]), int(q["per_page"][0])
                items = stub.comments[(page - 1) * per: page * per]
                headers = []
                if page * per < len(stub.comments):
                    if stub.forge == "github":
                        base = self.path.split("?")[0]
                        headers.append(("Link", f'<http://127.0.0.1:{stub.port}{base}?per_page='
                                                f'{per}&page={page + 1}>; rel="next"'))
                    else:
                        headers.append(("X-Next-Page", str(page + 1)))
                self._send(200, items, headers)

            def do_POST(self):
                body = self._body()
                stub.requests.append(("POST", self.path, body))
                if stub.status != 200:
                    return self._send(stub.status, {"message": "Resource not accessible"})
                comment = {"id": 5000 + len(stub.comments), "body": body["body"]}
                stub.comments.append(comment)
                self._send(201, comment)

            def _edit(self):
                body = self._body()
                stub.requests.append((self.command, self.path, body))
                cid = int(self.path.rstrip("/").split("/")[-1])
                for c in stub.comments:
                    if c["id"] == cid:
                        c["body"] = body["body"]
                        return self._send(200, c)
                self._send(404, {"message": "Not Found"})

            do_PATCH = _edit
            do_PUT = _edit

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    made: list[Stub] = []

    def make(**kw) -> Stub:
        made.append(Stub(**kw))
        return made[-1]

    yield make
    for s in made:
        s.close()


def post(tmp_path: Path, body: str, env: dict[str, str], *args: str):
    (tmp_path / "comment.md").write_text(body, encoding="utf-8")
    full = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GITLAB", "CI_"))}
    full.update(env)
    return subprocess.run([sys.executable, str(CI / "comment.py"), "--body-file",
                           str(tmp_path / "comment.md"), *args], env=full, capture_output=True,
                          text=True, timeout=60)


def github_env(tmp_path: Path, server: Stub, event: dict | None = None) -> dict[str, str]:
    payload = tmp_path / "event.json"
    payload.write_text(json.dumps(event or {"pull_request": {"number": 42}}), encoding="utf-8")
    return {"GITHUB_EVENT_PATH": str(payload), "GITHUB_API_URL": server.url,
            "GITHUB_REPOSITORY": "org/repo", "GITHUB_TOKEN": "t0ken"}


def test_one_comment_created_then_updated_in_place(tmp_path, stub):
    server = stub(others=150)   # the marker is looked for past the first page
    env = github_env(tmp_path, server)
    first = post(tmp_path, "## ✅ whorunsit gate passed\n", env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "created comment 5150"
    second = post(tmp_path, "## ❌ whorunsit gate failed\n", env)
    assert second.stdout.strip() == "updated comment 5150"
    ours = [c for c in server.comments if "whorunsit-gate" in c["body"]]
    assert len(ours) == 1 and len(server.comments) == 151
    assert ours[0]["body"] == "<!-- whorunsit-gate -->\n## ❌ whorunsit gate failed\n"
    methods = [(m, p.split("?")[0]) for m, p, _ in server.requests]
    assert ("POST", "/repos/org/repo/issues/42/comments") in methods
    assert ("PATCH", "/repos/org/repo/issues/comments/5150") in methods
    assert methods.count(("GET", "/repos/org/repo/issues/42/comments")) == 4   # 2 pages x 2


def test_two_gates_on_one_pull_request_keep_their_own_comments(tmp_path, stub):
    server = stub()
    env = github_env(tmp_path, server)
    post(tmp_path, "cost gate", env, "--key", "cost")
    post(tmp_path, "restore gate", env, "--key", "restore")
    post(tmp_path, "cost gate again", env, "--key", "cost")
    assert [c["body"] for c in server.comments] == [
        "<!-- whorunsit-gate:cost -->\ncost gate again",
        "<!-- whorunsit-gate:restore -->\nrestore gate"]


def test_not_a_pull_request_posts_nothing(tmp_path, stub):
    server = stub()
    done = post(tmp_path, "x", github_env(tmp_path, server, {"ref": "refs/heads/main"}))
    assert done.returncode == 0
    assert "no pull or merge request" in done.stdout and server.requests == []


def test_a_read_only_token_warns_and_does_not_fail(tmp_path, stub):
    server = stub(status=403)
    done = post(tmp_path, "x", github_env(tmp_path, server))
    assert done.returncode == 0
    assert done.stdout.startswith("::warning title=whorunsit gate comment::could not post the "
                                  "comment: GET ")
    assert "HTTP 403" in done.stdout


def test_gitlab_merge_request_note(tmp_path, stub):
    server = stub(forge="gitlab", others=120)
    env = {"GITLAB_CI": "true", "CI_API_V4_URL": f"{server.url}/api/v4", "CI_PROJECT_ID": "9",
           "CI_MERGE_REQUEST_IID": "3", "WHORUNSIT_GITLAB_TOKEN": "glpat"}
    assert post(tmp_path, "one", env).stdout.strip() == "created comment 5120"
    assert post(tmp_path, "two", env).stdout.strip() == "updated comment 5120"
    methods = {(m, p.split("?")[0]) for m, p, _ in server.requests}
    assert ("PUT", "/api/v4/projects/9/merge_requests/3/notes/5120") in methods


# -- action.yml itself -----------------------------------------------------------------

def test_action_yml_wires_the_steps():
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    # every input used is declared, and every declared input is used
    used = set(re.findall(r"inputs\.([a-z-]+)", text))
    assert used == set(action["inputs"])
    # the scripts it runs exist
    for script in re.findall(r"\$GITHUB_ACTION_PATH/(\S+\.py)", text):
        assert (ROOT / script).exists(), script
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses.index("actions/cache/restore") < next(
        i for i, s in enumerate(steps) if s.get("id") == "gate") < uses.index("actions/cache/save")
    restore = steps[uses.index("actions/cache/restore")]
    assert restore["with"]["key"] == "${{ steps.versions.outputs.cache-key }}"
    assert "WHORUNSIT_CACHE_DIR=$RUNNER_TEMP/whorunsit-compile-cache" in text
    assert restore["with"]["path"] == "${{ runner.temp }}/whorunsit-compile-cache"
    last = steps[-1]
    assert last["run"] == 'exit "$WHORUNSIT_EXIT_CODE"'
    assert "steps.gate.outputs.exit-code" in last["env"]["WHORUNSIT_EXIT_CODE"]
    # everything after the gate runs even when it failed, so the comment is always updated
    after = steps[[s.get("id") for s in steps].index("gate") + 1:-1]
    assert all(s["if"].startswith("always()") for s in after)


# -- the GitLab CI template: the same scripts, the gate's exit code, a JUnit report ----

def test_gitlab_mode_exits_with_the_gate_code_and_prints_no_annotations(tmp_path, fake):
    done, out = run_action("gate", tmp_path, fake, WHORUNSIT_SCENARIOS="a.yaml", FAKE_EXIT="2",
                           WHORUNSIT_LOG_FORMAT="table")
    assert out["exit-code"] == "2"
    assert "::" not in done.stdout
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "WHORUNSIT_"))}
    env.update(WHORUNSIT_SCENARIOS="a.yaml", FAKE_EXIT="1", FAKE_LOG=str(tmp_path / "log"),
               WHORUNSIT_REPORT_DIR=str(tmp_path / "r"), WHORUNSIT_LOG_FORMAT="table")
    done = subprocess.run([sys.executable, "-m", "whorunsit.ci.action", "gate",
                           "--exit-with-gate-code", "--whorunsit", str(fake)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    (args,) = [eval(line) for line in (tmp_path / "log").read_text().splitlines()][-1:]  # noqa: S307
    assert args[:4] == ["gate", "a.yaml", "--format", "table"]
    assert (tmp_path / "r" / "comment.md").exists()


def test_the_gitlab_template_wires_the_same_scripts():
    text = (ROOT / "ci" / "gitlab" / "whorunsit-gate.gitlab-ci.yml").read_text(encoding="utf-8")
    job = yaml.safe_load(text)[".whorunsit-gate"]
    assert job["artifacts"]["reports"]["junit"] == "whorunsit-reports/*.xml"
    assert job["artifacts"]["when"] == "always"
    script = "\n".join(job["script"])
    for module in re.findall(r"python -m (whorunsit\.ci\.\w+)", script):
        assert (ROOT / "cli" / (module.replace(".", "/") + ".py")).exists(), module
    assert "--exit-with-gate-code || code=$?" in script and script.endswith("exit $code")
    assert "--forge gitlab" in script
    assert job["variables"]["WHORUNSIT_LOG_FORMAT"] == "table"
    assert job["variables"]["WHORUNSIT_REPORT_DIR"] == "whorunsit-reports"
    assert ".whorunsit-compile-cache/" in job["cache"]["paths"]
    assert job["variables"]["WHORUNSIT_CACHE_DIR"].endswith("/.whorunsit-compile-cache")
