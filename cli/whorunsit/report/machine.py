"""Machine-readable results: JSON (schema_version 1) and CSV, one entry per metric.

Both carry every metric the run produced, in name order so files diff cleanly between
runs, with raw numbers (durations in hours, money per year in the scenario's currency,
shares 0..1). A value that is not a finite number (no data; an interval that cannot be
computed from a single replication) is JSON null and an empty CSV cell.
"""

from __future__ import annotations

import csv
import io
import json
import math

from whorunsit.stats.results import Estimate, Results

SCHEMA_VERSION = 1
CSV_HEADER = ("metric", "value", "ci95_low", "ci95_high", "unit")


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def metric_entry(est: Estimate) -> dict:
    """``{"value": x, "ci95": [lo, hi], "unit": u}`` with non-finite numbers as None."""
    return {"value": _finite(est.value), "ci95": [_finite(est.low), _finite(est.high)],
            "unit": est.unit}


def to_dict(results: Results) -> dict:
    s = results.scenario
    estimates = results.estimates()
    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": {"name": s.name, "file": s.source, "currency": s.currency,
                     "horizon_h": s.horizon, "warmup_h": s.warmup},
        "seed": results.seed,
        "replications": results.replications,
        "metrics": {name: metric_entry(estimates[name]) for name in sorted(estimates)},
    }


def render_json(results: Results) -> str:
    """The run as JSON text (ends with a newline). Never emits NaN or Infinity."""
    return json.dumps(to_dict(results), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _cell(x: float) -> str:
    # repr gives the shortest text that reads back as the same float
    return repr(float(x)) if math.isfinite(x) else ""


def render_csv(results: Results) -> str:
    """One row per metric: metric,value,ci95_low,ci95_high,unit."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    estimates = results.estimates()
    for name in sorted(estimates):
        e = estimates[name]
        writer.writerow((name, _cell(e.value), _cell(e.low), _cell(e.high), e.unit))
    return out.getvalue()
