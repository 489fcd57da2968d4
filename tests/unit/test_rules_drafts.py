"""Drafts (docs/drafts.md): kept per citizen and procedure with a version, limited, expiring with their
papers, and gone once the procedure is filed; through the API on the in-memory fakes."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from motcua.services.uploads import upload_key
from tests.conftest import DEMO_PROVINCE
from tests.fakes.world import World

if TYPE_CHECKING:
    from motcua.domain.models import Principal
    from tests.fakes.world import Api, Reply

BIRTH = "1.001193"  # birth registration: a short form
BUSINESS = "2.001610"
PATH = f"/v1/me/drafts/{BIRTH}"


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)


def _paper(world: World, citizen: Principal, code: str = BIRTH) -> dict[str, Any]:
    procedure = world.province.procedures_by_code[code]
    return {
        "upload_id": world.upload(citizen),
        "paper_code": procedure.papers[0].code,
        "filename": "giấy tờ.pdf",
        "size": 1000,
        "content_type": "application/pdf",
    }


def _save(api: Api, who: Principal, body: dict[str, Any], path: str = PATH, **headers: str) -> Reply:
    return api.call("PUT", path, who, body, **headers)


def test_a_draft_is_saved_and_read_back_with_its_papers_on_another_device(world: World) -> None:
    citizen = world.citizen()
    paper = _paper(world, citizen)
    body = {"answers": {"form": {"child_name": "Nguyễn Bé Na"}}, "papers": [paper]}
    with world.api() as api:
        created = _save(api, citizen, body, If_None_Match="*")
        assert created.status == 200, created.body
        assert created.headers["etag"] == '"1"'
        # "Another device": nothing but the account.
        read = api.call("GET", PATH, citizen)
        listed = api.call("GET", "/v1/me/drafts", citizen)
    assert read.status == 200
    assert read.body["answers"] == body["answers"]
    assert read.body["papers"] == [paper]
    assert read.body["version"] == 1
    assert read.headers["etag"] == '"1"'
    assert [item["procedure_code"] for item in listed.body["items"]] == [BIRTH]
    assert listed.body["items"][0]["papers"] == 1
    # The paper now lasts as long as the draft, not as an abandoned upload.
    assert world.store.held(upload_key(citizen.sub, paper["upload_id"]))


def test_a_save_from_a_stale_version_is_refused_and_overwrites_nothing(world: World) -> None:
    citizen = world.citizen()
    with world.api() as api:
        assert _save(api, citizen, {"answers": {"a": 1}}, If_None_Match="*").status == 200
        phone = _save(api, citizen, {"answers": {"a": 2}}, If_Match='"1"')
        assert phone.status == 200 and phone.body["version"] == 2
        desk = _save(api, citizen, {"answers": {"a": 3}}, If_Match='"1"')  # still holds version 1
        again = _save(api, citizen, {"answers": {"a": 4}}, If_None_Match="*")
        bare = _save(api, citizen, {"answers": {"a": 5}})
        kept = api.call("GET", PATH, citizen)
    assert desk.status == 412 and desk.error_code == "draft_changed"
    assert desk.body["error"]["current_version"] == 2
    assert "thiết bị" in desk.body["error"]["message"]
    assert again.status == 412 and again.error_code == "draft_exists"
    assert bare.status == 428 and bare.error_code == "precondition_required"
    assert kept.body["answers"] == {"a": 2}


def test_the_messages_come_in_english_too(world: World) -> None:
    citizen = world.citizen()
    with world.api() as api:
        _save(api, citizen, {"answers": {}}, If_None_Match="*")
        stale = _save(api, citizen, {"answers": {}}, If_Match='"7"', Accept_Language="en")
    assert stale.status == 412
    assert "another device" in stale.body["error"]["message"]


def test_another_citizen_cannot_read_change_or_delete_a_draft(world: World) -> None:
    owner, other = world.citizen(), world.citizen("Trần Thị Khác")
    with world.api() as api:
        _save(api, owner, {"answers": {"secret": "Nguyễn Bé Na"}}, If_None_Match="*")
        read = api.call("GET", PATH, other)
        listed = api.call("GET", "/v1/me/drafts", other)
        deleted = api.call("DELETE", PATH, other)
        officer = api.call("GET", "/v1/me/drafts", world.staff("000.00.01.H99"))
        # The owner's paper is not another citizen's to put in a draft: it is not among their uploads.
        paper = _paper(world, owner)
        borrowed = _save(api, other, {"answers": {}, "papers": [paper]}, If_None_Match="*")
        still = api.call("GET", PATH, owner)
    assert read.status == 404 and "Nguyễn Bé Na" not in str(read.body)
    assert listed.body == {"items": []}
    assert deleted.status == 404
    assert officer.status == 403
    assert borrowed.status == 422 and borrowed.body["error"]["fields"][0]["code"] == "file_missing"
    assert still.body["answers"] == {"secret": "Nguyễn Bé Na"}


def test_filing_the_procedure_removes_its_draft_and_only_that_one(world: World) -> None:
    citizen = world.citizen()
    with world.api() as api:
        _save(api, citizen, {"answers": {"a": 1}}, If_None_Match="*")
        _save(api, citizen, {"answers": {"b": 1}}, f"/v1/me/drafts/{BUSINESS}", If_None_Match="*")
    world.file(citizen, BIRTH)
    with world.api() as api:
        gone = api.call("GET", PATH, citizen)
        listed = api.call("GET", "/v1/me/drafts", citizen)
    assert gone.status == 404 and gone.error_code == "draft_not_found"
    assert [item["procedure_code"] for item in listed.body["items"]] == [BUSINESS]


def test_a_draft_expires_keep_days_after_its_first_save_and_saving_does_not_extend_it(world: World) -> None:
    citizen = world.citizen()
    keep = world.province.drafts.keep_days
    with world.api() as api:
        first = _save(api, citizen, {"answers": {"a": 1}}, If_None_Match="*")
        world.clock.advance(timedelta(days=keep - 1))
        later = _save(api, citizen, {"answers": {"a": 2}}, If_Match='"1"')
        assert later.body["expires_at"] == first.body["expires_at"]
        world.clock.advance(timedelta(days=1))
        # Not yet removed by the TTL, but no longer read, listed or replaced.
        gone = api.call("GET", PATH, citizen)
        listed = api.call("GET", "/v1/me/drafts", citizen)
        stale = _save(api, citizen, {"answers": {"a": 3}}, If_Match='"2"')
        fresh = _save(api, citizen, {"answers": {"a": 4}}, If_None_Match="*")
    assert gone.status == 404
    assert listed.body == {"items": []}
    assert stale.status == 412
    assert fresh.status == 200 and fresh.body["version"] == 1


def test_the_papers_of_a_draft_outlive_it(world: World) -> None:
    """The bucket's rule for papers held by drafts (keep_days + abandoned_uploads_days from the upload)
    ends after the draft: an upload still there was posted at most abandoned_uploads_days before."""
    retention, drafts = world.province.retention, world.province.drafts
    kept_from_upload = timedelta(days=drafts.keep_days + retention.abandoned_uploads_days)
    citizen = world.citizen()
    paper = _paper(world, citizen)
    uploaded = world.clock.now()
    world.clock.advance(timedelta(days=retention.abandoned_uploads_days) - timedelta(minutes=1))
    with world.api() as api:
        saved = _save(api, citizen, {"answers": {}, "papers": [paper]}, If_None_Match="*")
    assert saved.status == 200
    assert world.store.held(upload_key(citizen.sub, paper["upload_id"]))
    assert uploaded + kept_from_upload >= world.clock.now() + timedelta(days=drafts.keep_days)


def test_limits_are_said_in_both_languages(world: World) -> None:
    citizen = world.citizen()
    limit = world.province.drafts
    big = {"answers": {"text": "x" * (limit.max_answer_bytes + 1)}}
    with world.api() as api:
        too_large = _save(api, citizen, big, If_None_Match="*")
        unknown = _save(api, citizen, {"answers": {}}, "/v1/me/drafts/0.000000", If_None_Match="*")
        wrong_paper = _save(
            api,
            citizen,
            {"answers": {}, "papers": [{"upload_id": world.upload(citizen), "paper_code": "nope"}]},
            If_None_Match="*",
        )
    assert too_large.status == 413 and too_large.error_code == "draft_too_large"
    assert unknown.status == 404
    assert wrong_paper.status == 422
    assert wrong_paper.body["error"]["fields"][0]["code"] == "unknown_paper"


def test_a_citizen_has_at_most_max_per_citizen_drafts(world: World) -> None:
    citizen = world.citizen()
    limit = world.province.drafts.max_per_citizen
    codes = [p.code for p in world.province.procedures]
    # A cap of two, so that three of the demo's procedures reach it.
    world.container.drafts.policy = world.province.drafts.model_copy(update={"max_per_citizen": 2})
    with world.api() as api:
        assert (
            _save(api, citizen, {"answers": {}}, f"/v1/me/drafts/{codes[0]}", If_None_Match="*").status == 200
        )
        assert (
            _save(api, citizen, {"answers": {}}, f"/v1/me/drafts/{codes[1]}", If_None_Match="*").status == 200
        )
        third = _save(api, citizen, {"answers": {}}, f"/v1/me/drafts/{codes[2]}", If_None_Match="*")
        third_en = _save(
            api,
            citizen,
            {"answers": {}},
            f"/v1/me/drafts/{codes[2]}",
            If_None_Match="*",
            Accept_Language="en",
        )
        replaced = _save(api, citizen, {"answers": {"a": 1}}, f"/v1/me/drafts/{codes[0]}", If_Match='"1"')
        api.call("DELETE", f"/v1/me/drafts/{codes[1]}", citizen)
        after_delete = _save(api, citizen, {"answers": {}}, f"/v1/me/drafts/{codes[2]}", If_None_Match="*")
    assert limit >= 2
    assert third.status == 409 and third.error_code == "too_many_drafts"
    assert "tối đa" in third.body["error"]["message"]
    assert "most allowed" in third_en.body["error"]["message"]
    assert replaced.status == 200  # replacing one is not another
    assert after_delete.status == 200


def test_a_delete_names_the_version_it_removes_or_none(world: World) -> None:
    citizen = world.citizen()
    with world.api() as api:
        _save(api, citizen, {"answers": {}}, If_None_Match="*")
        _save(api, citizen, {"answers": {"a": 1}}, If_Match='"1"')
        stale = api.call("DELETE", PATH, citizen, If_Match='"1"')
        done = api.call("DELETE", PATH, citizen, If_Match='"2"')
        again = api.call("DELETE", PATH, citizen)
    assert stale.status == 412 and stale.body["error"]["current_version"] == 2
    assert done.status == 200 and done.body == {"procedure_code": BIRTH, "deleted": True}
    assert again.status == 404


def test_a_citizen_s_export_holds_their_drafts(world: World) -> None:
    import io
    import json
    import zipfile

    citizen = world.citizen()
    with world.api() as api:
        _save(api, citizen, {"answers": {"form": {"child_name": "Nguyễn Bé Na"}}}, If_None_Match="*")
        exported = api.call("GET", "/v1/me/export", citizen, Accept="application/zip")
    assert exported.status == 200
    with zipfile.ZipFile(io.BytesIO(exported.body)) as archive:
        data = json.loads(archive.read("du-lieu-cua-toi.json"))
    assert [(d["procedure_code"], d["answers"]) for d in data["drafts"]] == [
        (BIRTH, {"form": {"child_name": "Nguyễn Bé Na"}})
    ]
