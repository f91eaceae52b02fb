"""The scenario as the engine sees it: ``extends`` applied, ``count:`` stamped out, and
every value the file leaves out filled in and marked as a default.

``resolve(path)`` returns a tree of ``Shown`` values that ``to_yaml`` writes as a
scenario file (it loads to the same model), with ``# default`` after each value the
file did not write. Values are shown as written (``lognormal(median=1h, p95=4h)``,
``250 GBP/week``), never in internal units. Fixed defaults come from the spec, the
ones that depend on other values (responders = headcount, the only support path) from
the built model, so the view cannot disagree with what is simulated.

``timing_defaults(shown)`` lists the timings (pickup, work, handoff...) that take their
default where they matter, for the one-line note of ``whorunsit validate``: a tier
without ``work`` restores every incident in exactly 1h, and nothing else would say so.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from whorunsit.errors import Location
from whorunsit.model import Scenario
from whorunsit.scenario import spec as S
from whorunsit.scenario.extends import load_tree
from whorunsit.scenario.fields import Either, Field, ListOf, MapOf, Section
from whorunsit.scenario.kinds import Kind
from whorunsit.scenario.problems import Problems
from whorunsit.scenario.walk import Walker, _ynode
from whorunsit.scenario.yamlnode import YNode

DEFAULT = "default"


@dataclass
class Shown:
    """A value as shown: a rendered scalar, a dict or a list of ``Shown``."""

    value: Any
    #: None when the file wrote it; else "default" or "default: <how it was worked out>"
    note: str | None = None
    #: a duration/distribution left to its default where it changes the simulation
    timing: bool = False
    #: trailing remark on a written value (the teams a domain rota takes)
    remark: str = ""


@dataclass
class Resolved:
    root: dict[str, Shown]
    scenario: Scenario
    #: the files merged by extends, the scenario's own first
    files: list[str] = field(default_factory=list)


def resolve(path: str | os.PathLike[str]) -> Resolved:
    """Load (and validate) the scenario at ``path`` and build its resolved view.

    Raises ``InputError`` exactly as ``load_scenario`` does for an invalid file.
    """
    from whorunsit.scenario import load_scenario

    path = os.fspath(path)
    scenario = load_scenario(path)
    tree = load_tree(path, Problems())
    return Resolved(_Resolver(scenario).scenario_root(tree), scenario, _chain(path))


def _chain(path: str) -> list[str]:
    files = [path]
    while len(files) <= 16:
        try:
            with open(files[-1], encoding="utf-8-sig") as fh:
                data = yaml.safe_load(fh)
        except (OSError, yaml.YAMLError):
            break
        base = data.get("extends") if isinstance(data, dict) else None
        if not isinstance(base, str) or not base.strip():
            break
        files.append(os.path.normpath(os.path.join(os.path.dirname(files[-1]), base.strip())))
    return files


# -- building the view --------------------------------------------------------------------

Derive = Callable[[dict[str, Shown]], dict[str, Shown]]


class _Resolver:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.walker = Walker(Problems())   # for count: stamping, the loader's own code
        self.arrivals: Shown | None = None

    def scenario_root(self, tree: YNode | None) -> dict[str, Shown]:
        sc = self.scenario
        node = tree if tree is not None and tree.is_map else YNode({}, Location(sc.source))
        arrivals = node.value.get("arrivals")
        self.arrivals = (Shown(self.value(S.ARRIVALS, arrivals)) if arrivals is not None and arrivals.value
                         is not None else self.default(S.SCENARIO.field("arrivals")))
        out = self.section(S.SCENARIO, node, lambda got: {
            "name": Shown(_scalar(sc.name), "default: the file name"),
        }, skip=("extends",))
        if "deployments" not in _written(node):
            out["deployments"] = Shown({"default": Shown(self.section(S.DEPLOYMENT, None),
                                                         DEFAULT)},
                                       "default: one self-service policy")
            self._timings(out["deployments"].value["default"].value,
                          self.scenario.deployment_policy("default"))
        return out

    # -- generic walk by the spec -------------------------------------------------------
    def section(self, spec: Section, node: YNode | None, derive: Derive | None = None,
                skip: tuple[str, ...] = ()) -> dict[str, Shown]:
        values = node.value if node is not None and node.is_map else {}
        out: dict[str, Shown] = {}
        derived: dict[str, Shown] | None = None
        for f in spec.fields:
            if f.key in skip or f.key == "count":
                continue
            child = values.get(f.key)
            if child is not None and child.value is not None:
                out[f.key] = Shown(self.value(f.spec, child, f.key))
                continue
            if derived is None:
                derived = derive(out) if derive else {}
            if f.key in derived:
                out[f.key] = derived[f.key]
            elif f.default is not None:
                out[f.key] = self.default(f)
        return out

    def default(self, f: Field) -> Shown:
        return _mark(Shown(self.value(f.spec, _ynode(f.default, Location("<default>")), f.key)),
                     DEFAULT)

    def value(self, spec: Any, node: YNode, key: str = "") -> Any:
        if isinstance(spec, Kind):
            return _node_scalar(node)
        if isinstance(spec, Either):
            if node.is_map:
                return self.section(spec.mapping, node)
            return _node_scalar(node)
        if isinstance(spec, Section):
            return self.section(spec, node)
        if isinstance(spec, ListOf):
            items = node.value if node.is_seq else [node]
            if spec.item is S.TIER:
                return [Shown(self.tier(item, i, len(items))) for i, item in enumerate(items)]
            return [Shown(self.value(spec.item, item)) for item in items]
        if isinstance(spec, MapOf):
            return self.map(spec, node)
        raise TypeError(spec)

    def map(self, spec: MapOf, node: YNode) -> dict[str, Shown]:
        out: dict[str, Shown] = {}
        for name, child in node.value.items():
            if child.value is None and not isinstance(spec.item, Section):
                continue
            for copy_name, copy_node in self.walker._stamp(spec.item, name, child, "",
                                                           node.key_locs[name]):
                body = copy_node if copy_node.value is not None else None
                out[copy_name] = Shown(self.entry(spec.item, copy_name, body))
        return out

    # -- the entries whose defaults depend on other values ------------------------------
    def entry(self, item: Any, name: str, node: YNode | None) -> Any:
        sc = self.scenario
        if item is S.TEAM:
            team = sc.team(name)
            out = self.section(S.TEAM, node, lambda got: {
                "responders": Shown(_scalar(team.responders), "default: the headcount"),
                "funding": Shown(_scalar(team.funding.value),
                                 "default: capex for delivery and sre teams, opex otherwise"),
            })
            if "rota" in out:
                rota = next(r for r in sc.rotas if r.name == name)
                out["rota"] = Shown(self.section(S.INLINE_ROTA, node.value["rota"], lambda got: {
                    "members": Shown(_scalar(rota.members), "default: the team's headcount"),
                }))
            best = out.get("out_of_hours")
            if best is not None and isinstance(best.value, dict):
                be = best.value["best_endeavours"].value
                _flag(be, "delay", True)
            return out
        if item is S.ROTA:
            rota = next(r for r in sc.rotas if r.name == name)
            out = self.section(S.ROTA, node, lambda got: {
                "members": Shown(_scalar(rota.members), "default: the headcount of its teams"),
                "funding": Shown(_scalar(rota.funding.value),
                                 "default: the first member team's funding"),
            })
            if "domain" in out and "teams" not in out:
                out["domain"].remark = "teams: " + ", ".join(rota.teams)
            return out
        if item is S.APPLICATION:
            app = sc.application(name)
            return self.section(S.APPLICATION, node, lambda got: {
                "arrivals": _mark(_copy(self.arrivals), "default: the scenario's arrivals"),
                "support_path": Shown(_scalar(app.support_path),
                                      "default: the only support path, else 'default'"),
                "deployment": Shown(_scalar(app.deployment_policy),
                                    "default: the only deployment policy, else 'default'"),
            })
        if item is S.SUPPORT_PATH:
            self._path = sc.support_path(name)
            out = self.section(S.SUPPORT_PATH, node)
            det = self._path.detection
            tiers = self._path.tiers
            detection = self.section(S.DETECTION, node.value.get("detection"), lambda got: {
                "alerts_enter_at": Shown(_scalar(tiers[det.alert_entry_tier].name),
                                         "default: the first tier"),
            })
            _flag(detection, "alert_delay", det.alert_share > 0)
            _flag(detection, "customer_delay", det.alert_share < 1)
            note = out["detection"].note
            out["detection"] = _mark(Shown(detection), note) if note else Shown(detection)
            return out
        if item is S.DEPLOYMENT:
            out = self.section(S.DEPLOYMENT, node)
            self._timings(out, sc.deployment_policy(name))
            return out
        return self.value(item, node) if node is not None else self.section(item, None)

    def tier(self, node: YNode, i: int, n: int) -> dict[str, Shown]:
        tier = self._path.tiers[i]
        derived = {"name": Shown(_scalar(tier.name), "default: L1, L2, ... by position")}
        if i == n - 1:
            derived["resolve"] = Shown(_scalar("100%"), "default: the last tier resolves")
        out = self.section(S.TIER, node, lambda got: derived)
        for key in ("pickup", "work"):
            _flag(out, key, True)
        _flag(out, "handoff", i < n - 1)
        _flag(out, "misroute_triage", tier.misroute > 0)
        return out

    def _timings(self, out: dict[str, Shown], policy: Any) -> None:
        from whorunsit.model.scenario import OWNER

        _flag(out, "effort", policy.performer != OWNER)
        _flag(out, "pipeline", policy.performer == OWNER)


def _flag(out: dict[str, Shown], key: str, matters: bool) -> None:
    shown = out.get(key)
    if shown is not None and shown.note is not None and matters:
        shown.timing = True


def _written(node: YNode) -> set[str]:
    return {k for k, v in node.value.items() if v.value is not None}


def _mark(shown: Shown, note: str) -> Shown:
    shown.note = note
    for child in _children(shown):
        if child.note is None:
            _mark(child, DEFAULT)
    return shown


def _copy(shown: Shown) -> Shown:
    if isinstance(shown.value, dict):
        return Shown({k: _copy(v) for k, v in shown.value.items()}, shown.note)
    if isinstance(shown.value, list):
        return Shown([_copy(v) for v in shown.value], shown.note)
    return Shown(shown.value, shown.note)


def _children(shown: Shown) -> list[Shown]:
    if isinstance(shown.value, dict):
        return list(shown.value.values())
    if isinstance(shown.value, list):
        return list(shown.value)
    return []


# -- scalars ------------------------------------------------------------------------------

class _Scalar(str):
    """A scalar already rendered as YAML text."""


def _node_scalar(node: YNode) -> Any:
    if node.is_map:   # a mapping where a scalar kind was read: never valid, kept as is
        return {k: Shown(_node_scalar(v)) for k, v in node.value.items()}
    if node.is_seq:
        return [Shown(_node_scalar(v)) for v in node.value]
    if isinstance(node.value, bool):
        return _Scalar("true" if node.value else "false")
    if isinstance(node.value, str):
        return _scalar(node.text if node.text else node.value)
    return _Scalar(node.text or str(node.value))


def _scalar(value: Any) -> _Scalar:
    if isinstance(value, bool):
        return _Scalar("true" if value else "false")
    if not isinstance(value, str):
        return _Scalar(str(value))
    return _Scalar(value if _plain_ok(value) else json.dumps(value, ensure_ascii=False))


@functools.lru_cache(maxsize=4096)
def _plain_ok(text: str) -> bool:
    """Whether ``text`` reads back as the same string when written unquoted."""
    if not text or text != text.strip() or "#" in text or ": " in text or "\n" in text:
        return False
    if text[0] in "[]{},&*!|>'\"%@`-?:":
        return text[0] == "-" and len(text) > 1 and text[1] != " " and _reads_back(text)
    return _reads_back(text)


def _reads_back(text: str) -> bool:
    try:
        return yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        return False


# -- writing it out -----------------------------------------------------------------------

def to_yaml(resolved: Resolved) -> str:
    files = resolved.files
    head = [f"# {files[0]} as whorunsit simulates it (whorunsit show)."]
    if len(files) > 1:
        head.append("# extends applied: " + ", then ".join(files[::-1]) + ", each merged over "
                    "the one before.")
    head += ["# count: entries are stamped out; every value the file leaves out is filled in",
             "# and marked '# default'. This file loads to the same scenario."]
    lines: list[str] = []
    _emit_map(resolved.root, 0, lines)
    return "\n".join(head + lines) + "\n"


def _comment(shown: Shown) -> str:
    if shown.note:
        return f"  # {shown.note}"
    return f"  # {shown.remark}" if shown.remark else ""


def _flow(shown: Shown) -> str | None:
    """A list of scalars on one line (working_days, targets, change_windows)."""
    value = shown.value
    if isinstance(value, list) and all(isinstance(v.value, str) for v in value):
        return "[" + ", ".join(_in_flow(v.value) for v in value) + "]"
    if isinstance(value, dict) and not value:
        return "{}"
    return None


def _in_flow(text: str) -> str:
    if text.startswith('"') or not any(c in text for c in ",[]{}"):
        return text
    return json.dumps(text, ensure_ascii=False)


def _emit_map(values: dict[str, Shown], indent: int, lines: list[str], first: str = "") -> None:
    pad = " " * indent
    for i, (key, shown) in enumerate(values.items()):
        lead = first if i == 0 and first else pad
        k = _scalar(key)
        flow = shown.value if isinstance(shown.value, str) else _flow(shown)
        if flow is not None:
            lines.append(f"{lead}{k}: {flow}{_comment(shown)}")
        elif isinstance(shown.value, dict):
            lines.append(f"{lead}{k}:{_comment(shown)}")
            _emit_map(shown.value, indent + 2, lines)
        else:
            lines.append(f"{lead}{k}:{_comment(shown)}")
            _emit_list(shown.value, indent + 2, lines)


def _emit_list(items: list[Shown], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item.value, str):
            lines.append(f"{pad}- {item.value}{_comment(item)}")
        elif isinstance(item.value, dict) and item.value:
            _emit_map(item.value, indent + 2, lines, first=f"{pad}- ")
        else:
            lines.append(f"{pad}- {_flow(item) or '[]'}{_comment(item)}")


# -- the note of `whorunsit validate` ----------------------------------------------------

@dataclass(frozen=True)
class TimingDefault:
    #: dotted place, e.g. support_paths.ops-run.tiers.L2
    where: str
    key: str
    value: str


def timing_defaults(resolved: Resolved) -> list[TimingDefault]:
    out: list[TimingDefault] = []

    def walk(values: dict[str, Shown], where: str) -> None:
        for key, shown in values.items():
            here = f"{where}.{key}" if where else key
            if shown.timing:
                out.append(TimingDefault(where, key, str(shown.value)))
            elif isinstance(shown.value, dict):
                walk(shown.value, here)
            elif isinstance(shown.value, list):
                for item in shown.value:
                    if isinstance(item.value, dict):
                        name = item.value.get("name")
                        walk(item.value, f"{here}.{name.value if name else '?'}")

    walk(resolved.root, "")
    return out


def timing_note(found: list[TimingDefault], file: str, most: int = 3) -> str:
    """One line: how many timings take their default, which, and where."""
    groups: dict[tuple[str, str], list[str]] = {}
    for d in found:
        # support_paths.ops-run.tiers.L2 -> ops-run.L2: short, and still unambiguous
        place = d.where.removeprefix("support_paths.").replace(".tiers.", ".")
        groups.setdefault((d.key, d.value), []).append(place)
    parts = []
    for (key, value), places in groups.items():
        shown = ", ".join(places[:most]) + (f" +{len(places) - most} more" if len(places) > most
                                            else "")
        parts.append(f"{key} {value} ({shown})")
    n = len(found)
    return (f"{n} timing{'s' if n != 1 else ''} not written, so default: " + "; ".join(parts)
            + f"; 'whorunsit show {file}' marks every default")
