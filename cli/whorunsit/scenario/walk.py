"""Reading a located YAML tree by the declarative spec, collecting every problem.

The result mirrors the spec: a ``Record`` per section (values in internal units, with
spec defaults filled in and where each value was written), a ``LocMap`` per named map,
a ``LocList`` per list. Values that fail to read are reported and replaced by their
default (or None), so one pass finds every problem instead of stopping at the first.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any

from whorunsit.errors import Location
from whorunsit.scenario.fields import Either, Field, ListOf, MapOf, Section, Spec
from whorunsit.scenario.kinds import Context, Kind, check_name
from whorunsit.scenario.problems import Problems, did_you_mean
from whorunsit.scenario.spec import MAX_ENTITIES
from whorunsit.scenario.units import UnitError
from whorunsit.scenario.yamlnode import YNode

_TEMPLATE = re.compile(r"\{i(?:/(\d+))?\}")


@dataclass
class Record:
    """One section as read: values (with defaults) and where each was written."""

    what: str
    path: str
    loc: Location
    values: dict[str, Any] = field(default_factory=dict)
    locs: dict[str, Location] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)
    #: keys whose written value was wrong (already reported)
    invalid: set[str] = field(default_factory=set)
    #: the section was written as something other than a mapping (already reported)
    shapeless: bool = False

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    def at(self, key: str) -> Location:
        return self.locs.get(key, self.loc)

    def has(self, key: str) -> bool:
        return key in self.written and key not in self.invalid

    def sub(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key


class LocMap(dict):
    """name -> value, plus where each name was written."""

    def __init__(self) -> None:
        super().__init__()
        self.locs: dict[str, Location] = {}
        #: some entries were dropped (bad name, bad count): references may be to them
        self.incomplete = False


class LocList(list):
    """Values, plus where each was written."""

    def __init__(self) -> None:
        super().__init__()
        self.locs: list[Location] = []


class Walker:
    def __init__(self, problems: Problems, ctx: Context | None = None):
        self.problems = problems
        self.ctx = ctx or Context()
        self.stamped = 0
        self._defaults: dict[int, Any] = {}

    # -- entry points -------------------------------------------------------------------
    def section(self, spec: Section, node: YNode | None, path: str, where: Location) -> Record:
        rec = Record(spec.what, path, where)
        shapeless = node is not None and node.value is not None and not node.is_map
        rec.shapeless = shapeless
        if shapeless:
            self._problem(node.loc, path or spec.what, f"got {node.shape()}",
                          f"a mapping of {spec.what} settings ({', '.join(spec.keys)})")
            node = None
        values = node.value if node is not None and node.is_map else {}
        split = split_at_commas(values)
        fragments = {frag for _, frags in split.values() for frag in frags}
        suggested: set[str] = set()
        for key in values:
            if key in fragments:
                continue  # part of a value cut short, reported with that value
            if spec.field(key) is None:
                hint = did_you_mean(key, spec.keys)
                if hint.startswith("did you mean"):
                    suggested.add(hint.split("'")[1])
                self._problem(node.key_locs[key], path, f"unknown key '{key}' in {spec.what}"
                              if path else f"unknown key '{key}'", hint)
        for f in spec.fields:
            child = values.get(f.key)
            if child is None or child.value is None:
                if f.required and not shapeless and f.key not in suggested:
                    self._problem(where, path, f"missing '{f.key}' in {spec.what}" if path
                                  else f"missing '{f.key}'", f"{f.key}: {_describe(f)}")
                rec.values[f.key] = self.default(f, rec.sub(f.key))
                continue
            rec.written.add(f.key)
            rec.locs[f.key] = child.loc
            if f.key in split:
                self._problem(child.loc, path, f"'{child.text or child.value}' was cut short: in a "
                              "one-line {...} mapping YAML splits a value at every comma",
                              f'quote the value: {f.key}: "{split[f.key][0]}"')
                value = _INVALID
            else:
                value = self.value(f.spec, child, rec.sub(f.key), node.key_locs[f.key])
            if value is _INVALID:
                rec.invalid.add(f.key)
                value = self.default(f, rec.sub(f.key))
                if isinstance(value, LocMap):
                    value.incomplete = True
            rec.values[f.key] = value
        return rec

    def value(self, spec: Spec, node: YNode, path: str, where: Location) -> Any:
        if isinstance(spec, Kind):
            try:
                return spec.read(node, self.ctx)
            except UnitError as exc:
                self._problem(node.loc, path, exc.message, exc.expected)
                return _INVALID
        if isinstance(spec, Section):
            return self.section(spec, node, path, where)
        if isinstance(spec, Either):
            if node.is_map:
                return self.section(spec.mapping, node, path, where)
            try:
                return spec.scalar.read(node, self.ctx)
            except UnitError as exc:
                keys = ", ".join(spec.mapping.keys)
                self._problem(node.loc, path, exc.message,
                              f"{spec.scalar.expected}, or a mapping with {keys}")
                return _INVALID
        if isinstance(spec, ListOf):
            return self.list(spec, node, path)
        return self.map(spec, node, path)

    def default(self, f: Field, path: str) -> Any:
        if f.default is None:
            if isinstance(f.spec, MapOf):
                empty = LocMap()
                empty.incomplete = f.required   # missing, and reported as such
                return empty
            return None
        if id(f) in self._defaults:
            return self._defaults[id(f)]
        node = _ynode(f.default, Location("<default>"))
        quiet = Walker(Problems(), self.ctx)
        value = quiet.value(f.spec, node, path, node.loc)
        if not isinstance(f.spec, MapOf):   # maps get flagged incomplete: never share them
            # read once per field, not once per stamped entry; nothing mutates them later
            self._defaults[id(f)] = value
        return value

    # -- containers ---------------------------------------------------------------------
    def list(self, spec: ListOf, node: YNode, path: str) -> Any:
        if not node.is_seq:
            if node.is_scalar and not isinstance(spec.item, Section) and not node.is_map:
                node = YNode([node], node.loc)   # a single value where a list is expected
            else:
                self._problem(node.loc, path, f"got {node.shape()}", "a list (- item, or [a, b])")
                return _INVALID
        out = LocList()
        if len(node.value) < spec.min_items:
            self._problem(node.loc, path, "the list is empty",
                          f"at least {spec.min_items} item{'s' if spec.min_items > 1 else ''}")
        if len(node.value) > spec.max_items:
            self._problem(node.loc, path, f"{len(node.value):,} items is too many",
                          f"at most {spec.max_items:,}")
            return _INVALID
        for i, item in enumerate(node.value):
            v = self.value(spec.item, item, f"{path}[{i + 1}]", item.loc)
            if v is not _INVALID:
                out.append(v)
                out.locs.append(item.loc)
        return out

    def map(self, spec: MapOf, node: YNode, path: str) -> Any:
        if not node.is_map:
            self._problem(node.loc, path, f"got {node.shape()}",
                          f"a mapping from {spec.what} name to its settings")
            return _INVALID
        out = LocMap()
        if len(node.value) < spec.min_entries:
            self._problem(node.loc, path, f"no {spec.what} is declared",
                          f"at least {spec.min_entries} {spec.what}")
            out.incomplete = True
        item = spec.item
        for name, child in node.value.items():
            kloc = node.key_locs[name]
            copies = self._stamp(item, name, child, path, kloc)
            if not copies:
                out.incomplete = True
            for copy_name, copy_node in copies:
                try:
                    check_name(copy_name, spec.what)
                except UnitError as exc:
                    self._problem(kloc, path, exc.message, exc.expected)
                    out.incomplete = True
                    continue
                if copy_name in out:
                    self._problem(kloc, path, f"{spec.what} '{copy_name}' is declared twice",
                                  f"unique {spec.what} names")
                    continue
                sub = f"{path}.{copy_name}"
                v = self.value(item, copy_node, sub, kloc) if copy_node.value is not None else (
                    self.section(item, None, sub, kloc) if isinstance(item, Section) else _INVALID)
                if v is _INVALID or (isinstance(v, Record) and v.shapeless):
                    out.incomplete = True
                    continue
                out[copy_name] = v
                out.locs[copy_name] = kloc
        return out

    def _stamp(self, item: Spec, name: str, node: YNode, path: str,
               kloc: Location) -> list[tuple[str, YNode]]:
        if not (isinstance(item, Section) and item.stampable and node.is_map
                and "count" in node.value):
            return [(name, node)]
        count_node = node.value["count"]
        try:
            n = item.field("count").spec.read(count_node, self.ctx)
        except UnitError as exc:
            self._problem(count_node.loc, f"{path}.{name}.count", exc.message, exc.expected)
            return []
        if self.stamped + n > MAX_ENTITIES:
            self._problem(count_node.loc, f"{path}.{name}.count",
                          f"{n:,} more would make over {MAX_ENTITIES:,} teams, applications "
                          "and rotas", f"at most {MAX_ENTITIES:,} in all")
            return []
        self.stamped += n
        body = YNode({k: v for k, v in node.value.items() if k != "count"}, node.loc, "",
                     {k: v for k, v in node.key_locs.items() if k != "count"})
        templated = "{i" in name
        return [(_substitute(name, i) if templated else f"{name}-{i}", _stamped(body, i))
                for i in range(1, n + 1)]

    def _problem(self, loc: Location, path: str, message: str, expected: str = "") -> None:
        self.problems.add(loc, f"{path}: {message}" if path else message, expected)


def split_at_commas(values: dict[str, YNode]) -> dict[str, tuple[str, list[str]]]:
    """Values a one-line YAML mapping cut at a comma inside parentheses, as
    {key: (the value as meant, [keys that are its fragments])}.

    ``{work: lognormal(median=15m, p95=1h)}`` reads as ``work: 'lognormal(median=15m'``
    and a key ``'p95=1h)'`` with no value: the opening parenthesis is left unclosed and
    the keys after it close it.
    """
    keys = list(values)
    out: dict[str, tuple[str, list[str]]] = {}
    for i, key in enumerate(keys):
        node = values[key]
        text = node.text or (node.value if isinstance(node.value, str) else "")
        depth = text.count("(") - text.count(")")
        if not node.is_scalar or depth <= 0:
            continue
        parts, frags = [text], []
        for later in keys[i + 1:]:
            tail = values[later]
            if not tail.is_scalar:
                break
            tail_text = tail.text or ("" if tail.value is None else str(tail.value))
            piece = f"{later}: {tail_text}" if tail_text else later
            parts.append(piece)
            frags.append(later)
            depth += piece.count("(") - piece.count(")")
            if depth <= 0:
                break
        if depth == 0 and frags:
            out[key] = (", ".join(parts), frags)
    return out


class _Invalid:
    def __repr__(self) -> str:
        return "<invalid>"


_INVALID = _Invalid()


def _describe(f: Field) -> str:
    spec = f.spec
    if isinstance(spec, Kind):
        return spec.expected
    if isinstance(spec, ListOf):
        return "a list"
    if isinstance(spec, MapOf):
        return f"a mapping from {spec.what} name to its settings"
    return f.doc.rstrip(".").lower()


def _ynode(value: Any, loc: Location) -> YNode:
    if isinstance(value, dict):
        return YNode({k: _ynode(v, loc) for k, v in value.items()}, loc, "",
                     {k: loc for k in value})
    if isinstance(value, list):
        return YNode([_ynode(v, loc) for v in value], loc)
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return YNode(value, loc, text)


def _substitute(text: str, i: int) -> str:
    def repl(m: re.Match) -> str:
        group = m.group(1)
        if group is None:
            return str(i)
        size = int(group)
        return str(math.ceil(i / size)) if size > 0 else m.group(0)

    return _TEMPLATE.sub(repl, text)


def _stamped(node: YNode, i: int) -> YNode:
    if node.is_map:
        return YNode({k: _stamped(v, i) for k, v in node.value.items()}, node.loc, "",
                     node.key_locs)
    if node.is_seq:
        return YNode([_stamped(v, i) for v in node.value], node.loc)
    if isinstance(node.value, str) and "{i" in node.value:
        return YNode(_substitute(node.value, i), node.loc, _substitute(node.text, i))
    return copy.copy(node)
