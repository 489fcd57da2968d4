"""The procedure catalog: search, browse and read, served from the province file held in memory."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from motcua.domain.catalog import Procedure, ServiceLevel
from motcua.domain.errors import BadRequest, NotFound
from motcua.domain.i18n import Text
from motcua.domain.models import Page
from motcua.domain.paging import decode_token, encode_token
from motcua.domain.search import SearchIndex, slug

if TYPE_CHECKING:
    from motcua.config.province import Province

PROCEDURE = Text(vi="thủ tục", en="procedure")
# A word in a procedure's name counts most, then the words people use for it, then its field. Life
# events are browsed, not searched: "kinh doanh" in "Khởi sự kinh doanh" would find social insurance.
WEIGHTS = {"code": 3.0, "name": 3.0, "keywords": 2.0, "field": 1.5}


class ProcedurePage(Page[Procedure]):
    """A page of procedures, best match first; when nothing matches, what comes close."""

    suggestions: list[Procedure] = []


class Topic(BaseModel):
    """A way to browse the catalog: a field (lĩnh vực) or a life event, with how many procedures it has."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: Text
    count: int


class Topics(BaseModel):
    model_config = ConfigDict(frozen=True)

    life_events: list[Topic]
    fields: list[Topic]


class CatalogService:
    def __init__(self, province: Province) -> None:
        self.province = province

    @cached_property
    def index(self) -> SearchIndex:
        """The search index, built on the first search of a container (milliseconds for hundreds)."""
        return SearchIndex(
            (
                (
                    p.code,
                    {
                        "code": p.code,
                        "name": f"{p.name.vi} {p.name.en}",
                        "keywords": " ; ".join(p.keywords),
                        "field": f"{p.field.vi} {p.field.en}",
                    },
                )
                for p in self.province.procedures
            ),
            WEIGHTS,
        )

    def topics(self) -> Topics:
        """The life events and the fields to browse by, in the province file's order."""
        procedures = self.province.procedures
        fields: dict[str, Topic] = {}
        for p in procedures:
            key = slug(p.field.vi)
            seen = fields.get(key)
            fields[key] = Topic(id=key, name=p.field, count=(seen.count if seen else 0) + 1)
        events = [
            Topic(id=e.id, name=e.name, count=sum(e.id in p.life_events for p in procedures))
            for e in self.province.life_events
        ]
        return Topics(life_events=events, fields=list(fields.values()))

    def search(
        self,
        *,
        q: str | None = None,
        agency: str | None = None,
        level: str | None = None,
        event: str | None = None,
        field: str | None = None,
        limit: int = 20,
        token: str | None = None,
    ) -> ProcedurePage:
        """Procedures matching `q` best first (all, in the catalog's order, without `q`), filtered by
        receiving `agency`, `level` (full, partial or 1–4), life `event` and `field` (its id)."""
        chosen = [
            p
            for p in self.province.procedures
            if (not agency or p.agency == agency)
            and _level_matches(p, level)
            and (not event or event in p.life_events)
            and (not field or slug(p.field.vi) == field)
        ]
        suggestions: list[Procedure] = []
        if q and q.strip():
            filtered = len(chosen) < len(self.province.procedures)
            found = self.index.search(q, among=[p.code for p in chosen] if filtered else None)
            by_code = self.province.procedures_by_code
            matches = [by_code[hit.key] for hit in found.hits]
            suggestions = [by_code[hit.key] for hit in found.near]
        else:
            matches = chosen
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
        return ProcedurePage(
            items=items,
            next_token=encode_token({"o": offset + limit}) if more else None,
            suggestions=suggestions,
        )

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
