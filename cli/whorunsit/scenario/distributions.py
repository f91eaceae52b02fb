"""Random durations as people write them: ``lognormal(median=1h, p95=6h)`` and friends.

Every argument is a duration with a unit; the result is a ``model.Distribution`` in
hours, built with its own constructors (which do the exact lognormal conversion). A
plain duration such as ``5m`` is shorthand for ``fixed(5m)``.
"""

from __future__ import annotations

import dataclasses
import re

from whorunsit.model.distributions import Distribution
from whorunsit.scenario.units import UnitError, parse_duration

FAMILIES = ("fixed", "exponential", "lognormal", "triangular", "uniform", "empirical")
EXPECTED = (
    "a distribution such as fixed(5m), exponential(mean=20m), lognormal(median=1h, p95=6h), "
    "triangular(10m, 30m, 2h), uniform(10m, 1h) or empirical([5m, 10m, 1h])"
)
#: parameter names of each family, in positional order
PARAMS = {
    "fixed": ("value",),
    "exponential": ("mean",),
    "lognormal": ("median", "p95"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
}
MAX_EMPIRICAL = 10_000

_CALL = re.compile(r"^\s*([A-Za-z_]+)\s*\((.*)\)\s*$", re.DOTALL)


def parse_distribution(text: object) -> Distribution:
    if text is None:
        raise UnitError("an empty value is not a distribution", EXPECTED)
    if isinstance(text, int | float):  # bool is an int too
        raise UnitError(f"'{_show(text)}' is not a distribution (durations need a unit)", EXPECTED)
    s = str(text).strip()
    m = _CALL.match(s)
    if not m:
        try:
            hours = parse_duration(s)
        except UnitError:
            raise UnitError(f"'{s}' is not a distribution", EXPECTED) from None
        return dataclasses.replace(Distribution.fixed(hours), text=s)
    family, body = m.group(1).lower(), m.group(2).strip()
    if family not in FAMILIES:
        raise UnitError(f"'{s}': unknown distribution '{m.group(1)}'",
                        "one of " + ", ".join(FAMILIES))
    if family == "empirical":
        dist = _empirical(s, body)
    else:
        args = _arguments(s, family, body)
        dist = _build(s, family, args)
    return dataclasses.replace(dist, text=s)


def _show(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _duration(s: str, name: str, raw: str) -> float:
    try:
        return parse_duration(raw)
    except UnitError as exc:
        raise UnitError(f"'{s}': {name} {exc.message}", EXPECTED) from None


def _arguments(s: str, family: str, body: str) -> dict[str, float]:
    names = PARAMS[family]
    parts = [p.strip() for p in body.split(",")] if body else []
    if len(parts) != len(names):
        raise UnitError(f"'{s}': {family} takes {len(names)} argument{'s' if len(names) > 1 else ''} "
                        f"({', '.join(names)}), not {len(parts)}", EXPECTED)
    out: dict[str, float] = {}
    for i, part in enumerate(parts):
        key, eq, raw = part.partition("=")
        if eq:
            key = key.strip().lower()
            if key not in names:
                raise UnitError(f"'{s}': {family} has no parameter '{key}'",
                                f"{family}({', '.join(n + '=...' for n in names)})")
        else:
            key, raw = names[i], part
        if key in out:
            raise UnitError(f"'{s}': {key} is given twice", EXPECTED)
        out[key] = _duration(s, key, raw.strip())
    return out


def _build(s: str, family: str, a: dict[str, float]) -> Distribution:
    if family == "fixed":
        return Distribution.fixed(a["value"])
    if family == "exponential":
        if a["mean"] <= 0:
            raise UnitError(f"'{s}': the mean must be more than zero", "exponential(mean=20m)")
        return Distribution.exponential(a["mean"])
    if family == "lognormal":
        if a["median"] <= 0:
            raise UnitError(f"'{s}': the median must be more than zero", "lognormal(median=1h, p95=6h)")
        if a["p95"] <= a["median"]:
            raise UnitError(f"'{s}': p95 must be greater than the median",
                            "lognormal(median=1h, p95=6h) with median < p95")
        return Distribution.lognormal(a["median"], a["p95"])
    if family == "triangular":
        if not (a["low"] <= a["mode"] <= a["high"] and a["low"] < a["high"]):
            raise UnitError(f"'{s}': needs low <= mode <= high and low < high",
                            "triangular(10m, 30m, 2h)")
        return Distribution.triangular(a["low"], a["mode"], a["high"])
    if a["low"] >= a["high"]:
        raise UnitError(f"'{s}': low must be less than high", "uniform(10m, 1h)")
    return Distribution.uniform(a["low"], a["high"])


def _empirical(s: str, body: str) -> Distribution:
    inner = body
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    parts = [p.strip() for p in inner.split(",") if p.strip()]
    if not parts:
        raise UnitError(f"'{s}': empirical needs at least one value", "empirical([5m, 10m, 1h])")
    if len(parts) > MAX_EMPIRICAL:
        raise UnitError(f"'{s[:40]}...': more than {MAX_EMPIRICAL:,} values", "a shorter list")
    return Distribution.empirical([_duration(s, f"value {i + 1}", p) for i, p in enumerate(parts)])
