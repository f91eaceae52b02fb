"""GitHub Actions workflow commands: an annotation on the assertion's file and line for
every assertion that does not pass, a plain log line for those that do.

``::error`` marks what fails the gate; ``::warning`` a warn-level miss or an accepted
inconclusive. See docs.github.com "Workflow commands for GitHub Actions".
"""

from __future__ import annotations

from whorunsit.gate.evaluate import PASS
from whorunsit.gate.formats import display_path
from whorunsit.gate.runner import GateRun


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(run: GateRun) -> str:
    lines = []
    for o in run.outcomes:
        a = o.assertion
        message = f"{a.expression}: {run.why(o)}"
        if o.status == PASS:
            lines.append(f"PASS {message}")
            continue
        command = "error" if o.counts_as_failure(run.allow_inconclusive) else "warning"
        props = [f"file={_property(display_path(a.location.file))}"]
        if a.location.line:
            props.append(f"line={a.location.line}")
            if a.location.col:
                props.append(f"col={a.location.col}")
        props.append(f"title={_property(f'whorunsit gate: {run.verdict(o)} ({a.level})')}")
        lines.append(f"::{command} {','.join(props)}::{_data(message)}")
    lines.append(run.summary())
    return "\n".join(lines) + "\n"
