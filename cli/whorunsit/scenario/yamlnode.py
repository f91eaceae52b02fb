"""Reading YAML safely into a tree of located values.

The YAML is composed (never constructed: no Python objects can be created from tags)
into a tree whose every node knows its file, line and column, so problems found much
later, after ``extends`` merges and ``count:`` stamping, still point at the place the
value was written. Size limits keep hostile files from exhausting time or memory.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from whorunsit.errors import Location
from whorunsit.scenario.problems import Problems

MAX_FILE_BYTES = 2 * 1024 * 1024
#: nodes after expanding aliases: an anchor/alias "billion laughs" blows past this at once
MAX_NODES = 300_000
#: deeper nesting than this is never a scenario, and libyaml would recurse without limit
MAX_DEPTH = 64

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# {i} and {i/K} stamping templates would open a YAML flow mapping inside [...] or {...}
# (owner: delivery-{i} in a flow mapping). They are swapped for same-length private-use
# characters before parsing, so columns stay right, and swapped back in every value.
_TEMPLATE = re.compile(r"\{(i(?:/\d+)?)\}")
_OPEN, _CLOSE = "\ue000", "\ue001"


def _hide_templates(text: str) -> str:
    return _TEMPLATE.sub(lambda m: f"{_OPEN}{m.group(1)}{_CLOSE}", text)


def _restore(text: str) -> str:
    return text.replace(_OPEN, "{").replace(_CLOSE, "}") if _OPEN in text else text

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, "tag:yaml.org,2002:timestamp",
               "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:value"}


@dataclass
class YNode:
    """A YAML value with its position.

    ``value`` is a dict[str, YNode] for a mapping, a list[YNode] for a sequence, or a
    scalar (str, int, float, bool or None). ``text`` is a scalar as written, which unit
    parsers read (YAML 1.1 would turn 10:00 into the number 600).
    """

    value: Any
    loc: Location
    text: str = ""
    #: for mappings: where each key was written
    key_locs: dict[str, Location] = field(default_factory=dict)

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_seq(self) -> bool:
        return isinstance(self.value, list)

    @property
    def is_scalar(self) -> bool:
        return not (self.is_map or self.is_seq)

    def shape(self) -> str:
        if self.is_map:
            return "a mapping"
        if self.is_seq:
            return "a list"
        if self.value is None:
            return "an empty value"
        if isinstance(self.value, bool):
            return f"'{self.text}' (true/false)"
        return f"'{self.text}'"


def _loc(file: str, mark: Any) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


def read_file(path: str, problems: Problems, where: Location | None = None) -> YNode | None:
    """Read and compose one YAML file; None (with problems added) if it cannot be read."""
    at = where or Location(path)
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        problems.add(at, f"file '{path}' does not exist", "the path of a scenario file")
        return None
    except OSError as exc:
        problems.add(at, f"cannot read '{path}': {exc.strerror or exc}", "a readable file")
        return None
    if os.path.isdir(path):
        problems.add(at, f"'{path}' is a directory", "the path of a scenario file")
        return None
    if size > MAX_FILE_BYTES:
        problems.add(Location(path), f"file is {size:,} bytes, over the 2 MB limit",
                     "a scenario file under 2 MB (use count: to stamp out many teams)")
        return None
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        problems.add(at, f"cannot read '{path}': {exc.strerror or exc}", "a readable file")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(Location(path, line, 1), "the file is not UTF-8 text", "a UTF-8 YAML file")
        return None
    return parse_text(text, path, problems)


def _nesting(text: str) -> int:
    """An upper bound on how deep the YAML nests, cheap enough to run before parsing."""
    depth = worst = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            worst = max(worst, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    for line in text.splitlines():
        stripped = line.lstrip(" -?:")
        indent = len(line) - len(stripped)
        if indent:
            worst = max(worst, indent // 2)
    return worst


def parse_text(text: str, file: str, problems: Problems) -> YNode | None:
    """Compose YAML text into a located tree; None (with problems added) if it is invalid."""
    if len(text) > MAX_FILE_BYTES:
        problems.add(Location(file), "text is over the 2 MB limit", "a scenario under 2 MB")
        return None
    if _nesting(text) > MAX_DEPTH:
        problems.add(Location(file, 1, 1), f"the YAML nests deeper than {MAX_DEPTH} levels",
                     "a scenario nested a few levels deep")
        return None
    hidden = _hide_templates(text)
    try:
        root = yaml.compose(hidden, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(s) for s in (exc.context, exc.problem) if s)
        where = _loc(file, mark) if mark else Location(file)
        expected = "valid YAML"
        lines = text.splitlines()
        if mark and mark.line < len(lines):
            line = lines[mark.line]
            if "\t" in line[: mark.column + 1]:
                expected = "indent with spaces, not tabs"
        problems.add(where, f"YAML syntax error: {what}", expected)
        return None
    except yaml.YAMLError as exc:
        problems.add(Location(file), f"YAML error: {_first_line(exc)}", "valid YAML text")
        return None
    except RecursionError:
        problems.add(Location(file, 1, 1), "the YAML nests too deeply", "a scenario nested a few levels deep")
        return None
    if root is None:
        problems.add(Location(file, 1, 1), "the file is empty", "a YAML mapping such as 'name: ...'")
        return None
    return _Converter(file, problems).convert(root)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class _Converter:
    def __init__(self, file: str, problems: Problems):
        self.file = file
        self.problems = problems
        self.budget = MAX_NODES
        self.exhausted = False
        self._ints = yaml.constructor.SafeConstructor()
        self._memo: dict[int, YNode] = {}
        self._sizes: dict[int, int] = {}

    def convert(self, root: yaml.Node) -> YNode | None:
        out = self._node(root, 0)
        if self.exhausted:
            return None
        return out

    def _node(self, node: yaml.Node, depth: int) -> YNode:
        # an alias yields the very same composed node: convert it once, but charge its
        # expanded size each time, which is what stops a "billion laughs" in microseconds
        key = id(node)
        if key in self._memo:
            self.budget -= self._sizes[key]
            if self.budget < 0:
                self._exhaust(_loc(self.file, node.start_mark), "budget")
            return self._memo[key]
        before = self.budget
        out = self._convert(node, depth)
        self._memo[key] = out
        self._sizes[key] = before - self.budget
        return out

    def _exhaust(self, loc: Location, why: str) -> None:
        if not self.exhausted:
            self.exhausted = True
            what = (f"more than {MAX_NODES:,} values once aliases are expanded"
                    if why == "budget" else f"nesting deeper than {MAX_DEPTH} levels")
            self.problems.add(loc, f"the YAML has {what}",
                              "a scenario of sane size (use count: to stamp out many teams)")

    def _convert(self, node: yaml.Node, depth: int) -> YNode:
        loc = _loc(self.file, node.start_mark)
        self.budget -= 1
        if self.budget < 0 or depth > MAX_DEPTH:
            self._exhaust(loc, "budget" if self.budget < 0 else "depth")
            return YNode(None, loc)
        if node.tag not in _PLAIN_TAGS:
            self.problems.add(loc, f"YAML tag '{node.tag}' is not allowed", "plain YAML values without tags")
            return YNode(None, loc, "")
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
            if isinstance(value, str):
                value = _restore(value)
            return YNode(value, loc, _restore(node.value))
        if isinstance(node, yaml.SequenceNode):
            return YNode([self._node(n, depth + 1) for n in node.value if not self.exhausted], loc)
        return self._mapping(node, loc, depth)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        try:
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return self._ints.construct_yaml_bool(node)
            if tag == _INT:
                if ":" in node.value:
                    return node.value   # sexagesimal (10:00): keep the text, it is a clock
                return self._ints.construct_yaml_int(node)
            if tag == _FLOAT:
                if ":" in node.value:
                    return node.value
                return self._ints.construct_yaml_float(node)
        except (ValueError, yaml.YAMLError):
            return node.value
        return node.value

    def _mapping(self, node: yaml.MappingNode, loc: Location, depth: int) -> YNode:
        values: dict[str, YNode] = {}
        key_locs: dict[str, Location] = {}
        merged: list[YNode] = []
        for key_node, value_node in node.value:
            if self.exhausted:
                break
            kloc = _loc(self.file, key_node.start_mark)
            if key_node.tag == _MERGE:
                merged.append(self._node(value_node, depth + 1))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.add(kloc, "a key must be a plain name, not a list or mapping",
                                  "a name such as 'headcount'")
                continue
            key = _restore(key_node.value)
            if key in values:
                first = key_locs[key]
                self.problems.add(kloc, f"duplicate key '{key}' (first at line {first.line})",
                                  "each key once per mapping")
                continue
            values[key] = self._node(value_node, depth + 1)
            key_locs[key] = kloc
        # YAML merge keys (<<: *defaults): explicit keys win over merged ones
        for source in merged:
            for part in (source.value if source.is_seq else [source]):
                if not part.is_map:
                    self.problems.add(part.loc, "'<<' must merge a mapping", "<<: *anchor-of-a-mapping")
                    continue
                for k, v in part.value.items():
                    if k not in values:
                        values[k] = v
                        key_locs[k] = part.key_locs[k]
        return YNode(values, loc, "", key_locs)
