"""Open an incident log: a CSV file, or a .zip holding exactly one CSV.

Exports from ITSM tools are often shipped zipped, and zips made on a Mac carry a
``__MACOSX/`` folder of resource forks that look like CSVs but are not; those are skipped.
The name a log is known by in messages is the file, or ``archive.zip/member.csv`` for a
zipped one, so ``file:line:col`` points at a line a user can find after unzipping.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from whorunsit.errors import InputError, Location, Problem

#: delimiters a header line is sniffed for, in order of preference on a tie
DELIMITERS = (",", ";", "\t", "|")


def _csv_members(archive: zipfile.ZipFile) -> list[str]:
    return [
        info.filename for info in archive.infolist()
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not Path(info.filename).name.startswith("._")
        and info.filename.lower().endswith((".csv", ".txt", ".tsv"))
    ]


@contextlib.contextmanager
def open_log(path: str | Path) -> Iterator[tuple[str, TextIO]]:
    """Yield (name for messages, text stream) for a CSV or a zip holding one CSV.

    Text is decoded as UTF-8 (a byte-order mark is dropped); bytes that are not UTF-8
    become U+FFFD rather than an error, because ids, dates and counts are ASCII and a
    stray accented caller name should not stop a calibration.
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError(Problem(Location(name), "no such file",
                                 "a CSV incident log, or a .zip holding one"))
    if path.is_dir():
        raise InputError(Problem(Location(name), "is a directory",
                                 "a CSV incident log, or a .zip holding one"))
    if not zipfile.is_zipfile(path):
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
            yield name, f
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputError(Problem(Location(name), f"is not a readable zip ({exc})",
                                 "a .zip holding one CSV file")) from None
    with archive:
        members = _csv_members(archive)
        if len(members) != 1:
            found = ", ".join(members) if members else "none"
            raise InputError(Problem(
                Location(name), f"holds {len(members)} CSV files ({found})",
                "a .zip holding exactly one CSV (__MACOSX/ entries are ignored); "
                "unzip it and pass the CSV"))
        member = members[0]
        try:
            raw = archive.open(member)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise InputError(Problem(Location(f"{name}/{member}"), f"cannot be read ({exc})",
                                     "an unencrypted, deflated or stored CSV")) from None
        with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace",
                                   newline="") as f:
            yield f"{name}/{member}", f


def sniff_delimiter(header: str) -> str:
    """The delimiter used by a header line: the most frequent of ``DELIMITERS``."""
    counts = [(header.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


def read_header(name: str, f: TextIO) -> tuple[Iterator[str], str, list[str]]:
    """(the lines after the header, the delimiter, the header's cells) of a CSV log;
    an empty log is one located problem."""
    import csv

    lines = iter(f)
    first = next(lines, None)
    if first is None or not first.strip():
        raise InputError(Problem(Location(name, 1, 1), "is empty",
                                 "a CSV incident log with a header line"))
    delimiter = sniff_delimiter(first)
    return lines, delimiter, next(csv.reader([first], delimiter=delimiter))
