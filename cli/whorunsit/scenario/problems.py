"""Collecting every problem in an input before giving up, so a user fixes them all at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from whorunsit.errors import InputError, Location, Problem

#: stop collecting after this many: past it, more lines only bury the first ones
MAX_PROBLEMS = 200


class Problems:
    """An ordered, de-duplicated list of located problems."""

    def __init__(self) -> None:
        self._items: list[Problem] = []
        self._seen: set[Problem] = set()

    def add(self, location: Location, message: str, expected: str = "") -> None:
        problem = Problem(location, message, expected)
        if problem in self._seen or len(self._items) >= MAX_PROBLEMS:
            return
        self._seen.add(problem)
        self._items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.add(p.location, p.message, p.expected)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[Problem]:
        return list(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise InputError(sorted(self._items, key=_order))


def _order(p: Problem) -> tuple:
    return (p.location.file, p.location.line, p.location.col)


def did_you_mean(word: str, choices: Iterable[str], what: str = "") -> str:
    """"did you mean 'headcount'?" when a close match exists, else the list of choices.

    ``what`` names the choices in the plural ("teams") for the fallback text.
    """
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not options:
        return f"no {what} are declared" if what else ""
    # every choice: a list cut short hides the very key the user meant
    shown = ", ".join(options)
    return f"expected one of the {what}: {shown}" if what else f"expected one of: {shown}"
