"""The scenario language: load a YAML scenario into model objects, or say what is wrong.

``load_scenario(path)`` returns a ``model.Scenario`` or raises ``InputError`` listing
every problem found, each located at file:line:col. ``load_gates(path)`` reads a policy
file of gates. ``units`` parses quantities (also used by the gate package).
"""

from __future__ import annotations

import os

from whorunsit.errors import InputError, Location, Problem
from whorunsit.model import GateSpec, Scenario
from whorunsit.scenario.build import Builder, gates_from
from whorunsit.scenario.extends import load_tree
from whorunsit.scenario.kinds import Context
from whorunsit.scenario.problems import Problems
from whorunsit.scenario.spec import POLICY_FILE, SCENARIO
from whorunsit.scenario.units import UnitError
from whorunsit.scenario.walk import Walker
from whorunsit.scenario.yamlnode import YNode, parse_text, read_file

__all__ = ["InputError", "UnitError", "YNode", "load_gates", "load_merged_tree", "load_scenario",
           "loads_scenario", "scenario_from_tree"]


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read, merge (extends), validate and build the scenario at ``path``."""
    path = os.fspath(path)
    problems = Problems()
    tree = load_tree(path, problems)
    return _build(tree, path, problems)


def loads_scenario(text: str, file: str = "<string>") -> Scenario:
    """A scenario from YAML text (``extends`` is not followed: there is no directory)."""
    problems = Problems()
    tree = parse_text(text, file, problems)
    if tree is not None and tree.is_map and "extends" in tree.value:
        ext = tree.value["extends"]
        problems.add(ext.loc, "extends: only works in a scenario file", "a scenario file on disk")
    return _build(tree, file, problems)


def load_merged_tree(path: str | os.PathLike[str]) -> YNode:
    """The scenario at ``path`` as written, with its ``extends`` chain merged in: the
    located tree that ``scenario_from_tree`` builds (and sweeps edit)."""
    path = os.fspath(path)
    problems = Problems()
    tree = load_tree(path, problems)
    problems.raise_if_any()
    if tree is None:
        raise InputError(Problem(Location(path), "the scenario could not be read"))
    return tree


def scenario_from_tree(tree: YNode, file: str) -> Scenario:
    """Validate and build a located tree (from ``load_merged_tree``, perhaps edited);
    problems point where each value was written."""
    return _build(tree, file, Problems())


def _build(tree: YNode | None, file: str, problems: Problems) -> Scenario:
    if tree is None or problems:
        problems.raise_if_any()
        raise InputError(Problem(Location(file), "the scenario could not be read"))
    ctx = Context(currency=_currency(tree))
    root = Walker(problems, ctx).section(SCENARIO, tree, "", tree.loc)
    scenario = Builder(root, file, problems).build()
    problems.raise_if_any()
    if scenario is None:
        raise InputError(Problem(Location(file), "the scenario could not be built"))
    return scenario


def load_gates(path: str | os.PathLike[str]) -> tuple[GateSpec, ...]:
    """The gates of a policy file: YAML with a ``gates:`` list, as in a scenario."""
    path = os.fspath(path)
    problems = Problems()
    tree = read_file(path, problems)
    if tree is None:
        problems.raise_if_any()
        raise InputError(Problem(Location(path), "the policy file could not be read"))
    rec = Walker(problems).section(POLICY_FILE, tree, "", tree.loc)
    gates = gates_from(rec["gates"], problems)
    problems.raise_if_any()
    return gates


def _currency(tree: YNode) -> str:
    """The scenario's currency, read before anything else because money values need it."""
    node = tree.value.get("currency") if tree.is_map else None
    if node is not None and isinstance(node.value, str) and len(node.value.strip()) == 3:
        return node.value.strip().upper()
    return "GBP"
