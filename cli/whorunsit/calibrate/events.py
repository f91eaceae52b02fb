"""Read a log as the history of each case: when it opened and resolved, which groups
held it in turn, and how long it waited on the user or a vendor.

Two shapes of log carry that history, one row per event of a case:

- an ITSM audit log (ServiceNow): every row repeats the record as it stood then, with
  ``opened_at`` the same on every row of an incident and an update time
  (``sys_updated_at``) and a status (``incident_state``) that change;
- a process-mining *event log* (the BPI Challenge incident logs): the time column itself
  changes across the rows of a case, and a status or activity says what happened.

An event log is recognised by its time column changing across the rows of one id. It is
then read as one: opened at the first event, resolved at the first event whose status
matches ``resolved`` (default: says resolved or completed), handoffs from changes of
group between events, time on hold from events whose status matches ``hold`` (default:
says awaiting, wait, hold or pending) to the next event. Without a status column an
event log cannot be read: that is an input error naming ``--column status=HEADER``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

import numpy as np

from whorunsit.calibrate import source, values
from whorunsit.calibrate.records import records
from whorunsit.errors import InputError, Location, Problem

RESOLVED = r"resolv|complet"
HOLD = r"await|wait|hold|pending"

#: role -> (meaning, ServiceNow header); the event roles are optional: used when present
ROLES = {
    "id": ("the incident id", "number"),
    "opened": ("the time an incident was opened", "opened_at"),
    "resolved": ("the time it was resolved", "resolved_at"),
    "reassignments": ("how often it was reassigned", "reassignment_count"),
    "priority": ("its priority", "priority"),
    "group": ("its assignment group", "assignment_group"),
    "time": ("the time of each event", "sys_updated_at"),
    "status": ("its status at each event", "incident_state"),
}
#: (reassignments: handoffs are counted from changes of group instead)
OPTIONAL = ("time", "status", "reassignments")
COLUMN_EXPECTED = ("name=header, where name is one of " + ", ".join(ROLES)
                   + " (name= when the log has no such column)")


@dataclass
class Cases:
    """One entry per case, in order of first appearance; times in hours since 1970."""

    name: str
    rows: int
    ids: list[str]
    opened: np.ndarray
    resolved: np.ndarray
    priority: np.ndarray
    #: the groups that held it, in time order, repeats of one group in a row collapsed
    groups: list[tuple[str, ...]]
    #: hours on hold before resolution (NaN: the log records no statuses)
    hold: np.ndarray
    #: True: the time column changes across a case's rows (a process-mining event log)
    event_log: bool
    headers: dict[str, str | None]
    notes: list[str] = field(default_factory=list)

    @property
    def incidents(self) -> int:
        return len(self.ids)

    @property
    def handoffs(self) -> np.ndarray:
        """Changes of group per case (0 when no group is recorded)."""
        return np.array([max(len(g) - 1, 0) for g in self.groups], dtype=np.int64)

    @property
    def ping_pong(self) -> np.ndarray:
        """Cases that went back to a group they had already left."""
        return np.array([len(set(g)) < len(g) for g in self.groups], dtype=bool)


def pattern(text: str, where: str) -> re.Pattern:
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise InputError(Problem(Location(where), f"'{text}' is not a regular expression "
                                 f"({exc})", "a pattern such as 'resolv|complet'")) from None


def _columns(overrides: Mapping[str, str | None] | None) -> tuple[dict, set[str]]:
    columns: dict[str, str | None] = {r: h for r, (_, h) in ROLES.items()}
    problems, explicit = [], set()
    for role, header in (overrides or {}).items():
        if role not in ROLES:
            problems.append(Problem(Location("--column"), f"unknown column name '{role}'",
                                    COLUMN_EXPECTED))
        elif not header and role in ("id", "opened"):
            problems.append(Problem(Location("--column"), f"'{role}' cannot be left out",
                                    f"the header of the log's column for {ROLES[role][0]}"))
        else:
            columns[role] = header or None
            explicit.add(role)
    if problems:
        raise InputError(problems)
    return columns, explicit


def _index(name: str, header: list[str], columns: dict, explicit: set[str]) -> dict[str, int]:
    folded = [h.strip().lower() for h in header]
    index, problems = {}, []
    for role, wanted in columns.items():
        if wanted is None:
            continue
        key = wanted.strip().lower()
        if wanted in header:
            index[role] = header.index(wanted)
        elif key in folded:
            index[role] = folded.index(key)
        elif role in OPTIONAL and role not in explicit:
            continue
        else:
            expected = f"--column {role}=HEADER names the log's column for it"
            if role != "id" and role != "opened":
                expected += f", or --column {role}= does without it"
            problems.append(Problem(Location(name, 1, 1),
                                    f"no column '{wanted}' ({ROLES[role][0]})", expected))
    if problems:
        raise InputError(problems)
    return index


#: the standard XES attributes each role is read from, unless --column says otherwise
XES_COLUMNS = {"id": "case:concept:name", "opened": "time:timestamp", "status": "concept:name",
               "group": "org:group", "priority": "", "resolved": "", "reassignments": "",
               "time": ""}
XES_EXTRA = "pip install 'whorunsit[xes]'"


def is_xes(path: str | Path) -> bool:
    return str(path).lower().endswith((".xes", ".xes.gz"))


def xes_rows(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows (one per event) of an XES log, read with pm4py (the ``xes``
    extra): XES is XML with nested traces, which is not worth parsing by hand."""
    try:
        import pm4py
    except ImportError:
        raise InputError(Problem(Location(str(path)), "reading XES needs pm4py, which is not "
                                 "installed", XES_EXTRA + ", or export the log as CSV")) from None
    try:
        frame = pm4py.read_xes(str(path))
    except Exception as exc:  # noqa: BLE001  (pm4py raises many kinds on a bad file)
        raise InputError(Problem(Location(str(path)), f"is not a readable XES log ({exc})",
                                 "an XES event log")) from None
    header = [str(c) for c in frame.columns]
    rows = []
    for record in frame.to_dict("records"):
        row = []
        for c in frame.columns:
            v = record[c]
            if hasattr(v, "strftime"):
                if getattr(v, "tzinfo", None) is not None:
                    v = v.astimezone(UTC).replace(tzinfo=None)
                v = v.strftime("%Y-%m-%d %H:%M:%S")
            row.append("" if v is None else str(v))
        rows.append(row)
    return header, rows


