"""The scenario at every point of a sweep, each checked before anything runs."""

from __future__ import annotations

from dataclasses import dataclass

from whorunsit import api
from whorunsit.decide import vary as vary_mod
from whorunsit.decide.vary import Vary
from whorunsit.errors import InputError, Problem
from whorunsit.model import Scenario
from whorunsit.scenario import YNode, load_merged_tree, scenario_from_tree

#: stop listing invalid points after this many: the rest are usually the same mistake
MAX_POINT_PROBLEMS = 20


@dataclass(frozen=True)
class Variant:
    """One point: the values set (path -> text as written) and the scenario they make."""

    values: dict[str, str]
    scenario: Scenario

    def label(self) -> str:
        return ", ".join(f"{p}={v}" for p, v in self.values.items())


def describe(values: dict[str, str]) -> str:
    return ", ".join(f"{p}={v}" for p, v in values.items())


def load_base(path: str) -> YNode:
    """The scenario as written, ``extends`` merged: located problems if it is invalid."""
    tree = load_merged_tree(path)
    scenario_from_tree(tree, path)  # the file itself must be valid before we vary it
    return tree


def check_paths(tree: YNode, varies: list[Vary]) -> None:
    problems: list[Problem] = []
    for v in varies:
        try:
            vary_mod.check_path(tree, v.path)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)


def build(tree: YNode, file: str, values: dict[str, str],
          replications: int | None = None) -> Scenario:
    """The scenario with ``values`` set; an InputError's problems name the point."""
    try:
        scenario = scenario_from_tree(vary_mod.with_values(tree, values), file)
        api.check(scenario, replications)
    except InputError as exc:
        raise InputError([_at_point(p, values) for p in exc.problems]) from None
    return scenario


def _at_point(problem: Problem, values: dict[str, str]) -> Problem:
    if problem.location.file.startswith("--vary "):
        # the problem is the value itself, and its location already names it
        return problem
    return Problem(problem.location, f"at point {describe(values)}: {problem.message}",
                   problem.expected)


def build_all(file: str, varies: list[Vary], zipped: bool = False,
              replications: int | None = None) -> list[Variant]:
    """Every point's scenario, or one InputError listing every invalid point."""
    tree = load_base(file)
    check_paths(tree, varies)
    variants: list[Variant] = []
    problems: list[Problem] = []
    bad = 0
    for values in vary_mod.points(varies, zipped):
        try:
            variants.append(Variant(values, build(tree, file, values, replications)))
        except InputError as exc:
            bad += 1
            if bad <= MAX_POINT_PROBLEMS:
                problems.extend(p for p in exc.problems if p not in problems)
    if problems:
        if bad > MAX_POINT_PROBLEMS:
            problems.append(Problem(problems[-1].location,
                                    f"... and {bad - MAX_POINT_PROBLEMS} more invalid points"))
        raise InputError(problems)
    return variants
