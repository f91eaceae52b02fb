"""Machine-readable gate report. Bump SCHEMA_VERSION on any incompatible change."""

from __future__ import annotations

import json

from whorunsit.gate.formats import display_path, finite
from whorunsit.gate.runner import GateRun

SCHEMA_VERSION = 1


def _scenario(s) -> dict | None:
    if s is None:
        return None
    return {"name": s.name, "file": display_path(s.source), "currency": s.currency}


def to_dict(run: GateRun) -> dict:
    assertions = []
    for o in run.outcomes:
        a = o.assertion
        assertions.append({
            "expression": a.expression,
            "level": a.level,
            "location": {"file": display_path(a.location.file), "line": a.location.line,
                         "col": a.location.col},
            "metric": a.metric,
            "delta": a.delta,
            "relative": a.relative,
            "operator": a.op,
            "threshold": finite(a.threshold),
            "unit": a.unit.replace("money", run.candidate.currency),
            "status": o.status,
            "verdict": run.verdict(o),
            "counts_as_failure": o.counts_as_failure(run.allow_inconclusive),
            "value": finite(o.value),
            "ci95": [finite(o.low), finite(o.high)],
            "replications": o.replications,
            "reason": run.why(o),
        })
    return {
        "schema_version": SCHEMA_VERSION,
        "passed": run.passed,
        "exit_code": int(run.exit_code),
        "summary": run.summary(),
        "scenario": _scenario(run.candidate),
        "baseline": _scenario(run.baseline),
        "seed": run.seed,
        "replications": run.replications,
        "rounds": list(run.rounds),
        "max_replications": run.max_replications,
        "allow_inconclusive": run.allow_inconclusive,
        "assertions": assertions,
    }


def render_json(run: GateRun) -> str:
    return json.dumps(to_dict(run), indent=2, allow_nan=False) + "\n"
