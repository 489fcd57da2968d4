"""A filed paper is what was checked at filing, whatever is posted to its upload slot afterwards (the slot
stays valid for 15 minutes): the dossier names a copy at a key no slot can write (docs/security.md)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

from motcua.domain.errors import InvalidInput
from motcua.domain.roles import Role
from motcua.services.citizens import Supplement
from motcua.services.uploads import upload_key
from tests.examples import PDF

if TYPE_CHECKING:
    from motcua.domain.models import Attachment, Principal
    from tests.fakes.world import World

BIRTH = "1.001193"
SI, SOCIAL_INSURANCE = "1.000058", "000.00.22.H99"  # one agency, no flow
# Another PDF of the very same size and type: everything the slot's policy demands of a second post.
OTHER = PDF.replace(b"595 842", b"612 792")


def served(world: World, attachment: Attachment) -> bytes:
    """What officers, downloads and documents get for a paper: the object its key names."""
    assert f"/{attachment.key}?" in world.container.dossiers.download_url(attachment)
    content = world.store.read(attachment.key, max_bytes=len(PDF) * 2)
    assert content is not None
    return content


def slot_of(who: Principal, attachment: Attachment) -> str:
    return upload_key(who.sub, attachment.upload_id)


def test_a_file_posted_to_the_slot_after_filing_never_replaces_the_filed_paper(world: World) -> None:
    assert OTHER != PDF and len(OTHER) == len(PDF)
    an = world.citizen()
    request = world.filing_request(an, BIRTH)
    dossier = world.container.filing.file(an, request, "key-filed-papers-1").dossier
    paper = next(a for a in dossier.attachments if a.content_type == "application/pdf")

    world.store.post(slot_of(an, paper), OTHER)  # accepted: the slot is still valid

    assert world.store.read(slot_of(an, paper), max_bytes=len(OTHER)) == OTHER
    assert not paper.key.startswith("uploads/") and paper.key not in world.store.slots
    assert world.record(dossier.code).dossier.attachments == dossier.attachments
    assert served(world, paper) == PDF
    assert world.store.kept(paper.key)  # never expired as an abandoned upload

    # The same filing retried (its answer lost) after the second post: the same dossier, the same bytes.
    again = world.container.filing.file(an, request, "key-filed-papers-1")
    assert again.replayed and again.dossier.attachments == dossier.attachments
    assert served(world, paper) == PDF


def test_a_paper_added_later_is_kept_as_checked_too(world: World) -> None:
    an = world.citizen()
    dossier = world.file(an, SI)
    world.decide(world.staff(SOCIAL_INSURANCE, Role.RECEIVER), f"{dossier.code}-T1", "accept")
    world.decide(world.staff(SOCIAL_INSURANCE, Role.OFFICER), f"{dossier.code}-T1", "request_papers", "Thiếu")
    body = Supplement.model_validate(world.papers(an, dossier.code))

    record = world.container.citizen_actions.supplement(an, dossier.code, body)
    (added,) = record.dossier.attachments[len(dossier.attachments) :]
    world.store.post(slot_of(an, added), OTHER)

    assert served(world, added) == PDF
    assert world.record(dossier.code).dossier.attachments[-1] == added


def test_a_file_posted_again_between_the_check_and_the_copy_is_not_filed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    an = world.citizen()
    request = world.filing_request(an, BIRTH)
    key = upload_key(an.sub, request.attachments[0].upload_id)
    keep = world.store.keep

    def posted_meanwhile(source: str, *, into: str, etag: str | None) -> bool:
        if source == key:
            world.store.post(key, OTHER)
        return keep(source, into=into, etag=etag)

    monkeypatch.setattr(world.store, "keep", posted_meanwhile)

    with pytest.raises(InvalidInput) as refused:
        world.container.filing.file(an, request, f"key-{uuid.uuid4().hex}")

    assert [(f.field, f.code) for f in refused.value.fields] == [("attachments[0]", "file_changed")]
    assert world.container.dossiers.mine(an, limit=10, token=None).items == []
    monkeypatch.undo()
    # Filed again, the file now in the slot is checked and filed.
    dossier = world.container.filing.file(an, request, f"key-{uuid.uuid4().hex}").dossier
    assert served(world, dossier.attachments[0]) == OTHER
