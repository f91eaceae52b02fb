"""Read an incident log into one record per incident: the last row of each id.

ITSM audit logs (the ServiceNow event log among them) hold one row per update of an
incident, each repeating the record as it stood then; the last row in file order is the
incident as it ended (its final priority, group, reassignment count and resolution).

Bad cells are judged by how many there are. A handful of unreadable dates or counts in
a real export is noise: those incidents are left out of the figures that need the value,
and a note says how many and where the first one is. When most values of a column are
unreadable the column is not what it was taken for (another date format, another
column), so that is an input error listing the first few, ``file:line:col`` each.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from whorunsit.calibrate import events, source, values
from whorunsit.calibrate.records import field_column, records
from whorunsit.errors import InputError, Location, Problem

#: what each column means, and its ServiceNow header: the event log's roles but the
#: time of each event (a ticket export has one row per incident)
ROLES = {**{role: meaning for role, meaning in events.ROLES.items() if role != "time"},
         "status": ("its status at each event (read in event logs)", "incident_state")}
#: roles read only when the log has their column (or the user names one)
OPTIONAL = ("status",)
DEFAULT_COLUMNS = {role: header for role, (_, header) in ROLES.items()}
#: roles a calibration cannot do without
REQUIRED = ("id", "opened")
#: bad cells listed before "... and N more"
SHOWN = 5


@dataclass
class Log:
    """One entry per incident (the last row of its id), in order of first appearance."""

    name: str
    rows: int
    ids: list[str]
    #: role -> header read (None when the log has none and the user said so)
    headers: dict[str, str | None]
    #: hours since 1970-01-01 on the log's wall clock; NaN when missing or unreadable
    opened: np.ndarray
    resolved: np.ndarray
    #: NaN when missing or unreadable
    reassignments: np.ndarray
    #: 1..4 = P1..P4, 5 another priority, 0 missing
    priority: np.ndarray
    group: list[str | None]
    #: role -> date format used ("iso" or strptime)
    date_formats: dict[str, str] = field(default_factory=dict)
    #: what was skipped or left out, one sentence each
    notes: list[str] = field(default_factory=list)

    @property
    def incidents(self) -> int:
        return len(self.ids)


def resolve_columns(overrides: Mapping[str, str | None] | None) -> dict[str, str | None]:
    """ServiceNow defaults with the user's overrides; '' or None means "not in this log"."""
    columns: dict[str, str | None] = dict(DEFAULT_COLUMNS)
    problems = []
    for role, header in (overrides or {}).items():
        if role not in ROLES:
            problems.append(Problem(Location("--column"), f"unknown column name '{role}'",
                                    "one of " + ", ".join(ROLES)))
        elif not header and role in REQUIRED:
            problems.append(Problem(Location("--column"), f"'{role}' cannot be left out",
                                    f"the header of the log's column for {ROLES[role][0]}"))
        else:
            columns[role] = header or None
    if problems:
        raise InputError(problems)
    return columns


def _find(header: list[str], wanted: str) -> int | None:
    if wanted in header:
        return header.index(wanted)
    folded = [h.strip().lower() for h in header]
    key = wanted.strip().lower()
    return folded.index(key) if key in folded else None


@dataclass
class _Cell:
    """Where a last row came from, to point at one of its cells."""

    line: int
    raw: str | None


class _Reader:
    def __init__(self, name: str, delimiter: str, header: list[str],
                 columns: dict[str, str | None]):
        self.name = name
        self.delimiter = delimiter
        self.header = header
        self.columns = columns
        self.index: dict[str, int] = {}
        problems = []
        for role, wanted in columns.items():
            if wanted is None:
                continue
            i = _find(header, wanted)
            if i is None and role in OPTIONAL and wanted == DEFAULT_COLUMNS[role]:
                continue
            if i is None:
                what = ROLES[role][0]
                expected = f"--column {role}=HEADER names the log's column for it"
                if role not in REQUIRED:
                    expected += f", or --column {role}= does without it"
                problems.append(Problem(Location(name, 1, 1),
                                        f"no column '{wanted}' ({what})", expected))
            else:
                self.index[role] = i
        if problems:
            raise InputError(problems)

    def where(self, cell: _Cell, role: str) -> Location:
        return Location(self.name, cell.line,
                        field_column(cell.raw, self.index[role], self.delimiter))


