"""Kinds of scalar value a scenario field can hold: how to read one, and its JSON Schema.

Each kind converts a located YAML scalar to the model's internal unit or raises
``UnitError``. The same object gives the schema fragment, so the loader and the emitted
JSON Schema cannot disagree about what a field accepts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from whorunsit.model.calendar import HOURS_PER_WEEK
from whorunsit.scenario import units
from whorunsit.scenario.distributions import EXPECTED as DIST_EXPECTED
from whorunsit.scenario.distributions import FAMILIES, parse_distribution
from whorunsit.scenario.units import UnitError
from whorunsit.scenario.yamlnode import YNode

NAME_RE = re.compile(r"^[^\W][\w-]*$")
NAME_EXPECTED = "letters, digits, '-' and '_' only (metric names are dotted)"

_NUM = r"(\d+(\.\d+)?|\.\d+)"
DURATION_PATTERN = rf"^\s*({_NUM}\s*[A-Za-z]+\s*)+$"
SHARE_PATTERN = rf"^\s*{_NUM}\s*%\s*$"
RATE_PATTERN = r"^\s*[0-9.,]+\s*[kKM]?\s*/\s*\S+\s*$"
MONEY_PATTERN = r"^\s*[£$€]?\s*[0-9][0-9,._]*\s*(k|K|M|bn|B)?\s*([A-Za-z]{3})?\s*(/\s*\S+)?\s*$"
DIST_PATTERN = (rf"^\s*(({'|'.join(FAMILIES)})\s*\(.*\)|({_NUM}\s*[A-Za-z]+\s*)+)\s*$")
_DAY = "[A-Za-z]+"
_CLOCK = r"\d{1,2}:\d{2}"
TIME_OF_WEEK_PATTERN = rf"^\s*{_DAY}\s+{_CLOCK}\s*$"
WINDOW_PATTERN = rf"^\s*[A-Za-z,\s-]+\s+{_CLOCK}\s*-\s*({_DAY}\s+)?{_CLOCK}\s*$"
CLOCK_RANGE_PATTERN = rf"^\s*({_CLOCK}\s*-\s*{_CLOCK}|24x7)\s*$"


@dataclass
class Context:
    """What a kind needs besides the value: the scenario's currency."""

    currency: str = "GBP"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    name: str
    #: (node, context) -> internal value; raises UnitError
    read: Callable[[YNode, Context], Any]
    schema: dict
    expected: str


def _scalar_text(node: YNode, expected: str) -> str:
    if not node.is_scalar:
        raise UnitError(f"got {node.shape()}", expected)
    if node.value is None:
        raise UnitError("got an empty value", expected)
    if isinstance(node.value, bool):
        raise UnitError(f"got {node.shape()}", expected)
    return node.text.strip() if isinstance(node.value, str) else str(node.value)


def _unit_kind(name: str, parse: Callable[[str], Any], schema: dict, expected: str,
               check: Callable[[Any], None] | None = None) -> Kind:
    def read(node: YNode, ctx: Context) -> Any:
        value = parse(_scalar_text(node, expected))
        if check:
            check(value)
        return value

    return Kind(name, read, schema, expected)


# -- plain values -----------------------------------------------------------------------

def text() -> Kind:
    def read(node: YNode, ctx: Context) -> str:
        if not node.is_scalar or node.value is None:
            raise UnitError(f"got {node.shape()}", "text")
        return node.text if isinstance(node.value, str) else str(node.text)

    return Kind("text", read, {"type": "string"}, "text")


def name(what: str = "name") -> Kind:
    """A team, application, rota, path or policy name: no dots or spaces."""
    expected = f"a {what} of {NAME_EXPECTED}"

    def read(node: YNode, ctx: Context) -> str:
        s = _scalar_text(node, expected)
        check_name(s, what)
        return s

    return Kind("name", read, {"type": "string"}, expected)


def check_name(s: str, what: str) -> None:
    if "{i" in s:
        raise UnitError(f"'{s}' uses a {{i}} template outside an entry with count:",
                        "templates such as team-{i} only inside an entry that has count: N")
    if NAME_RE.match(s):
        return
    if not s:
        raise UnitError(f"the {what} is empty", NAME_EXPECTED)
    bad = next((c for c in s if not (c.isalnum() or c in "-_")), s[0])
    shown = "a space" if bad.isspace() else f"'{bad}'"
    raise UnitError(f"{what} '{s}' contains {shown}", NAME_EXPECTED)


