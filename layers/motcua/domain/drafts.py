"""Drafts (bản nháp): a citizen's unfinished filing form, kept so that it survives a reload, a killed tab
or a change of device, until it is filed, deleted or expires."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

UPLOAD_ID = r"^[0-9a-f]{32}$"
# An ETag as a client sends it back: "3", W/"3" or a bare 3.
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


class DraftPaper(BaseModel):
    """An uploaded paper the draft holds: its upload and, for showing it again, its name, size and type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    upload_id: str = Field(pattern=UPLOAD_ID)
    paper_code: str = Field(min_length=1, max_length=40)
    filename: str = Field(default="", max_length=200)
    size: int = Field(default=0, ge=0, le=1024 * 1024 * 1024)
    content_type: str = Field(default="", max_length=100)


class Draft(BaseModel):
    """One draft of one citizen for one procedure; `version` goes one up with each save."""

    model_config = ConfigDict(frozen=True)

    owner: str
    procedure_code: str
    answers: dict[str, Any]
    papers: tuple[DraftPaper, ...] = ()
    version: int = Field(ge=1)
    created_at: datetime
    saved_at: datetime
    expires_at: datetime  # created_at + the province's drafts.keep_days: saving again does not move it


def etag(version: int) -> str:
    return f'"{version}"'


def parse_etag(value: str) -> int | None:
    """The version an If-Match names, or None when it names none."""
    found = _ETAG.match(value)
    return int(found.group(1)) if found else None
