"""Upload slots and the check of uploaded files: presence, size, name, type, first and last bytes, then the
whole file within bounds (motcua.domain.scan)."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from motcua.domain.errors import FieldError, Forbidden, InvalidInput
from motcua.domain.files import (
    EXTENSIONS,
    HEAD_BYTES,
    HEIC,
    TAIL_BYTES,
    TRAILING,
    clean_filename,
    extension_fits,
    foreign,
    sniff,
)
from motcua.domain.i18n import Text
from motcua.domain.models import Attachment, Principal, PrincipalKind
from motcua.domain.permissions import DESK, PROCESSING, check_role
from motcua.domain.scan import Finding, Refusal, ScanLimits, scan, to_jpeg
from motcua.resources import BUCKET

if TYPE_CHECKING:
    from motcua.config.province import UploadPolicy
    from motcua.domain.catalog import ContentType, Procedure
    from motcua.domain.ports import AttachmentStore, StoredObject

UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")
# What a citizen may upload: the types papers name, and an iPhone photo (HEIC/HEIF) where they take JPEG.
UploadType = Literal["application/pdf", "image/jpeg", "image/png", "image/heic", "image/heif"]


class UploadRequest(BaseModel):
    """A citizen asks for a slot to upload one file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    filename: str = Field(min_length=1, max_length=200)
    content_type: UploadType
    size: int = Field(gt=0, description="Size of the file in bytes")

    @field_validator("content_type")
    @classmethod
    def _one_heif_type(cls, value: str) -> str:
        # HEIC and HEIF are one family, recognised alike: one type for both names.
        return HEIC if value == "image/heif" else value


class UploadSlot(BaseModel):
    """Where and how to POST the file: straight to the bucket, with the policy's fields."""

    upload_id: str
    url: str
    fields: dict[str, str]
    expires_at: datetime
    max_bytes: int


class AttachmentRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upload_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    paper_code: str = Field(min_length=1, max_length=40)


def upload_key(owner: str, upload_id: str) -> str:
    return f"{BUCKET.upload_prefix}{owner}/{upload_id}"


def filed_key(owner: str, upload_id: str, content: bytes) -> str:
    """Where a checked upload is kept once filed: outside the upload prefix (a slot's policy names exactly
    its own `uploads/…` key), and named by the SHA-256 of the bytes checked, so that a key always holds
    the same bytes: a retried filing copies them again to the same key, and a file posted to the slot
    after filing can only ever land at another key, which no dossier names."""
    return f"{BUCKET.filed_prefix}{owner}/{upload_id}/{hashlib.sha256(content).hexdigest()}"


@dataclass(frozen=True, slots=True)
class Checked:
    """An upload that passed every check: the paper it becomes (at its filed key), and the very write of
    the upload that was read (`source` as it stood at `etag`), which is what `UploadService.keep` copies."""

    attachment: Attachment
    source: str
    etag: str | None
    converted: bytes | None = None  # a HEIC photo made a JPEG: written to the filed key instead of a copy


