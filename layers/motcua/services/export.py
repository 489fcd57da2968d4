"""A citizen's own data as one ZIP archive (quyền được cung cấp dữ liệu cá nhân, Decree 13/2023 Art. 9, 14).

`GET /v1/me/export`: `du-lieu-cua-toi.json` (the account, every dossier filed from it with its record,
status history and the messages sent about it) and the files: the papers they filed and the signed
results. One answer of API Gateway and Lambda carries at most 6 MB (base64 adds a third), so the files
put in the archive are capped (`MAX_FILE_BYTES` in all); those left out are listed in the JSON with a
short-lived link each, and docs/privacy.md says so. At most `MAX_DOSSIERS` dossiers, newest first.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from motcua.domain.errors import Forbidden
from motcua.domain.events import event_for
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind
from motcua.services.notifying import messages_for

if TYPE_CHECKING:
    from motcua.config.province import Province
    from motcua.domain.models import Dossier, DossierRecord, Principal
    from motcua.domain.ports import AttachmentStore, Clock, DossierRepository, DraftRepository
    from motcua.presentation.presenter import Presenter

MAX_FILE_BYTES = 4 * 1024 * 1024  # the files of one archive, before compression
MAX_DOSSIERS = 1000
PAGE = 100
DATA_FILE = "du-lieu-cua-toi.json"


class ExportService:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        store: AttachmentStore,
        presenter: Presenter,
        clock: Clock,
        drafts: DraftRepository | None = None,
    ) -> None:
        self.province = province
        self.drafts = drafts
        self.repository = repository
        self.store = store
        self.presenter = presenter
        self.clock = clock
        self.max_file_bytes = MAX_FILE_BYTES

    def export(self, principal: Principal) -> tuple[bytes, str]:
        """The archive of everything held about the signed-in citizen, and its file name."""
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(Text(vi="Chỉ dành cho công dân.", en="For citizens only."))
        now = self.clock.now()
        budget = self.max_file_bytes
        left_out: list[dict[str, Any]] = []
        dossiers: list[dict[str, Any]] = []
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for dossier in self._dossiers_of(principal.sub):
                record = self.repository.get(dossier.code)
                if record is None:  # pragma: no cover — listed a moment ago; never deleted by a request
                    continue
                files: list[dict[str, Any]] = []
                for path, key, size, name in _files_of(record.dossier):
                    content = self._read(key, size) if size <= budget else None
                    if content is None and size <= budget:
                        # No longer held (its retention ended): said, not silently dropped.
                        files.append({"path": None, "name": name, "size": size, "held": False})
                        continue
                    if content is None:
                        link = self.store.download_url(
                            key=key,
                            filename=name,
                            expires_seconds=self.province.uploads.download_expires_seconds,
                        )
                        left_out.append({"dossier": dossier.code, "name": name, "size": size, "url": link})
                        continue
                    budget -= len(content)
                    # Papers and results are PDFs and images, compressed already: stored as they are.
                    archive.writestr(path, content, compress_type=zipfile.ZIP_STORED)
                    files.append({"path": path, "name": name, "size": len(content), "held": True})
                dossiers.append(self._describe(record, files))
            data = {
                "exported_at": now.isoformat(),
                "province": self.province.name.vi,
                "account": {
                    "id": principal.sub,
                    "name": principal.name,
                    "email": principal.email,
                    "email_verified": principal.email_verified,
                    "phone": principal.phone,
                    "phone_verified": principal.phone_verified,
                },
                "dossiers": dossiers,
                # Forms started and not filed (docs/drafts.md): what was typed, and the papers' names.
                "drafts": [
                    draft.model_dump(mode="json", exclude={"owner"})
                    for draft in (self.drafts.list(principal.sub, now=now) if self.drafts else [])
                ],
                "files_not_included": left_out,
            }
            archive.writestr(DATA_FILE, json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return buffer.getvalue(), f"du-lieu-cua-toi-{now:%Y%m%d}.zip"

    def _read(self, key: str, size: int) -> bytes | None:
        try:
            return self.store.read(key, max_bytes=size)
        except ValueError:  # larger than filed: never put in the archive unchecked
            return None

    def _dossiers_of(self, owner: str) -> list[Dossier]:
        found: list[Dossier] = []
        token: str | None = None
        while len(found) < MAX_DOSSIERS:
            page = self.repository.list_by_owner(owner, limit=PAGE, token=token)
            found += page.items
            token = page.next_token
            if token is None:
                break
        return found[:MAX_DOSSIERS]

    def _describe(self, record: DossierRecord, files: list[dict[str, Any]]) -> dict[str, Any]:
        dossier = record.dossier
        messages = []
        for entry in self.repository.audit_trail(dossier.code):
            event = event_for(entry)
            if event is None:
                continue
            for message in messages_for(self.province, self.presenter, dossier, entry, event):
                messages.append(
                    {
                        "at": entry.at.isoformat(),
                        "channel": message.channel,
                        "to": message.to,
                        "subject": message.subject,
                        "text": message.text,
                    }
                )
        return {
            "record": dossier.model_dump(mode="json", exclude={"owner"}),
            "status_history": [
                {
                    "at": event.at.isoformat(),
                    "status": int(event.status),
                    "status_label": event.status.label.vi,
                    "agency": event.agency,
                    "reason": event.reason,
                }
                for event in record.events
            ],
            "messages": messages,
            "files": files,
        }


def _files_of(dossier: Dossier) -> list[tuple[str, str, int, str]]:
    """(path in the archive, storage key, size, file name) of the dossier's papers and results."""
    found = []
    for i, attachment in enumerate(dossier.attachments, start=1):
        name = PurePosixPath(attachment.filename).name
        found.append((f"{dossier.code}/giay-to/{i:02d}-{name}", attachment.key, attachment.size, name))
    for result in dossier.results:
        name = f"{result.code}.pdf"
        found.append((f"{dossier.code}/ket-qua/{name}", result.key, result.size, name))
    return found
