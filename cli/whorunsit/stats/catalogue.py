"""The metric vocabulary shared by the engine, reports, compare and gates (DOMAIN.md §5).

A metric name is dotted: ``incidents.time_to_restore.p95``, ``teams.app-ops.utilisation``.
Names with a team, rota or application in them are matched by pattern. Each metric has a
unit, a direction (which way is better, for compare colours) and a one-line meaning.

Units: ``h`` hours; ``share`` a fraction 0..1; ``count`` per replication; ``/week`` per
week; ``h/year`` hours per year; ``money/year`` the scenario's currency per year.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

LOWER, HIGHER, NEUTRAL = "lower", "higher", "neutral"


@dataclass(frozen=True)
class MetricInfo:
    pattern: str
    unit: str
    direction: str
    meaning: str
    #: "binary": each replication says yes (1) or no (0), the value is a share of
    #: replications; "signed": may be negative; "": the unit's domain
    kind: str = ""


CATALOGUE: tuple[MetricInfo, ...] = (
    MetricInfo("incidents.count", "count", LOWER, "incidents that started after warm-up"),
    MetricInfo("incidents.per_week", "/week", LOWER, "incidents per week"),
    MetricInfo("incidents.unresolved", "count", LOWER, "incidents still open at the horizon"),
    MetricInfo("incidents.time_to_restore.mean", "h", LOWER, "mean time from start to resolution"),
    MetricInfo("incidents.time_to_restore.p50", "h", LOWER, "median time to restore"),
    MetricInfo("incidents.time_to_restore.p90", "h", LOWER, "90th percentile time to restore"),
    MetricInfo("incidents.time_to_restore.p95", "h", LOWER, "95th percentile time to restore"),
    MetricInfo("incidents.time_to_restore.p99", "h", LOWER, "99th percentile time to restore"),
    *(MetricInfo(f"incidents.{group}.time_to_restore.{stat}", "h", LOWER,
                 f"{what} time to restore of {whose} incidents")
      for group, whose in (("P1", "P1"), ("P2", "P2"), ("P3", "P3"), ("P4", "P4"),
                           ("urgent", "urgent (callout-priority)"))
      for stat, what in (("mean", "mean"), ("p50", "median"), ("p90", "90th percentile"),
                         ("p95", "95th percentile"))),
    MetricInfo("incidents.handoffs.mean", "count", LOWER, "handoffs between teams per incident"),
    MetricInfo("incidents.reassignments.mean", "count", LOWER, "misroutes (ping-pong) per incident"),
    MetricInfo("incidents.queue_wait.mean", "h", LOWER, "time per incident spent waiting in queues"),
    MetricInfo("incidents.handoff_delay.mean", "h", LOWER, "time per incident spent in handoffs"),
    MetricInfo("incidents.on_hold.mean", "h", LOWER, "time per incident spent waiting on the user or a vendor (no team can shorten it)"),
    MetricInfo("incidents.flow_efficiency", "share", HIGHER, "work time / time to restore"),
    MetricInfo("teams.*.utilisation", "share", LOWER, "busy share of the team's available hours"),
    MetricInfo("teams.*.queue_wait.mean", "h", LOWER, "mean wait in this team's queue"),
    MetricInfo("teams.*.queue_wait.p95", "h", LOWER, "95th percentile wait in this team's queue"),
    MetricInfo("teams.*.queue_length.mean", "count", LOWER, "tickets waiting for the team, time-averaged"),
    MetricInfo("teams.*.tickets_per_week", "/week", NEUTRAL, "incident tickets the team worked"),
    MetricInfo("teams.*.work_time.mean", "h", LOWER, "mean work time per ticket"),
    MetricInfo("teams.*.resolved_share", "share", NEUTRAL, "share of all incidents resolved here"),
    MetricInfo("teams.*.deployments_per_week", "/week", NEUTRAL, "deployments the team performed"),
    MetricInfo("teams.*.offered_load", "load", LOWER, "work arriving for the team's working-hours responders / their available hours (above 1: more than they can serve)"),
    MetricInfo("teams.*.queue_growth", "count", LOWER, "tickets waiting for the team at the horizon minus at the end of the warm-up", "signed"),
    MetricInfo("deployments.lead_time.mean", "h", LOWER, "mean request-to-live time"),
    MetricInfo("deployments.lead_time.p50", "h", LOWER, "median deployment lead time"),
    MetricInfo("deployments.lead_time.p95", "h", LOWER, "95th percentile deployment lead time"),
    MetricInfo("deployments.throughput_per_week", "/week", HIGHER, "deployments completed"),
    MetricInfo("deployments.demand_per_week", "/week", NEUTRAL, "deployments requested"),
    MetricInfo("deployments.backlog", "count", LOWER, "deployment requests waiting at the horizon"),
    MetricInfo("deployments.backlog_growth", "count", LOWER, "deployment backlog at the horizon minus at the end of the warm-up", "signed"),
    MetricInfo("delivery.discontinuous", "share", LOWER, "replications whose deployment backlog grew by more than two weeks of demand", "binary"),
    MetricInfo("queues.unstable", "share", LOWER, "replications stopped because queues passed the cap (20,000 items)", "binary"),
    MetricInfo("oncall.*.standby_cost", "money/year", LOWER, "standby pay"),
    MetricInfo("oncall.*.callout_cost", "money/year", LOWER, "callout fees and hourly callout pay"),
    MetricInfo("oncall.*.callouts_per_person_week", "/week", LOWER, "callouts per rota member per week"),
    MetricInfo("oncall.*.unpaid_hours", "h/year", LOWER, "out-of-hours hours worked without pay"),
    MetricInfo("oncall.*.toil_hours", "h/year", LOWER, "time off in lieu earned"),
    MetricInfo("oncall.unpaid_hours", "h/year", LOWER, "unpaid out-of-hours hours, all teams"),
    MetricInfo("oncall.callouts_per_week", "/week", LOWER, "out-of-hours callouts, all teams"),
    MetricInfo("cost.headcount", "money/year", LOWER, "every team's people x contracted hours x hourly cost"),
    MetricInfo("cost.oncall", "money/year", LOWER, "standby + callout pay (pays the out-of-hours hours worked)"),
    MetricInfo("cost.labour", "money/year", LOWER, "of the headcount: working hours spent on incidents and deployments"),
    MetricInfo("cost.toil", "money/year", LOWER, "of the headcount: working hours given back as time off in lieu"),
    MetricInfo("cost.downtime", "money/year", LOWER, "outage hours x cost of downtime"),
    MetricInfo("cost.opex", "money/year", LOWER, "headcount and on-call paid from OpEx"),
    MetricInfo("cost.capex", "money/year", LOWER, "headcount and on-call paid from CapEx"),
    MetricInfo("cost.total", "money/year", LOWER, "headcount + on-call + downtime (= opex + capex + downtime)"),
    MetricInfo("applications.*.availability", "share", HIGHER, "1 - outage hours / hours"),
    MetricInfo("applications.*.downtime_hours", "h/year", LOWER, "outage hours per year"),
    MetricInfo("applications.*.p_meets_target", "share", HIGHER, "chance availability meets target", "binary"),
)


#: cost metrics that are not lines of the bill: funding splits, and what the paid hours
#: went on (inside the headcount); the bill's lines add up to ``cost.total``
COST_NOT_BILLED = ("cost.opex", "cost.capex", "cost.labour", "cost.toil")


def info(name: str) -> MetricInfo | None:
    """The catalogue entry for a concrete metric name, or None if it is not one."""
    for entry in CATALOGUE:
        if "*" not in entry.pattern:
            if entry.pattern == name:
                return entry
        elif fnmatch.fnmatchcase(name, entry.pattern) and name.count(".") == entry.pattern.count("."):
            return entry
    return None


#: units whose values are never negative
_NOT_NEGATIVE = ("h", "count", "/week", "h/year", "money/year", "load")


def domain(name: str) -> tuple[float, float]:
    """The values a metric can take: its interval never leaves them."""
    entry = info(name)
    if entry is None or entry.kind == "signed":
        return (-math.inf, math.inf)
    if entry.unit == "share":
        return (0.0, 1.0)
    if entry.unit in _NOT_NEGATIVE:
        return (0.0, math.inf)
    return (-math.inf, math.inf)


def binary(name: str) -> bool:
    """Whether each replication gives the metric 0 or 1 (a share of replications)."""
    entry = info(name)
    return entry is not None and entry.kind == "binary"


def unit(name: str, currency: str = "GBP") -> str:
    entry = info(name)
    if entry is None:
        return ""
    return entry.unit.replace("money", currency)


def direction(name: str) -> str:
    entry = info(name)
    return entry.direction if entry else NEUTRAL


_PERCENTILE = re.compile(r"^(?P<stem>.+)\.p(?P<q>\d{1,2})$")


def nearest_percentile(name: str, known: Iterable[str]) -> str | None:
    """For a percentile a run does not report (``...p90``), the nearest one it does of
    the same figure (``...p95``, not the equally similar-looking ``...p99`` or ``...p50``);
    None when ``name`` is no percentile or the figure has none."""
    m = _PERCENTILE.match(name)
    if not m:
        return None
    offered = [(abs(int(k.group("q")) - int(m.group("q"))), -int(k.group("q")), k.string)
               for k in map(_PERCENTILE.match, known)
               if k and k.group("stem") == m.group("stem")]
    return min(offered)[2] if offered else None
