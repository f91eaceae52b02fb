"""The scenario format, written once: every key, its kind, default and meaning.

The loader walks this; ``whorunsit schema`` emits it as JSON Schema; the reference in
docs/scenario-reference.md describes it. Change a key here and all three follow.
"""

from __future__ import annotations

from whorunsit.model.organisation import Funding, RotaCover, TeamKind
from whorunsit.scenario import kinds as k
from whorunsit.scenario.fields import Either, Field, ListOf, MapOf, Section
from whorunsit.scenario.units import HOURS_PER_YEAR

#: most teams + applications + rotas a scenario may declare, after count: stamping
MAX_ENTITIES = 10_000
MAX_REPLICATIONS = 1_000_000
MAX_HORIZON_YEARS = 20

COUNT = Field("count", k.integer(1, MAX_ENTITIES), "Stamp out N identical copies named "
              "<name>-1..<name>-N (or by a {i} template in the name); string values may use "
              "{i} (1..N) and {i/K} (ceil(i/K), to group copies K at a time).")

_RESOLVE_DOC = ("Chance the incident is resolved at this tier; otherwise it is escalated to "
                "the next tier. Required on every tier but the last, which always resolves.")


def _currency() -> k.Kind:
    import re

    from whorunsit.scenario.units import UnitError

    def read(node, ctx):
        s = k.text().read(node, ctx).strip()
        if not re.fullmatch(r"[A-Za-z]{3}", s):
            raise UnitError(f"'{s}' is not a currency code", "a three-letter code such as GBP")
        return s.upper()

    return k.Kind("currency", read, {"type": "string", "pattern": "^[A-Za-z]{3}$"},
                  "a three-letter code such as GBP")


def _shares(what: str, defaults: dict[str, str], doc: str) -> Section:
    return Section(what, doc, tuple(
        Field(p, k.share(), f"Share of {p}.", default=defaults[p]) for p in ("P1", "P2", "P3", "P4")
    ))


BEST_ENDEAVOURS = Section("best endeavours", "Unpaid best-endeavours answering out of hours.", (
    Field("answer", k.share(), "Chance somebody answers an out-of-hours call at all.", default="50%"),
    Field("delay", k.distribution(), "How long until they answer, when they do.", default="1h"),
    Field("toil", k.duration(), "Time off in lieu granted per out-of-hours engagement.", default="0h"),
))

OUT_OF_HOURS = Either(
    k.choice(("none",), "out-of-hours arrangement"),
    Section("out_of_hours", "What the team does out of hours for tickets no rota covers.", (
        Field("best_endeavours", BEST_ENDEAVOURS, "Unpaid best endeavours.", required=True),
    )),
)

_ROTA_COMMON = (
    Field("members", k.integer(1, 100_000), "People in the rotation; each is on call "
          "on_call/members of the time.", default_doc="the headcount of its member teams"),
    Field("cover", k.choice(tuple(c.value for c in RotaCover), "rota cover"),
          "Hours the rota is on call: out-of-hours (every non-working hour), weekends, or 24x7 "
          "(out of hours, with standby paid for all hours).", default="out-of-hours"),
    Field("standby", k.money_per_week(), "Standby pay per person on call, per week or per day "
          "(x7).", default="0/week"),
    Field("callout_fee", k.money_amount(), "Flat fee per callout.", default=0),
    Field("callout_pay", k.money_per_hour(any_period=False), "Pay per hour worked on a callout.",
          default=0),
    Field("toil", k.duration(), "Time off in lieu per callout; removes later working hours.",
          default="0h"),
    Field("on_call", k.integer(1, 1000), "People on call at once.", default=1),
    Field("paid", k.boolean(), "False for an arrangement that pays nothing.", default=True),
    Field("applications", ListOf(k.name("application")), "Applications the rota covers; "
          "empty means every application its teams work on.", default=[]),
    Field("targets", ListOf(k.share(positive=True)), "Availability targets of the applications "
          "covered (e.g. [99.9%]); empty means any.", default=[]),
)

INLINE_ROTA = Section("rota", "An on-call rota owned by this team, named after it.", _ROTA_COMMON)

