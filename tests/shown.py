"""The services' answers as the API shows them (the presenter's views), for tests that read views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.models import Page

if TYPE_CHECKING:
    from motcua.container import Container
    from motcua.domain.i18n import Language
    from motcua.domain.models import Principal
    from motcua.presentation.views import ControlSlip, DecisionResult, DossierView, TaskView, TrackingView
    from motcua.services.citizens import Supplement, Withdrawal
    from motcua.services.inbox import Decision


def decide(
    container: Container, principal: Principal, task_id: str, decision: Decision, language: Language = "vi"
) -> DecisionResult:
    task, dossier = container.inbox.decide(principal, task_id, decision)
    return container.presenter.decision(task, dossier, language, principal)


def inbox(
    container: Container, principal: Principal, agency: str, *, limit: int = 10, token: str | None = None
) -> Page[TaskView]:
    page = container.inbox.inbox(principal, agency, limit=limit, token=token)
    return Page(
        items=[container.presenter.open_task(t, "vi", principal) for t in page.items],
        next_token=page.next_token,
    )


def escalations(
    container: Container, principal: Principal, agency: str, *, limit: int = 10, token: str | None = None
) -> Page[TaskView]:
    page = container.sweep.escalations(principal, agency, limit=limit, token=token)
    return Page(items=[container.presenter.task(t, "vi") for t in page.items], next_token=page.next_token)


def dossier(container: Container, principal: Principal, code: str, language: Language = "vi") -> DossierView:
    record = container.dossiers.get(principal, code)
    return container.presenter.dossier(
        record, language, viewer=principal, download_url=container.dossiers.download_url
    )


def supplement(container: Container, principal: Principal, code: str, papers: Supplement) -> DossierView:
    container.citizen_actions.supplement(principal, code, papers)
    return dossier(container, principal, code)


def withdraw(container: Container, principal: Principal, code: str, withdrawal: Withdrawal) -> DossierView:
    container.citizen_actions.withdraw(principal, code, withdrawal)
    return dossier(container, principal, code)


def track(container: Container, code: str, language: Language = "vi") -> TrackingView:
    record = container.dossiers.track(code)
    return container.presenter.tracking(record.dossier, record.events, language)


def control_slip(container: Container, principal: Principal, code: str) -> ControlSlip:
    record = container.dossiers.get(principal, code)
    return container.presenter.control_slip(record, "vi", container.clock.now())