class UploadService:
    def __init__(self, store: AttachmentStore, policy: UploadPolicy) -> None:
        self.store = store
        self.policy = policy
        self._limits = ScanLimits(
            max_pages=policy.max_pages,
            max_pixels=policy.max_pixels,
            max_inflated_bytes=policy.max_inflated_bytes,
        )

    def create_slot(self, principal: Principal, request: UploadRequest) -> UploadSlot:
        # Citizens upload their papers, and so does the counter (receivers and leaders) for the person in
        # front of it (a walk-in intake); processing officers upload only results to be signed, as PDFs.
        at_the_counter = principal.is_staff and principal.role in DESK
        if principal.kind is not PrincipalKind.CITIZEN and not at_the_counter:
            check_role(principal, PROCESSING, Text(vi="tải lên kết quả", en="upload a result"))
            if request.content_type != "application/pdf":
                raise Forbidden(
                    Text(
                        vi="Chuyên viên chỉ tải lên kết quả dạng PDF.",
                        en="Processing officers upload only results, as PDF files.",
                    )
                )
        filename = _checked_name(request.filename, request.content_type)
        if request.size > self.policy.max_bytes:
            raise InvalidInput(
                _too_large(self.policy.max_bytes),
                fields=(
                    FieldError(
                        field="size", code="file_too_large", message=_too_large(self.policy.max_bytes)
                    ),
                ),
            )
        upload_id = uuid.uuid4().hex
        presigned = self.store.presign_upload(
            key=upload_key(principal.sub, upload_id),
            content_type=request.content_type,
            size=request.size,
            max_bytes=self.policy.max_bytes,
            filename=filename,
            expires_seconds=self.policy.url_expires_seconds,
        )
        return UploadSlot(
            upload_id=upload_id,
            url=presigned.url,
            fields=presigned.fields,
            expires_at=presigned.expires_at,
            max_bytes=self.policy.max_bytes,
        )

    def check(
        self,
        owner: str,
        procedure: Procedure,
        refs: list[AttachmentRef],
        *,
        require_papers: bool,
        field: str = "attachments",
    ) -> tuple[list[Checked], list[FieldError]]:
        """Each referenced upload, checked again now that it is in the bucket; every failure named."""
        attachments: list[Checked] = []
        errors: list[FieldError] = []
        seen: set[str] = set()
        for index, ref in enumerate(refs):
            checked = self._check_one(owner, procedure, ref, f"{field}[{index}]", seen)
            if isinstance(checked, Checked):
                attachments.append(checked)
            else:
                errors.append(checked)
            seen.add(ref.upload_id)
        counts = Counter(ref.paper_code for ref in refs)
        for paper in procedure.papers:
            if counts[paper.code] > paper.max_files:
                errors.append(_error(field, "too_many_files", _too_many(paper.name, paper.max_files)))
            if require_papers and paper.required and counts[paper.code] == 0:
                errors.append(_error(field, "paper_missing", _paper_missing(paper.name)))
        return attachments, errors

    def keep(self, checked: list[Checked], *, field: str = "attachments") -> list[Attachment]:
        """Before the dossier is written, one server-side copy per file of exactly what was checked, to
        the key the paper names (a file kept but never filed costs a little storage; a paper whose copy
        failed is never filed). InvalidInput `file_changed` when an upload was posted to again, or
        expired, since it was checked: the citizen files again and the new file is checked."""
        errors = [
            _error(
                f"{field}[{index}]", "file_changed", _named(item.attachment.filename, _CHANGED_WHILE_CHECKED)
            )
            for index, item in enumerate(checked)
            if not self._keep_one(item)
        ]
        if errors:
            raise InvalidInput(_NOT_KEPT, fields=tuple(errors))
        return [item.attachment for item in checked]

    def _keep_one(self, item: Checked) -> bool:
        if item.converted is None:
            return self.store.keep(item.source, into=item.attachment.key, etag=item.etag)
        # The JPEG made from exactly the bytes that were checked: the upload may change now, it is not read.
        self.store.put(item.attachment.key, item.converted, content_type=item.attachment.content_type)
        return True

    def _check_one(
        self, owner: str, procedure: Procedure, ref: AttachmentRef, where: str, seen: set[str]
    ) -> Checked | FieldError:
        paper = procedure.paper(ref.paper_code)
        if paper is None:
            return _error(where + ".paper_code", "unknown_paper", _unknown_paper(ref.paper_code))
        if ref.upload_id in seen:
            return _error(where + ".upload_id", "duplicate_upload", _DUPLICATE)
        stored = self.store.inspect(upload_key(owner, ref.upload_id))
        if stored is None:
            return _error(where, "file_missing", _missing(ref.upload_id))
        name = clean_filename(stored.filename or "") or ref.upload_id
        if stored.size > self.policy.max_bytes:
            return _error(where, "file_too_large", _named(name, _too_large(self.policy.max_bytes)))
        if stored.size == 0:
            return _error(where, "file_empty", _named(name, _EMPTY))
        if not _takes(paper.content_types, stored.content_type):
            return _error(where, "type_not_allowed", _named(name, _type_not_allowed(paper.content_types)))
        if stored.filename is not None and not extension_fits(name, stored.content_type):
            return _error(where, "extension_mismatch", _named(name, _wrong_extension(stored.content_type)))
        content = self._check_content(stored, name, where)
        if isinstance(content, FieldError):
            return content
        if stored.content_type == HEIC:
            return self._as_jpeg(owner, paper.code, ref.upload_id, stored, name, content, where)
        attachment = Attachment(
            paper_code=paper.code,
            upload_id=ref.upload_id,
            key=filed_key(owner, ref.upload_id, content),
            filename=name,
            content_type=stored.content_type,
            size=stored.size,
        )
        return Checked(attachment=attachment, source=stored.key, etag=stored.etag)

    def _as_jpeg(
        self,
        owner: str,
        paper: str,
        upload_id: str,
        stored: StoredObject,
        name: str,
        content: bytes,
        where: str,
    ) -> Checked | FieldError:
        """An iPhone photo that passed every check, filed as the JPEG made from it (officers' browsers do
        not show HEIC): named `<name>.jpg`, at the key of the JPEG's bytes."""
        jpeg = to_jpeg(content, self._limits)
        if isinstance(jpeg, Refusal):
            return _error(where, jpeg.finding.value, _named(name, _refused(jpeg)))
        attachment = Attachment(
            paper_code=paper,
            upload_id=upload_id,
            key=filed_key(owner, upload_id, jpeg),
            filename=str(PurePosixPath(name).with_suffix(".jpg")),
            content_type="image/jpeg",
            size=len(jpeg),
        )
        return Checked(attachment=attachment, source=stored.key, etag=stored.etag, converted=jpeg)

    def _check_content(self, stored: StoredObject, name: str, where: str) -> FieldError | bytes:
        """The declared size, the first and last bytes, then the whole file (bounded by max_bytes), which
        is returned when nothing is wrong with it."""
        if stored.declared_size is not None and stored.size != stored.declared_size:
            return _error(where, "file_changed", _named(name, _changed(stored.declared_size, stored.size)))
        if sniff(stored.head, stored.tail) != stored.content_type:
            return _error(where, "type_mismatch", _named(name, _mismatch(stored.content_type)))
        other = foreign(stored.content_type, stored.head, stored.tail)
        if other is not None:
            return _error(
                where, Finding.POLYGLOT.value, _named(name, _refused(Refusal(Finding.POLYGLOT, other)))
            )
        # The whole file, bounded by max_bytes; what was read first must be what is read now (the same
        # write, If-Match, where the store tells them apart).
        try:
            content = self.store.read(stored.key, max_bytes=self.policy.max_bytes, etag=stored.etag)
        except ValueError:
            content = None
        if content is None or len(content) != stored.size or content[:HEAD_BYTES] != stored.head[:HEAD_BYTES]:
            return _error(where, "file_changed", _named(name, _CHANGED_WHILE_CHECKED))
        if sniff(content[:HEAD_BYTES], content[-TAIL_BYTES:]) != stored.content_type:
            return _error(where, "file_changed", _named(name, _CHANGED_WHILE_CHECKED))
        refusal = scan(content, stored.content_type, self._limits)
        if refusal is not None:
            return _error(where, refusal.finding.value, _named(name, _refused(refusal)))
        return content