def read_cases(path: str | Path, columns: Mapping[str, str | None] | None = None,
               date_format: str = "auto", resolved: str = RESOLVED,
               hold: str = HOLD) -> Cases:
    """Read every row of a CSV log (or a zip holding one, or an XES log) into a
    :class:`Cases`."""
    if is_xes(path):
        return _read_xes(path, columns, date_format, resolved, hold)
    cols, explicit = _columns(columns)
    is_resolved, is_hold = pattern(resolved, "--resolved-status"), pattern(hold, "--hold-status")
    with source.open_log(path) as (name, f):
        lines, delimiter, header = source.read_header(name, f)
        at = _index(name, header, cols, explicit)
        width = max(at.values()) + 1
        rows: dict[str, list[tuple[int, list[str]]]] = {}
        n = 0
        try:
            for line, _raw, row in records(lines, delimiter):
                n += 1
                if len(row) < width:
                    row = row + [""] * (width - len(row))
                key = row[at["id"]].strip()
                if key not in values.MISSING:
                    rows.setdefault(key, []).append((line, row))
        except InputError as exc:
            raise InputError([Problem(Location(name, p.location.line, p.location.col),
                                      p.message, p.expected) for p in exc.problems]) from None
    if not rows:
        raise InputError(Problem(Location(name, 2, 1), "holds no incident rows",
                                 f"rows with an incident id in column '{cols['id']}'"))
    return _build(name, n, rows, at, cols, date_format, is_resolved, is_hold)


def _read_xes(path, columns, date_format, resolved, hold) -> Cases:
    wanted = {**XES_COLUMNS, **(columns or {})}
    cols, explicit = _columns(wanted)
    is_resolved, is_hold = pattern(resolved, "--resolved-status"), pattern(hold, "--hold-status")
    if not Path(path).exists():
        raise InputError(Problem(Location(str(path)), "no such file", "an XES event log"))
    header, table = xes_rows(path)
    at = _index(str(path), header, cols, explicit)
    rows: dict[str, list[tuple[int, list[str]]]] = {}
    for n, row in enumerate(table, start=1):
        key = row[at["id"]].strip()
        if key not in values.MISSING:
            rows.setdefault(key, []).append((n, row))
    if not rows:
        raise InputError(Problem(Location(str(path)), "holds no events with a case id",
                                 f"events with the attribute '{cols['id']}'"))
    return _build(str(path), len(table), rows, at, cols, date_format, is_resolved, is_hold)


