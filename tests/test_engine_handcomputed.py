"""Scenarios with fixed times whose answers can be worked out by hand.

Default calendar: Monday to Friday, 09:00-17:00. Time 0 is Monday 00:00.
"""

from __future__ import annotations

import pytest

from test_engine_scenarios import (
    DAY,
    WEEK,
    D,
    best_endeavours,
    play,
    rota,
    scenario,
    team,
    tier,
)
from whorunsit.engine.random.draws import BE_U, ROUTE
from whorunsit.model import Approval, DeploymentPolicy, ErrorBudgetPolicy, Funding, Window
from whorunsit.model.calendar import ALWAYS

MON, TUE, WED, THU, FRI, SAT = (d * DAY for d in range(6))


def single(teams=None, rotas=(), work=1.0, pickup=0.0, **kw):
    teams = teams or [team("desk", 2, 4)]
    return scenario(teams, [tier("L1", teams[0].name, work, pickup=D.fixed(pickup))],
                    rotas=rotas, **kw)


def test_p3_raised_friday_evening_waits_until_monday_morning():
    scn = single(rotas=[rota("r", ["desk"], standby_per_week=100.0)], horizon=2 * WEEK)
    m, rep = play(scn, {0: ([FRI + 18], [3])})
    # Friday 18:00 -> Monday 09:00 of the next week is 63 h of waiting, then 1 h of work
    assert m["incidents.queue_wait.mean"] == pytest.approx(63.0)
    assert m["incidents.time_to_restore.mean"] == pytest.approx(64.0)
    assert m["oncall.callouts_per_week"] == 0.0  # a P3 calls nobody out


def test_p1_at_three_in_the_morning_calls_out_the_on_call_person():
    pay = {"standby_per_week": 300.0, "callout_fee": 50.0, "callout_per_hour": 20.0,
           "toil_hours_per_callout": 2.0}
    scn = single(rotas=[rota("r", ["desk"], members=4, **pay)], pickup=0.5, work=1.5)
    m, rep = play(scn, {0: ([TUE + 3], [1])})
    assert m["incidents.time_to_restore.mean"] == pytest.approx(2.0)  # 30 min answer + 1.5 h
    assert m["incidents.queue_wait.mean"] == 0.0
    # one week measured, so yearly figures are 52 x the week's
    assert m["oncall.desk.callout_cost"] == pytest.approx(52 * (50.0 + 20.0 * 2.0))
    assert m["oncall.desk.standby_cost"] == pytest.approx(52 * 300.0)
    assert m["oncall.desk.callouts_per_person_week"] == pytest.approx(1 / 4)
    assert m["oncall.desk.toil_hours"] == pytest.approx(52 * 2.0)
    assert m["cost.toil"] == pytest.approx(52 * 2.0 * 50.0)
    assert m["cost.oncall"] == pytest.approx(52 * (300.0 + 90.0))
    assert m["oncall.desk.unpaid_hours"] == 0.0


def test_p1_waits_for_working_hours_when_nobody_covers_the_night():
    m, _ = play(single(), {0: ([TUE + 3], [1])})
    assert m["incidents.time_to_restore.mean"] == pytest.approx(7.0)  # 03:00 -> 09:00 + 1 h


def test_pay_arithmetic_for_a_rota_shared_by_two_teams():
    teams = [team("a", 1), team("b", 1, funding=Funding.CAPEX)]
    shared = rota("domain", ["a", "b"], members=6, standby_per_week=120.0, callout_fee=40.0,
                  funding=Funding.CAPEX)
    scn = scenario(teams, [tier("L1", "a", 1.0)], rotas=[shared], horizon=2 * WEEK)
    # P2s at 22:00 in week 1 (team a holds the phone) and week 2 (team b does)
    m, _ = play(scn, {0: ([MON + 22, WEEK + MON + 22], [2, 2])})
    weeks = 2
    assert m["oncall.a.standby_cost"] == pytest.approx(120.0 * 52 / 2)
    assert m["oncall.b.standby_cost"] == pytest.approx(120.0 * 52 / 2)
    assert m["oncall.a.callout_cost"] == pytest.approx(40.0 * 52 / weeks)
    assert m["oncall.b.callout_cost"] == pytest.approx(40.0 * 52 / weeks)
    # each team has half the rota's six people: 1 callout / 3 people / 2 weeks
    assert m["oncall.a.callouts_per_person_week"] == pytest.approx(1 / 3 / 2)
    assert m["cost.oncall"] == pytest.approx(120.0 * 52 + 2 * 40.0 * 52 / weeks)
    assert m["cost.capex"] >= m["cost.oncall"]  # the rota is paid from CapEx