# What no file's own name holds: path separators, control characters (NUL, CR, LF…) and the bidirectional
# controls that show a name other than it is (`báo cáo<U+202E>fdp.exe` shows as `báo cáoexe.pdf`).
_HOSTILE_NAME = re.compile("[/\\\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_HOSTILE = Text(
    vi="tên tệp chứa ký tự điều khiển, ký tự đảo chiều hoặc đường dẫn; vui lòng đổi tên tệp.",
    en="the name holds control or direction-override characters or a path; please rename the file.",
)


def _checked_name(filename: str, content_type: str) -> str:
    """The name cleaned (motcua.domain.files.clean_filename); InvalidInput naming `filename` when it holds a
    path or a control or direction-override character, when nothing is left of it, or when it does not end
    with an extension of the declared type (`x.pdf.exe`)."""
    if _HOSTILE_NAME.search(filename):
        shown = clean_filename(filename) or "?"
        message = _named(shown, _HOSTILE)
        raise InvalidInput(message, fields=(_error("filename", "filename_invalid", message),))
    name = clean_filename(filename)
    if not name:
        raise InvalidInput(_EMPTY_NAME, fields=(_error("filename", "filename_invalid", _EMPTY_NAME),))
    if not extension_fits(name, content_type):
        message = _named(name, _wrong_extension(content_type))
        raise InvalidInput(message, fields=(_error("filename", "extension_mismatch", message),))
    return name


def _takes(accepted: tuple[ContentType, ...], content_type: str) -> bool:
    """Whether a paper that takes `accepted` takes a file of `content_type` (a HEIC where JPEG is taken)."""
    return content_type in accepted or (content_type == HEIC and "image/jpeg" in accepted)


def _error(field: str, code: str, message: Text) -> FieldError:
    return FieldError(field=field, code=code, message=message)


def _named(name: str, message: Text) -> Text:
    return Text(vi=f"Tệp “{name}”: {message.vi}", en=f"File “{name}”: {message.en}")


def _too_large(limit: int) -> Text:
    mb = limit / (1024 * 1024)
    return Text(vi=f"tệp vượt quá dung lượng cho phép ({mb:g} MB).", en=f"the file is larger than {mb:g} MB.")


