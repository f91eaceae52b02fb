"""JSON and CSV outputs: parse, carry every metric with its interval, stable order."""

import csv
import io
import json
import math

import numpy as np

import report_samples
from whorunsit.report.machine import CSV_HEADER, SCHEMA_VERSION, render_csv, render_json


def test_json_has_the_documented_shape():
    r = report_samples.results()
    doc = json.loads(render_json(r))
    assert list(doc) == ["schema_version", "scenario", "seed", "replications", "metrics"]
    assert doc["schema_version"] == SCHEMA_VERSION == 1
    assert doc["scenario"] == {"name": "Ops Run It (synthetic)",
                               "file": "scenarios/synthetic.yaml", "currency": "GBP",
                               "horizon_h": 2184.0, "warmup_h": 168.0}
    assert doc["seed"] == 7 and doc["replications"] == 30
    assert set(doc["metrics"]) == set(r.samples)
    assert list(doc["metrics"]) == sorted(doc["metrics"])
    ttr = doc["metrics"]["incidents.time_to_restore.p95"]
    assert list(ttr) == ["value", "ci95", "unit"]
    est = r.estimate("incidents.time_to_restore.p95")
    assert ttr == {"value": est.value, "ci95": [est.low, est.high], "unit": "h"}
    assert doc["metrics"]["cost.total"]["unit"] == "GBP/year"
    assert doc["metrics"]["teams.app-ops.utilisation"]["unit"] == "share"


def test_json_writes_null_for_nan_and_infinite():
    r = report_samples.results(replications=1)
    r.samples["deployments.lead_time.p50"] = np.array([np.nan])
    text = render_json(r)
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    assert doc["metrics"]["deployments.lead_time.p50"] == {
        "value": None, "ci95": [None, None], "unit": "h"}
    one = doc["metrics"]["incidents.per_week"]
    assert one["value"] is not None and one["ci95"] == [None, None]


def test_json_is_identical_for_identical_results():
    assert render_json(report_samples.results()) == render_json(report_samples.results())


def test_csv_parses_with_one_row_per_metric():
    r = report_samples.results()
    rows = list(csv.reader(io.StringIO(render_csv(r))))
    assert tuple(rows[0]) == CSV_HEADER == ("metric", "value", "ci95_low", "ci95_high", "unit")
    body = rows[1:]
    assert [row[0] for row in body] == sorted(r.samples)
    by_name = {row[0]: row for row in body}
    est = r.estimate("cost.oncall")
    _, value, low, high, unit = by_name["cost.oncall"]
    assert float(value) == est.value and float(low) == est.low and float(high) == est.high
    assert unit == "GBP/year"


def test_csv_leaves_missing_numbers_empty():
    r = report_samples.results(deployments=False)
    rows = {row["metric"]: row for row in csv.DictReader(io.StringIO(render_csv(r)))}
    assert rows["deployments.lead_time.p50"]["value"] == ""
    assert rows["deployments.lead_time.p50"]["ci95_low"] == ""
    assert math.isclose(float(rows["deployments.throughput_per_week"]["value"]), 0.0)