class _EventLog(Exception):
    """The opened column changes across the rows of one id: read the log as events."""


def read_log(path: str | Path, columns: Mapping[str, str | None] | None = None,
             date_format: str = "auto", resolved_status: str = events.RESOLVED) -> Log:
    """Read a CSV (or a zip holding one) into a :class:`Log` of last rows per incident.

    ``columns`` maps roles (id, opened, resolved, reassignments, priority, group, status)
    to headers, over ServiceNow's defaults; a role mapped to '' is not read.
    ``date_format`` is "auto" (chosen from the data), "iso", or a strptime format.

    An event log (the opened column changes across the rows of an id: one row per
    event, as in process-mining logs) is read as one (``events``): opened at the first
    event, resolved at the first whose status matches ``resolved_status``, reassignments
    counted as changes of group; without a status column it is refused, naming
    ``--column status=HEADER``. Taking its last row would read when an incident
    closed as when it opened.
    """
    resolved_columns = resolve_columns(columns)
    try:
        with source.open_log(path) as (name, f):
            try:
                return _read(name, f, resolved_columns, date_format)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise InputError(Problem(Location(name), f"the archive is damaged ({exc})",
                                         "an intact .zip")) from None
    except _EventLog:
        pass
    wanted = {r: (h or "") for r, h in (columns or {}).items()}
    wanted.setdefault("time", "")  # the event log's own time column is "opened"
    return from_cases(events.read_cases(path, wanted, date_format, resolved_status))


def from_cases(cases: events.Cases) -> Log:
    """The per-incident view of an event log's cases."""
    has_group = cases.headers.get("group") is not None
    handoffs = cases.handoffs.astype(float) if has_group else np.full(cases.incidents, np.nan)
    headers = {r: cases.headers.get(r) for r in ROLES}
    headers["reassignments"] = "changes of group" if has_group else None
    return Log(name=cases.name, rows=cases.rows, ids=cases.ids, headers=headers,
               opened=cases.opened, resolved=cases.resolved, reassignments=handoffs,
               priority=cases.priority,
               group=[g[-1] if g else None for g in cases.groups], notes=list(cases.notes))


def _read(name, f, columns, date_format) -> Log:
    lines, delimiter, header = source.read_header(name, f)
    reader = _Reader(name, delimiter, header, columns)
    id_at = reader.index["id"]
    width = max(reader.index.values()) + 1

    last: dict[str, tuple[list[str], _Cell]] = {}
    opened_at = reader.index["opened"]
    rows = no_id = short = 0
    first_no_id = first_short = None
    try:
        for start, raw, row in records(lines, delimiter):
            rows += 1
            if len(row) < width:
                short += 1
                first_short = first_short or start
                row = row + [""] * (width - len(row))
            key = row[id_at].strip()
            if key in values.MISSING:
                no_id += 1
                first_no_id = first_no_id or start
                continue
            before = last.get(key)
            if before is not None and before[0][opened_at].strip() != row[opened_at].strip():
                raise _EventLog()
            last[key] = (row, _Cell(start, raw))
    except InputError as exc:  # records() knows the line, not the file's name
        raise InputError([Problem(Location(name, p.location.line, p.location.col), p.message,
                                  p.expected) for p in exc.problems]) from None
    if not last:
        raise InputError(Problem(Location(name, 2, 1), "holds no incident rows",
                                 f"rows with an incident id in column "
                                 f"'{columns['id']}' below the header"))

    notes = []
    if short:
        notes.append(f"{values.many(short, 'row has', 'rows have')} fewer fields than the header (first at "
                     f"{name}:{first_short}); their missing cells are read as empty")
    if no_id:
        notes.append(f"{values.many(no_id, 'row has', 'rows have')} no incident id (first at {name}:{first_no_id}); "
                     "skipped")
    return _build(reader, rows, last, date_format, notes)