def test_unpaid_rota_hours_are_unpaid():
    scn = single(rotas=[rota("r", ["desk"], paid=False, standby_per_week=500.0)], work=2.0)
    m, _ = play(scn, {0: ([TUE + 3], [1])})
    assert m["oncall.desk.standby_cost"] == 0.0
    assert m["oncall.desk.unpaid_hours"] == pytest.approx(52 * 2.0)
    assert m["cost.labour"] == 0.0  # nobody is paid for the night's work


def test_toil_takes_a_responder_away_the_next_working_day():
    desk = team("desk", 1, 2)  # one responder at a time, two people
    scn = single([desk], rotas=[rota("r", ["desk"], toil_hours_per_callout=8.0)])
    # a P1 callout at 03:00 earns a day of TOIL, taken that same working day: one of the
    # two people is away, which leaves min(1 responder, 2 - 1 people) = 1: no loss
    m, rep = play(scn, {0: ([TUE + 3, TUE + 10, TUE + 10], [1, 3, 3])})
    assert rep.away[0] == 0.0
    desk2 = team("desk", 2, 2)
    scn2 = single([desk2], rotas=[rota("r", ["desk"], toil_hours_per_callout=8.0)])
    m2, rep2 = play(scn2, {0: ([TUE + 3, TUE + 10, TUE + 10], [1, 3, 3])})
    # two responders, but one of the two people is off on Tuesday: the P3s take turns
    assert rep2.away[0] == pytest.approx(8.0)
    ttrs = sorted(rep2.ttr)
    assert ttrs == pytest.approx([1.0, 1.0, 2.0])
    assert m2["teams.desk.utilisation"] == pytest.approx(2.0 / (2 * 40 - 8))


def test_best_endeavours_answer_after_its_delay_unpaid():
    owner = team("dev", 1, 5, kind="delivery", **best_endeavours(1.0, 1.0, toil=2.0))
    m, _ = play(single([owner], work=2.0), {0: ([TUE + 3], [1])})
    assert m["incidents.time_to_restore.mean"] == pytest.approx(3.0)  # 1 h to answer + 2 h
    assert m["oncall.dev.unpaid_hours"] == pytest.approx(52 * 2.0)
    assert m["oncall.dev.toil_hours"] == pytest.approx(52 * 2.0)
    assert m["oncall.dev.callouts_per_person_week"] == pytest.approx(1 / 5)  # headcount
    assert m["oncall.unpaid_hours"] == pytest.approx(52 * 2.0)


def test_best_endeavours_that_does_not_answer_leaves_it_for_the_morning():
    owner = team("dev", 1, 5, kind="delivery", **best_endeavours(0.6, 1.0))
    scn = single([owner], work=2.0)
    answered, _ = play(scn, {0: ([TUE + 3], [1], {"tier_uniforms": {BE_U: 0.3}})})
    ignored, _ = play(scn, {0: ([TUE + 3], [1], {"tier_uniforms": {BE_U: 0.9}})})
    assert answered["incidents.time_to_restore.mean"] == pytest.approx(3.0)
    assert ignored["incidents.time_to_restore.mean"] == pytest.approx(8.0)  # 09:00 + 2 h
    assert ignored["oncall.unpaid_hours"] == 0.0