def integer(minimum: int = 0, maximum: int | None = None, what: str = "a whole number") -> Kind:
    bounds = f" from {minimum}" + (f" to {maximum:,}" if maximum is not None else " up")
    expected = f"{what}{bounds}"

    def read(node: YNode, ctx: Context) -> int:
        v = node.value
        if isinstance(v, str) and node.is_scalar:
            try:   # 2,000,000 and 10k read as numbers
                v = units.parse_number(v)
            except UnitError:
                raise UnitError(f"got {node.shape()}", expected) from None
        if isinstance(v, float) and v.is_integer() and math.isfinite(v):
            v = int(v)
        if not isinstance(v, int) or isinstance(v, bool) or not node.is_scalar:
            raise UnitError(f"got {node.shape()}", expected)
        if v < minimum:
            raise UnitError(f"{v} is {'negative' if v < 0 else 'too small'}", expected)
        if maximum is not None and v > maximum:
            raise UnitError(f"{v:,} is too large", expected)
        return v

    schema: dict = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return Kind("integer", read, schema, expected)


def number(minimum: float | None = None, exclusive: bool = False, what: str = "a number") -> Kind:
    """A plain number; a percentage (3%) is read as a ratio (0.03)."""
    if minimum is None:
        expected = what
    else:
        expected = f"{what} {'more than' if exclusive else 'of at least'} {minimum:g}"

    def read(node: YNode, ctx: Context) -> float:
        v = node.value
        if isinstance(v, str) and v.strip().endswith("%") and node.is_scalar:
            try:
                v = units.parse_number(v.strip()[:-1].strip()) / 100
            except UnitError:
                raise UnitError(f"got {node.shape()}", expected) from None
        if isinstance(v, bool) or not isinstance(v, int | float) or not node.is_scalar:
            raise UnitError(f"got {node.shape()}", expected)
        v = float(v)
        if not math.isfinite(v):
            raise UnitError(f"{node.text} is not a finite number", expected)
        if minimum is not None and (v < minimum or (exclusive and v == minimum)):
            raise UnitError(f"{v:g} is too small", expected)
        return v

    schema: dict = {"type": "number"}
    if minimum is not None:
        schema["exclusiveMinimum" if exclusive else "minimum"] = minimum
    return Kind("number", read, {"anyOf": [schema, {"type": "string", "pattern": SHARE_PATTERN}]},
                expected)


def boolean() -> Kind:
    def read(node: YNode, ctx: Context) -> bool:
        if not isinstance(node.value, bool):
            raise UnitError(f"got {node.shape()}", "true or false")
        return node.value

    return Kind("boolean", read, {"type": "boolean"}, "true or false")


def choice(options: tuple[str, ...], what: str = "") -> Kind:
    expected = "one of " + ", ".join(options)

    def read(node: YNode, ctx: Context) -> str:
        s = _scalar_text(node, expected)
        if s in options:
            return s
        lowered = {o.lower(): o for o in options}
        if s.lower() in lowered:
            return lowered[s.lower()]
        from whorunsit.scenario.problems import did_you_mean

        hint = did_you_mean(s, options)
        raise UnitError(f"'{s}' is not {_article(what) if what else 'a valid value'}",
                        hint if hint.startswith("did") else expected)

    return Kind("choice", read, {"type": "string", "enum": list(options)}, expected)


def _article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


# -- quantities with units ---------------------------------------------------------------

def _positive(what: str, expected: str) -> Callable[[float], None]:
    def check(v: float) -> None:
        if v <= 0:
            raise UnitError(f"{what} must be more than zero", expected)

    return check


def duration(positive: bool = False, maximum: float | None = None, max_text: str = "") -> Kind:
    expected = ("a duration more than zero, such as 15m, 4h, 2d or 1w" if positive
                else units.DURATION_EXPECTED)

    def check(v: float) -> None:
        if positive and v <= 0:
            raise UnitError("the duration must be more than zero", expected)
        if maximum is not None and v > maximum:
            raise UnitError(f"the duration is over {max_text}", f"at most {max_text}")

    return _unit_kind("duration", units.parse_duration,
                      {"type": "string", "pattern": DURATION_PATTERN}, expected, check)


def rate() -> Kind:
    return _unit_kind("rate", units.parse_rate, {"type": "string", "pattern": RATE_PATTERN},
                      units.RATE_EXPECTED)


