"""An application form (tờ khai) as label: value lines, labelled by its procedure's JSON Schema titles."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from motcua.domain.i18n import Language

Schema = dict[str, Any]

_YES_NO = {"vi": ("Có", "Không"), "en": ("Yes", "No")}


def form_lines(schema: Schema, data: dict[str, Any], language: Language) -> list[tuple[str, str]]:
    """The filled-in fields in the schema's order, then any the schema does not know, by their key."""
    properties: dict[str, Schema] = schema.get("properties") or {}
    known = [(key, properties[key]) for key in properties if key in data]
    unknown: list[tuple[str, Schema]] = [(key, {}) for key in data if key not in properties]
    return [(title(node, language, key), value(node, data[key], language)) for key, node in known + unknown]


def title(node: Schema, language: Language, fallback: str) -> str:
    if language == "en":
        english = node.get("x-en") or {}
        return str(english.get("title") or node.get("title") or fallback)
    return str(node.get("title") or fallback)


def value(node: Schema, raw: Any, language: Language) -> str:
    """One value as a person reads it: enum labels, dd/mm/yyyy dates, grouped digits, Có / Không."""
    if isinstance(raw, bool):
        return _YES_NO[language][0 if raw else 1]
    if "enum" in node and raw in node["enum"]:
        return _enum_label(node, raw, language)
    if isinstance(raw, int):
        # Amounts grouped by thousands (500.000.000 đồng); years, parcel and sheet numbers left alone.
        return f"{raw:,}".replace(",", "." if language == "vi" else ",") if abs(raw) >= 10_000 else str(raw)
    if isinstance(raw, float):
        return str(raw).replace(".", ",") if language == "vi" else str(raw)
    if isinstance(raw, list):
        items = node.get("items")
        return "; ".join(value(items if isinstance(items, dict) else {}, item, language) for item in raw)
    if isinstance(raw, dict):
        return ", ".join(f"{label}: {text}" for label, text in form_lines(node, raw, language))
    if node.get("format") == "date" and isinstance(raw, str):
        return _date(raw)
    return str(raw)


def _enum_label(node: Schema, raw: Any, language: Language) -> str:
    index = node["enum"].index(raw)
    labels = (node.get("x-en") or {}).get("enum-labels") if language == "en" else node.get("x-enum-labels")
    if isinstance(labels, list) and index < len(labels):
        return str(labels[index])
    return str(raw)


def _date(text: str) -> str:
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text
