"""The processing control slip (Mẫu 05): every hand-over of a dossier, built from its tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.calendar import Timeliness
from motcua.domain.models import DossierRecord, TaskKind
from motcua.services.views import ControlSlip, ControlSlipRow, Renderer

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.domain.i18n import Language


def control_slip(record: DossierRecord, renderer: Renderer, language: Language, now: datetime) -> ControlSlip:
    dossier = record.dossier
    # The desk first, then the flow's steps in order; each row is one agency's hold of the dossier.
    tasks = sorted(
        record.tasks,
        key=lambda t: (t.kind is not TaskKind.RECEPTION, t.stage or 0, t.step or 0, t.created_at),
    )
    rows = []
    for order, task in enumerate(tasks, start=1):
        timeliness = task.timeliness
        if timeliness is None and now > task.due_at:
            timeliness = Timeliness.LATE  # still open and already late
        rows.append(
            ControlSlipRow(
                order=order,
                kind=task.kind.value,
                stage=task.stage,
                step=task.step,
                step_name=task.name.in_(language) if task.name else None,
                agency=task.agency,
                agency_name=renderer.agency_name(task.agency, language),
                officer=(task.decided.by_name or task.decided.by) if task.decided else task.assignee,
                received_at=task.created_at,
                finished_at=task.closed_at,
                allowance_days=task.days if task.days is not None else dossier.legal_days,
                due_at=task.due_at,
                timeliness=timeliness,
                decision=task.decided.action if task.decided else None,
            )
        )
    return ControlSlip(
        code=dossier.code,
        procedure_code=dossier.procedure_code,
        procedure_name=dossier.procedure_name.in_(language),
        agency=dossier.agency,
        agency_name=renderer.agency_name(dossier.agency, language),
        filed_at=dossier.filed_at,
        due_at=dossier.due_at,
        status=int(dossier.status),
        status_label=dossier.status.label.in_(language),
        rows=rows,
    )
