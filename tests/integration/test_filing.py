"""Filing on moto: numbering, idempotency, files checked after upload, and parallel filing without gaps."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from motcua.domain.codes import DossierCode
from motcua.domain.errors import BadRequest, IdempotencyKeyReused, InvalidInput
from motcua.domain.status import Status
from motcua.services.filing import FilingRequest
from motcua.services.uploads import AttachmentRef
from tests.examples import PDF, PNG
from tests.integration.conftest import filing_request, upload


def test_filing_numbers_the_dossier_for_its_agency_and_day(container: Any, people: Any) -> None:
    an = people.citizen("an@example.vn")
    request = filing_request(container, an)

    first = container.filing.file(an, request, "key-00000001").dossier
    second = container.filing.file(an, filing_request(container, an), "key-00000002").dossier

    assert str(DossierCode.parse(first.code)) == "000.01.01.H99-261117-0001"
    assert second.code == "000.01.01.H99-261117-0002"
    assert first.status is Status.SUBMITTED
    # Filed Tuesday 17/11/2026 09:00 with one working day: due Wednesday 18/11 at 17:00.
    assert first.due_at == datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def test_a_new_day_starts_again_at_0001(container: Any, people: Any, clock: Any) -> None:
    an = people.citizen("an@example.vn")
    container.filing.file(an, filing_request(container, an), "key-00000001")
    clock.set(datetime(2026, 11, 18, 1, 0, tzinfo=UTC))
    dossier = container.filing.file(an, filing_request(container, an), "key-00000002").dossier
    assert dossier.code == "000.01.01.H99-261118-0001"


def test_retry_with_the_same_key_returns_the_same_dossier_and_creates_nothing(
    container: Any, people: Any
) -> None:
    an = people.citizen("an@example.vn")
    request = filing_request(container, an)

    first = container.filing.file(an, request, "retry-key-1")
    again = container.filing.file(an, request, "retry-key-1")

    assert not first.replayed and again.replayed
    assert again.dossier == first.dossier
    assert len(container.repository.list_by_owner(an.sub, limit=50, token=None).items) == 1
    assert container.repository.inbox("000.01.01.H99", limit=50, token=None).items[0].dossier_code == (
        first.dossier.code
    )
    assert len(container.repository.inbox("000.01.01.H99", limit=50, token=None).items) == 1


def test_same_key_with_a_different_body_is_refused(container: Any, people: Any) -> None:
    an = people.citizen("an@example.vn")
    request = filing_request(container, an)
    container.filing.file(an, request, "retry-key-2")
    changed = request.model_copy(update={"form": {**request.form, "child_full_name": "Trần Thị Khác"}})

    with pytest.raises(IdempotencyKeyReused):
        container.filing.file(an, changed, "retry-key-2")


def test_keys_belong_to_their_owner(container: Any, people: Any) -> None:
    an, binh = people.citizen("an@example.vn"), people.citizen("binh@example.vn", "Lê Thị Bình")
    container.filing.file(an, filing_request(container, an), "shared-key-1")
    mine = container.filing.file(binh, filing_request(container, binh), "shared-key-1")
    assert not mine.replayed and mine.dossier.owner == binh.sub


@pytest.mark.parametrize("key", [None, "short", "has spaces in it", "x" * 129])
def test_a_missing_or_malformed_key_is_a_bad_request(container: Any, people: Any, key: str | None) -> None:
    an = people.citizen("an@example.vn")
    with pytest.raises(BadRequest):
        container.filing.file(an, filing_request(container, an), key)


def _refs(request: FilingRequest, *extra: AttachmentRef) -> FilingRequest:
    return request.model_copy(update={"attachments": [*request.attachments, *extra]})


def test_every_failing_file_is_named(container: Any, people: Any) -> None:
    an = people.citizen("an@example.vn")
    request = filing_request(container, an)
    paper = request.attachments[0].paper_code
    fake_pdf = upload(container, an, PNG, content_type="application/pdf", filename="ảnh-đổi-tên.pdf")
    empty_slot = upload(container, an, b"", filename="rỗng.pdf")
    never_uploaded = "0" * 32

    with pytest.raises(InvalidInput) as raised:
        container.filing.file(
            an,
            _refs(
                request,
                AttachmentRef(upload_id=fake_pdf, paper_code=paper),
                AttachmentRef(upload_id=never_uploaded, paper_code=paper),
                AttachmentRef(upload_id=empty_slot, paper_code=paper),
                AttachmentRef(upload_id=request.attachments[0].upload_id, paper_code="no_such_paper"),
            ),
            "key-bad-files",
        )

    errors = {e.field: e for e in raised.value.fields}
    first_new = len(request.attachments)
    assert errors[f"attachments[{first_new}]"].code == "type_mismatch"
    assert "ảnh-đổi-tên.pdf" in errors[f"attachments[{first_new}]"].message.vi
    assert errors[f"attachments[{first_new + 1}]"].code == "file_missing"
    assert errors[f"attachments[{first_new + 2}]"].code in ("file_empty", "file_missing")
    assert errors[f"attachments[{first_new + 3}].paper_code"].code == "unknown_paper"
    assert container.repository.list_by_owner(an.sub, limit=10, token=None).items == []


def test_a_file_larger_than_the_limit_is_refused_after_upload(
    container: Any, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    an = people.citizen("an@example.vn")
    request = filing_request(container, an)
    # The bucket would refuse it on AWS; here we check that filing refuses it too.
    monkeypatch.setattr(
        container.uploads, "policy", container.province.uploads.model_copy(update={"max_bytes": 10})
    )
    with pytest.raises(InvalidInput) as raised:
        container.filing.file(an, request, "key-too-large")
    assert {e.code for e in raised.value.fields} == {"file_too_large"}


def test_someone_elses_upload_cannot_be_attached(container: Any, people: Any) -> None:
    an, binh = people.citizen("an@example.vn"), people.citizen("binh@example.vn")
    theirs = filing_request(container, an)
    with pytest.raises(InvalidInput) as raised:
        container.filing.file(binh, theirs, "key-stolen-file")
    assert {e.code for e in raised.value.fields} == {"file_missing"}


def test_missing_required_papers_and_bad_form_fields_are_all_listed(container: Any, people: Any) -> None:
    an = people.citizen("an@example.vn")
    request = filing_request(container, an).model_copy(update={"attachments": [], "form": {}})
    with pytest.raises(InvalidInput) as raised:
        container.filing.file(an, request, "key-incomplete")
    codes = {e.code for e in raised.value.fields}
    assert "paper_missing" in codes and "form_required" in codes


def test_png_is_accepted_where_the_paper_allows_it(container: Any, people: Any) -> None:
    an = people.citizen("an@example.vn")
    request = filing_request(container, an)
    paper = request.attachments[0].paper_code
    png = upload(container, an, PNG, content_type="image/png", filename="ảnh.png")
    dossier = container.filing.file(
        an, _refs(request, AttachmentRef(upload_id=png, paper_code=paper)), "key-png-file"
    ).dossier
    assert [a.content_type for a in dossier.attachments][-1] == "image/png"
    assert dossier.attachments[-1].filename == "ảnh.png"
    assert dossier.attachments[-1].size == len(PNG)


def test_parallel_filing_gives_unique_gap_free_codes(
    container: Any, people: Any, aws_requests_atomic: Any
) -> None:
    an = people.citizen("an@example.vn")
    requests = [filing_request(container, an) for _ in range(24)]

    def file(i: int) -> str:
        return container.filing.file(an, requests[i], f"parallel-key-{i:04d}").dossier.code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(file, range(len(requests))))

    sequences = sorted(DossierCode.parse(code).sequence for code in codes)
    assert sequences == list(range(1, len(requests) + 1))
    # The race really happened: filings read the same counter and lost the conditional write.
    assert "TransactionCanceledException" in aws_requests_atomic.errors
    assert len(container.repository.list_by_owner(an.sub, limit=100, token=None).items) == len(requests)


def test_parallel_retries_of_one_key_file_once(container: Any, people: Any, aws_requests_atomic: Any) -> None:
    an = people.citizen("an@example.vn")
    request = filing_request(container, an)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: container.filing.file(an, request, "double-click-1"), range(6)))

    assert len({r.dossier.code for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert len(container.repository.list_by_owner(an.sub, limit=10, token=None).items) == 1


def test_pdf_constant_is_a_pdf() -> None:
    assert PDF.startswith(b"%PDF-")
