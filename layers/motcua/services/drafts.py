"""Drafts (bản nháp): a signed-in citizen's unfinished form and the papers already uploaded for it, kept
on the server so that it continues after a reload or on another device (docs/drafts.md)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.drafts import Draft, DraftPaper, parse_etag
from motcua.domain.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
)
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind
from motcua.domain.ports import DraftChanged
from motcua.services.uploads import upload_key

if TYPE_CHECKING:
    from motcua.config.province import Province
    from motcua.domain.models import Principal
    from motcua.domain.ports import AttachmentStore, Clock, DraftRepository

MAX_PAPERS = 50  # as many as a filing takes


class DraftSave(BaseModel):
    """What the portal keeps of a form: its answers (any JSON object) and the papers uploaded for it."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(default_factory=dict)
    papers: list[DraftPaper] = Field(default_factory=list, max_length=MAX_PAPERS)


_DRAFT = Text(vi="bản nháp của thủ tục", en="draft of procedure")
_CHANGED = Text(
    vi="Bản nháp đã được lưu từ một thiết bị hoặc thẻ khác; hãy tải lại bản mới nhất trước khi lưu.",
    en="The draft was saved from another device or tab; load the latest version before saving.",
)
_EXISTS = Text(
    vi="Đã có bản nháp cho thủ tục này (lưu từ thiết bị khác); hãy tải bản nháp đó để tiếp tục.",
    en="There is already a draft of this procedure (saved from another device); load it to continue.",
)
_PRECONDITION = Text(
    vi="Cần tiêu đề If-Match (phiên bản bản nháp đang sửa) hoặc If-None-Match: * (tạo bản nháp mới).",
    en="Send If-Match (the version of the draft being edited) or If-None-Match: * (a new draft).",
)
_BAD_ETAG = Text(
    vi='Giá trị If-Match không phải một phiên bản bản nháp (ví dụ "3").',
    en='If-Match does not name a version of the draft (e.g. "3").',
)


