"""Event logs (one row per event, the time changing across a case's rows) are read as
histories, by calibrate as well as fit, or refused with the option to use."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import eventlogs
from whorunsit.app import app
from whorunsit.calibrate import Options, calibrate
from whorunsit.calibrate.events import read_cases
from whorunsit.calibrate.options import parse_columns
from whorunsit.errors import InputError

COLUMNS = dict(c.split("=", 1) for c in eventlogs.COLUMNS)


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return eventlogs.write(tmp_path_factory.mktemp("ev") / "events.csv")


def test_cases_are_read_from_their_events(log):
    cases = read_cases(log, COLUMNS)
    assert cases.event_log
    ttr = cases.resolved - cases.opened
    assert np.isfinite(ttr).all() and (ttr > 0).all()
    # closing a day after resolution is not part of time to restore
    assert not np.any(np.isclose(ttr, 24.0))
    assert set(g[0] for g in cases.groups) == {eventlogs.GROUPS[0]}
    truth = eventlogs.TRUTH
    n = cases.incidents
    held = float((cases.hold > 0).mean())
    assert abs(held - truth["hold_share"]) < 3 * np.sqrt(0.16 / n)
    first_line = float((cases.handoffs == 0).mean())
    assert abs(first_line - truth["resolve"][0]) < 3 * np.sqrt(0.25 / n)
    # a misroute is a return to a group already left
    assert abs(cases.ping_pong.mean() - truth["misroute"][0]) < 3 * np.sqrt(0.09 / n)


def test_calibrate_reads_an_event_log_as_one(log):
    cal = calibrate(log, Options(columns=parse_columns([c for c in eventlogs.COLUMNS
                                                         if not c.startswith("time")])))
    figures = cal.figures()
    assert figures["incidents.reassignments.share.0"].value == pytest.approx(
        float((read_cases(log, COLUMNS).handoffs == 0).mean()))
    # opened at the first event: the share out of hours is the one drawn, not ~closing times
    assert 0.6 < figures["incidents.out_of_hours"].value < 0.9


def test_an_event_log_without_a_status_column_is_refused(tmp_path):
    path = eventlogs.write(tmp_path / "nostatus.csv", status=False)
    columns = {k: v for k, v in COLUMNS.items() if k not in ("status", "time")}
    with pytest.raises(InputError) as err:
        calibrate(path, Options(columns=columns))
    text = str(err.value)
    assert "event log" in text and "--column status=HEADER" in text
    assert len(err.value.problems) == 1 and err.value.problems[0].location.line > 1


def test_calibrate_command_on_an_event_log(log):
    args = ["calibrate", str(log), "--format", "json"]
    for c in eventlogs.COLUMNS:
        if not c.startswith("time"):
            args += ["--column", c]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert '"incidents.reassignments.share.0"' in result.output


class _Frame:
    """The little of a pandas DataFrame that reading XES uses."""

    def __init__(self, records):
        self.records = records
        self.columns = list(records[0])

    def to_dict(self, orient):
        assert orient == "records"
        return self.records


def test_xes_is_read_with_pm4py(tmp_path, monkeypatch):
    import sys
    import types
    from datetime import UTC, datetime, timedelta

    def rec(case, what, group, t):
        return {"case:concept:name": f"c{case}", "time:timestamp": t, "concept:name": what,
                "org:group": group}

    t0 = datetime(2024, 1, 1, 10, tzinfo=UTC)
    events = []
    for case, (hold, tiers) in enumerate(((0, 1), (5.0, 2), (0, 3)) * 10):
        t = t0 + timedelta(days=case)
        group = "Desk 1st line"
        events.append(rec(case, "Open", group, t))
        if hold:
            events.append(rec(case, "Wait - User", group, t + timedelta(hours=1)))
            t += timedelta(hours=1 + hold)
            events.append(rec(case, "Update", group, t))
        for j in range(1, tiers):
            t += timedelta(hours=1)
            group = f"Team L{j + 1}"
            events.append(rec(case, "Reassignment", group, t))
        events.append(rec(case, "Resolved", group, t + timedelta(hours=2)))
    fake = types.SimpleNamespace(read_xes=lambda path: _Frame(events))
    monkeypatch.setitem(sys.modules, "pm4py", fake)
    path = tmp_path / "log.xes"
    path.write_text("<log/>")
    cases = read_cases(path)
    assert cases.incidents == 30 and cases.event_log
    ttr = cases.resolved - cases.opened
    assert sorted(set(np.round(ttr, 6))) == [2.0, 4.0, 9.0]
    assert sorted(set(cases.handoffs.tolist())) == [0, 1, 2]
    assert sorted(set(cases.hold.tolist())) == [0.0, 5.0]


def test_xes_without_the_extra_names_it(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "pm4py", None)
    path = tmp_path / "log.xes"
    path.write_text("<log/>")
    with pytest.raises(InputError) as err:
        read_cases(path)
    assert len(err.value.problems) == 1
    assert "pip install 'whorunsit[xes]'" in str(err.value)
