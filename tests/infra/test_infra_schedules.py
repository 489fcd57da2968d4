"""Schedules: the daily sweep runs every morning in Vietnam's time, and a missed run is not lost."""

from __future__ import annotations

from tests.infra.support import Synthesized


def test_the_sweep_runs_daily_before_offices_open(synthesized: Synthesized) -> None:
    schedules = synthesized.stage.platform.node.find_child("Schedules")
    sweep_arn = {"Fn::GetAtt": [synthesized.logical_id(schedules.sweep), "Arn"]}
    found = synthesized.of_type("AWS::Scheduler::Schedule").values()
    (props,) = [s["Properties"] for s in found if s["Properties"]["Target"]["Arn"] == sweep_arn]

    assert props["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert props["ScheduleExpressionTimezone"] == "Asia/Ho_Chi_Minh"
    assert props["State"] == "ENABLED"
    assert props["Target"]["Arn"] == {"Fn::GetAtt": [synthesized.logical_id(schedules.sweep), "Arn"]}
    assert props["Target"]["DeadLetterConfig"]["Arn"] == {
        "Fn::GetAtt": [synthesized.logical_id(schedules.dead_letter_queue), "Arn"]
    }
    assert props["Target"]["RetryPolicy"]["MaximumRetryAttempts"] >= 1


def test_the_sweep_has_time_for_every_agency(synthesized: Synthesized) -> None:
    schedules = synthesized.stage.platform.node.find_child("Schedules")
    sweep = synthesized.resources[synthesized.logical_id(schedules.sweep)]["Properties"]

    assert sweep["Handler"] == "app.handler"
    assert sweep["Timeout"] >= 60
