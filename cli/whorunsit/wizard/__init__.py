"""A commented starting scenario from a handful of answers (``whorunsit init``).

``Answers`` holds what a newcomer is asked: the operating model, how many delivery
teams and applications, the availability targets, the support tiers in front of the
delivery teams and their headcounts, and what the on-call rota pays. ``check`` says
what is wrong with an answer in the loader's own words (the same kinds read it), and
``render`` writes the YAML: every timing written out with a comment saying where the
figure comes from, so nothing falls back to a default the user never saw.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from whorunsit.errors import Location
from whorunsit.scenario import kinds as k
from whorunsit.scenario import spec as S
from whorunsit.scenario.units import UnitError
from whorunsit.scenario.yamlnode import YNode

MODELS = {
    "you-run": "You Build It You Run It",
    "ops-run": "You Build It Ops Run It",
}
MODEL_HELP = {
    "you-run": "each delivery team deploys its own applications and is on call for them",
    "ops-run": "an operations group deploys the applications and supports them behind ITIL "
               "tiers; the delivery teams are the last tier, unpaid out of hours",
}
TIER_KINDS = ("service-desk", "ops-bridge", "app-ops", "monitoring")
#: the rota pay a newcomer starts from: UK standby is a few hundred GBP per person per
#: week, with an hourly callout premium on top (docs/model.md)
PAY = {"standby": "250 {currency}/week", "callout_fee": "50 {currency}",
       "callout_pay": "45 {currency}/h"}
MAX_TEAMS = 500
MAX_APPLICATIONS = 2000

#: per tier kind: hourly cost, pickup, work, share resolved there, handoff onwards.
#: Public reference points (docs/model.md): Ops-run acknowledgement up to ~20 minutes,
#: resolution usually over an hour.
_TIER_FIGURES = {
    "service-desk": ("30", "exponential(mean=15m)", "lognormal(median=20m, p95=1h)", "25%",
                     "exponential(mean=30m)"),
    "ops-bridge": ("35", "exponential(mean=10m)", "lognormal(median=20m, p95=1h)", "20%",
                   "exponential(mean=20m)"),
    "monitoring": ("40", "exponential(mean=15m)", "lognormal(median=40m, p95=3h)", "40%",
                   "exponential(mean=30m)"),
    "app-ops": ("45", "exponential(mean=20m)", "lognormal(median=1h, p95=4h)", "55%",
                "lognormal(median=1h, p95=8h)"),
}


@dataclass
class Answers:
    model: str = "you-run"
    name: str = ""
    teams: int = 2
    applications: int = 4
    targets: list[str] = field(default_factory=lambda: ["99.9%", "99%"])
    #: support tiers in front of the delivery teams: (team kind, headcount), in order
    tiers: list[tuple[str, int]] = field(default_factory=lambda: [("service-desk", 6)])
    standby: str = "250 GBP/week"
    callout_fee: str = "50 GBP"
    callout_pay: str = "45 GBP/h"
    currency: str = "GBP"

    @property
    def title(self) -> str:
        return self.name or MODELS.get(self.model, self.model)


def default_tiers(model: str) -> list[tuple[str, int]]:
    return [("service-desk", 6), ("app-ops", 5)] if model == "ops-run" else [("service-desk", 6)]


def parse_tiers(text: str) -> list[tuple[str, int]]:
    """``service-desk=6, app-ops=5`` -> [(kind, headcount), ...]; '' or 'none' -> []."""
    text = text.strip()
    if text.lower() in ("", "none", "-"):
        return []
    out = []
    for part in text.split(","):
        kind, sep, count = part.strip().partition("=")
        if not sep:
            raise ValueError(f"'{part.strip()}' has no headcount; write KIND=HEADCOUNT, e.g. "
                             "service-desk=6")
        try:
            out.append((kind.strip(), int(count.strip())))
        except ValueError:
            raise ValueError(f"'{count.strip()}' is not a headcount in '{part.strip()}'; a "
                             "whole number") from None
    return out


def parse_targets(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _read(kind: k.Kind, text: str, currency: str) -> None:
    kind.read(YNode(text, Location("<answer>"), text), k.Context(currency=currency))


_ROTA = S.ROTA
_CHECKS = {
    "standby": _ROTA.field("standby").spec,
    "callout_fee": _ROTA.field("callout_fee").spec,
    "callout_pay": _ROTA.field("callout_pay").spec,
}


def check_answer(key: str, value, answers: Answers) -> str | None:
    """What is wrong with one answer (one line: what, and what is expected), or None."""
    try:
        if key == "model":
            if value not in MODELS:
                return f"unknown operating model '{value}'; one of {', '.join(MODELS)}"
        elif key == "currency":
            S.SCENARIO.field("currency").spec.read(YNode(value, Location("<answer>"), value),
                                                   k.Context())
        elif key == "teams":
            if not 1 <= value <= MAX_TEAMS:
                return f"{value} delivery teams; between 1 and {MAX_TEAMS}"
        elif key == "applications":
            if not 1 <= value <= MAX_APPLICATIONS:
                return f"{value} applications; between 1 and {MAX_APPLICATIONS}"
        elif key == "targets":
            if not value:
                return "no availability target; at least one, e.g. 99.9%"
            for t in value:
                _read(k.share(positive=True), t, answers.currency)
        elif key == "tiers":
            seen = set()
            for kind, headcount in value:
                if kind not in TIER_KINDS:
                    return f"unknown tier team kind '{kind}'; one of {', '.join(TIER_KINDS)}"
                if kind in seen:
                    return f"tier '{kind}' twice; each kind once"
                if headcount < 1:
                    return f"{kind} has a headcount of {headcount}; at least 1"
                seen.add(kind)
            if answers.model == "ops-run" and not value:
                return "an Ops-run model needs at least one support tier, e.g. service-desk=6,app-ops=5"
        elif key in _CHECKS:
            _read(_CHECKS[key], value, answers.currency)
        elif key == "name" and value and "\n" in value:
            return "the name is more than one line; one line"
    except UnitError as exc:
        return f"{exc.message}; {exc.expected}"
    return None


def problems(answers: Answers) -> list[str]:
    out = []
    for key in ("model", "currency", "teams", "applications", "targets", "tiers", "standby",
                "callout_fee", "callout_pay", "name"):
        problem = check_answer(key, getattr(answers, key), answers)
        if problem:
            out.append(f"{key.replace('_', '-')}: {problem}")
    return out


# -- the YAML ---------------------------------------------------------------------------

def _q(text: str) -> str:
    """Quoted for YAML: distributions hold commas, which a flow mapping would split."""
    return "'" + text.replace("'", "''") + "'"


def _delivery_names(n: int) -> list[str]:
    return ["delivery"] if n == 1 else [f"delivery-{i}" for i in range(1, n + 1)]


def render(a: Answers) -> str:
    you_run = a.model == "you-run"
    cur = a.currency.upper()
    lines = [
        "# A whorunsit scenario, written by `whorunsit init`.",
        *textwrap.wrap(f"{MODELS[a.model]}: {MODEL_HELP[a.model]}.", 86,
                       initial_indent="# ", subsequent_indent="# "),
        "#",
        "# Every figure below is a starting point taken from public reference points",
        "# (docs/model.md): replace it with your own. `whorunsit calibrate` measures incident",
        "# rates, priorities and times to restore from a ticket export; `whorunsit validate`",
        "# checks the file; `whorunsit show` prints it as simulated, defaults and all;",
        "# docs/scenario-reference.md describes every key.",
        f"name: {_q(a.title)}",
        f"currency: {cur}",
        "horizon: 13w          # simulated time per replication",
        "warmup: 1w            # simulated but not measured, while queues fill up",
        "replications: 200     # independent runs; more narrow the confidence intervals",
        "seed: 1               # same seed, same results",
        "",
        "# Most incidents open in working hours (69% in a real ServiceNow log, see",
        "# docs/calibration.md); even arrivals would overstate callouts.",
        "arrivals: {in_hours: 70%}",
        "",
        "teams:",
    ]
    pay = (f"{{standby: {a.standby}, callout_fee: {a.callout_fee}, "
           f"callout_pay: {a.callout_pay}}}")
    if a.tiers:
        lines.append("  # support tiers in front of the delivery teams: OpEx, on a paid rota "
                     "out of hours")
    for kind, headcount in a.tiers:
        cost = _TIER_FIGURES[kind][0]
        lines += [
            f"  {kind}:",
            f"    kind: {kind}",
            f"    headcount: {headcount}",
            f"    responders: {max(1, (headcount + 1) // 2)}      # at work on tickets at once, "
            "in working hours",
            f"    hourly_cost: {cost} {cur}",
            f"    rota: {pay}",
        ]
    names = _delivery_names(a.teams)
    lines += ["  # the delivery teams" + (f": count: {a.teams} stamps out delivery-1 .. "
                                         f"delivery-{a.teams}" if a.teams > 1 else ""),
              "  delivery:"]
    if a.teams > 1:
        lines.append(f"    count: {a.teams}")
    lines += ["    kind: delivery", "    headcount: 7", "    responders: 2",
              f"    hourly_cost: 60 {cur}"]
    if you_run:
        lines += ["    # You Build It You Run It: the team's own rota, paid from CapEx",
                  f"    rota: {pay}"]
    else:
        lines += ["    # out of hours, unpaid best endeavours: someone may answer, late, "
                  "and gets time off in lieu",
                  "    out_of_hours:",
                  "      best_endeavours: {answer: 70%, delay: "
                  f"{_q('lognormal(median=45m, p95=3h)')}, toil: 2h}}"]
    lines += ["", "applications:"]
    for i in range(1, a.applications + 1):
        target = a.targets[(i - 1) % len(a.targets)]
        lines += [
            f"  app-{i}:",
            f"    owner: {names[(i - 1) % len(names)]}",
            "    incidents: 2/week               # Poisson; calibrate from your tickets",
            "    priorities: {P1: 5%, P2: 15%, P3: 50%, P4: 30%}",
            f"    availability_target: {target}",
            f"    downtime_cost: 1000 {cur}/h       # cost of a full outage",
            "    deployments: " + ("5/week" if you_run else "1/week"),
            "    change_failure_rate: 15%        # failed deployments raise an incident",
        ]
    lines += _support_path(a, you_run)
    lines += _deployments(a, you_run)
    lines += [
        "",
        "# Limits for `whorunsit gate` in CI (docs/ci.md): agree your own. With the",
        "# figures above the model meets them.",
        "gates:",
        f"  - incidents.P1.time_to_restore.p95 <= {'8h' if you_run else '1d'}",
        "  - incidents.time_to_restore.p95 <= 3d",
        "  - {assert: oncall.unpaid_hours == 0, level: warn}",
        "",
    ]
    return "\n".join(lines)


def _support_path(a: Answers, you_run: bool) -> list[str]:
    lines = ["", "support_paths:", "  default:", "    detection:",
             "      alerts: 60%                   # raised by monitoring; the rest by customers",
             f"      alert_delay: {_q('exponential(mean=10m)')}",
             f"      customer_delay: {_q('lognormal(median=30m, p95=3h)')}"]
    if you_run and a.tiers:
        lines.append("      alerts_enter_at: delivery      # alerts page the owning team directly")
    lines.append("    tiers:")
    for kind, _ in a.tiers:
        _, pickup, work, resolve, handoff = _TIER_FIGURES[kind]
        lines += [f"      - name: {kind}", f"        team: {kind}",
                  f"        pickup: {_q(pickup)}      # until a free responder starts",
                  f"        work: {_q(work)}",
                  f"        resolve: {resolve}                # else escalated to the next tier",
                  "        misroute: 10%               # sent to a wrong team, which bounces it",
                  f"        misroute_triage: {_q('exponential(mean=30m)')}",
                  f"        handoff: {_q(handoff)}"]
        if kind == "app-ops":
            lines.append("        knowledge_factor: 1.5       # slower on an application it "
                         "did not build")
    lines += ["      - name: delivery", "        team: owner                 # the application's "
              "own delivery team",
              f"        pickup: {_q('exponential(mean=30m)' if not you_run else 'exponential(mean=10m)')}",
              f"        work: {_q('lognormal(median=2h, p95=8h)' if not you_run else 'lognormal(median=1h, p95=5h)')}"]
    return lines


def _deployments(a: Answers, you_run: bool) -> list[str]:
    if you_run or not a.tiers:
        return ["", "deployments:", "  self-service:",
                "    performer: owner                # the team deploys through its own pipeline",
                f"    pipeline: {_q('lognormal(median=20m, p95=1h)')}"]
    kinds = [kind for kind, _ in a.tiers]
    performer = "app-ops" if "app-ops" in kinds else kinds[-1]
    return ["", "deployments:", "  change-board:",
            f"    performer: {performer}              # operations deploy every release",
            f"    effort: {_q('lognormal(median=2h, p95=6h)')}",
            "    approval: {board: Tue 10:00, every: 1w}   # a weekly change advisory board",
            "    change_windows: [Thu 18:00-22:00]",
            "    concurrency: 1"]
