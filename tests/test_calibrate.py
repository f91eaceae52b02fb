"""The calibrate package on hand-made logs: reading, last rows, bad cells, figures, CIs,
steady weeks and the scenario snippet."""

import json
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from whorunsit import api
from whorunsit.calibrate import (
    Options,
    WorkingHours,
    calibrate,
    intervals,
    read_log,
    render,
    snippet,
    values,
    weeks,
)
from whorunsit.calibrate import options as opt
from whorunsit.calibrate.records import field_column
from whorunsit.errors import InputError

HEADER = "number,incident_state,reassignment_count,opened_at,priority,assignment_group,resolved_at"
SCENARIO = Path(__file__).parents[1] / "scenarios" / "you-build-it-ops-run-it.yaml"


def write(tmp_path, rows, header=HEADER, name="log.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def problems(exc_info):
    return [str(p) for p in exc_info.value.problems]


# A Monday: 29 Feb 2016. Three incidents, INC1 updated three times.
ROWS = [
    "INC1,New,0,29/2/2016 10:00,3 - Moderate,Group A,?",
    "INC1,Active,1,29/2/2016 10:00,2 - High,Group B,?",
    "INC2,New,0,29/2/2016 20:00,1 - Critical,Group A,1/3/2016 08:00",
    "INC1,Resolved,2,29/2/2016 10:00,2 - High,Group B,29/2/2016 14:00",
    "INC3,Resolved,0,5/3/2016 12:00,4 - Low,?,5/3/2016 13:00",
]


# -- reading ------------------------------------------------------------------------------

def test_last_row_of_each_incident_is_the_incident(tmp_path):
    log = read_log(write(tmp_path, ROWS))
    assert log.rows == 5 and log.ids == ["INC1", "INC2", "INC3"]
    assert list(log.reassignments) == [2, 0, 0]
    assert list(log.priority) == [2, 1, 4]
    assert log.group == ["Group B", "Group A", None]
    assert list(log.resolved - log.opened) == [4.0, 12.0, 1.0]
    assert log.date_formats == {"opened": "%d/%m/%Y %H:%M", "resolved": "%d/%m/%Y %H:%M"}
    assert log.notes == []


def test_figures_by_hand(tmp_path):
    cal = calibrate(write(tmp_path, ROWS))
    f = cal.figures()
    assert f["incidents.count"].value == 3
    assert f["incidents.time_to_restore.p50"].value == 4.0
    assert f["incidents.time_to_restore.mean"].value == pytest.approx(17 / 3)
    assert f["incidents.reassignments.mean"].value == pytest.approx(2 / 3)
    assert [f[f"incidents.reassignments.share.{k}"].value for k in ("0", "1", "2", "3+")] == \
        pytest.approx([2 / 3, 0, 1 / 3, 0])
    # Mon 10:00 is in hours; Mon 20:00 and Sat 12:00 are not
    assert f["incidents.out_of_hours"].value == pytest.approx(2 / 3)
    assert [f[f"incidents.priority.P{i}"].value for i in range(1, 5)] == \
        pytest.approx([1 / 3, 1 / 3, 0, 1 / 3])
    assert [(g.name, round(g.share.value * 3)) for g in cal.groups] == \
        [("Group A", 1), ("Group B", 1), ("(none)", 1)]
    assert cal.span == ("2016-W09", "2016-W09") and cal.weeks_covered == 1
    assert f["incidents.per_week.mean"].value == 3


def test_zip_with_macosx_entry_is_read_and_named_by_member(tmp_path):
    csv_path = write(tmp_path, ["INC1,New,0,29/2/2016 10:00,3,G,nonsense"] + ROWS)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(csv_path, "data/log.csv")
        z.writestr("__MACOSX/data/._log.csv", b"\x00\x05\x16\x07 resource fork")
    log = read_log(archive)
    assert log.name == f"{archive}/data/log.csv"
    assert log.ids == ["INC1", "INC2", "INC3"]


def test_zip_needs_exactly_one_csv(tmp_path):
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.csv", HEADER + "\n")
        z.writestr("b.csv", HEADER + "\n")
    with pytest.raises(InputError) as exc:
        read_log(archive)
    assert problems(exc) == [f"{archive}: holds 2 CSV files (a.csv, b.csv); a .zip holding "
                             "exactly one CSV (__MACOSX/ entries are ignored); unzip it and "
                             "pass the CSV"]


def test_missing_columns_are_each_located_at_the_header(tmp_path):
    path = write(tmp_path, ["1,x"], header="number,state")
    with pytest.raises(InputError) as exc:
        read_log(path)
    lines = problems(exc)
    assert len(lines) == 5
    assert lines[0] == (f"{path}:1:1: no column 'opened_at' (the time an incident was "
                        "opened); --column opened=HEADER names the log's column for it")
    assert lines[1].endswith("names the log's column for it, or --column resolved= does "
                             "without it")


def test_columns_are_configurable_and_can_be_left_out(tmp_path):
    path = write(tmp_path, ["T-1;2016-02-29 10:00:00;2016-02-29 12:30:00",
                            "T-2;2016-03-01 09:00:00;?"],
                 header="Ticket;Created;Solved")
    cal = calibrate(path, Options(columns={"id": "ticket", "opened": "Created",
                                           "resolved": "Solved", "reassignments": "",
                                           "priority": "", "group": ""}))
    assert cal.incidents.value == 2
    assert cal.ttr["p50"].value == 2.5
    assert cal.date_formats == {"opened": "iso", "resolved": "iso"}
    assert math.isnan(cal.reassignments_mean.value) and cal.groups == []
    assert cal.notes == ["1 incident has no Solved (never resolved, or not recorded); "
                         "left out of time to restore"]
    assert "priorities:" not in snippet.render(cal)


def test_unknown_or_required_column_options(tmp_path):
    path = write(tmp_path, ROWS)
    with pytest.raises(InputError) as exc:
        read_log(path, {"idd": "x", "opened": ""})
    assert problems(exc) == [
        "--column: unknown column name 'idd'; one of id, opened, resolved, reassignments, "
        "priority, group, status",
        "--column: 'opened' cannot be left out; the header of the log's column for the time "
        "an incident was opened"]
    with pytest.raises(InputError, match="'oops' is not name=header"):
        opt.parse_columns(["oops"])
    assert opt.parse_columns(["id=Ticket ", "group="]) == {"id": "Ticket", "group": ""}


def test_a_few_bad_cells_are_noted_with_their_location(tmp_path):
    rows = ROWS + ["INC4,New,many,32/2/2016 10:00,3,G,?"]
    path = write(tmp_path, rows)
    log = read_log(path)
    assert log.ids[-1] == "INC4" and math.isnan(log.opened[-1])
    line = len(rows) + 1
    assert log.notes == [
        f"1 opened_at value is not a date (first at {path}:{line}:15: '32/2/2016 10:00'); "
        "those incidents are left out of the figures that need it",
        f"1 reassignment_count value is not a whole number of times (first at "
        f"{path}:{line}:10: 'many'); those incidents are left out of the reassignment figures"]
    raw = rows[-1]
    assert raw[14:].startswith("32/2/2016") and raw[9:].startswith("many")


def test_mostly_bad_dates_are_an_input_error_listing_the_first_five(tmp_path):
    rows = [f"INC{i},New,0,2016-13-{i:02d} 10:00,3,G,?" for i in range(1, 9)]
    path = write(tmp_path, rows)
    with pytest.raises(InputError) as exc:
        read_log(path)
    lines = problems(exc)
    assert len(lines) == 6
    assert lines[0].startswith(f"{path}:2:12: opened_at '2016-13-01 10:00' is not a date; "
                               "a date such as 29/2/2016 13:05")
    assert lines[5].startswith(f"{path}: ... and 3 more opened_at values that are not a date")


def test_a_log_without_any_opening_date_is_an_input_error(tmp_path):
    path = write(tmp_path, ["INC1,New,0,?,3,G,?", "INC2,New,0,,3,G,?"])
    with pytest.raises(InputError) as exc:
        read_log(path)
    assert problems(exc) == [f"{path}:2:12: opened_at is empty in every incident; the time "
                             "an incident was opened in column 'opened_at', or --column "
                             "opened=HEADER"]


def test_date_format_option_and_month_first_detection(tmp_path):
    rows = ["A,New,0,2/13/2016 10:00,3,G,2/13/2016 11:30", "B,New,0,3/1/2016 10:00,3,G,?"]
    path = write(tmp_path, rows)
    log = read_log(path)
    assert log.date_formats["opened"] == "%m/%d/%Y %H:%M"  # 13 cannot be a month
    assert list(log.resolved - log.opened)[:1] == [1.5]
    with pytest.raises(InputError, match="is not a date; a date written d/m/yyyy HH:MM"):
        read_log(path, date_format="%d/%m/%Y %H:%M")


def test_quoted_fields_commas_and_newlines(tmp_path):
    rows = ['INC1,"New, really",0,29/2/2016 10:00,"1 - Critical","Group ""A""",?',
            'INC2,"multi', 'line",x,29/2/2016 11:00,3,G,?']
    path = write(tmp_path, rows)
    log = read_log(path)
    assert log.ids == ["INC1", "INC2"] and log.group[0] == 'Group "A"'
    assert log.priority[0] == 1
    assert log.notes[0].startswith(f"1 reassignment_count value is not a whole number of "
                                   f"times (first at {path}:3:1: 'x')")


def test_short_rows_and_rows_without_id(tmp_path):
    path = write(tmp_path, ROWS + ["INC9,New", "?,New,0,29/2/2016 10:00,3,G,?"])
    log = read_log(path)
    assert log.ids[-1] == "INC9"
    assert log.notes[:2] == [
        f"1 row has fewer fields than the header (first at {path}:7); their missing cells "
        "are read as empty",
        f"1 row has no incident id (first at {path}:8); skipped"]


@pytest.mark.parametrize("content, message", [
    ("", "is empty; a CSV incident log with a header line"),
    (HEADER + "\n", "holds no incident rows"),
    (HEADER + '\nINC1,"never closed\nINC2,x\n', 'a quoted field opened on this line is never closed; a closing quote (")'),
])
def test_unreadable_logs_are_one_located_problem(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(InputError) as exc:
        read_log(path)
    assert len(exc.value.problems) == 1 and message in problems(exc)[0]
    assert problems(exc)[0].startswith(f"{path}:")


def test_missing_file_and_damaged_zip(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_log(tmp_path / "nope.csv")
    archive = tmp_path / "broken.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("log.csv", HEADER + "\n" + "\n".join(ROWS * 200) + "\n")
    data = bytearray(archive.read_bytes())
    data[200:260] = b"\xff" * 60  # inside the compressed member
    archive.write_bytes(bytes(data))
    with pytest.raises(InputError, match="damaged|cannot be read|not a readable zip"):
        read_log(archive)


def test_negative_times_to_restore_are_left_out(tmp_path):
    cal = calibrate(write(tmp_path, ROWS + ["INC5,New,0,2/3/2016 10:00,3,G,1/3/2016 10:00"]))
    assert cal.ttr["p50"].n == 3
    assert "1 incident was resolved before it was opened (first: INC5)" in cal.notes[0]


def test_stray_quotes_inside_fields_are_characters(tmp_path):
    log = read_log(write(tmp_path, ['INC1,New,0,29/2/2016 10:00,3,5" screen,?', ROWS[2]]))
    assert log.group == ['5" screen', "Group A"]


def test_field_column_counts_characters_across_quotes():
    raw = 'a,"b,c",d\n'
    assert [field_column(raw, i, ",") for i in range(3)] == [1, 3, 9]
    raw = 'a,"b "",c",5" x,d\n'  # a doubled quote inside quotes; a stray one outside
    assert [field_column(raw, i, ",") for i in range(4)] == [1, 3, 12, 17]


# -- values -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1 - Critical", 1), ("2 - High", 2), ("3 - Moderate", 3), ("4 - Low", 4), ("P2", 2),
    ("Priority 3", 3), ("high", 2), ("Medium", 3), ("5 - Planning", 5), ("?", 0), ("", 0),
    ("whatever", 5),
])
def test_priorities(text, expected):
    assert values.priority(text) == expected


def test_dates_are_hours_on_the_wall_clock():
    parse = values.date_parser("%d/%m/%Y %H:%M")
    assert parse("1/1/1970 00:30") == 0.5
    for bad in ("31/2/2016 10:00", "29/2/2016 24:00", "29/2/2016"):
        with pytest.raises(ValueError):
            parse(bad)
    iso = values.date_parser("iso")
    assert iso("1970-01-02T01:00:00Z") == 25.0 and iso("1970-01-02 01:00:00+02:00") == 25.0
    assert values.date_parser("%m/%d/%Y %I:%M %p")("01/01/1970 01:00 PM") == 13.0


def test_counts():
    assert values.count("3") == 3 and values.count("2.0") == 2
    for bad in ("-1", "1.5", "x", "inf"):
        with pytest.raises(ValueError):
            values.count(bad)


# -- intervals ----------------------------------------------------------------------------

def test_wilson_known_values():
    f = intervals.share(5, 10)
    assert (f.low, f.high) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    f = intervals.share(0, 10)
    assert (f.value, f.low) == (0.0, 0.0) and f.high == pytest.approx(0.2775, abs=1e-4)


def test_order_statistic_ranks_by_hand():
    # n = 20, median: B ~ Bin(20, 0.5); ppf(0.025) = 6, ppf(0.975) = 14 -> x(6)..x(15)
    x = np.arange(1.0, 21.0)
    f = intervals.quantile(x, 0.5, "h")
    assert (f.value, f.low, f.high) == (10.5, 6.0, 15.0)
    # the 99th percentile of 20 values has no upper end
    assert intervals.quantile(x, 0.99, "h").high is None


def test_order_statistic_interval_covers_at_least_95_percent():
    rng = np.random.default_rng(7)
    trials, covered = 400, 0
    true_p90 = -math.log(0.1)  # exponential(1)
    for _ in range(trials):
        f = intervals.quantile(rng.exponential(size=150), 0.9, "h")
        covered += f.low <= true_p90 <= f.high
    # coverage >= 95% by construction; 400 trials put a true 95% above 91% with ~99.9%
    assert covered / trials >= 0.91


# -- weeks --------------------------------------------------------------------------------

def test_week_labels_and_indexes():
    monday = 404640.0  # 29 Feb 2016 00:00, hours since the epoch
    i = int(weeks.week_index(np.array([monday, monday + 167.9, monday + 168]))[0])
    assert list(weeks.week_index(np.array([monday, monday + 167.9, monday + 168]))) == \
        [i, i, i + 1]
    assert weeks.label(i) == "2016-W09" and str(weeks.monday(i)) == "2016-02-29"


def test_steady_run_is_the_longest_run_at_half_the_busiest():
    w = weeks.Weeks(100, np.array([3, 40, 50, 45, 10, 60, 30, 2]))
    assert weeks.steady_run(w) == (101, 103)  # 40,50,45; 60 alone is a shorter run


@pytest.mark.parametrize("text, expected", [
    ("2016-W09..2016-W21", ("2016-W09", "2016-W21")),
    ("2016-02-29..2016-05-29", ("2016-W09", "2016-W21")),
    ("2016-W09..", ("2016-W09", None)),
    ("..2016W21", (None, "2016-W21")),
    ("2016-W10", ("2016-W10", "2016-W10")),
])
def test_week_ranges(text, expected):
    lo, hi = weeks.parse_range(text)
    assert (lo and weeks.label(lo), hi and weeks.label(hi)) == expected


@pytest.mark.parametrize("text, message", [
    ("2016-W60..", "is not a range of weeks"), ("soon..later", "is not a range of weeks"),
    ("..", "names no weeks"), ("2016-W21..2016-W09", "ends before it starts"),
])
def test_bad_week_ranges(text, message):
    with pytest.raises(InputError, match=message) as exc:
        weeks.parse_range(text)
    assert problems(exc)[0].startswith("--weeks: ")


def test_weeks_option_picks_the_rate_and_must_overlap_the_log(tmp_path):
    path = write(tmp_path, ROWS)
    cal = calibrate(path, Options(weeks=weeks.parse_range("2016-W09..")))
    assert cal.steady == ("2016-W09", "2016-W09") and cal.steady_how == "--weeks"
    with pytest.raises(InputError, match="the log has no weeks in that range"):
        calibrate(path, Options(weeks=weeks.parse_range("2017-W01..")))


# -- working hours ------------------------------------------------------------------------

def test_working_hours_option():
    assert opt.parse_working_hours("09:00-17:00") == WorkingHours(9, 17)
    wh = opt.parse_working_hours("Mon-Sat 08:00-18:30")
    assert wh == WorkingHours(8, 18.5, (0, 1, 2, 3, 4, 5)) and str(wh) == "Mon-Sat 08:00-18:30"
    assert str(opt.parse_working_hours("Sat,Mon 10:00-12:00")) == "Mon,Sat 10:00-12:00"
    for bad in ("17:00-09:00", "9-5", "Funday 09:00-17:00", "a b c"):
        with pytest.raises(InputError) as exc:
            opt.parse_working_hours(bad)
        assert problems(exc)[0].startswith(f"--working-hours: '{bad}'")


def test_out_of_hours_follows_the_working_hours(tmp_path):
    path = write(tmp_path, ROWS)  # Mon 10:00, Mon 20:00, Sat 12:00
    wide = calibrate(path, Options(working_hours=opt.parse_working_hours("Mon-Sat 08:00-21:00")))
    assert wide.out_of_hours.value == 0


# -- the scenario snippet -----------------------------------------------------------------

def test_mix_sums_to_exactly_100():
    shares = [0.010835, 0.016373, 0.941728, 0.031061]
    pct = snippet.mix(shares)
    assert pct == [1.1, 1.6, 94.2, 3.1] and sum(pct) == pytest.approx(100)
    assert sum(snippet.mix([1, 1, 1, 0])) == pytest.approx(100)


def test_rate_and_name():
    assert [snippet.rate(x) for x in (1843.7, 42.25, 0.75, 3.0)] == \
        ["1844/week", "42.2/week", "0.75/week", "3/week"]
    assert snippet.app_name("x.zip/Incident Event_log.csv") == "incident-event-log"
    assert snippet.app_name("___.csv") == "from-log"


def test_snippet_is_a_scenario_fragment_the_loader_accepts(tmp_path):
    rows = [f"INC{i},New,0,{1 + i % 28}/3/2016 10:00,{1 + i % 4},G,?" for i in range(200)]
    cal = calibrate(write(tmp_path, rows))
    text = snippet.render(cal)
    fragment = yaml.safe_load(text)
    (name, entry), = fragment["applications"].items()
    assert name == "log" and set(entry) == {"incidents", "priorities", "arrivals"}
    (tmp_path / "base.yaml").write_text(SCENARIO.read_text())
    proposal = tmp_path / "calibrated.yaml"
    flow = yaml.safe_dump(entry, default_flow_style=True)
    proposal.write_text(f"extends: base.yaml\napplications:\n  checkout: {flow}")
    scenario = api.load(proposal)
    app = scenario.applications[0]
    written = float(entry["incidents"].removesuffix("/week"))
    assert written == pytest.approx(cal.per_week_mean.value, abs=0.05)  # three figures
    assert app.incident_rate * 168 == pytest.approx(written)
    assert sum(app.priority_mix) == pytest.approx(1.0)
    # every row opens at 10:00: in working hours on weekdays only
    assert app.in_hours_share == pytest.approx(1 - cal.out_of_hours.value, abs=0.0005)


def test_snippet_arrivals_need_out_of_hours_time_to_mean_anything(tmp_path):
    rows = [f"INC{i},New,0,{1 + i % 28}/3/2016 {i % 24}:00,1,G,?" for i in range(200)]
    path = write(tmp_path, rows)
    entry = yaml.safe_load(snippet.render(calibrate(path)))["applications"]["log"]
    share = float(entry["arrivals"]["in_hours"].removesuffix("%"))
    assert 10 < share < 40   # about 40 of 168 hours a week are working hours
    always = calibrate(path, Options(working_hours=WorkingHours(0.0, 24.0, tuple(range(7)))))
    text = snippet.render(always)
    assert "arrivals" not in text and "out of hours" not in text


# -- anything in, a calibration or located problems out -----------------------------------

_JUNK = st.sampled_from(["", "?", "x", "-1", '"a,b"', '"', "\t", "31/2/2016 99:99", "P9"])
#: per column of HEADER: mostly plausible values, sometimes junk
_COLUMNS = [
    st.sampled_from(["INC1", "INC2", "INC3", "?"]),
    st.sampled_from(["New", "Closed"]),
    st.sampled_from(["0", "1", "4"]) | _JUNK,
    st.sampled_from(["29/2/2016 10:00", "5/3/2016 23:59", "1/1/2017 00:00"]) | _JUNK,
    st.sampled_from(["1 - Critical", "3 - Moderate", "5 - Planning"]) | _JUNK,
    st.sampled_from(["G1", "G2"]) | _JUNK,
    st.sampled_from(["1/3/2016 10:00", "28/2/2016 10:00", "?"]) | _JUNK,
]
_ROW = st.tuples(*_COLUMNS).map(list) | st.lists(_JUNK, max_size=9)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_ROW, max_size=12), delimiter=st.sampled_from([",", ";"]),
       every_column=st.booleans(), empty=st.booleans())
def test_any_log_gives_a_calibration_or_located_problems(tmp_path, rows, delimiter,
                                                         every_column, empty):
    header = HEADER if every_column else "number,incident_state,x,opened_at"
    skip = {} if every_column else {"resolved": "", "reassignments": "", "priority": "",
                                     "group": ""}
    lines = [] if empty else [header] + [",".join(r) for r in rows]
    path = tmp_path / "fuzz.csv"
    path.write_text("\n".join(line.replace(",", delimiter) for line in lines) + "\n")
    try:
        cal = calibrate(path, Options(columns=skip))
    except InputError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        return
    event("calibrated")
    snippet.render(cal)
    render.render_table_text(cal, width=80)
    json.loads(render.render_json(cal))
