"""``extends: base.yaml``: a scenario as a small diff of another.

The base is read first (recursively), then the extending file is merged over it:
mappings merge key by key (the extending file wins), lists and scalars are replaced
wholesale, and a key set to null is removed. Every node keeps the file it came from, so
problems point into the file where the offending value was written.
"""

from __future__ import annotations

import os

from whorunsit.errors import Location
from whorunsit.scenario.problems import Problems
from whorunsit.scenario.yamlnode import YNode, read_file

MAX_EXTENDS_DEPTH = 16


def load_tree(path: str, problems: Problems) -> YNode | None:
    """The scenario at ``path`` with its ``extends`` chain merged in; None on problems
    that leave nothing to read (missing file, YAML syntax error, cycle)."""
    return _load(path, problems, [], None)


def _load(path: str, problems: Problems, chain: list[tuple[str, str]],
          where: Location | None) -> YNode | None:
    real = os.path.realpath(path)
    if any(real == r for _, r in chain):
        names = " -> ".join([p for p, _ in chain] + [path])
        problems.add(where or Location(path), f"extends: cycle {names}",
                     "a chain of extends that ends in a file without extends")
        return None
    if len(chain) >= MAX_EXTENDS_DEPTH:
        problems.add(where or Location(path), f"extends: more than {MAX_EXTENDS_DEPTH} files deep",
                     "a shorter chain of extends")
        return None
    if where is not None and not os.path.exists(path):
        problems.add(where, f"extends: file '{path}' does not exist",
                     "a path relative to the extending file")
        return None
    node = read_file(path, problems, where)
    if node is None:
        return None
    if not node.is_map:
        problems.add(node.loc, f"the top level is {node.shape()}",
                     "a mapping of scenario settings (name, teams, applications, ...)")
        return None
    ext = node.value.get("extends")
    if ext is None or ext.value is None:
        return _without(node, "extends")
    if not isinstance(ext.value, str) or not ext.value.strip():
        problems.add(ext.loc, f"extends: got {ext.shape()}", "the path of a scenario file")
        return None
    base_path = os.path.normpath(os.path.join(os.path.dirname(path), ext.value.strip()))
    base = _load(base_path, problems, [*chain, (path, real)], ext.loc)
    if base is None:
        return None
    return merge(base, _without(node, "extends"))


def _without(node: YNode, key: str) -> YNode:
    if key not in node.value:
        return node
    return YNode({k: v for k, v in node.value.items() if k != key}, node.loc, node.text,
                 {k: v for k, v in node.key_locs.items() if k != key})


def merge(base: YNode, child: YNode) -> YNode:
    """Deep-merge ``child`` over ``base`` (see the module docstring)."""
    if not (base.is_map and child.is_map):
        return child
    values = dict(base.value)
    key_locs = dict(base.key_locs)
    for key, value in child.value.items():
        if value.value is None:
            values.pop(key, None)
            key_locs.pop(key, None)
            continue
        values[key] = merge(values[key], value) if key in values else value
        key_locs[key] = child.key_locs[key]
    return YNode(values, child.loc, child.text, key_locs)
