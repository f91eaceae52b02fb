"""Which tier of the support path each group of the log stands for.

In order: the user's ``--map GROUP_PATTERN=TARGET`` rules (a glob such as ``*Service
Desk*``, or a regular expression written ``re:^SD-``; TARGET a tier name or a team
working a tier), then a line carried in the group's name (``2nd line``, ``L3``,
``Tier 1``, ``third level``), then the group's position in the case: the first group a
ticket reaches is the first tier, the next new group the second, and so on, the last
tier taking the rest. The report lists the rule each busy group fell under.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from whorunsit.errors import InputError, Location, Problem
from whorunsit.model import SupportPath

MAP_EXPECTED = ("GROUP_PATTERN=TARGET: a glob (*Service Desk*) or re:REGEX matched against the "
                "group name, and a tier name or a team that works a tier")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_LINE = re.compile(
    r"(?:\b(?:l|tier|level|line)[\s_-]?([1-9])\b)"
    r"|(?:\b([1-9])(?:st|nd|rd|th)?[\s_-]*(?:line|level|tier)\b)"
    r"|(?:\b(first|second|third|fourth|fifth)[\s_-]*(?:line|level|tier)\b)",
    re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    pattern: str
    target: str
    regex: re.Pattern


def parse_maps(pairs: Iterable[str]) -> list[Rule]:
    rules, problems = [], []
    for pair in pairs:
        pattern, eq, target = pair.rpartition("=")
        if not eq or not pattern.strip() or not target.strip():
            problems.append(Problem(Location("--map"), f"'{pair}' is not GROUP_PATTERN=TARGET",
                                    MAP_EXPECTED))
            continue
        pattern = pattern.strip()
        try:
            regex = re.compile(pattern[3:]) if pattern.startswith("re:") else \
                re.compile(fnmatch.translate(pattern), re.IGNORECASE)
        except re.error as exc:
            problems.append(Problem(Location("--map"), f"'{pattern}' is not a regular "
                                    f"expression ({exc})", MAP_EXPECTED))
            continue
        rules.append(Rule(pattern, target.strip(), regex))
    if problems:
        raise InputError(problems)
    return rules


def line_in_name(group: str) -> int | None:
    """The line (1-based) a group's name carries, if any."""
    m = _LINE.search(group)
    if not m:
        return None
    if m.group(3):
        return _ORDINALS[m.group(3).lower()]
    return int(m.group(1) or m.group(2))


@dataclass
class Mapping:
    tiers: tuple[str, ...]
    rules: list[tuple[Rule, int]]
    #: group -> (tier index, how), for groups mapped by rule or name
    fixed: dict[str, tuple[int, str]]

    def case_tiers(self, groups: tuple[str, ...]) -> list[int]:
        """The tier of each group in a case's sequence (position for unmapped ones)."""
        out, seen = [], []
        for g in groups:
            if g not in seen:
                seen.append(g)
            hit = self.fixed.get(g)
            out.append(hit[0] if hit else min(seen.index(g), len(self.tiers) - 1))
        return out

    def how(self, group: str) -> str:
        hit = self.fixed.get(group)
        return f"{self.tiers[hit[0]]} ({hit[1]})" if hit else "by position in the case"

    def table(self, cases_groups: list[tuple[str, ...]], top: int = 12) -> list[tuple[str, int, str]]:
        """(group, cases it held, tier and rule) for the busiest groups."""
        counts = Counter(g for seq in cases_groups for g in set(seq))
        return [(g, n, self.how(g)) for g, n in counts.most_common(top)]


def build(path: SupportPath, rules: list[Rule], groups: Iterable[str]) -> Mapping:
    names = [t.name for t in path.tiers]
    targets: dict[str, int] = {}
    for j, t in enumerate(path.tiers):
        for team in (t.team, t.alert_team, *t.swarm):
            if team:
                targets.setdefault(team, j)
        targets[t.name] = j
    resolved, problems = [], []
    for rule in rules:
        if rule.target not in targets:
            problems.append(Problem(Location("--map"), f"'{rule.target}' is no tier or team of "
                                    f"support path '{path.name}'",
                                    "one of " + ", ".join(targets)))
        else:
            resolved.append((rule, targets[rule.target]))
    if problems:
        raise InputError(problems)
    fixed: dict[str, tuple[int, str]] = {}
    for g in set(groups):
        for rule, j in resolved:
            if rule.regex.search(g) if rule.pattern.startswith("re:") else rule.regex.match(g):
                fixed[g] = (j, f"--map {rule.pattern}")
                break
        else:
            line = line_in_name(g)
            if line is not None:
                fixed[g] = (min(line, len(names)) - 1, "line in its name")
    return Mapping(tuple(names), resolved, fixed)
