"""Personal data through the API: the staff access log (leaders only) and a citizen's export."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest

from tests.api.conftest import SOCIAL_INSURANCE, Api, Person, decide, filed_alone


@pytest.fixture
def si_leader(people: Any) -> Person:
    """A leader of the provincial social insurance."""
    return people.staff("lanhdao.bhxh", SOCIAL_INSURANCE, "leader")


def agency_log(api: Api, person: Person, query: str = "", agency: str = SOCIAL_INSURANCE) -> Any:
    return api.get(f"/v1/agencies/{agency}/access-log{query}", token=person.token)


def test_every_opening_of_a_dossier_by_staff_is_recorded_and_the_leader_reads_it_newest_first(
    api: Api, an: Person, si_receiver: Person, si_leader: Person, clock: Any
) -> None:
    # Given a declaration An filed, which she reads herself (not recorded: the data is hers)
    code = filed_alone(api, an)
    assert api.get(f"/v1/dossiers/{code}", token=an.token).status == 200

    # When the receiving officer opens the task, the dossier, its receipt and its audit trail
    for path in (
        f"/v1/tasks/{code}-T1",
        f"/v1/dossiers/{code}",
        f"/v1/dossiers/{code}/audit",
    ):
        clock.advance(timedelta(minutes=1))
        assert api.get(path, token=si_receiver.token).status == 200
    clock.advance(timedelta(minutes=1))
    receipt = api.get(
        f"/v1/dossiers/{code}/documents/receipt",
        token=si_receiver.token,
        headers={"Accept": "application/pdf"},
    )
    assert receipt.status == 200

    # Then the agency's leader finds each opening, newest first, with who and what
    answer = agency_log(api, si_leader)
    assert answer.status == 200
    entries = answer.json["items"]
    assert [(e["what"], e["detail"]) for e in entries] == [
        ("document", "receipt"),
        ("audit", None),
        ("dossier", None),
        ("task", f"{code}-T1"),
    ]
    assert {(e["username"], e["agency"], e["dossier_code"], e["role"]) for e in entries} == {
        (si_receiver.username, SOCIAL_INSURANCE, code, "receiver")
    }
    assert entries[0]["at"] > entries[-1]["at"]

    # and pages through them with the opaque token
    first = agency_log(api, si_leader, "?limit=3").json
    rest = agency_log(api, si_leader, f"?limit=3&next_token={first['next_token']}").json
    assert [e["id"] for e in first["items"] + rest["items"]] == [e["id"] for e in entries]
    assert rest["next_token"] is None

    # and per dossier (reading the log is not an opening of the dossier)
    per_dossier = api.get(f"/v1/dossiers/{code}/access-log", token=si_leader.token)
    assert per_dossier.status == 200
    assert [e["what"] for e in per_dossier.json["items"]] == ["document", "audit", "dossier", "task"]


def test_only_the_agencys_leaders_read_its_access_log(
    api: Api, an: Person, si_receiver: Person, si_leader: Person, people: Any
) -> None:
    code = filed_alone(api, an)
    other_leader = people.staff("lanhdao.congan", "000.00.21.H99", "leader")

    for person in (si_receiver, an, other_leader):
        refused = agency_log(api, person)
        assert refused.status == 403, person.username
        assert api.get(f"/v1/dossiers/{code}/access-log", token=person.token).status == 403
    assert api.get(f"/v1/agencies/{SOCIAL_INSURANCE}/access-log").status == 401
    assert agency_log(api, si_leader, agency="999.99.99.H99").status == 404
    # a token of the agency's listing does not read another dossier's or agency's
    forged = agency_log(api, si_leader, "?next_token=eyJQSyI6IkQjeCJ9")
    assert (forged.status, forged.error["code"]) == (400, "invalid_next_token")


def test_a_citizen_downloads_everything_held_about_them_as_one_archive(
    api: Api, an: Person, binh: Person, si_receiver: Person
) -> None:
    # Given An's declaration, refused with a reason (a message was sent about it), and Bình's
    code = filed_alone(api, an)
    assert decide(api, si_receiver, f"{code}-T1", "refuse", "Thiếu chữ ký của người khai.").status == 200
    other = filed_alone(api, binh)

    # When An asks for her data
    answer = api.get("/v1/me/export", token=an.token, headers={"Accept": "application/zip"})

    # Then she gets one ZIP: her account, her dossier with its history and messages, and its paper
    assert answer.status == 200
    assert "attachment" in (answer.header("Content-Disposition") or "")
    archive = zipfile.ZipFile(io.BytesIO(answer.body))
    data = json.loads(archive.read("du-lieu-cua-toi.json"))
    assert data["account"]["email"] == an.username
    assert [d["record"]["code"] for d in data["dossiers"]] == [code]
    [dossier] = data["dossiers"]
    assert [h["status"] for h in dossier["status_history"]] == [1, 3]
    assert sorted(m["channel"] for m in dossier["messages"]) == ["email", "email", "sms", "sms"]
    assert all(m["to"] in (an.username, "+84901234567") for m in dossier["messages"])
    [paper] = dossier["files"]
    assert archive.read(paper["path"]).startswith(b"%PDF-")
    assert other not in json.dumps(data)
    assert data["files_not_included"] == []

    # and staff cannot ask for it
    assert api.get("/v1/me/export", token=si_receiver.token).status == 403
    assert api.get("/v1/me/export").status == 401
