"""Fit a scenario to a real ticket log, and show side by side that it reproduces it.

    from whorunsit import fit
    result = fit.fit("incidents.csv.zip", "scenarios/you-build-it-ops-run-it.yaml")
    result.rows("train")     # log figure, model figure, each with its 95% CI, and the gap

``calibrate.events`` reads each case's history; ``mapping`` says which tier each group
stands for; ``observe`` measures a stretch of weeks; ``routing`` fits resolve and
misroute shares to the handoffs (exactly, no simulation); ``tune`` puts the direct
estimates in and fits the rest by simulation with common random numbers; ``compare``
lines the log and the model up; ``render`` and ``output`` write the report and the
fitted scenario. Everything above the library API: the engine is only run through
``api.simulate``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from whorunsit import api
from whorunsit.calibrate import weeks as wk
from whorunsit.calibrate.events import HOLD, RESOLVED, Cases, read_cases
from whorunsit.calibrate.figures import WorkingHours
from whorunsit.errors import InputError, Location, Problem
from whorunsit.fit import routing, tune
from whorunsit.fit.mapping import Mapping, Rule, build
from whorunsit.fit.observe import Observed, observe
from whorunsit.model import Scenario
from whorunsit.stats.results import Results


@dataclass(frozen=True)
class FitOptions:
    columns: dict = field(default_factory=dict)
    date_format: str = "auto"
    resolved_status: str = RESOLVED
    hold_status: str = HOLD
    maps: tuple[Rule, ...] = ()
    support_path: str | None = None
    #: (first, last) week indexes, None ends open; None: the log's steady run
    weeks: tuple[int | None, int | None] | None = None
    #: share of the weeks (the latest) kept out of the fit and validated on
    holdout: float = 0.0
    #: replications per candidate in the search, and for the final comparison
    search_replications: int = 6
    replications: int = 30
    evaluations: int = 80
    #: working-hours utilisation each team is staffed for
    utilisation: float = 0.7
    seed: int | None = None
    workers: int | None = None


@dataclass
class Fit:
    log: str
    cases: Cases
    scenario: Scenario
    fitted: Scenario
    path: str
    mapping: Mapping
    train: Observed
    test: Observed | None
    direct: tune.Direct
    knobs: tune.Knobs
    distance: float
    evaluations: int
    results: Results
    #: bootstrap rows of the fitted routing's shares (routing.RouteShares.vector)
    route_boot: np.ndarray
    options: FitOptions
    notes: list[str] = field(default_factory=list)

    def rows(self, which: str = "train"):
        from whorunsit.fit.compare import rows
        obs = self.train if which == "train" else self.test
        return rows(self, obs)

    def warnings(self) -> list[str]:
        from whorunsit.fit.compare import warnings
        return warnings(self)

    def moved(self):
        from whorunsit.fit.compare import moved
        return moved(self)


def _path_name(scn: Scenario, wanted: str | None) -> str:
    names = [p.name for p in scn.support_paths]
    if wanted is None:
        used = [a.support_path for a in scn.applications if a.incident_rate > 0]
        return used[0] if used else names[0]
    if wanted not in names:
        raise InputError(Problem(Location("--support-path"), f"unknown support path '{wanted}'",
                                 "one of " + ", ".join(names)))
    return wanted


def hours_of(scn: Scenario) -> WorkingHours:
    cal = scn.calendar
    if cal.always:
        return WorkingHours(0.0, 24.0, tuple(range(7)))
    return WorkingHours(cal.start_hour, cal.end_hour, tuple(cal.working_days))


def split_weeks(cases: Cases, options: FitOptions) -> tuple[tuple[int, int], tuple[int, int] | None]:
    weeks = wk.count_weeks(cases.opened)
    if not len(weeks.counts):
        raise InputError(Problem(Location(cases.name), "no incident has an opening time",
                                 "a log with opening times"))
    first, last = wk.steady_run(weeks) if options.weeks is None else \
        wk.chosen_run(weeks, options.weeks)
    if not options.holdout:
        return (first, last), None
    span = last - first + 1
    held = max(1, round(span * options.holdout))
    if span - held < 1:
        raise InputError(Problem(Location("--holdout"), f"{options.holdout:g} of {span} "
                                 "week(s) leaves none to fit on",
                                 "a smaller share, or more weeks (--weeks)"))
    return (first, last - held), (last - held + 1, last)


def answered_round_the_clock(cases: Cases, mask: np.ndarray, hours: WorkingHours
                             ) -> tuple[float, float] | None:
    """(in-hours, out-of-hours) median time to restore of tickets the first line
    resolved without a hold, when out of hours is no more than twice as slow (plus half
    an hour): had they waited for the next working day it would be many times slower."""
    from whorunsit.fit.observe import working_mask

    ttr = cases.resolved - cases.opened
    simple = mask & np.isfinite(ttr) & (cases.handoffs == 0) & ~(cases.hold > 0)
    inside = working_mask(cases.opened, hours)
    a, b = ttr[simple & inside], ttr[simple & ~inside]
    if len(a) < 20 or len(b) < 20:
        return None
    m_in, m_out = float(np.median(a)), float(np.median(b))
    return (m_in, m_out) if m_out <= 2 * m_in + 0.5 else None


def _mask(cases: Cases, span: tuple[int, int]) -> np.ndarray:
    w = np.full(len(cases.opened), -10**9, dtype=np.int64)
    ok = np.isfinite(cases.opened)
    w[ok] = wk.week_index(cases.opened[ok])
    return (w >= span[0]) & (w <= span[1])


def fit(log: str | Path, scenario: str | Path | Scenario, options: FitOptions | None = None,
        progress: Callable[[int, int], None] | None = None) -> Fit:
    """Fit ``scenario`` to ``log``. Bad input raises InputError before any simulation."""
    options = options or FitOptions()
    scn = scenario if isinstance(scenario, Scenario) else api.load(scenario)
    path_name = _path_name(scn, options.support_path)
    path = tune.path_of(scn, path_name)
    cases = read_cases(log, options.columns, options.date_format, options.resolved_status,
                       options.hold_status)
    mapping = build(path, list(options.maps), {g for seq in cases.groups for g in seq})
    train_span, test_span = split_weeks(cases, options)
    hours = hours_of(scn)
    train = observe(cases, _mask(cases, train_span), *train_span, mapping, hours)
    test = observe(cases, _mask(cases, test_span), *test_span, mapping, hours) \
        if test_span else None
    if len(train.ttr) < 20:
        raise InputError(Problem(Location(cases.name), f"only {len(train.ttr)} resolved "
                                 f"incidents in weeks {train.weeks}",
                                 "at least 20 with an opening and a resolution time"))
    notes = list(cases.notes)
    T = len(path.tiers)
    det = path.detection
    start = routing.Routing(tuple(t.resolve for t in path.tiers[:-1]),
                            tuple(t.misroute for t in path.tiers[:-1]))
    target = routing.observed(train.handoffs, train.highest, train.ping_pong, T)
    if cases.headers.get("group") is None:
        notes.append("the log has no group column: handoffs, the highest line and ping-pong "
                     "cannot be measured, so the scenario's resolve and misroute shares are "
                     "kept")
        fitted_routing, boot = start, np.zeros((0, 4 + T + 1))
    else:
        fitted_routing = routing.fit(target, start, T, det.alert_share, det.alert_entry_tier)
        boot = routing.bootstrap(train.handoffs, train.highest, train.ping_pong,
                                 fitted_routing, T, det.alert_share, det.alert_entry_tier)
    hold = None
    if train.hold_recorded:
        h = train.hold[np.isfinite(train.hold)]
        held = h[h > 0]
        if len(held) >= 10:
            hold = (len(held) / len(h), float(np.median(held)), float(np.quantile(held, 0.95)))
    else:
        notes.append("the log records no statuses with times, so no time on hold was measured")
    clock = answered_round_the_clock(cases, _mask(cases, train_span), hours)
    if clock:
        notes.append("incidents opened out of hours and resolved at the first line without "
                     f"a hold took {clock[1]:.2g} h at the median, against {clock[0]:.2g} h "
                     "in hours: the log's teams answer round the clock, so every priority "
                     "is called out and each rota has as many on call as the team has "
                     "responders")
    direct = tune.Direct(train.per_week / tune.WEEK, train.priority_mix,
                         min(max(train.in_hours, 0.0), 1.0), hold, fitted_routing,
                         bool(clock) and not scn.calendar.always)
    goal = {f"incidents.time_to_restore.p{q}": float(np.quantile(train.ttr, q / 100))
            for q in (50, 90, 95)}
    seed = scn.seed if options.seed is None else options.seed
    search_reps = options.search_replications
    total = options.evaluations * search_reps + options.replications

    def searched(done: int, _total: int) -> None:
        if progress is not None:
            progress(done * search_reps, total)

    knobs, dist, evals = tune.search(scn, path_name, direct, goal, options.utilisation,
                                     search_reps, seed, 1, options.evaluations, searched)
    fitted = tune.apply(scn, path_name, direct, knobs, options.utilisation)
    base = options.evaluations * search_reps

    def final(done: int, _total: int) -> None:
        if progress is not None:
            progress(base + done, total)

    results = api.simulate(fitted, replications=options.replications, seed=seed,
                           workers=options.workers, progress=final)
    if not math.isfinite(dist):
        notes.append("no candidate resolved enough incidents to measure time to restore")
    return Fit(str(log), cases, scn, fitted, path_name, mapping, train, test, direct, knobs,
               dist, evals, results, boot, options, notes)