def test_ticket_being_worked_when_hours_end_is_finished_by_the_same_person():
    m, _ = play(single(work=3.0), {0: ([MON + 16], [3])})
    assert m["incidents.time_to_restore.mean"] == pytest.approx(3.0)
    assert m["teams.desk.utilisation"] == pytest.approx(1.0 / (2 * 40))  # 16:00-17:00 only


def ping_pong(misroute: float, misroute_team: str | None = None):
    teams = [team("l1", 1), team("l2", 1), team("wrong", 1)]
    tiers = [tier("L1", "l1", 1.0, resolve=0.0, misroute=misroute,
                  misroute_triage=D.fixed(0.5), misroute_team=misroute_team,
                  pickup=D.fixed(0.0)),
             tier("L2", "l2", 1.0)]
    return scenario(teams, tiers, calendar=ALWAYS)


@pytest.mark.parametrize("wrong_team", [None, "wrong"])
def test_ping_pong_adds_exactly_two_handoffs(wrong_team):
    straight, _ = play(ping_pong(0.0), {0: ([1.0], [2], {"tier_uniforms": {ROUTE: 0.5}})})
    bounced, rep = play(ping_pong(1.0, wrong_team),
                        {0: ([1.0], [2], {"tier_uniforms": {ROUTE: 0.5}})})
    assert straight["incidents.handoffs.mean"] == 1.0
    assert bounced["incidents.reassignments.mean"] == 1.0
    assert bounced["incidents.handoffs.mean"] == straight["incidents.handoffs.mean"] + 2
    # L1 1 h, the wrong team's 30 min triage, L1 re-assesses (pickup 0), L2 1 h
    assert bounced["incidents.time_to_restore.mean"] == pytest.approx(2.5)
    assert bounced["incidents.handoff_delay.mean"] == pytest.approx(0.5)
    if wrong_team:
        assert bounced["teams.wrong.tickets_per_week"] > 0
        assert bounced["teams.wrong.work_time.mean"] == pytest.approx(0.5)


def test_handoffs_are_escalations_plus_two_per_reassignment():
    scn = ping_pong(0.3)
    import dataclasses

    scn = dataclasses.replace(scn, applications=(dataclasses.replace(
        scn.applications[0], incident_rate=0.5),), horizon=500.0)
    m, _ = play(scn)
    assert m["incidents.handoffs.mean"] == pytest.approx(1 + 2 * m["incidents.reassignments.mean"])
    assert 0.15 < m["incidents.reassignments.mean"] < 0.45


def ops_deploys(approval: Approval, windows=(), performer: str = "ops"):
    teams = [team("ops", 2), team("dev", 2, kind="delivery")]
    policy = DeploymentPolicy("d", performer=performer, effort=D.fixed(1.0),
                              pipeline=D.fixed(0.25), approval=approval,
                              change_windows=tuple(windows))
    return scenario(teams, [tier("L1", "ops")], deploy=[policy], horizon=3 * WEEK,
                    app={"owner": "dev", "deployment_policy": "d", "deployment_rate": 0.0})


def test_weekly_change_board_adds_its_wait_to_lead_time():
    board = Approval("board", board_at=TUE + 10, board_every=WEEK)
    direct, _ = play(ops_deploys(Approval()), deployments={0: [WED + 12]})
    boarded, _ = play(ops_deploys(board), deployments={0: [WED + 12]})
    assert direct["deployments.lead_time.mean"] == pytest.approx(1.0)
    # Wednesday 12:00 -> next Tuesday 10:00 is 142 h, then an hour's work
    assert boarded["deployments.lead_time.mean"] == pytest.approx(143.0)


def test_change_window_and_board_capacity():
    board = Approval("board", board_at=TUE + 10, board_every=WEEK, capacity=1)
    window = Window(THU + 18, THU + 22)
    m, rep = play(ops_deploys(board, [window]), deployments={0: [MON + 12, MON + 13]})
    # both approved? capacity 1: the first on Tuesday, the second a week later; each
    # deployed in the next Thursday evening window
    leads = sorted(rep.lead)
    assert leads[0] == pytest.approx(THU + 18 + 1 - (MON + 12))
    assert leads[1] == pytest.approx(WEEK + THU + 18 + 1 - (MON + 13))


