"""Uploads on a weak network, in the browser: the limits said before choosing, a stalled upload tried
again until it arrives, a phone photo made smaller before it is sent, photos of three pages put together
as one PDF, an iPhone photo (HEIC) accepted and filed as a JPEG; on a phone, in both languages, with axe."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import boto3
import pytest
import requests
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from motcua.domain.scan import ScanLimits, scan
from tests.e2e.support import (
    BIRTH_REGISTRATION,
    Stack,
    assert_accessible,
    birth_registration_through_api,
    citizen_headers,
    citizen_signs_in,
    fill_birth_registration,
)
from tests.examples import HEIC, PDF, heic_of

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page, Route

CERTIFICATE = {"vi": "Giấy chứng sinh hoặc văn bản xác nhận việc sinh", "en": "Medical birth certificate"}
UPLOADED = {"vi": "Đã tải lên", "en": "Uploaded"}


def phone_photo(path: Path, *, quality: int = 90) -> Path:
    """A phone camera's photo: 4032 × 3024 as stored, EXIF saying "turn 90° to show" (held upright),
    about 3 MB at the quality phones save with."""
    width, height = 4032, 3024
    grain = Image.effect_noise((width // 2, height // 2), 24).resize((width, height))
    shade = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (grain, shade, Image.new("L", (width, height), 120)))
    orientation = Image.Exif()
    orientation[0x0112] = 6
    image.save(path, "JPEG", quality=quality, exif=orientation.tobytes())
    return path


def stored(stack: Stack, slot: dict[str, Any]) -> bytes:
    """The object the browser posted to the slot, read back from the local stack's S3."""
    url = urlparse(slot["url"])
    bucket = url.path.strip("/") or url.netloc.split(".")[0]
    s3 = boto3.client(
        "s3",
        endpoint_url=stack.moto_url,
        region_name="ap-southeast-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    body: bytes = s3.get_object(Bucket=bucket, Key=slot["fields"]["key"])["Body"].read()
    return body


def open_filing(page: Page, stack: Stack, language: str = "vi") -> None:
    """The citizen signed in and the birth registration's filing form open at its papers, in `language`."""
    citizen_signs_in(page, stack)
    page.goto(f"{stack.url}/#/file/{BIRTH_REGISTRATION}")
    fill_birth_registration(page)  # the papers are the form's last step
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".paper").first).to_be_visible()


def paper(page: Page, language: str = "vi") -> Any:
    return page.locator(".paper", has=page.get_by_label(CERTIFICATE[language], exact=False).first).first


LIMITS = {
    "vi": [r"PDF, JPG, PNG, HEIC \(ảnh iPhone\)", r"tối đa 10 MB mỗi tệp", r"PDF tối đa 300 trang"],
    "en": [r"PDF, JPG, PNG, HEIC \(iPhone photos\)", r"up to 10 MB per file", r"PDFs up to 300 pages"],
}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_the_limits_are_said_before_a_file_is_chosen(
    stack: Stack, request: pytest.FixtureRequest, viewport: str, language: str
) -> None:
    page: Page = request.getfixturevalue(viewport)
    open_filing(page, stack, language)

    hint = paper(page, language).locator(".upload-limits")
    for said in LIMITS[language]:
        expect(hint).to_contain_text(re.compile(said))
    # the hint is what the file control is described by: a screen reader says it before choosing
    described = (
        paper(page, language).locator("input[type=file]").first.get_attribute("aria-describedby") or ""
    )
    assert hint.get_attribute("id") in described.split()
    # the camera is offered for a photo of the paper, beside the files
    camera = paper(page, language).locator("input[capture]").first
    assert camera.get_attribute("accept") == "image/*"
    # …and comes with the file button, before the list of files (the keyboard's order too)
    order = paper(page, language).evaluate(
        """(p) => ["input[type=file]:not([capture])", "input[capture]", ".files"]
            .map((s) => [...p.querySelectorAll("input, .files")].indexOf(p.querySelector(s)))"""
    )
    assert order == sorted(order) and -1 not in order, order
    assert_accessible(page, what=f"filing form, {viewport}, {language}")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_stalled_upload_times_out_and_is_tried_again_until_it_arrives(
    stack: Stack, phone: Page, tmp_path: Path, language: str
) -> None:
    page = phone
    page.clock.install()
    open_filing(page, stack, language)

    # Given a network where the first upload to the bucket never gets an answer
    held: list[Route] = []

    def first_never_answers(route: Route) -> None:
        if route.request.method == "POST" and not held:
            held.append(route)  # neither answered nor failed: the connection just hangs
        else:
            route.continue_()

    page.route(f"{stack.moto_url}/**", first_never_answers)
    pdf = tmp_path / "giay-chung-sinh.pdf"
    pdf.write_bytes(PDF)

    # When the citizen chooses the file and nothing moves for the stall time
    to_bucket = page.expect_request(lambda r: r.url.startswith(stack.moto_url) and r.method == "POST")
    with to_bucket:
        paper(page, language).locator("input[type=file]").first.set_input_files(pdf)
    expect(page.locator(".file")).to_have_attribute("data-status", "uploading")
    page.clock.run_for(20_500)

    # Then it is stopped, said, and tried again after a wait, without the citizen doing anything
    expect(page.locator(".file")).to_have_attribute("data-status", "retrying")
    expect(page.locator(".file__state")).to_contain_text("2")
    page.clock.run_for(5_000)
    expect(page.locator(".file")).to_have_attribute("data-status", "done")
    expect(page.locator(".file__state")).to_have_text(UPLOADED[language])
    assert_accessible(page, what="an upload tried again")


