"""Gate assertions, written the way k6 users write thresholds.

    incidents.time_to_restore.p95 < 4h
    oncall.unpaid_hours == 0
    cost.total <= 1.2M GBP
    delta(cost.oncall) <= 10%            relative change against the baseline
    delta(deployments.lead_time.p50) < 0  absolute change against the baseline

A threshold is converted to the metric's own unit (hours, shares 0..1, per week, money
per year); a unit that does not fit the metric is an input error. Under ``delta()`` a
percentage is a relative change (ratio of means); ``pp`` is an absolute change of a
share in percentage points, and any other quantity an absolute change in the metric's
unit.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from whorunsit.errors import InputError, Location, Problem
from whorunsit.model import GateSpec, Scenario
from whorunsit.scenario import units
from whorunsit.stats import catalogue

LEVELS = ("error", "warn")
#: longest first, so "<=" is not read as "<"
OPERATORS = ("<=", ">=", "==", "<", ">")
METRIC_EXPECTED = "a metric the scenario reports, such as incidents.time_to_restore.p95"
EXPECTED = "an assertion such as 'incidents.time_to_restore.p95 < 4h' or 'delta(cost.oncall) <= 10%'"

_SHAPE = re.compile(
    r"^\s*(?:(?P<fn>[A-Za-z_]+)\s*\(\s*(?P<inner>[^()]*?)\s*\)|(?P<name>[^\s<>=!()]+))"
    r"\s*(?P<op><=|>=|==|!=|=<|=>|<|>|=)?\s*(?P<threshold>.*?)\s*$"
)


@dataclass(frozen=True)
class Assertion:
    """One parsed assertion. ``threshold`` is in the metric's unit (hours, 0..1 shares,
    per week, money per year), or a fraction for a relative delta (0.10 for 10%)."""

    expression: str
    metric: str
    op: str
    threshold: float
    threshold_text: str
    level: str
    location: Location
    #: judged on the paired difference against a baseline
    delta: bool = False
    #: the delta is relative: mean(candidate) / mean(baseline) - 1
    relative: bool = False

    @property
    def unit(self) -> str:
        """The unit ``threshold`` (and the judged value) are in: a metric unit or '%'."""
        return "%" if self.relative else catalogue.info(self.metric).unit

    @property
    def subject(self) -> str:
        return f"delta({self.metric})" if self.delta else self.metric


def known_metrics(scenario: Scenario) -> list[str]:
    """Every metric name a simulation of ``scenario`` reports (DOMAIN.md §5)."""
    entities = {
        "teams": [t.name for t in scenario.teams],
        "oncall": [t.name for t in scenario.teams],
        "applications": [a.name for a in scenario.applications],
    }
    names = []
    for entry in catalogue.CATALOGUE:
        if "*" not in entry.pattern:
            names.append(entry.pattern)
            continue
        family = entry.pattern.split(".")[0]
        names.extend(entry.pattern.replace("*", e, 1) for e in entities.get(family, []))
    return names


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """"did you mean 'x'?" for the closest known name, or "" when none is close; a
    missing percentile is offered the nearest percentile of the same figure."""
    known = sorted(set(known))
    close = [p] if (p := catalogue.nearest_percentile(name, known)) else \
        difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _column_of(spec: GateSpec, offset: int) -> Location:
    """Where character ``offset`` of the expression sits in its file.

    The recorded location is where the YAML value starts; a quoted value starts one
    column before its text. Only when the file still has the expression on that line do
    we move to the character; otherwise the assertion's own location is the best we know.
    """
    loc = spec.location
    if not loc.line:
        return loc
    try:
        line = Path(loc.file).read_text(encoding="utf-8").splitlines()[loc.line - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        return loc
    start = line.find(spec.expression.strip(), max(0, loc.col - 1))
    if start < 0:
        return loc
    leading = len(spec.expression) - len(spec.expression.lstrip())
    return Location(loc.file, loc.line, start + 1 + max(0, offset - leading))


def _threshold(text: str, metric: str, delta: bool, currency: str) -> tuple[float, bool]:
    """(value in the metric's unit, relative?) or UnitError saying what would fit."""
    unit = catalogue.info(metric).unit
    body = text.strip()
    if unit.endswith("/year"):
        # "per year" is the metric's own period, so writing it changes nothing
        body = re.sub(r"\s*/\s*(?:year|yr|y)$", "", body)
    if delta and body.lower().endswith("pp"):
        if unit != "share":
            raise units.UnitError(
                f"'{text}' is in percentage points but {metric} is not a share",
                f"a change in {_describe(unit)}, or a relative change such as 10%",
            )
        return units.parse_number(body[:-2].strip()) / 100, False
    value, kind = units.parse_quantity(body)
    if kind == "share" and delta:
        return value, True
    if kind in ("money", "money/year"):
        units.parse_money(body.lstrip("-").strip(), currency)  # only for its currency check
    accepted = _ACCEPTS.get(unit, {"number"})
    if kind not in accepted:
        raise units.UnitError(
            f"'{text}' is a {_KIND_NAMES.get(kind, kind)} but {metric} is in {_describe(unit)}",
            f"a threshold in {_describe(unit)}" + (", or a relative change such as 10%" if delta else ""),
        )
    if kind == "number" and unit == "h" and value != 0:
        raise units.UnitError(f"'{text}' has no unit", f"a duration such as {text}h")
    if kind == "number" and unit == "share" and not -1 <= value <= 1:
        raise units.UnitError(f"'{text}' is more than 1", f"a percentage such as {text}%")
    if kind == "rate":
        value *= 168.0  # per hour -> per week, the unit of every /week metric
    return value, False


_ACCEPTS = {
    "h": {"duration", "number"},
    "h/year": {"duration", "number"},
    "share": {"share", "number"},
    "count": {"number"},
    "/week": {"rate", "number"},
    "money/year": {"money", "money/year", "number"},
}
_KIND_NAMES = {"duration": "duration", "rate": "rate", "share": "percentage",
               "money": "amount of money", "money/year": "amount of money", "number": "number"}


def _describe(unit: str) -> str:
    return {
        "h": "hours (a duration such as 4h)",
        "h/year": "hours per year (a duration such as 40h)",
        "share": "a share (a percentage such as 99.9%)",
        "count": "a count (a plain number)",
        "/week": "a rate (such as 3/week)",
        "money/year": "money per year (such as 1.2M GBP)",
    }.get(unit, unit)


def parse(spec: GateSpec, known: Collection[str] | None = None, currency: str = "GBP") -> Assertion:
    """Parse one assertion; every problem found raises one InputError located in its file.

    ``known`` are the metric names the gated scenario reports; without it, any name the
    catalogue describes is accepted.
    """
    text = spec.expression
    where = spec.location
    m = _SHAPE.match(text or "")
    if not text or not text.strip() or not m:
        raise InputError(Problem(where, f"'{text}' is not an assertion", EXPECTED))
    if spec.level not in LEVELS:
        raise InputError(Problem(where, f"unknown level '{spec.level}'", "error or warn"))
    delta = m.group("fn") is not None
    if delta and m.group("fn") != "delta":
        raise InputError(
            Problem(_column_of(spec, m.start("fn")), f"unknown function '{m.group('fn')}'",
                    "delta(metric) for a change against the baseline, or a bare metric name")
        )
    metric = m.group("inner") if delta else m.group("name")
    metric_at = m.start("inner") if delta else m.start("name")
    entry = catalogue.info(metric)
    if entry is None or (known is not None and metric not in known):
        names = known if known is not None else [e.pattern for e in catalogue.CATALOGUE]
        raise InputError(Problem(_column_of(spec, metric_at), f"unknown metric '{metric}'",
                                 did_you_mean(metric, names) or METRIC_EXPECTED))
    op = m.group("op")
    if op is None or op not in OPERATORS:
        shown = f"operator '{op}'" if op else "no comparison"
        raise InputError(Problem(where, f"'{text}' has {shown}", "one of < <= > >= =="))
    raw = m.group("threshold")
    if not raw:
        raise InputError(Problem(where, f"'{text}' has no threshold after '{op}'", EXPECTED))
    try:
        threshold, relative = _threshold(raw, metric, delta, currency)
    except units.UnitError as exc:
        raise InputError(Problem(_column_of(spec, m.start("threshold")), exc.message, exc.expected)) from None
    return Assertion(
        expression=text.strip(),
        metric=metric,
        op=op,
        threshold=threshold,
        threshold_text=raw,
        level=spec.level,
        location=where,
        delta=delta,
        relative=relative,
    )


def parse_all(
    specs: Sequence[GateSpec],
    scenario: Scenario | None = None,
    baseline: Scenario | None = None,
    *,
    has_baseline: bool | None = None,
) -> tuple[Assertion, ...]:
    """Parse every assertion, collecting every problem before raising one InputError.

    Metric names are checked against what ``scenario`` reports (its teams and
    applications), and ``delta()`` metrics also against ``baseline``. Without a scenario
    any catalogue name is accepted; ``has_baseline`` then says whether deltas can be judged.
    """
    known = known_metrics(scenario) if scenario is not None else None
    currency = scenario.currency if scenario is not None else "GBP"
    base_known = set(known_metrics(baseline)) if baseline is not None else None
    if has_baseline is None:
        has_baseline = baseline is not None
    parsed, problems = [], []
    for spec in specs:
        try:
            assertion = parse(spec, known, currency)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if assertion.delta and not has_baseline:
            problems.append(
                Problem(spec.location, f"'{assertion.expression}' compares against a baseline",
                        "--baseline BASE.yaml to gate a change against")
            )
        elif assertion.delta and base_known is not None and assertion.metric not in base_known:
            problems.append(
                Problem(spec.location,
                        f"the baseline {baseline.source} has no metric '{assertion.metric}'",
                        did_you_mean(assertion.metric, base_known) or "a metric both scenarios report")
            )
        parsed.append(assertion)
    if problems:
        raise InputError(problems)
    return tuple(parsed)
