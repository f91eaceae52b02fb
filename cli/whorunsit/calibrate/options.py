"""The choices a calibration takes, and reading them from the words a user types."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from whorunsit.calibrate import weeks
from whorunsit.calibrate.events import RESOLVED
from whorunsit.calibrate.figures import WorkingHours
from whorunsit.calibrate.log import ROLES
from whorunsit.errors import InputError, Location, Problem

HOURS_EXPECTED = "hours such as 09:00-17:00, optionally after days: Mon-Fri 08:00-18:00"
COLUMN_EXPECTED = ("name=header, where name is one of " + ", ".join(ROLES)
                   + " (name= when the log has no such column)")


@dataclass(frozen=True)
class Options:
    """How to read a log and measure it. Defaults suit a ServiceNow export."""

    #: role -> header, over the ServiceNow defaults; '' = the log has no such column
    columns: Mapping[str, str | None] = field(default_factory=dict)
    working_hours: WorkingHours = WorkingHours()
    #: week indexes (weeks.parse_range) to measure the rate over; None = steady run
    weeks: tuple[int | None, int | None] | None = None
    #: "auto", "iso" or a strptime format such as "%d/%m/%Y %H:%M"
    date_format: str = "auto"
    #: assignment groups listed, busiest first
    top_groups: int = 10
    #: in an event log, a status matching this (a regular expression) marks resolution
    resolved_status: str = RESOLVED


def parse_working_hours(text: str) -> WorkingHours:
    """'09:00-17:00' (Mon-Fri), 'Mon-Sat 08:00-18:00', 'Mon,Wed 10:00-16:00'."""
    from whorunsit.scenario.units import UnitError, parse_clock_range, parse_day

    where = Location("--working-hours")
    parts = text.split()
    try:
        if len(parts) == 1:
            days = (0, 1, 2, 3, 4)
        elif len(parts) == 2:
            days = _days(parts[0], parse_day)
        else:
            raise UnitError(f"'{text}' is not working hours")
        start, end = parse_clock_range(parts[-1])
    except UnitError as exc:
        message = exc.message if f"'{text}'" in exc.message else f"'{text}': {exc.message}"
        raise InputError(Problem(where, message, HOURS_EXPECTED)) from None
    return WorkingHours(start, end, days)


def _days(spec: str, parse_day) -> tuple[int, ...]:
    days: set[int] = set()
    for part in spec.split(","):
        first, dash, last = part.partition("-")
        a = parse_day(first)
        b = parse_day(last) if dash else a
        d = a
        days.add(d)
        while d != b:
            d = (d + 1) % 7
            days.add(d)
    return tuple(sorted(days))


def parse_columns(pairs: Iterable[str], roles=ROLES, expected: str = COLUMN_EXPECTED
                  ) -> dict[str, str]:
    """['id=Ticket', 'group='] -> {'id': 'Ticket', 'group': ''} (names among ``roles``)."""
    columns: dict[str, str] = {}
    problems = []
    for pair in pairs:
        name, eq, header = pair.partition("=")
        name = name.strip()
        if not eq or not name:
            problems.append(Problem(Location("--column"), f"'{pair}' is not name=header",
                                    expected))
        elif name not in roles:
            problems.append(Problem(Location("--column"), f"unknown column name '{name}'",
                                    expected))
        else:
            columns[name] = header.strip()
    if problems:
        raise InputError(problems)
    return columns


def parse_weeks(text: str | None) -> tuple[int | None, int | None] | None:
    return None if text is None else weeks.parse_range(text)


def parse_top(text: str | None) -> int:
    if text is None:
        return 10
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise InputError(Problem(Location("--top"), f"'{text}' is not a number of groups",
                                 "a whole number, 0 for none"))
    return n
