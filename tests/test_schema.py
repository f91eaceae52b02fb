"""The JSON Schema: emitted from the loader's spec, shipped in sync, and accepting every
shipped scenario (checked with a small draft-07 validator, to avoid a dependency)."""

import glob
import json
import re
from pathlib import Path

import pytest
import yaml

from whorunsit.scenario.fields import Either, ListOf, MapOf, Section
from whorunsit.scenario.jsonschema import policy_schema, scenario_schema, schema_text
from whorunsit.scenario.spec import SCENARIO

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(glob.glob(str(ROOT / "scenarios" / "*.yaml")) + glob.glob(str(ROOT / "benchmarks" / "*.yaml")))
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def errors(schema: dict, value, root: dict, where: str = "$") -> list[str]:
    """The subset of draft-07 the emitted schema uses."""
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return errors(target, value, root, where)
    out: list[str] = []
    kind = schema.get("type")
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind:
        ok = isinstance(value, _TYPES[kind]) and not (kind != "boolean" and isinstance(value, bool))
    else:
        ok = True
    if not ok:
        return [f"{where}: {value!r} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} not in {schema['enum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        out.append(f"{where}: {value!r} does not match {schema['pattern']}")
    for key, test in (("minimum", lambda v, m: v >= m), ("maximum", lambda v, m: v <= m),
                      ("exclusiveMinimum", lambda v, m: v > m)):
        if key in schema and isinstance(value, int | float) and not test(value, schema[key]):
            out.append(f"{where}: {value!r} fails {key} {schema[key]}")
    if "anyOf" in schema and all(errors(s, value, root, where) for s in schema["anyOf"]):
        out.append(f"{where}: {value!r} matches none of anyOf")
    if "if" in schema:
        branch = "then" if not errors(schema["if"], value, root, where) else "else"
        if branch in schema:
            out += errors(schema[branch], value, root, where)
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                out.append(f"{where}: missing {key}")
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            out.append(f"{where}: fewer than {schema['minProperties']} properties")
        props = schema.get("properties", {})
        for key, item in value.items():
            if "propertyNames" in schema:
                out += errors(schema["propertyNames"], key, root, f"{where}.{key}(name)")
            if key in props:
                out += errors(props[key], item, root, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                out.append(f"{where}: unexpected key {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                out += errors(schema["additionalProperties"], item, root, f"{where}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 1 << 60):
            out.append(f"{where}: {len(value)} items out of bounds")
        if "items" in schema:
            for i, item in enumerate(value):
                out += errors(schema["items"], item, root, f"{where}[{i}]")
    return out


def load_yaml(path: str):
    # like yaml-language-server (YAML 1.2), clock times stay strings
    text = re.sub(r"\{(i(?:/\d+)?)\}", "\u27e8\\1\u27e9", Path(path).read_text())
    data = yaml.load(text, Loader=_Yaml12ish)
    return _restore(data)


class _Yaml12ish(yaml.SafeLoader):
    pass


_INT12 = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$|^0x[0-9a-fA-F]+$|^0o[0-7]+$")
# YAML 1.1 reads 10:00 as the sexagesimal number 600; YAML 1.2 (editors) reads a string
_Yaml12ish.yaml_implicit_resolvers = {
    k: [(tag, _INT12 if tag == "tag:yaml.org,2002:int" else rx) for tag, rx in v]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _restore(node):
    if isinstance(node, dict):
        return {_restore(k): _restore(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_restore(v) for v in node]
    if isinstance(node, str):
        return node.replace("\u27e8", "{").replace("\u27e9", "}")
    return node


def test_shipped_schema_is_the_generated_one():
    shipped = (ROOT / "scenarios" / "whorunsit.schema.json").read_text()
    assert shipped == schema_text(), "run: whorunsit schema --output scenarios/whorunsit.schema.json"


@pytest.mark.parametrize("path", SHIPPED)
def test_schema_accepts_every_shipped_scenario(path):
    schema = scenario_schema()
    assert errors(schema, load_yaml(path), schema) == []


@pytest.mark.parametrize("text, complaint", [
    ("teams: {dev: {headcont: 4}}\napplications: {}\nsupport_paths: {}\n", "unexpected key headcont"),
    ("name: x\n", "missing teams"),
    ("horizon: [1]\nteams: {}\n", "is not string"),
    ("extends: base.yaml\nteams: {dev: {kind: wizard}}\n", "matches none"),
    ("teams: {a.b: {headcount: 1}}\napplications: {x: {owner: a, incidents: 1/week}}\n"
     "support_paths: {p: {tiers: [{team: owner}]}}\n", "does not match"),
])
def test_schema_rejects_what_the_loader_rejects(tmp_path, text, complaint):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    schema = scenario_schema()
    found = errors(schema, load_yaml(str(path)), schema)
    assert any(complaint in e for e in found), found


def test_overlays_may_be_partial_and_delete_keys(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("extends: base.yaml\nteams: {dev: {count: 3}, ops: null}\n")
    schema = scenario_schema()
    assert errors(schema, load_yaml(str(path)), schema) == []


def _keys(spec, out):
    if isinstance(spec, Section):
        for f in spec.fields:
            out.add(f.key)
            _keys(f.spec, out)
    elif isinstance(spec, MapOf | ListOf):
        _keys(spec.item, out)
    elif isinstance(spec, Either):
        _keys(spec.mapping, out)
    return out


def test_every_spec_key_is_in_the_schema_and_the_reference():
    text = json.dumps(scenario_schema())
    reference = (ROOT / "docs" / "scenario-reference.md").read_text()
    for key in sorted(_keys(SCENARIO, set())):
        assert f'"{key}"' in text, key
        assert f"`{key}`" in reference, key


def test_defaults_in_the_schema_are_shown_in_descriptions():
    team = scenario_schema()["definitions"]["scenario"]["properties"]["horizon"]
    assert team["default"] == "13w" and "Default: 13w." in team["description"]


def test_policy_schema():
    schema = policy_schema()
    assert errors(schema, {"gates": ["a < 1", {"assert": "b > 2", "level": "warn"}]}, schema) == []
    assert errors(schema, {"gate": []}, schema)
