"""CSV records of a log, with the line each starts on and the column each field starts at.

Locations are what make a bad cell fixable in a 140,000-row export, and the csv module
reports neither where a record started nor where a field is on its line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from whorunsit.errors import InputError, Location, Problem


def records(lines: Iterator[str], delimiter: str) -> Iterator[tuple[int, str | None, list[str]]]:
    """(line it starts on, the raw line when it is one line, fields) for each record.

    Lines without a quote are split directly, several times faster than the csv module
    on a large export. A line with a quote is handed to the csv module, which reads on
    into the following lines only while a quoted field is open (a value spanning
    lines), and reads a stray quote inside a field (``5" screen``) as a character, as
    spreadsheet tools do. A quote still open at the end of the file is an error: it
    would silently swallow every row after it.
    """
    n = 1  # the header was line 1
    for line in lines:
        n += 1
        if '"' not in line:
            if line.strip():
                yield n, line, line.rstrip("\r\n").split(delimiter)
            continue
        start, ended = n, []

        def feed(first=line, ended=ended):
            yield first
            # not `yield from lines`: closing this generator would close the file too
            for more in lines:  # noqa: UP028
                yield more
            ended.append(True)

        reader = csv.reader(feed(), delimiter=delimiter)
        try:
            fields = next(reader, [])
        except csv.Error as exc:  # a field over the csv module's size limit, say
            raise InputError(Problem(Location("", start, 1), f"cannot be read as CSV ({exc})",
                                     "comma-separated values with a header line")) from None
        n += reader.line_num - 1
        if ended:
            raise InputError(Problem(Location("", start, 1),
                                     "a quoted field opened on this line is never closed",
                                     'a closing quote ("), and quotes inside quoted fields '
                                     "doubled (\"\")"))
        if fields:
            yield start, (line if reader.line_num == 1 else None), fields


def field_column(raw: str | None, index: int, delimiter: str) -> int:
    """1-based character column where field ``index`` starts in a raw CSV line."""
    if raw is None or index == 0:
        return 1
    seen, quoted, at_start, i = 0, False, True, 0
    while i < len(raw):
        ch = raw[i]
        if quoted:
            if ch == '"':
                if raw[i + 1:i + 2] == '"':
                    i += 1  # a doubled quote is a quote character
                else:
                    quoted = False
        elif ch == '"' and at_start:
            quoted = True  # as in the csv module, only a field's first character opens
        elif ch == delimiter:
            seen += 1
            if seen == index:
                return i + 2
            at_start = True
            i += 1
            continue
        at_start = False
        i += 1
    return len(raw.rstrip("\r\n")) + 1
