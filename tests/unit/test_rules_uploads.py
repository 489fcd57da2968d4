"""Hostile uploads, as a citizen meets them through the services on in-memory fakes: each refused with an
error in both languages that names the file, and never attached to a dossier or kept."""

from __future__ import annotations

import io
import uuid
from typing import TYPE_CHECKING

import pytest
import yaml
from PIL import Image

from motcua.domain.errors import InvalidInput
from motcua.services.uploads import UploadRequest, upload_key
from tests.conftest import ROOT
from tests.examples import HEIC, PDF, PNG, heic_of
from tests.fakes.world import World
from tests.hostile import HOSTILE_NAMES, Hostile, corpus

if TYPE_CHECKING:
    from motcua.domain.models import Principal

BIRTH, BIRTH_CERTIFICATE = "1.001193", "giay_chung_sinh"  # the paper takes a PDF, a JPEG or a PNG
# The province's limits, smaller here so that the bomb is small too: it inflates to twice this.
INFLATED = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """One world for the module (each test has its own citizen), with the province's upload limits."""
    province = yaml.safe_load((ROOT / "provinces" / "demo.yaml").read_text(encoding="utf-8"))
    province["uploads"]["max_inflated_bytes"] = INFLATED
    province["uploads"]["max_bytes"] = 1024 * 1024
    province_file = tmp_path_factory.mktemp("province") / "province.yaml"
    province_file.write_text(yaml.safe_dump(province, allow_unicode=True), encoding="utf-8")
    return World(province_file)


def upload(world: World, who: Principal, content: bytes, content_type: str, filename: str) -> str:
    slot = world.container.uploads.create_slot(
        who, UploadRequest(filename=filename, content_type=content_type, size=len(content))
    )
    world.store.post(slot.fields["key"], content)
    return slot.upload_id


def file_with(world: World, who: Principal, upload_id: str) -> InvalidInput:
    """File a birth registration whose certificate is `upload_id`: the error that refuses it."""
    request = world.filing_request(who, BIRTH)
    request.attachments[0].upload_id = upload_id
    assert request.attachments[0].paper_code == BIRTH_CERTIFICATE
    with pytest.raises(InvalidInput) as refused:
        world.container.filing.file(who, request, f"key-{uuid.uuid4().hex}")
    return refused.value


def assert_never_attached(world: World, who: Principal, upload_id: str) -> None:
    assert world.container.dossiers.mine(who, limit=10, token=None).items == []
    assert not world.store.kept(upload_key(who.sub, upload_id))
    assert not [key for key in world.store.objects if key.startswith(f"filed/{who.sub}/")]


@pytest.mark.parametrize("hostile", corpus(INFLATED), ids=lambda h: h.id)
def test_a_hostile_file_is_refused_at_filing_naming_the_file_and_never_attached(
    world: World, hostile: Hostile
) -> None:
    an = world.citizen()
    upload_id = upload(world, an, hostile.content, hostile.content_type, hostile.name)

    refused = file_with(world, an, upload_id)

    (error,) = [f for f in refused.fields if f.field.startswith("attachments[0]")]
    assert error.code == hostile.code, error.message.en
    assert f"“{hostile.name}”" in error.message.vi and f"“{hostile.name}”" in error.message.en
    assert error.message.vi != error.message.en
    assert_never_attached(world, an, upload_id)


@pytest.mark.parametrize(
    ("swapped", "code"),
    [
        (PDF + b"%" * 10, "file_changed"),  # another size than the slot's
        (b"", "file_empty"),
        (PDF + b"%" * (1024 * 1024), "file_too_large"),
        (PNG + b"\0" * (len(PDF) - len(PNG)), "type_mismatch"),  # the same size, another type
    ],
    ids=["other-size", "emptied", "oversize", "other-type-same-size"],
)
def test_a_file_changed_after_its_slot_was_issued_is_refused(world: World, swapped: bytes, code: str) -> None:
    an = world.citizen()
    upload_id = upload(world, an, PDF, "application/pdf", "giấy chứng sinh.pdf")
    world.store.swap(upload_key(an.sub, upload_id), swapped)

    refused = file_with(world, an, upload_id)

    (error,) = refused.fields
    assert error.code == code
    assert "“giấy chứng sinh.pdf”" in error.message.vi
    assert_never_attached(world, an, upload_id)