def test_self_service_lead_time_is_the_pipeline():
    m, _ = play(ops_deploys(Approval(), performer="owner"), deployments={0: [WED + 12]})
    assert m["deployments.lead_time.mean"] == pytest.approx(0.25)
    assert m["teams.dev.deployments_per_week"] == pytest.approx(1 / 3)


def test_incident_preempts_deployment_work_which_resumes():
    teams = [team("ops", 1), team("dev", 1, kind="delivery")]
    policy = DeploymentPolicy("d", performer="ops", effort=D.fixed(2.0))
    scn = scenario(teams, [tier("L1", "ops", 1.0)], deploy=[policy], horizon=WEEK,
                   app={"owner": "dev", "deployment_policy": "d"})
    m, rep = play(scn, {0: ([MON + 10.5], [3])}, deployments={0: [MON + 10]})
    assert m["incidents.time_to_restore.mean"] == pytest.approx(1.0)  # no wait
    assert m["deployments.lead_time.mean"] == pytest.approx(3.0)  # 2 h work + 1 h pre-empted
    # (the 1 h more than the work is the pre-empted time: one pre-emption)


def test_failed_change_raises_an_incident_and_is_redeployed():
    teams = [team("dev", 1, kind="delivery")]
    policy = DeploymentPolicy("d", performer="owner", pipeline=D.fixed(0.5))
    scn = scenario(teams, [tier("L1", "dev", 1.0)], deploy=[policy], horizon=WEEK,
                   app={"deployment_policy": "d", "change_failure_rate": 0.6})
    m, _ = play(scn, {}, deployments={0: ([MON + 10], 0.5)})  # every attempt fails...
    assert m["incidents.count"] > 1
    assert m["deployments.demand_per_week"] == m["deployments.throughput_per_week"] + \
        m["deployments.backlog"]


def test_swarm_engages_every_team_and_calls_each_out():
    teams = [team("desk", 1), team("ops", 1), team("dev", 1, kind="delivery")]
    swarm = tier("S", "desk", 2.0, swarm=("ops", "owner"))
    rotas = [rota(f"r-{t.name}", [t.name], callout_fee=10.0) for t in teams]
    scn = scenario(teams, [swarm], rotas=rotas, app={"owner": "dev"})
    m, _ = play(scn, {0: ([TUE + 2], [1])})
    assert m["incidents.handoffs.mean"] == 0.0
    assert m["incidents.time_to_restore.mean"] == pytest.approx(2.0)
    assert m["oncall.callouts_per_week"] == pytest.approx(3.0)
    for t in ("desk", "ops", "dev"):
        assert m[f"oncall.{t}.callout_cost"] == pytest.approx(52 * 10.0)


def test_error_budget_hands_the_pager_back_once_spent():
    teams = [team("sre", 1, kind="sre"), team("dev", 1, kind="delivery")]
    policy = ErrorBudgetPolicy("sre", ("app",), ops_cap=0.5, budget_period=WEEK)
    # 99.5% of a week allows 0.84 h of downtime; a P1 that takes 2 h spends it
    scn = scenario(teams, [tier("L", "sre", 2.0)], policies=(policy,), calendar=ALWAYS,
                   app={"owner": "dev", "availability_target": 0.995})
    m, _ = play(scn, {0: ([10.0, 20.0], [1, 1])})
    assert m["teams.sre.resolved_share"] == 0.5
    assert m["teams.dev.resolved_share"] == 0.5


def test_weekend_rota_covers_weekends_only():
    from whorunsit.model import RotaCover

    scn = single(rotas=[rota("weekend", ["desk"], cover=RotaCover.WEEKENDS, callout_fee=10.0)],
                 horizon=2 * WEEK)
    m, rep = play(scn, {0: ([TUE + 3, SAT + 3], [1, 1])})
    ttrs = sorted(rep.ttr)
    assert ttrs == pytest.approx([1.0, 7.0])  # Saturday called out; Tuesday waits for 09:00
    assert m["oncall.callouts_per_week"] == pytest.approx(0.5)