ROTA = Section("rota", "An on-call rota: members, cover, pay rules and what it covers.", (
    Field("teams", ListOf(k.name("team"), min_items=1), "Member teams (several for a rota "
          "shared by sibling teams).", default_doc="the teams of 'domain'"),
    Field("domain", k.name("domain"), "Take as members every team with this domain."),
    *_ROTA_COMMON,
    Field("funding", k.choice(tuple(f.value for f in Funding), "funding"), "Budget that pays "
          "the rota.", default_doc="the first member team's funding"),
    Field("knowledge_factor", k.number(0, exclusive=True), "Work-time multiplier when the "
          "person on call is from another team of the rota.", default=1.0),
    COUNT,
), stampable=True)

TEAM = Section("team", "A team: who it is, what it costs, what it does out of hours.", (
    Field("kind", k.choice(tuple(t.value for t in TeamKind), "team kind"), "What the team is.",
          default="delivery"),
    Field("headcount", k.integer(1, 100_000), "People in the team.", required=True),
    Field("responders", k.integer(1, 100_000), "How many can work tickets at once in working "
          "hours.", default_doc="the headcount"),
    Field("funding", k.choice(tuple(f.value for f in Funding), "funding"), "Budget the team is "
          "paid from.", default_doc="capex for delivery and sre teams, opex otherwise"),
    Field("hourly_cost", k.money_per_hour(any_period=False), "Loaded labour cost per person-hour.",
          default=0),
    Field("domain", k.name("domain"), "Teams sharing a domain may share a domain rota."),
    Field("out_of_hours", OUT_OF_HOURS, "Out of hours without a rota: none (wait for the next "
          "working day) or {best_endeavours: {answer, delay, toil}}.", default="none"),
    Field("rota", INLINE_ROTA, "An on-call rota of this team's own."),
    COUNT,
), stampable=True)

ARRIVALS = Either(
    k.choice(("uniform",), "arrival profile"),
    Section("arrivals", "When in the week incidents arrive.", (
        Field("in_hours", k.share(), "Share of incidents that arrive in working hours (per "
              "the calendar); the rest arrive out of hours. The weekly rate is unchanged.",
              required=True),
    )),
)

APPLICATION = Section("application", "An application: its owner, demand and what downtime costs.", (
    Field("owner", k.name("team"), "The owning (delivery) team.", required=True),
    Field("incidents", k.rate(), "Incident rate, Poisson.", required=True),
    Field("arrivals", ARRIVALS, "When in the week its incidents arrive: uniform (evenly "
          "over the week) or {in_hours: 70%}.", default_doc="the scenario's arrivals"),
    Field("priorities", Section("priorities", "Shares of P1..P4 incidents; they must sum to "
                                "100% (keys left out count as 0%).", tuple(
        Field(p, k.share(), f"Share of {p} incidents.", default="0%") for p in ("P1", "P2", "P3", "P4"))),
        "Priority mix.", default={"P1": "5%", "P2": "15%", "P3": "50%", "P4": "30%"}),
    Field("availability_target", k.share(positive=True), "Availability target.", default="99%"),
    Field("downtime_cost", k.money_per_hour(any_period=True), "Cost of a full outage per hour.",
          default=0),
    Field("deployments", k.rate(), "Deployment demand.", default="0/week"),
    Field("change_failure_rate", k.share(), "Share of deployments that fail and raise an "
          "incident.", default="0%"),
    Field("support_path", k.name("support path"), "Support path its incidents walk.",
          default_doc="the only support path, else 'default'"),
    Field("deployment", k.name("deployment policy"), "Deployment policy serving its deployment "
          "requests.", default_doc="the only deployment policy, else 'default'"),
    COUNT,
), stampable=True)

DETECTION = Section("detection", "How incidents are detected.", (
    Field("alerts", k.share(), "Share of incidents raised by monitoring alerts; the rest are "
          "reported by customers.", default="50%"),
    Field("alert_delay", k.distribution(), "Time from start to an alert.", default="0m"),
    Field("customer_delay", k.distribution(), "Time from start to a customer report.",
          default="0m"),
    Field("alerts_enter_at", k.name("tier"), "Tier that alert-raised incidents enter at.",
          default_doc="the first tier"),
))