def _parser(name: str, texts: list[str], role: str, header: str, date_format: str):
    fmt = values.choose_date_format(texts) if date_format == "auto" else date_format
    if fmt is None:
        sample = next((t for t in texts if not values.is_missing(t)), "")
        raise InputError(Problem(Location(name), f"{header} '{sample.strip()}' is not a date",
                                 "a date such as 29/2/2016 13:05 or 2016-02-29 13:05:00; "
                                 "--date-format names another format"))
    parse = values.date_parser(fmt)

    def read(text: str) -> float:
        if values.is_missing(text):
            return np.nan
        try:
            return parse(text)
        except (ValueError, OverflowError):
            return np.nan
    return read


def changing(rows: dict[str, list[tuple[int, list[str]]]], at: int) -> tuple[str, int, int] | None:
    """The first id whose column ``at`` changes across its rows: (id, line, line)."""
    for key, items in rows.items():
        first = items[0][1][at].strip()
        for line, row in items[1:]:
            if row[at].strip() != first:
                return key, items[0][0], line
    return None


def _build(name, n, rows, at, cols, date_format, is_resolved, is_hold) -> Cases:
    moving = changing(rows, at["opened"])
    event_log = moving is not None
    time_role = "opened" if event_log else ("time" if "time" in at else None)
    if event_log and "status" not in at:
        key, a, b = moving
        raise InputError(Problem(
            Location(name, b, 1),
            f"this is an event log: {cols['opened']} of {key} changes across its rows (lines "
            f"{a} and {b}), so the first row is not when it opened nor the last when it ended",
            "--column status=HEADER naming the column whose value says resolved or completed "
            "(--resolved-status PATTERN if it says so otherwise), to read it as an event log"))
    sample = [items[0][1] for items in rows.values()][:2000]

    def parser(role):
        texts = [r[at[role]] for r in sample]
        return _parser(name, texts, role, cols[role], date_format)

    t_of = parser(time_role) if time_role else None
    opened_of = parser("opened")
    resolved_of = parser("resolved") if "resolved" in at and not event_log else None
    ids = list(rows)
    N = len(ids)
    opened = np.full(N, np.nan)
    resolved = np.full(N, np.nan)
    prio = np.zeros(N, dtype=np.int8)
    hold = np.full(N, np.nan if "status" not in at or t_of is None else 0.0)
    groups: list[tuple[str, ...]] = []
    g_at, s_at, p_at = at.get("group"), at.get("status"), at.get("priority")
    for i, key in enumerate(ids):
        items = [r for _, r in rows[key]]
        last = items[-1]  # the record as it ended, in file order (as ``log`` reads it)
        if t_of is not None:
            times = np.array([t_of(r[at[time_role]]) for r in items])
            order = np.argsort(np.where(np.isnan(times), np.inf, times), kind="stable")
            items = [items[k] for k in order]
            times = times[order]
        else:
            times = None
        if event_log:
            opened[i] = times[0]
        else:
            opened[i] = opened_of(last[at["opened"]])
        if resolved_of is not None:
            resolved[i] = resolved_of(last[at["resolved"]])
        if s_at is not None and times is not None:
            done = [k for k, r in enumerate(items) if is_resolved.search(r[s_at])]
            if np.isnan(resolved[i]) and done:
                resolved[i] = times[done[0]]
            end = resolved[i] if not np.isnan(resolved[i]) else times[-1]
            on = 0.0
            for k in range(len(items) - 1):
                if is_hold.search(items[k][s_at]) and times[k] < end:
                    on += max(0.0, min(times[k + 1], end) - times[k])
            hold[i] = on
        if p_at is not None:
            prio[i] = values.priority(last[p_at])
        seq: list[str] = []
        if g_at is not None:
            upto = items
            if s_at is not None:  # groups after resolution (closure, reopen) are not handoffs
                k = next((k for k, r in enumerate(items) if is_resolved.search(r[s_at])), None)
                upto = items if k is None else items[:k + 1]
            for r in upto:
                g = r[g_at].strip()
                if not values.is_missing(g) and (not seq or seq[-1] != g):
                    seq.append(g)
        groups.append(tuple(seq))
    notes = []
    if event_log:
        notes.append(f"read as an event log: {cols['opened']} changes across the rows of an "
                     f"incident (first {moving[0]}); opened at its first event, resolved at "
                     "the first whose status says resolved")
    missing = int(np.isnan(resolved).sum())
    if missing:
        notes.append(f"{values.many(missing, 'incident has', 'incidents have')} no resolution "
                     "time; left out of time to restore")
    return Cases(name, n, ids, opened, resolved, prio, groups, hold, event_log,
                 {r: (cols[r] if r in at else None) for r in cols}, notes)