def _build(reader: _Reader, rows: int, last: dict, date_format: str, notes: list[str]) -> Log:
    ids = list(last)
    records = list(last.values())
    log = Log(name=reader.name, rows=rows, ids=ids, headers=dict(reader.columns),
              opened=np.full(len(ids), np.nan), resolved=np.full(len(ids), np.nan),
              reassignments=np.full(len(ids), np.nan),
              priority=np.zeros(len(ids), dtype=np.int8), group=[None] * len(ids),
              notes=notes)
    for role in ("opened", "resolved"):
        if role in reader.index:
            _dates(reader, records, role, date_format, log)
    if "reassignments" in reader.index:
        _counts(reader, records, log)
    if "priority" in reader.index:
        at = reader.index["priority"]
        log.priority = np.fromiter((values.priority(r[at]) for r, _ in records),
                                   dtype=np.int8, count=len(records))
    if "group" in reader.index:
        at = reader.index["group"]
        log.group = [None if values.is_missing(r[at]) else r[at].strip() for r, _ in records]
    return log


def _judge(reader: _Reader, records, role: str, bad: list[int], present: int,
           what: str, expected: str, log: Log, consequence: str) -> None:
    """Note a few bad cells; refuse the column when most of its values are bad."""
    if not bad:
        return
    header = reader.columns[role]
    if len(bad) * 2 > present:
        problems = [Problem(reader.where(records[i][1], role),
                            f"{header} '{records[i][0][reader.index[role]].strip()}' "
                            f"is not {what}", expected)
                    for i in bad[:SHOWN]]
        if len(bad) > SHOWN:
            problems.append(Problem(Location(reader.name),
                                    f"... and {len(bad) - SHOWN:,} more {header} values "
                                    f"that are not {what}", expected))
        raise InputError(problems)
    i = bad[0]
    log.notes.append(f"{values.many(len(bad), header + ' value is', header + ' values are')}"
                     f" not {what} (first at "
                     f"{reader.where(records[i][1], role)}: "
                     f"'{records[i][0][reader.index[role]].strip()}'); {consequence}")


def _dates(reader: _Reader, records, role: str, date_format: str, log: Log) -> None:
    at = reader.index[role]
    texts = [r[at] for r, _ in records]
    fmt = values.choose_date_format(texts) if date_format == "auto" else date_format
    expected = ("a date such as 29/2/2016 13:05 or 2016-02-29 13:05:00; "
                "--date-format names another format")
    if fmt is None:
        fmt = values.DATE_FORMATS[1]  # so every bad value is listed against something
    else:
        expected = (f"a date written {values.describe_format(fmt)}"
                    + ("" if date_format != "auto" else
                       " like the rest of the column; --date-format names another format"))
    parse = values.date_parser(fmt)
    out = np.full(len(texts), np.nan)
    bad, present = [], 0
    for i, t in enumerate(texts):
        if t.strip() in values.MISSING:
            continue
        present += 1
        try:
            out[i] = parse(t)
        except (ValueError, OverflowError):
            bad.append(i)
    if present:
        log.date_formats[role] = fmt
    elif role == "opened":
        raise InputError(Problem(
            reader.where(records[0][1], role),
            f"{reader.columns[role]} is empty in every incident",
            f"{ROLES[role][0]} in column '{reader.columns[role]}', or --column opened=HEADER"))
    _judge(reader, records, role, bad, present, "a date", expected, log,
           "those incidents are left out of the figures that need it")
    if role == "opened":
        log.opened = out
    else:
        log.resolved = out


def _counts(reader: _Reader, records, log: Log) -> None:
    at = reader.index["reassignments"]
    bad, present = [], 0
    for i, (r, _) in enumerate(records):
        t = r[at]
        if t.strip() in values.MISSING:
            continue
        present += 1
        try:
            log.reassignments[i] = values.count(t)
        except ValueError:
            bad.append(i)
    _judge(reader, records, "reassignments", bad, present, "a whole number of times",
           "a count such as 0, 1 or 3", log,
           "those incidents are left out of the reassignment figures")