TIER = Section("tier", "One tier of a support path.", (
    Field("name", k.name("tier"), "Tier name.", default_doc="L1, L2, ... by position"),
    Field("team", k.name("team"), "Team working this tier, or 'owner' for the application's "
          "owning team.", required=True),
    Field("alert_team", k.name("team"), "Team that works alert-raised incidents at this tier "
          "instead (an Ops Bridge at L1)."),
    Field("pickup", k.distribution(), "Delay from a responder being free to starting work.",
          default="0m"),
    Field("work", k.distribution(), "Work time at this tier.", default="1h"),
    Field("resolve", k.share(), _RESOLVE_DOC, default_doc="100% on the last tier"),
    Field("misroute", k.share(), "Chance the ticket is misrouted to a wrong team, which "
          "bounces it back.", default="0%"),
    Field("misroute_triage", k.distribution(), "Time the wrong team spends before bouncing it "
          "back.", default="0m"),
    Field("misroute_team", k.name("team"), "The wrong team (its responders spend the triage "
          "time).", default_doc="no modelled team"),
    Field("handoff", k.distribution(), "Delay from escalating here to the next tier's queue.",
          default="0m"),
    Field("knowledge_factor", k.number(0, exclusive=True), "Work-time multiplier for a team "
          "that does not own the application.", default=1.0),
    Field("knowledge_dilution", k.number(0), "Extra multiplier per further application a "
          "non-owning team supports.", default=0.0),
    Field("swarm", ListOf(k.name("team")), "Teams (or 'owner') that each engage one responder "
          "at once at this tier.", default=[]),
))

ON_HOLD = Section("on_hold", "Time incidents wait on the user or a vendor (\"Awaiting "
                  "User\", \"Wait-Vendor\"), which no team can shorten; placed before the "
                  "first tier.", (
    Field("share", k.share(), "Share of incidents put on hold.", required=True),
    Field("wait", k.distribution(), "How long one waits, when it does.", required=True),
))

SUPPORT_PATH = Section("support path", "How an incident is detected and which tiers it walks.", (
    Field("detection", DETECTION, "Detection.", default={}),
    Field("on_hold", ON_HOLD, "Waiting on the user or a vendor, e.g. {share: 20%, wait: "
          "lognormal(median=1d, p95=5d)}.", default_doc="never"),
    Field("tiers", ListOf(TIER, min_items=1, max_items=100), "Ordered tiers.", required=True),
))

APPROVAL = Either(
    k.choice(("none",), "approval"),
    Section("approval", "What a deployment waits for before it can be performed: a change "
            "board ({board, every}) or a random delay ({delay}).", (
        Field("board", k.time_of_week(), "When the change board sits, e.g. Tue 10:00."),
        Field("every", k.duration(positive=True), "How often the board sits.", default="1w"),
        Field("capacity", k.integer(0, 100_000), "Most changes one sitting approves "
              "(0 = no limit).", default=0),
        Field("delay", k.distribution(), "A random approval time instead of a board."),
    )),
)

DEPLOYMENT = Section("deployment policy", "Who performs deployments and what they wait for.", (
    Field("performer", k.name("team"), "'owner' for self-service on the owner's pipeline, or "
          "the ops team that performs them.", default="owner"),
    Field("effort", k.distribution(), "Responder time an ops team spends per deployment.",
          default="1h"),
    Field("pipeline", k.distribution(), "Pipeline duration of a self-service deployment.",
          default="15m"),
    Field("approval", APPROVAL, "Approval before deploying.", default="none"),
    Field("change_windows", ListOf(k.window()), "When an ops team may deploy (e.g. "
          "Tue 18:00-22:00); empty means its working hours.", default=[]),
    Field("concurrency", k.integer(0, 100_000), "Most deployments an ops team works at once "
          "(0 = as many as it has responders).", default=0),
    Field("redeploy_failed", k.boolean(), "A failed deployment is requested again.",
          default=True),
))