def test_rota_covers_only_its_applications():
    from whorunsit.model import Application

    apps = (Application("web", "desk", 0.0), Application("batch", "desk", 0.0))
    scn = single(rotas=[rota("r", ["desk"], applications=("web",))], apps=apps)
    m, rep = play(scn, {0: ([TUE + 3], [1]), 1: ([TUE + 3], [1])})
    assert sorted(rep.ttr) == pytest.approx([1.0, 7.0])


def test_alerts_enter_at_their_tier_and_go_to_the_alert_team_after_detection():
    from whorunsit.model import Detection

    teams = [team("desk", 1), team("bridge", 1), team("ops", 1)]
    tiers = [tier("L1", "desk", 1.0, resolve=0.0),
             tier("L2", "ops", 2.0, alert_team="bridge")]
    detection = Detection(0.5, alert_delay=D.fixed(0.25), customer_delay=D.fixed(2.0),
                          alert_entry_tier=1)
    scn = scenario(teams, tiers, detection=detection, calendar=ALWAYS)
    m, rep = play(scn, {0: ([10.0, 20.0], [2, 2], {"alerts": [True, False]})})
    # the alert: 15 min to detect, straight to the bridge at L2 for 2 h, no handoff
    # the customer call: 2 h to report, 1 h at the desk, handed to ops for 2 h
    assert sorted(rep.ttr) == pytest.approx([2.25, 5.0])
    assert m["teams.bridge.tickets_per_week"] == pytest.approx(1.0)
    assert m["teams.ops.tickets_per_week"] == pytest.approx(1.0)
    assert m["incidents.handoffs.mean"] == pytest.approx(0.5)


def test_time_to_restore_by_priority_and_for_the_urgent_ones():
    # Tuesday night with a rota: the P1 and P2 are answered at once (1 h each, two
    # people on call); the P3s and the P4 wait for 09:00
    scn = single(rotas=[rota("r", ["desk"], members=4, on_call=2)], horizon=WEEK)
    m, _ = play(scn, {0: ([TUE + 2, TUE + 3, TUE + 4, TUE + 5, TUE + 6], [1, 2, 3, 3, 4])})
    assert m["incidents.P1.time_to_restore.mean"] == pytest.approx(1.0)
    assert m["incidents.P2.time_to_restore.p95"] == pytest.approx(1.0)
    # P3s from 04:00 and 05:00 start at 09:00 with two responders: 6 h and 5 h
    assert m["incidents.P3.time_to_restore.mean"] == pytest.approx(5.5)
    assert m["incidents.P3.time_to_restore.p50"] == pytest.approx(5.5)
    assert m["incidents.P3.time_to_restore.p95"] == pytest.approx(5.0 + 0.95)
    # the P4 waits for a free responder after the P3s: 09:00 + 1 h + 1 h - 06:00
    assert m["incidents.P4.time_to_restore.mean"] == pytest.approx(5.0)
    assert m["incidents.urgent.time_to_restore.mean"] == pytest.approx(1.0)
    assert m["incidents.time_to_restore.mean"] == pytest.approx((1 + 1 + 6 + 5 + 5) / 5)


def test_time_to_restore_of_a_priority_with_no_incidents_is_missing():
    scn = single(horizon=WEEK, callout_priorities=(1,))
    m, _ = play(scn, {0: ([TUE + 10], [2])})
    assert m["incidents.P2.time_to_restore.mean"] == pytest.approx(1.0)
    for group in ("P1", "P3", "P4", "urgent"):   # only P1 is urgent here
        for stat in ("mean", "p50", "p95"):
            assert m[f"incidents.{group}.time_to_restore.{stat}"] != \
                m[f"incidents.{group}.time_to_restore.{stat}"]   # NaN