class DraftService:
    def __init__(
        self, *, province: Province, drafts: DraftRepository, store: AttachmentStore, clock: Clock
    ) -> None:
        self.province = province
        self.policy = province.drafts
        self.drafts = drafts
        self.store = store
        self.clock = clock

    def mine(self, principal: Principal) -> list[Draft]:
        _citizen(principal)
        return self.drafts.list(principal.sub, now=self.clock.now())

    def get(self, principal: Principal, procedure_code: str) -> Draft:
        _citizen(principal)
        found = self.drafts.get(principal.sub, procedure_code, now=self.clock.now())
        if found is None:
            raise NotFound(_DRAFT, procedure_code, code="draft_not_found")
        return found

    def save(
        self,
        principal: Principal,
        procedure_code: str,
        body: DraftSave,
        *,
        if_match: str | None,
        if_none_match: str | None,
    ) -> Draft:
        """Create (`If-None-Match: *`) or replace (`If-Match: "<version>"`) the citizen's draft."""
        _citizen(principal)
        expected = _expected(if_match, if_none_match)
        if procedure_code not in self.province.procedures_by_code:
            raise NotFound(Text(vi="thủ tục", en="procedure"), procedure_code)
        self._check_size(body)
        now = self.clock.now()
        current = self.drafts.get(principal.sub, procedure_code, now=now)
        if expected is None and current is not None:
            raise PreconditionFailed(_EXISTS, current=current.version, code="draft_exists")
        if expected is not None and (current is None or current.version != expected):
            raise PreconditionFailed(
                _CHANGED, current=current.version if current else None, code="draft_changed"
            )
        if current is None and len(self.drafts.list(principal.sub, now=now)) >= self.policy.max_per_citizen:
            raise Conflict(_too_many(self.policy.max_per_citizen), code="too_many_drafts")
        self._check_papers(principal, procedure_code, body.papers, current)
        created = current.created_at if current else now
        draft = Draft(
            owner=principal.sub,
            procedure_code=procedure_code,
            answers=body.answers,
            papers=tuple(body.papers),
            version=(current.version + 1) if current else 1,
            created_at=created,
            saved_at=now,
            expires_at=created + timedelta(days=self.policy.keep_days),
        )
        try:
            self.drafts.put(draft, expected_version=expected, now=now)
        except DraftChanged as error:  # saved from elsewhere between the read and the write
            latest = self.drafts.get(principal.sub, procedure_code, now=now)
            raise PreconditionFailed(
                _CHANGED, current=latest.version if latest else None, code="draft_changed"
            ) from error
        return draft

    def delete(self, principal: Principal, procedure_code: str, *, if_match: str | None) -> None:
        _citizen(principal)
        expected = None if if_match is None else _version(if_match)
        try:
            removed = self.drafts.delete(principal.sub, procedure_code, expected_version=expected)
        except DraftChanged as error:
            latest = self.drafts.get(principal.sub, procedure_code, now=self.clock.now())
            raise PreconditionFailed(
                _CHANGED, current=latest.version if latest else None, code="draft_changed"
            ) from error
        if not removed:
            raise NotFound(_DRAFT, procedure_code, code="draft_not_found")

    def _check_size(self, body: DraftSave) -> None:
        size = len(json.dumps(body.answers, ensure_ascii=False).encode())
        if size > self.policy.max_answer_bytes:
            kib = self.policy.max_answer_bytes // 1024
            raise PayloadTooLarge(
                Text(
                    vi=f"Nội dung bản nháp vượt quá {kib} KiB; giấy tờ hãy tải lên dưới dạng tệp.",
                    en=f"The draft's answers are larger than {kib} KiB; send papers as uploaded files.",
                ),
                code="draft_too_large",
            )

    def _check_papers(
        self, principal: Principal, procedure_code: str, papers: list[DraftPaper], current: Draft | None
    ) -> None:
        """Each paper names a paper of the procedure and an upload of this citizen, once; an upload new to
        the draft is re-tagged so that it lasts as long as the draft (AttachmentStore.hold)."""
        procedure = self.province.procedures_by_code[procedure_code]
        known = {paper.upload_id for paper in current.papers} if current else set()
        errors: list[FieldError] = []
        seen: set[str] = set()
        for index, paper in enumerate(papers):
            where = f"papers[{index}]"
            if procedure.paper(paper.paper_code) is None:
                errors.append(
                    _error(f"{where}.paper_code", "unknown_paper", _unknown_paper(paper.paper_code))
                )
            elif paper.upload_id in seen:
                errors.append(_error(f"{where}.upload_id", "duplicate_upload", _DUPLICATE))
            elif paper.upload_id not in known and not self.store.hold(
                upload_key(principal.sub, paper.upload_id)
            ):
                errors.append(_error(where, "file_missing", _missing(paper.upload_id)))
            seen.add(paper.upload_id)
        if errors:
            raise InvalidInput(
                Text(vi="Bản nháp có giấy tờ không hợp lệ.", en="The draft names papers that are not valid."),
                fields=tuple(errors),
            )


def _citizen(principal: Principal) -> None:
    if principal.kind is not PrincipalKind.CITIZEN:
        raise Forbidden(Text(vi="Chỉ công dân mới có bản nháp.", en="Only citizens have drafts."))


def _expected(if_match: str | None, if_none_match: str | None) -> int | None:
    """The version a save replaces (None: it creates); PreconditionRequired when it says neither."""
    if if_match is not None:
        return _version(if_match)
    if if_none_match is not None and if_none_match.strip() == "*":
        return None
    raise PreconditionRequired(_PRECONDITION, code="precondition_required")


def _version(if_match: str) -> int:
    version = parse_etag(if_match)
    if version is None:
        raise BadRequest(_BAD_ETAG, code="invalid_if_match")
    return version


def _error(field: str, code: str, message: Text) -> FieldError:
    return FieldError(field=field, code=code, message=message)


def _too_many(limit: int) -> Text:
    return Text(
        vi=f"Bạn đã có {limit} bản nháp, mức tối đa; hãy nộp hoặc xóa bớt bản nháp trong “Hồ sơ của tôi”.",
        en=f"You already have {limit} drafts, the most allowed; file or delete some in “My dossiers”.",
    )


def _unknown_paper(code: str) -> Text:
    return Text(vi=f"Thủ tục không có thành phần hồ sơ “{code}”.", en=f"The procedure has no paper “{code}”.")


_DUPLICATE = Text(vi="Tệp này đã được đính kèm.", en="This file is attached twice.")


def _missing(upload_id: str) -> Text:
    return Text(
        vi=f"Không tìm thấy tệp tải lên {upload_id}: tệp chưa được tải lên xong hoặc đã hết hạn.",
        en=f"Upload {upload_id} was not found: it was not completed or has expired.",
    )
