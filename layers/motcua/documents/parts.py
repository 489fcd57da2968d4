"""Blocks several forms print the same way: who the dossier is for, and which dossier it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.documents.words import ADDRESS, APPLICANT, CODE, EMAIL, ID_NUMBER, PHONE, PROCEDURE

if TYPE_CHECKING:
    from motcua.documents.sheet import Sheet
    from motcua.domain.i18n import Text
    from motcua.domain.models import Applicant, Dossier


def applicant(sheet: Sheet, who: Applicant, label: Text = APPLICANT) -> None:
    """Name, identity number, address, phone and email of the applicant (người nộp hồ sơ)."""
    language = sheet.language
    sheet.field(label.in_(language), who.full_name)
    sheet.field(ID_NUMBER.in_(language), who.id_number)
    sheet.field(ADDRESS.in_(language), who.address)
    contact = [(PHONE.in_(language), who.phone)]
    if who.email:
        contact.append((EMAIL.in_(language), who.email))
    sheet.fields(*contact)


def dossier_lines(sheet: Sheet, dossier: Dossier, applicant_label: Text = APPLICANT) -> None:
    """The dossier's code, its applicant and the procedure asked for."""
    language = sheet.language
    sheet.field(CODE.in_(language), dossier.code)
    applicant(sheet, dossier.applicant, applicant_label)
    sheet.field(PROCEDURE.in_(language), dossier.procedure_name.in_(language))
