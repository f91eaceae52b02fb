"""The tool's own error types. Only these may escape the library to the CLI layer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """Where in a file a problem (or a gate) was written. Lines and columns are 1-based."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what is wrong, and what would be right."""

    location: Location
    message: str
    expected: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.expected:
            text += f"; {self.expected}"
        return text


class WhorunsitError(Exception):
    """Base of every error whorunsit raises on purpose."""


class InputError(WhorunsitError):
    """Invalid input: one or more located problems. Maps to exit code 2."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(Location("<input>"), problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