def test_the_slot_is_for_the_declared_size_only(world: World) -> None:
    an = world.citizen()
    slot = world.container.uploads.create_slot(
        an, UploadRequest(filename="a.pdf", content_type="application/pdf", size=len(PDF))
    )

    with pytest.raises(ValueError, match="content-length"):
        world.store.post(slot.fields["key"], PDF + b"\n")
    assert slot.fields["x-amz-meta-size"] == str(len(PDF))


@pytest.mark.parametrize(("case", "name", "code"), HOSTILE_NAMES, ids=[c for c, _, _ in HOSTILE_NAMES])
def test_a_hostile_name_is_refused_when_the_slot_is_asked(
    world: World, case: str, name: str, code: str
) -> None:
    an = world.citizen()

    with pytest.raises(InvalidInput) as refused:
        world.container.uploads.create_slot(
            an, UploadRequest(filename=name, content_type="application/pdf", size=len(PDF))
        )

    (error,) = refused.value.fields
    assert (error.field, error.code) == ("filename", code)
    shown = error.message.en.split("“")[1].split("”")[0]  # the name, as the message names it
    assert shown in error.message.vi
    assert not any(c in shown for c in "\u202e\u2066\x00\r\n/\\")
    assert not any(key.startswith(upload_key(an.sub, "")) for key in world.store.slots)


def test_a_well_formed_file_of_each_type_is_attached(world: World) -> None:
    an = world.citizen()
    request = world.filing_request(an, BIRTH)
    request.attachments[0].upload_id = upload(world, an, PNG, "image/png", "giấy chứng sinh.png")

    dossier = world.container.filing.file(an, request, f"key-{uuid.uuid4().hex}").dossier

    assert [a.filename for a in dossier.attachments][0] == "giấy chứng sinh.png"


def test_an_iphone_photo_is_accepted_and_filed_as_a_jpeg_turned_as_taken(world: World) -> None:
    # Given an iPhone photo (HEIC), 60 × 40 as stored, with EXIF saying "turn 90° clockwise to show"
    orientation = Image.Exif()
    orientation[0x0112] = 6
    photo = heic_of(60, 40, (20, 60, 200), exif=orientation.tobytes())
    an = world.citizen()
    request = world.filing_request(an, BIRTH)
    request.attachments[0].upload_id = upload(world, an, photo, "image/heif", "IMG_0412.HEIC")

    # When it is filed as the birth certificate (a paper that takes PDF, JPEG or PNG)
    dossier = world.container.filing.file(an, request, f"key-{uuid.uuid4().hex}").dossier

    # Then officers get a JPEG, upright, that any browser shows
    (attachment,) = [a for a in dossier.attachments if a.paper_code == BIRTH_CERTIFICATE]
    assert (attachment.filename, attachment.content_type) == ("IMG_0412.jpg", "image/jpeg")
    kept = world.store.objects[attachment.key]
    assert kept.content_type == "image/jpeg" and len(kept.content) == attachment.size
    with Image.open(io.BytesIO(kept.content)) as shown:
        assert (shown.format, shown.size) == ("JPEG", (40, 60))
        red, green, blue = shown.convert("RGB").getpixel((20, 30))  # type: ignore[misc]
        assert blue > 150 and red < 80
        assert not shown.getexif()  # no metadata carried over: an iPhone's EXIF says where it was taken


def test_an_iphone_photo_is_refused_for_a_paper_that_takes_only_pdf(world: World) -> None:
    an = world.citizen()
    request = world.filing_request(an, "2.001610")  # business registration: the application form is a PDF
    request.attachments[0].upload_id = upload(world, an, HEIC, "image/heic", "don.heic")

    with pytest.raises(InvalidInput) as refused:
        world.container.filing.file(an, request, f"key-{uuid.uuid4().hex}")

    (error,) = refused.value.fields
    assert (error.field, error.code) == ("attachments[0]", "type_not_allowed")
    assert "“don.heic”" in error.message.vi