_EMPTY = Text(vi="tệp rỗng.", en="the file is empty.")
_DUPLICATE = Text(vi="Tệp này đã được đính kèm.", en="This file is attached twice.")


def _missing(upload_id: str) -> Text:
    return Text(
        vi=f"Không tìm thấy tệp tải lên {upload_id}: tệp chưa được tải lên xong hoặc đã hết hạn.",
        en=f"Upload {upload_id} was not found: it was not completed or has expired.",
    )


def _unknown_paper(code: str) -> Text:
    return Text(vi=f"Thủ tục không có thành phần hồ sơ “{code}”.", en=f"The procedure has no paper “{code}”.")


def _type_not_allowed(allowed: tuple[str, ...]) -> Text:
    names = ", ".join(allowed)
    return Text(
        vi=f"loại tệp không được chấp nhận (chấp nhận: {names}).", en=f"this type is not accepted ({names})."
    )


_EMPTY_NAME = Text(
    vi="Tên tệp không hợp lệ: không còn ký tự nào sau khi bỏ ký tự điều khiển.",
    en="The file name is not valid: nothing is left once control characters are removed.",
)


def _wrong_extension(declared: str) -> Text:
    allowed = ", ".join(EXTENSIONS.get(declared, ()))
    return Text(
        vi=f"đuôi tên tệp không khớp với loại {declared} (phải là {allowed}).",
        en=f"the name's extension does not match the type {declared} (it must be {allowed}).",
    )


def _mismatch(declared: str) -> Text:
    return Text(
        vi=f"nội dung tệp không phải {declared} như đã khai báo.",
        en=f"the content of the file is not the declared {declared}.",
    )


def _too_many(name: Text, limit: int) -> Text:
    return Text(
        vi=f"“{name.vi}”: tối đa {limit} tệp.",
        en=f"“{name.en}”: at most {limit} files.",
    )


def _paper_missing(name: Text) -> Text:
    return Text(vi=f"Thiếu giấy tờ bắt buộc: “{name.vi}”.", en=f"A required paper is missing: “{name.en}”.")


def _changed(declared: int, size: int) -> Text:
    return Text(
        vi=f"tệp đã bị thay đổi sau khi xin tải lên: khai báo {declared} byte, nhận được {size} byte.",
        en=f"the file was changed after its upload was granted: {declared} bytes declared, {size} received.",
    )


_CHANGED_WHILE_CHECKED = Text(
    vi="tệp đã bị thay đổi trong khi đang được kiểm tra; vui lòng tải lên lại.",
    en="the file was changed while it was being checked; please upload it again.",
)
_NOT_KEPT = Text(
    vi="Tệp đã bị thay đổi trong khi hồ sơ được nộp; vui lòng nộp lại.",
    en="A file was changed while the dossier was being filed; please file it again.",
)


def _refused(refusal: Refusal) -> Text:
    """Why a file is refused once read whole, in both languages, with what was found."""
    found, detail = refusal.finding, refusal.detail
    if found is Finding.POLYGLOT and detail == TRAILING:
        return Text(
            vi="tệp có thêm dữ liệu sau điểm kết thúc của nó (tệp ghép); vui lòng lưu lại tệp gốc.",
            en="the file carries data after its end (a polyglot); please save the original file again.",
        )
    if found is Finding.POLYGLOT:
        return Text(
            vi=f"tệp đồng thời là một tệp {detail} (tệp ghép); không được chấp nhận.",
            en=f"the file is also a {detail} file (a polyglot) and is not accepted.",
        )
    if found is Finding.TOO_MANY_PAGES:
        return Text(
            vi=f"tệp PDF có quá nhiều trang ({detail}).", en=f"the PDF has too many pages ({detail})."
        )
    if found is Finding.TOO_MANY_PIXELS:
        return Text(
            vi=f"ảnh có quá nhiều điểm ảnh ({detail}).",
            en=f"the image has too many pixels ({detail}).",
        )
    if found is Finding.BOMB:
        return Text(
            vi="tệp PDF chứa dữ liệu nén giải nén ra quá lớn.",
            en="the PDF holds compressed data that inflates far too much.",
        )
    if found is Finding.ACTIVE:
        return Text(
            vi=f"tệp PDF chứa nội dung thực thi hoặc tệp đính kèm ({detail}).",
            en=f"the PDF holds active content or embedded files ({detail}).",
        )
    return Text(
        vi=f"không đọc được tệp ({detail}); vui lòng lưu lại tệp và tải lên lại.",
        en=f"the file cannot be read ({detail}); please save it again and upload it again.",
    )