def share(positive: bool = False) -> Kind:
    expected = units.SHARE_EXPECTED

    def read(node: YNode, ctx: Context) -> float:
        if isinstance(node.value, int | float) and not isinstance(node.value, bool):
            v = units.parse_share(node.value)
        else:
            v = units.parse_share(_scalar_text(node, expected))
        if positive and v <= 0:
            raise UnitError("the share must be more than 0%", expected)
        return v

    schema = {"anyOf": [{"type": "string", "pattern": SHARE_PATTERN},
                        {"type": "number", "minimum": 0, "maximum": 1}]}
    return Kind("share", read, schema, expected)


_MONEY_SCHEMA = {"anyOf": [{"type": "string", "pattern": MONEY_PATTERN},
                           {"type": "number", "minimum": 0}]}


def _money(node: YNode, ctx: Context) -> tuple[float, float | None]:
    raw: Any = node.value if isinstance(node.value, int | float) and not isinstance(
        node.value, bool) else _scalar_text(node, units.MONEY_EXPECTED)
    return units.parse_money(raw, ctx.currency)


def money_amount() -> Kind:
    """A one-off amount (a callout fee)."""
    expected = "an amount such as 75 GBP"

    def read(node: YNode, ctx: Context) -> float:
        amount, per = _money(node, ctx)
        if per is not None:
            raise UnitError(f"'{node.text}' is a rate, not a one-off amount", expected)
        return amount

    return Kind("money", read, _MONEY_SCHEMA, expected)


def money_per_hour(any_period: bool) -> Kind:
    """Money per hour. A bare amount means per hour; ``any_period`` converts /day, /week
    (wall-clock costs such as downtime), otherwise only /h is accepted (a daily wage
    would be ambiguous about working hours)."""
    expected = "an amount per hour such as 45 GBP/h" + (" or 96k GBP/day" if any_period else "")

    def read(node: YNode, ctx: Context) -> float:
        amount, per = _money(node, ctx)
        if per is None:
            return amount
        if per != 1.0 and not any_period:
            raise UnitError(f"'{node.text}' is not per hour", expected)
        return amount / per

    return Kind("money_per_hour", read, _MONEY_SCHEMA, expected)


def money_per_week() -> Kind:
    """Money per week (standby): written per week or per day (x7), or any period."""
    expected = "an amount per week or per day such as 300 GBP/week or 40 GBP/day"

    def read(node: YNode, ctx: Context) -> float:
        amount, per = _money(node, ctx)
        if per is None:
            raise UnitError(f"'{node.text}' has no period", expected)
        return amount * HOURS_PER_WEEK / per

    return Kind("money_per_week", read, _MONEY_SCHEMA, expected)


def distribution() -> Kind:
    def read(node: YNode, ctx: Context) -> Any:
        if not node.is_scalar or node.value is None or isinstance(node.value, bool):
            raise UnitError(f"got {node.shape()}", DIST_EXPECTED)
        return parse_distribution(node.text if isinstance(node.value, str) else node.value)

    return Kind("distribution", read, {"type": "string", "pattern": DIST_PATTERN}, DIST_EXPECTED)


def time_of_week() -> Kind:
    return _unit_kind("time_of_week", units.parse_time_of_week,
                      {"type": "string", "pattern": TIME_OF_WEEK_PATTERN},
                      units.TIME_OF_WEEK_EXPECTED)


def window() -> Kind:
    """One weekly window text; may expand to several Windows (Mon-Fri 18:00-22:00)."""
    return _unit_kind("window", units.parse_window,
                      {"type": "string", "pattern": WINDOW_PATTERN}, units.WINDOW_EXPECTED)


def day() -> Kind:
    expected = "a day such as Mon"
    return _unit_kind("day", units.parse_day, {"type": "string", "pattern": r"^\s*[A-Za-z]+\s*$"}, expected)


def working_hours() -> Kind:
    """'09:00-17:00' -> (9.0, 17.0); '24x7' -> None (always working)."""
    expected = "working hours such as 09:00-17:00, or 24x7"

    def parse(s: str) -> tuple[float, float] | None:
        if s.lower() in ("24x7", "24/7", "always"):
            return None
        return units.parse_clock_range(s)

    return _unit_kind("working_hours", parse, {"type": "string", "pattern": CLOCK_RANGE_PATTERN},
                      expected)


def priority() -> Kind:
    return choice(("P1", "P2", "P3", "P4"), "priority")
