"""Create or update ONE marked comment on a pull request (GitHub) or merge request (GitLab).

The comment carries a hidden marker (an HTML comment); the next run finds it by that
marker and edits it in place instead of adding another, as Infracost does. Standard
library only: run it by path (``python comment.py --body-file report.md``) or as
``python -m whorunsit.ci.comment``.

GitHub: the pull request's number is read from the event payload ($GITHUB_EVENT_PATH),
the repository from $GITHUB_REPOSITORY, the API from $GITHUB_API_URL, the token from
$GITHUB_TOKEN (the workflow needs ``permissions: pull-requests: write``).
GitLab: $CI_API_V4_URL, $CI_PROJECT_ID, $CI_MERGE_REQUEST_IID and a token with the api
scope in $WHORUNSIT_GITLAB_TOKEN (the job token cannot write notes).

A comment that cannot be posted (no pull request, a read-only token on a fork) is a
warning, never a failure: the gate's own exit code is what fails a check.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass

MARKER = "<!-- whorunsit-gate -->"
#: most pages of comments read while looking for the marker (100 a page)
MAX_PAGES = 50
TIMEOUT = 30


class CommentError(Exception):
    pass


def marker(key: str = "") -> str:
    """The hidden marker; ``key`` keeps two gates on one pull request apart."""
    key = re.sub(r"[^A-Za-z0-9_.:/-]+", "-", key.strip())[:100]
    return f"<!-- whorunsit-gate{':' + key if key else ''} -->"


def with_marker(body: str, mark: str) -> str:
    return body if mark in body else f"{mark}\n{body}"


@dataclass
class Forge:
    """Where the comments live: list, create, update, each a plain HTTP call."""

    name: str
    list_url: str
    headers: dict[str, str]

    def request(self, method: str, url: str, payload: dict | None = None):
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers={
            **self.headers, **({"Content-Type": "application/json"} if data else {})})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:   # noqa: S310 (API URL from CI)
                text = resp.read().decode("utf-8")
                return (json.loads(text) if text else None), resp.headers
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise CommentError(f"{method} {url}: HTTP {exc.code} {exc.reason}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise CommentError(f"{method} {url}: {exc}") from None

    def comments(self):
        url: str | None = _page(self.list_url, 1)
        for page in range(1, MAX_PAGES + 1):
            if url is None:
                return
            items, headers = self.request("GET", url)
            yield from items or ()
            url = self._next(headers, page)

    def _next(self, headers, page: int) -> str | None:
        if self.name == "gitlab":
            nxt = headers.get("X-Next-Page")
            return _page(self.list_url, int(nxt)) if nxt else None
        for part in (headers.get("Link") or "").split(","):
            m = re.search(r'<([^>]+)>;\s*rel="next"', part)
            if m:
                return m.group(1)
        return None

    def item_url(self, comment_id) -> str:
        if self.name == "gitlab":
            return f"{self.list_url}/{comment_id}"
        return re.sub(r"/issues/\d+/comments$", f"/issues/comments/{comment_id}", self.list_url)

    def upsert(self, body: str, mark: str) -> tuple[str, object]:
        body = with_marker(body, mark)
        for c in self.comments():
            if mark in (c.get("body") or ""):
                method = "PUT" if self.name == "gitlab" else "PATCH"
                self.request(method, self.item_url(c["id"]), {"body": body})
                return "updated", c["id"]
        created, _ = self.request("POST", self.list_url, {"body": body})
        return "created", (created or {}).get("id")


def _page(url: str, page: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}per_page=100&page={page}"


def github(env: dict[str, str]) -> Forge | None:
    event_path = env.get("GITHUB_EVENT_PATH")
    if not event_path or not os.path.exists(event_path):
        raise CommentError("no event payload ($GITHUB_EVENT_PATH)")
    with open(event_path, encoding="utf-8") as fh:
        event = json.load(fh)
    number = (event.get("pull_request") or {}).get("number")
    if number is None and "pull_request" in (event.get("issue") or {}):
        number = event["issue"].get("number")
    if number is None:
        return None
    token = env.get("GITHUB_TOKEN") or env.get("INPUT_GITHUB_TOKEN")
    if not token:
        raise CommentError("no token: pass github-token (or set GITHUB_TOKEN)")
    api = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repo = env.get("GITHUB_REPOSITORY") or (event.get("repository") or {}).get("full_name")
    return Forge("github", f"{api}/repos/{repo}/issues/{number}/comments", {
        "Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "whorunsit-gate"})


def gitlab(env: dict[str, str]) -> Forge | None:
    iid = env.get("CI_MERGE_REQUEST_IID")
    if not iid:
        return None
    token = env.get("WHORUNSIT_GITLAB_TOKEN")
    if not token:
        raise CommentError("no token: set WHORUNSIT_GITLAB_TOKEN (a token with the api scope)")
    api = env.get("CI_API_V4_URL", "").rstrip("/")
    project = env.get("CI_PROJECT_ID")
    return Forge("gitlab", f"{api}/projects/{project}/merge_requests/{iid}/notes",
                 {"PRIVATE-TOKEN": token, "User-Agent": "whorunsit-gate"})


def main(argv: list[str] | None = None, env: dict[str, str] | None = None) -> int:
    env = dict(os.environ if env is None else env)
    parser = argparse.ArgumentParser(prog="comment", description=__doc__.splitlines()[0])
    parser.add_argument("--body-file", required=True, help="Markdown file with the comment.")
    parser.add_argument("--key", default="", help="Keeps several gates on one PR apart.")
    parser.add_argument("--forge", choices=("auto", "github", "gitlab"), default="auto")
    args = parser.parse_args(argv)
    forge_name = args.forge if args.forge != "auto" else (
        "gitlab" if env.get("GITLAB_CI") else "github")
    warn = "::warning title=whorunsit gate comment::" if forge_name == "github" else "warning: "
    try:
        with open(args.body_file, encoding="utf-8") as fh:
            body = fh.read()
        forge = gitlab(env) if forge_name == "gitlab" else github(env)
        if forge is None:
            print(f"no pull or merge request in this event: no comment posted ({forge_name})")
            return 0
        action, comment_id = forge.upsert(body, marker(args.key))
    except (CommentError, OSError, ValueError) as exc:
        print(f"{warn}could not post the comment: {exc}")
        return 0
    print(f"{action} comment {comment_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
