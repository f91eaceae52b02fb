"""extends: deep merge, null deletes, lists replaced, cycles, missing files, positions."""

import textwrap
from pathlib import Path

import pytest

from whorunsit.errors import InputError
from whorunsit.scenario import load_scenario
from whorunsit.scenario.extends import merge
from whorunsit.scenario.problems import Problems
from whorunsit.scenario.yamlnode import parse_text

BASE = """\
name: Base
horizon: 4w
teams:
  dev: {headcount: 4, hourly_cost: 50 GBP}
  ops: {headcount: 3, kind: app-ops}
applications:
  shop: {owner: dev, incidents: 2/week}
support_paths:
  two:
    tiers:
      - {team: ops, resolve: 50%}
      - {team: owner}
gates:
  - incidents.time_to_restore.p95 <= 4h
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def tree(text: str):
    return parse_text(textwrap.dedent(text), "t.yaml", Problems())


def plain(node):
    if node.is_map:
        return {k: plain(v) for k, v in node.value.items()}
    if node.is_seq:
        return [plain(v) for v in node.value]
    return node.value


def test_merge_rules():
    base = tree("a: {x: 1, y: 2}\nl: [1, 2, 3]\ns: keep\ngone: 1\n")
    child = tree("a: {y: 20, z: 30}\nl: [9]\ngone: null\nnew: {deep: {er: 1}}\n")
    assert plain(merge(base, child)) == {
        "a": {"x": 1, "y": 20, "z": 30}, "l": [9], "s": "keep", "new": {"deep": {"er": 1}}}


def test_proposal_overrides_single_values(tmp_path):
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml", """\
        extends: base.yaml
        name: Child
        teams:
          dev: {headcount: 6}
          ops: null
        support_paths:
          two: null
          one: {tiers: [{team: owner}]}
        """)
    s = load_scenario(child)
    assert s.name == "Child" and s.horizon == 4 * 168
    assert [t.name for t in s.teams] == ["dev"]
    assert (s.team("dev").headcount, s.team("dev").hourly_cost) == (6, 50)
    assert s.application("shop").support_path == "one"
    assert s.gates[0].location.file == str(tmp_path / "base.yaml")
    assert s.source == str(child)


def test_chains_and_relative_paths(tmp_path):
    write(tmp_path, "org/base.yaml", BASE)
    write(tmp_path, "org/mid.yaml", "extends: base.yaml\nhorizon: 8w\n")
    leaf = write(tmp_path, "proposals/leaf.yaml", "extends: ../org/mid.yaml\nseed: 7\n")
    s = load_scenario(leaf)
    assert (s.horizon, s.seed, s.name) == (8 * 168, 7, "Base")


def test_count_can_be_overridden(tmp_path):
    write(tmp_path, "base.yaml", BASE.replace("dev: {headcount: 4, hourly_cost: 50 GBP}",
                                              "dev: {headcount: 4, count: 2}").replace(
        "owner: dev,", "owner: 'dev-{i}', count: 2,"))
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nteams: {dev: {count: 5}}\n"
                                          "applications: {shop: {count: 5}}\n")
    s = load_scenario(child)
    assert len([t for t in s.teams if t.name.startswith("dev-")]) == 5
    assert [a.owner for a in s.applications] == [f"dev-{i}" for i in range(1, 6)]


def test_problems_point_into_the_file_that_wrote_them(tmp_path):
    write(tmp_path, "base.yaml", BASE.replace("incidents: 2/week", "incidents: 2"))
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nteams:\n  dev: {headcont: 5}\n")
    with pytest.raises(InputError) as info:
        load_scenario(child)
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path}/base.yaml:7:33: applications.shop.incidents: '2' has no period; "
        "a rate such as 3/week, 0.5/day or 2/h",
        f"{tmp_path}/child.yaml:3:9: teams.dev: unknown key 'headcont' in team; "
        "did you mean 'headcount'?",
    ]


def test_cycle_is_a_located_error(tmp_path):
    write(tmp_path, "a.yaml", "extends: b.yaml\nname: A\n")
    write(tmp_path, "b.yaml", "name: B\nextends: a.yaml\n")
    with pytest.raises(InputError) as info:
        load_scenario(tmp_path / "a.yaml")
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path}/b.yaml:2:10: extends: cycle {tmp_path}/a.yaml -> {tmp_path}/b.yaml -> "
        f"{tmp_path}/a.yaml; a chain of extends that ends in a file without extends"]


def test_self_extension_is_a_cycle(tmp_path):
    write(tmp_path, "me.yaml", "extends: ./me.yaml\n")
    with pytest.raises(InputError, match="extends: cycle"):
        load_scenario(tmp_path / "me.yaml")


def test_missing_base(tmp_path):
    child = write(tmp_path, "child.yaml", "name: x\nextends: nowhere.yaml\n")
    with pytest.raises(InputError) as info:
        load_scenario(child)
    assert [str(p) for p in info.value.problems] == [
        f"{child}:2:10: extends: file '{tmp_path}/nowhere.yaml' does not exist; "
        "a path relative to the extending file"]


def test_broken_base_yaml(tmp_path):
    write(tmp_path, "base.yaml", "teams: [\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\n")
    with pytest.raises(InputError) as info:
        load_scenario(child)
    assert str(info.value).startswith(f"{tmp_path}/base.yaml:2:1: YAML syntax error")


@pytest.mark.parametrize("value, message", [
    ("[a.yaml]", "extends: got a list; the path of a scenario file"),
    ("''", "extends: got ''; the path of a scenario file"),
])
def test_extends_must_be_a_path(tmp_path, value, message):
    child = write(tmp_path, "child.yaml", f"extends: {value}\n")
    with pytest.raises(InputError) as info:
        load_scenario(child)
    assert str(info.value) == f"{child}:1:10: {message}"


def test_too_deep_chain(tmp_path):
    write(tmp_path, "f0.yaml", BASE)
    for i in range(1, 20):
        write(tmp_path, f"f{i}.yaml", f"extends: f{i - 1}.yaml\n")
    with pytest.raises(InputError, match="more than 16 files deep"):
        load_scenario(tmp_path / "f19.yaml")
    load_scenario(tmp_path / "f15.yaml")
