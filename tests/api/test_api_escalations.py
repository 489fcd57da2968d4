"""The leaders' list of escalated tasks, after the daily sweep, through the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua.domain.calendar import VIETNAM_TZ
from tests.api.conftest import SOCIAL_INSURANCE, Api, Person, filed_alone


def escalations(api: Api, person: Person, agency: str = SOCIAL_INSURANCE) -> Any:
    return api.get(f"/v1/agencies/{agency}/escalations", token=person.token)


def test_leaders_of_the_agency_see_its_escalated_tasks_and_no_one_else_does(
    api: Api, an: Person, si_receiver: Person, outsider: Person, people: Any, container: Any, clock: Any
) -> None:
    leader = people.staff("lanhdao.bhxh", SOCIAL_INSURANCE, "leader")
    # Given a declaration filed on Tuesday 17/11/2026, due on Wednesday 25/11 (five working days)
    code = filed_alone(api, an)
    assert escalations(api, leader).json["items"] == []

    # When the sweep runs on Monday 23/11, the next working day being Wednesday 25/11
    clock.set(datetime(2026, 11, 23, 17, 30, tzinfo=VIETNAM_TZ))
    container.sweep.run()

    # Then the agency's leader finds the task escalated, and its staff see it flagged in the inbox
    answer = escalations(api, leader)
    assert answer.status == 200
    [task] = answer.json["items"]
    assert (task["task_id"], task["escalated"]) == (f"{code}-T1", True)
    assert task["escalated_at"].startswith("2026-11-23T17:30:00")
    inbox = api.get(f"/v1/agencies/{SOCIAL_INSURANCE}/tasks", token=si_receiver.token).json["items"]
    assert [t["escalated"] for t in inbox] == [True]

    # and the agency's receiving officer, staff of another agency, or a citizen, are refused
    desk = escalations(api, si_receiver)
    assert (desk.status, desk.error["code"]) == (403, "role_required")
    other = escalations(api, outsider)
    assert (other.status, other.error["code"]) == (403, "forbidden")
    assert escalations(api, an).status == 403
    assert api.get(f"/v1/agencies/{SOCIAL_INSURANCE}/escalations").status == 401


def test_an_unknown_agency_is_a_404(api: Api, si_receiver: Person) -> None:
    answer = escalations(api, si_receiver, "999.99.99.H99")

    assert (answer.status, answer.error["code"]) == (404, "agency_not_found")
