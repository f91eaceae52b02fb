"""The JSON Schema of the scenario format, emitted from the same spec the loader walks.

Editors with yaml-language-server use it to complete keys and flag mistakes. A file
with ``extends:`` is an overlay: its keys may be partial (required keys come from the
base) and any key may be null (which removes it), so such files are checked against a
lenient variant without ``required``.
"""

from __future__ import annotations

import json
from typing import Any

from whorunsit import __version__
from whorunsit.scenario.fields import Either, Field, ListOf, MapOf, Section, Spec
from whorunsit.scenario.kinds import Kind
from whorunsit.scenario.spec import POLICY_FILE, SCENARIO

SCHEMA_ID = "https://whorunsit.dev/schema/scenario.json"
_NULL = {"type": "null"}
#: names as the loader accepts them, plus {i} templates in stamped entries
_NAME_PATTERN = r"^[^\s.]+$"


def scenario_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "whorunsit scenario",
        "description": f"{SCENARIO.doc} (whorunsit {__version__}; see docs/scenario-reference.md)",
        "type": "object",
        "if": {"required": ["extends"]},
        "then": {"$ref": "#/definitions/overlay"},
        "else": {"$ref": "#/definitions/scenario"},
        "definitions": {
            "scenario": _spec(SCENARIO, strict=True),
            "overlay": _spec(SCENARIO, strict=False),
        },
    }


def policy_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "whorunsit gate policy",
        **_spec(POLICY_FILE, strict=True),
    }


def schema_text() -> str:
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"


def _spec(spec: Spec, strict: bool) -> dict[str, Any]:
    if isinstance(spec, Kind):
        return dict(spec.schema)
    if isinstance(spec, Section):
        out: dict[str, Any] = {
            "type": "object",
            "description": spec.doc,
            "properties": {f.key: _field(f, strict) for f in spec.fields},
            "additionalProperties": False,
        }
        required = [f.key for f in spec.fields if f.required]
        if strict and required:
            out["required"] = required
        return out
    if isinstance(spec, MapOf):
        item = _spec(spec.item, strict)
        return {
            "type": "object",
            "description": spec.doc or f"{spec.what} name -> {spec.what}",
            "propertyNames": {"pattern": _NAME_PATTERN},
            "additionalProperties": item if strict else {"anyOf": [item, _NULL]},
            **({"minProperties": spec.min_entries} if strict and spec.min_entries else {}),
        }
    if isinstance(spec, ListOf):
        array: dict[str, Any] = {"type": "array", "items": _spec(spec.item, strict)}
        if spec.min_items:
            array["minItems"] = spec.min_items
        array["maxItems"] = spec.max_items
        if isinstance(spec.item, Kind):
            # the loader also takes a single value where a list is expected
            return {"anyOf": [array, _spec(spec.item, strict)]}
        return array
    assert isinstance(spec, Either)
    return {"anyOf": [_spec(spec.scalar, strict), _spec(spec.mapping, strict)]}


def _field(f: Field, strict: bool) -> dict[str, Any]:
    inner = _spec(f.spec, strict)
    description = f.doc
    if f.default_doc:
        description += f" Default: {f.default_doc}."
    elif f.default not in (None, [], {}):
        description += f" Default: {_show(f.default)}."
    out: dict[str, Any] = {"description": description}
    if f.default is not None and f.default not in ([], {}):
        out["default"] = f.default
    if strict:
        out.update(inner)
    else:
        out["anyOf"] = [inner, _NULL]
    return out


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)