def test_after_the_automatic_tries_a_button_tries_again(stack: Stack, phone: Page, tmp_path: Path) -> None:
    page = phone
    page.clock.install()
    open_filing(page, stack, "en")

    # Given a network where nothing reaches the bucket for a while
    down = [True]
    tries: list[str] = []

    def hangs_while_down(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
        elif down[0]:
            tries.append(route.request.url)  # held: never answered
        else:
            route.continue_()

    page.route(f"{stack.moto_url}/**", hangs_while_down)
    pdf = tmp_path / "birth-certificate.pdf"
    pdf.write_bytes(PDF)
    row = page.locator(".file")
    with page.expect_request(lambda r: r.url.startswith(stack.moto_url) and r.method == "POST"):
        paper(page, "en").locator("input[type=file]").first.set_input_files(pdf)

    # When every automatic try stalls (the first and three more, after 2, 5 and 10 s)
    for wait in (2_000, 5_000, 10_000):
        page.clock.run_for(20_500)
        expect(row).to_have_attribute("data-status", "retrying")
        page.clock.run_for(wait + 1_500)
        expect(row).to_have_attribute("data-status", "uploading")
    page.clock.run_for(20_500)

    # Then the row says what happened and offers a try by hand, which works once the network is back
    expect(row).to_have_attribute("data-status", "failed")
    expect(row.locator(".file__error")).to_have_text("The network sent nothing for 20 seconds.")
    # The held requests reach this process as events, which the page's own progress can outrun
    for _ in range(40):
        if len(tries) >= 4:
            break
        page.wait_for_timeout(50)
    assert len(tries) == 4
    assert_accessible(page, what="an upload that failed after its tries")
    down[0] = False
    row.get_by_role("button", name="Upload again birth-certificate.pdf").click()
    expect(row).to_have_attribute("data-status", "done")


def test_a_file_too_large_is_refused_with_what_to_do_and_no_retry(
    stack: Stack, phone: Page, tmp_path: Path
) -> None:
    page = phone
    open_filing(page, stack)
    big = tmp_path / "ban-quet.pdf"
    big.write_bytes(PDF[:-6] + b" " * (11 * 1024 * 1024) + b"%%EOF\n")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)

    paper(page).locator("input[type=file]").first.set_input_files(big)

    row = page.locator(".file")
    expect(row).to_have_attribute("data-status", "failed")
    expect(row.locator(".file__error")).to_contain_text("vượt quá dung lượng cho phép (10 MB)")
    expect(row.locator(".file__advice")).to_contain_text("150 dpi")
    expect(row.get_by_role("button", name=re.compile("^Tải lại"))).to_be_hidden()
    assert sent == [], "nothing is sent for a file the limits refuse"
    assert_accessible(page, what="a file refused for its size")