ERROR_BUDGET = Section("error budget policy", "SRE hold an application's pager while its "
                       "error budget lasts and their ops load is under a cap.", (
    Field("team", k.name("team"), "The SRE team.", required=True),
    Field("applications", ListOf(k.name("application"), min_items=1), "Applications covered.",
          required=True),
    Field("ops_cap", k.share(positive=True), "Share of SRE time that may go to ops work.",
          default="50%"),
    Field("period", k.duration(positive=True), "Window the error budget is measured over.",
          default="13w"),
))

POLICY = Section("policy", "A routing policy; write one kind per list entry.", (
    Field("error_budget", ERROR_BUDGET, "Error-budget policy."),
))

GATE = Either(
    k.text(),
    Section("gate", "An assertion with a level.", (
        Field("assert", k.text(), "The assertion, e.g. incidents.time_to_restore.p95 <= 4h.",
              required=True),
        Field("level", k.choice(("error", "warn"), "gate level"), "error fails the gate "
              "(exit 1); warn only reports.", default="error"),
    )),
)

CALENDAR = Section("calendar", "Working hours; everything outside them is out of hours.", (
    Field("working_days", ListOf(k.day(), min_items=1, max_items=7), "Working days.",
          default=["Mon", "Tue", "Wed", "Thu", "Fri"]),
    Field("working_hours", k.working_hours(), "Working hours, or 24x7.", default="09:00-17:00"),
))

GATES = ListOf(GATE, max_items=1000)

SCENARIO = Section("scenario", "A whorunsit scenario: an IT operating model to simulate.", (
    Field("extends", k.text(), "A scenario file this one overrides (path relative to this "
          "file): mappings merge, lists are replaced, a key set to null is removed."),
    Field("name", k.text(), "Scenario name.", default_doc="the file name"),
    Field("description", k.text(), "What the scenario is.", default=""),
    Field("currency", _currency(), "Currency of every amount of money.", default="GBP"),
    Field("horizon", k.duration(positive=True, maximum=MAX_HORIZON_YEARS * HOURS_PER_YEAR,
                                max_text=f"{MAX_HORIZON_YEARS} years"),
          "Simulated time per replication, warm-up included.", default="13w"),
    Field("warmup", k.duration(), "Time at the start of each replication that is simulated "
          "but not measured (queues fill up); shorter than the horizon.", default="0h"),
    Field("replications", k.integer(1, MAX_REPLICATIONS), "Independent runs.", default=100),
    Field("seed", k.integer(0, 2**63 - 1), "Random seed; same seed, same results.", default=1),
    Field("calendar", CALENDAR, "Working-hours calendar.", default={}),
    Field("arrivals", ARRIVALS, "When in the week incidents arrive, for applications that do "
          "not say: uniform (evenly over the week) or {in_hours: 70%}.", default="uniform"),
    Field("callout_priorities", ListOf(k.priority(), max_items=4), "Priorities that call people "
          "out of hours; the others wait for working hours.", default=["P1", "P2"]),
    Field("priority_impact", _shares("priority impact", {"P1": "100%", "P2": "50%", "P3": "0%",
                                                         "P4": "0%"},
                                     "Share of a full outage each priority represents."),
          "Outage share per priority, for downtime cost and availability.", default={}),
    Field("teams", MapOf("team", TEAM, min_entries=1), "Teams by name.", required=True),
    Field("rotas", MapOf("rota", ROTA), "On-call rotas by name (besides the ones written "
          "inside teams).", default={}),
    Field("applications", MapOf("application", APPLICATION, min_entries=1), "Applications by name.",
          required=True),
    Field("support_paths", MapOf("support path", SUPPORT_PATH, min_entries=1), "Support paths by name.",
          required=True),
    Field("deployments", MapOf("deployment policy", DEPLOYMENT), "Deployment policies by name.",
          default_doc="one self-service policy named 'default'"),
    Field("policies", ListOf(POLICY, max_items=1000), "Routing policies.", default=[]),
    Field("gates", GATES, "Limits for CI, e.g. incidents.time_to_restore.p95 <= 4h.", default=[]),
))

#: a policy file for `whorunsit gate --policy`: gates only
POLICY_FILE = Section("policy file", "Gates kept apart from a scenario.", (
    Field("description", k.text(), "What the policy is.", default=""),
    Field("gates", GATES, "Assertions, in the syntax of a scenario's gates.", required=True),
))
