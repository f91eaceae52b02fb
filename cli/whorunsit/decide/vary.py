"""``--vary PATH=VALUES``: which value of a scenario to change, and to what.

PATH addresses the scenario as written, after ``extends`` is merged: dotted mapping
keys, list items by their ``name`` (or their 0-based position):
``teams.app-ops.headcount``, ``support_paths.ops-run.tiers.L2.resolve``.

VALUES is written in the scenario language's own units and quantities, as one of

    2,3,5            a list (also of words: team-run,ops-run)
    2..8             every whole number from 2 to 8
    10%..50%/5       5 evenly spaced points from 10% to 50% (30m..2h/4, 300 GBP..600 GBP/4)

Each value stays text until the scenario is built, so the scenario language checks it
(and says what is wrong, naming the point) exactly as if it had been written in the file.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from whorunsit.errors import InputError, Location, Problem
from whorunsit.scenario import YNode
from whorunsit.scenario.problems import Problems, did_you_mean
from whorunsit.scenario.yamlnode import parse_text

#: more points than this is a typo (2..20000), not a plan; each is built and checked
#: before anything runs (about 8 ms a point for the at-scale model)
MAX_POINTS = 2_000

_NUMBER = re.compile(r"^\s*(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)(?P<unit>.*?)\s*$")
_RANGE = re.compile(r"^(?P<low>.+?)\.\.(?P<high>.+?)(?:/(?P<count>\d+))?$")
EXPECTED_VALUES = "a list (2,3,5), a whole-number range (2..8) or spaced points (10%..50%/5)"


@dataclass(frozen=True)
class Vary:
    """One --vary: the path and the values it takes, as the scenario would spell them."""

    path: str
    values: tuple[str, ...]
    #: the numbers behind the values when they are numeric (for charts and sensitivity)
    numbers: tuple[float, ...] | None
    #: the unit written after each number ("%", "m", " GBP"), "" for plain numbers
    unit: str = ""

    @property
    def flag(self) -> str:
        return f"--vary {self.path}"


def _flag_location(spec: str) -> Location:
    return Location(f"--vary {spec}")


def split_number(text: str) -> tuple[float, str] | None:
    m = _NUMBER.match(text)
    if not m:
        return None
    return float(m.group("num")), m.group("unit")


def spell(number: float, unit: str) -> str:
    """A number as the scenario would read it: 3, 2.5, 12.5%."""
    text = f"{number:.6g}"
    if "e" in text:
        text = f"{number:.12f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def parse_values(spec: str, text: str) -> tuple[tuple[str, ...], tuple[float, ...] | None, str]:
    """(values, numbers or None, unit) of a VALUES text; InputError at the --vary flag."""
    where = _flag_location(spec)
    text = text.strip()
    m = _RANGE.match(text)
    if m and "," not in text:
        low, high = split_number(m.group("low")), split_number(m.group("high"))
        if low is None or high is None:
            raise InputError(Problem(where, f"'{text}' is not a range of numbers", EXPECTED_VALUES))
        if low[1].strip() != high[1].strip():
            raise InputError(Problem(where, f"'{m.group('low')}' and '{m.group('high')}' are in "
                                     "different units", f"both ends in one unit, e.g. "
                                     f"{spell(low[0], low[1])}..{spell(high[0], low[1])}"))
        unit = low[1]
        if m.group("count") is None:
            if not (low[0].is_integer() and high[0].is_integer()):
                raise InputError(Problem(where, f"'{text}' is a range of fractions with no "
                                         "number of points", f"{text}/5 for 5 evenly spaced points"))
            if high[0] < low[0]:
                raise InputError(Problem(where, f"'{text}' runs downwards", f"{high[0]:g}..{low[0]:g}"))
            numbers = tuple(float(x) for x in range(int(low[0]), int(high[0]) + 1))
        else:
            count = int(m.group("count"))
            if count < 2:
                raise InputError(Problem(where, f"'{text}' asks for {count} point",
                                         "at least 2 points, e.g. /5"))
            step = (high[0] - low[0]) / (count - 1)
            numbers = tuple(low[0] + i * step for i in range(count))
        if len(numbers) > MAX_POINTS:
            raise InputError(Problem(where, f"'{text}' has {len(numbers):,} values",
                                     f"at most {MAX_POINTS:,}"))
        return tuple(spell(x, unit) for x in numbers), numbers, unit
    values = tuple(v.strip() for v in text.split(","))
    if not text or any(not v for v in values):
        raise InputError(Problem(where, f"'{text}' has an empty value", EXPECTED_VALUES))
    split = [split_number(v) for v in values]
    units = {s[1] for s in split if s is not None}
    if all(s is not None for s in split) and len(units) == 1:
        return values, tuple(s[0] for s in split), units.pop()
    return values, None, ""


def parse_vary(spec: str) -> Vary:
    """``PATH=VALUES`` into a Vary (the path is checked against a scenario later)."""
    path, sep, text = spec.partition("=")
    path = path.strip()
    if not sep or not path or not text.strip():
        raise InputError(Problem(_flag_location(spec), f"'{spec}' is not PATH=VALUES",
                                 "e.g. --vary teams.app-ops.headcount=4..8"))
    if any(not part for part in path.split(".")):
        raise InputError(Problem(_flag_location(spec), f"'{path}' has an empty part",
                                 "dotted names such as teams.app-ops.headcount"))
    values, numbers, unit = parse_values(spec, text)
    return Vary(path, values, numbers, unit)


def parse_all(specs: list[str]) -> list[Vary]:
    """Every --vary, collecting every problem; the same path twice is an error."""
    problems: list[Problem] = []
    out: list[Vary] = []
    for spec in specs:
        try:
            v = parse_vary(spec)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if any(o.path == v.path for o in out):
            problems.append(Problem(_flag_location(spec), f"{v.path} is varied twice",
                                    "one --vary per path, listing all its values"))
        out.append(v)
    if not specs:
        problems.append(Problem(Location("--vary"), "nothing to vary",
                                "at least one --vary PATH=VALUES"))
    if problems:
        raise InputError(problems)
    return out


def points(varies: list[Vary], zipped: bool = False) -> list[dict[str, str]]:
    """Every combination of values (a full grid), or with ``zipped`` the i-th value of
    each --vary together; each point maps path -> value text, in --vary order."""
    if zipped:
        lengths = {len(v.values) for v in varies}
        if len(lengths) > 1:
            shown = ", ".join(f"{v.path} has {len(v.values)}" for v in varies)
            raise InputError(Problem(Location("--zip"), f"the --vary lists differ in length ({shown})",
                                     "the same number of values for each --vary"))
        combos = list(zip(*(v.values for v in varies), strict=True))
    else:
        size = 1
        for v in varies:
            size *= len(v.values)
        if size > MAX_POINTS:
            raise InputError(Problem(Location("--vary"), f"the grid has {size:,} points",
                                     f"at most {MAX_POINTS:,}: fewer values, or --zip"))
        combos = list(itertools.product(*(v.values for v in varies)))
    return [{v.path: c[i] for i, v in enumerate(varies)} for c in combos]


# -- addressing the tree ------------------------------------------------------------------

def _item_name(node: YNode) -> str | None:
    if node.is_map and "name" in node.value and isinstance(node.value["name"].value, str):
        return node.value["name"].value
    return None


def _child(node: YNode, part: str, walked: str, path: str) -> tuple[str, object]:
    """(kind, key) of ``part`` inside ``node``: ("map", key) or ("seq", index); or raise a
    problem located at ``node`` with a did-you-mean."""
    here = walked or "the scenario"
    if node.is_map:
        if part in node.value:
            return "map", part
        raise KeyError(part)
    if node.is_seq:
        names = [_item_name(item) for item in node.value]
        if part in names:
            return "seq", names.index(part)
        if part.isdigit() and int(part) < len(node.value):
            return "seq", int(part)
        hint = did_you_mean(part, [n for n in names if n], f"items of {here}")
        raise InputError(Problem(node.loc, f"{here} has no item named '{part}' (in --vary {path})",
                                 hint))
    raise InputError(Problem(node.loc, f"{here} is a single value, not a mapping or list "
                             f"(in --vary {path})", f"a path that ends at {here}"))


def current(tree: YNode, path: str) -> YNode | None:
    """The node at ``path`` as written, or None when its last key is not written (the
    scenario language may still accept it)."""
    return _walk(tree, path)[1]


def _walk(tree: YNode, path: str) -> tuple[list[tuple[YNode, str, object]], YNode | None]:
    parts = path.split(".")
    steps: list[tuple[YNode, str, object]] = []
    node = tree
    walked = ""
    for i, part in enumerate(parts):
        try:
            kind, key = _child(node, part, walked, path)
        except KeyError:
            if i == len(parts) - 1:
                steps.append((node, "map", part))  # a key not written: added, then validated
                return steps, None
            hint = did_you_mean(part, node.value, f"keys of {walked or 'the scenario'}")
            raise InputError(Problem(node.loc, f"{walked or 'the scenario'} has no '{part}' "
                                     f"(in --vary {path})", hint)) from None
        steps.append((node, kind, key))
        node = node.value[key]
        walked = f"{walked}.{part}" if walked else part
    return steps, node


def check_path(tree: YNode, path: str) -> None:
    """Raise a located InputError if ``path`` does not lead anywhere in ``tree``."""
    _walk(tree, path)


def _relocate(node: YNode, loc: Location) -> YNode:
    if node.is_map:
        return YNode({k: _relocate(v, loc) for k, v in node.value.items()}, loc, node.text,
                     dict.fromkeys(node.key_locs, loc))
    if node.is_seq:
        return YNode([_relocate(v, loc) for v in node.value], loc, node.text)
    return YNode(node.value, loc, node.text)


def value_node(path: str, text: str) -> YNode:
    """The value text read as YAML (so 5 is a number and 30m a duration), located at the
    --vary flag that set it, so problems with it name the point."""
    loc = Location(f"--vary {path}={text}")
    problems = Problems()
    node = parse_text(text, loc.file, problems)
    if node is None:
        return YNode(text, loc, text)
    return _relocate(node, loc)


def with_values(tree: YNode, point: dict[str, str]) -> YNode:
    """A copy of ``tree`` with each path set to its value; the rest is shared, unchanged."""
    for path, text in point.items():
        tree = _set(tree, path, value_node(path, text))
    return tree


def _set(tree: YNode, path: str, new: YNode) -> YNode:
    steps, _ = _walk(tree, path)
    replacement = new
    for node, kind, key in reversed(steps):
        if kind == "map":
            values = dict(node.value)
            values[key] = replacement
            key_locs = dict(node.key_locs)
            key_locs.setdefault(key, new.loc)
            replacement = YNode(values, node.loc, node.text, key_locs)
        else:
            items = list(node.value)
            items[key] = replacement
            replacement = YNode(items, node.loc, node.text)
    return replacement