def test_a_phone_photo_arrives_downscaled_and_upright(stack: Stack, phone: Page, tmp_path: Path) -> None:
    page = phone
    open_filing(page, stack)
    photo = phone_photo(tmp_path / "IMG_2041.jpg")
    assert photo.stat().st_size > 3_000_000

    with page.expect_response("**/v1/uploads") as answer:
        paper(page).locator("input[type=file]").first.set_input_files(photo)
    expect(page.locator(".file")).to_have_attribute("data-status", "done", timeout=30_000)

    sent = stored(stack, answer.value.json())
    with Image.open(io.BytesIO(sent)) as arrived:
        assert arrived.format == "JPEG"
        assert arrived.size == (1500, 2000)  # upright (portrait, as held) and its long side 2000 px
    assert len(sent) < photo.stat().st_size / 3
    expect(page.locator(".file__size")).to_contain_text("→")


def test_three_photos_become_one_pdf_of_three_pages_in_the_order_chosen(
    stack: Stack, phone: Page, tmp_path: Path
) -> None:
    page = phone
    open_filing(page, stack)
    colours = {"trang-1.jpg": (200, 30, 30), "trang-2.jpg": (30, 160, 40), "trang-3.jpg": (30, 40, 200)}
    files = []
    for name, colour in colours.items():
        Image.new("RGB", (1200, 1600), colour).save(tmp_path / name, "JPEG", quality=90)
        files.append(tmp_path / name)

    # Given the citizen adds photos of three pages
    box = paper(page)
    box.locator("summary").click()
    box.get_by_label("Chọn ảnh các trang").set_input_files(files)
    expect(box.locator(".pages__item")).to_have_count(3)
    expect(box.locator(".pages__item").nth(2)).to_contain_text("trang-3.jpg")

    # When they move the last page up once: 1, 3, 2
    box.locator(".pages__item").nth(2).get_by_role("button", name=re.compile("^Lên")).click()
    expect(box.locator(".pages__item").nth(1)).to_contain_text("trang-3.jpg")
    expect(box.locator(".pages__item").nth(1)).to_contain_text("Trang 2")
    assert_accessible(page, what="pages to put together")

    # And put them together
    with page.expect_response("**/v1/uploads") as answer:
        box.get_by_role("button", name="Ghép 3 trang thành PDF và tải lên").click()
    expect(page.locator(".file")).to_have_attribute("data-status", "done")
    expect(page.locator(".file__name")).to_have_text("giay-to-3-trang.pdf")

    # Then one PDF of three pages arrived, in that order, and the upload check takes it as it is
    sent = stored(stack, answer.value.json())
    reader = PdfReader(io.BytesIO(sent))
    assert len(reader.pages) == 3
    seen = []
    for page_of_pdf in reader.pages:
        (picture,) = page_of_pdf.images
        red, green, blue = picture.image.convert("RGB").resize((1, 1)).getpixel((0, 0))  # type: ignore[misc, union-attr]
        seen.append(max(("red", red), ("green", green), ("blue", blue), key=lambda c: c[1])[0])
    assert seen == ["red", "blue", "green"]
    limits = ScanLimits(max_pages=300, max_pixels=40_000_000, max_inflated_bytes=128 * 1024 * 1024)
    assert scan(sent, "application/pdf", limits) is None


def test_an_iphone_photo_is_accepted_and_filed_as_a_jpeg(stack: Stack, phone: Page, tmp_path: Path) -> None:
    page = phone
    open_filing(page, stack)
    photo = tmp_path / "IMG_0412.HEIC"
    photo.write_bytes(heic_of(320, 240, (30, 40, 200)))

    with page.expect_response("**/v1/uploads") as answer:
        paper(page).locator("input[type=file]").first.set_input_files(photo)
    expect(page.locator(".file")).to_have_attribute("data-status", "done")
    slot = answer.value.json()
    assert stored(stack, slot)[4:12] == HEIC[4:12]  # sent as it is: ftyp heic

    # Filed with it as the birth certificate, officers get a JPEG
    code = birth_registration_through_api(stack, upload_id=slot["upload_id"])
    dossier = requests.get(
        f"{stack.url}/v1/dossiers/{code}", headers=citizen_headers(stack), timeout=10
    ).json()
    (certificate,) = [a for a in dossier["attachments"] if a["paper_code"] == "giay_chung_sinh"]
    assert (certificate["filename"], certificate["content_type"]) == ("IMG_0412.jpg", "image/jpeg")
