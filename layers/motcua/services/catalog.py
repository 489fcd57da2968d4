"""The procedure catalog: search and read, served from the province file held in memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.catalog import Procedure, ServiceLevel, fold
from motcua.domain.errors import BadRequest, NotFound
from motcua.domain.i18n import Text
from motcua.domain.models import Page
from motcua.domain.paging import decode_token, encode_token

if TYPE_CHECKING:
    from motcua.config.province import Province

PROCEDURE = Text(vi="thủ tục", en="procedure")


class CatalogService:
    def __init__(self, province: Province) -> None:
        self.province = province
        # Folded search text per procedure, computed once per container.
        self._haystack = {
            p.code: fold(" ".join((p.code, p.name.vi, p.name.en, p.field.vi, p.field.en, *p.keywords)))
            for p in province.procedures
        }

    def search(
        self,
        *,
        q: str | None = None,
        agency: str | None = None,
        level: str | None = None,
        limit: int = 20,
        token: str | None = None,
    ) -> Page[Procedure]:
        """Procedures matching every word of `q`, received by `agency`, at `level` (full, partial or 1–4)."""
        words = fold(q).split() if q else []
        matches = [
            p
            for p in self.province.procedures
            if all(word in self._haystack[p.code] for word in words)
            and (agency is None or p.agency == agency)
            and _level_matches(p, level)
        ]
        offset = 0
        if token:
            offset = decode_token(token).get("o", -1)
            if not isinstance(offset, int) or not 0 <= offset <= len(matches):
                raise BadRequest(
                    Text(vi="next_token không hợp lệ.", en="The next_token is not valid."),
                    code="invalid_next_token",
                )
        items = matches[offset : offset + limit]
        more = offset + limit < len(matches)
        return Page(items=items, next_token=encode_token({"o": offset + limit}) if more else None)

    def get(self, code: str) -> Procedure:
        procedure = self.province.procedures_by_code.get(code)
        if procedure is None:
            raise NotFound(PROCEDURE, code, code="procedure_not_found")
        return procedure


def _level_matches(procedure: Procedure, level: str | None) -> bool:
    if level is None or level == "":
        return True
    if level in (ServiceLevel.FULL.value, ServiceLevel.PARTIAL.value):
        return procedure.level.value == level
    if level in ("1", "2", "3", "4"):
        return procedure.legacy_level == int(level)
    raise BadRequest(
        Text(
            vi="Mức độ phải là full, partial hoặc 1–4.",
            en="level must be full, partial or 1–4.",
        ),
        code="invalid_level",
    )
