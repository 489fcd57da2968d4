"""Bilingual text: Vietnamese first, English second."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")


class Text(BaseModel):
    """A text in Vietnamese and English."""

    model_config = ConfigDict(frozen=True)

    vi: str
    en: str

    def in_(self, language: Language) -> str:
        return self.en if language == "en" else self.vi


def pick_language(accept_language: str | None, default: Language = "vi") -> Language:
    """The best of our two languages for an `Accept-Language` header (RFC 9110 quality values)."""
    if not accept_language:
        return default
    best: tuple[float, Language] | None = None
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0 and (best is None or quality > best[0]):
            best = (quality, primary)
    return best[1] if best else default
