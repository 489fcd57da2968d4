"""The API's OpenAPI links, named once: where a dossier code, task id or agency code in an answer leads."""

from __future__ import annotations

from chalicelib.http.endpoints import Link


def dossier(pointer: str, *, staff: bool = False) -> tuple[Link, ...]:
    """A dossier code at `pointer` (a JSON pointer into the answer): what its owner, or staff, may do next."""
    code = {"code": f"$response.body#{pointer}"}
    common = (
        Link("TrackDossier", "track", code, "Its public status and timeline."),
        Link("GetDossier", "get_dossier", code, "The whole dossier."),
        Link("GetControlSlip", "get_control_slip", code, "Its processing control slip (Mẫu 05)."),
        Link("ListDocuments", "list_documents", code, "Its documents (Mẫu 01–05, signed results)."),
    )
    if staff:
        return (
            *common,
            Link("GetAudit", "get_audit", code, "Its audit trail."),
            Link("IssueResult", "issue_result", code, "Issue its signed result."),
        )
    return (
        *common,
        Link("AddPapers", "add_papers", code, "Add the papers the agency asked for."),
        Link("Withdraw", "withdraw", code, "Withdraw it."),
    )


def task(pointer: str) -> tuple[Link, ...]:
    """A task id at `pointer`: open it, decide it."""
    task_id = {"task_id": f"$response.body#{pointer}"}
    return (
        Link("OpenTask", "open_task", task_id, "The task and its whole dossier."),
        Link("Decide", "decide", task_id, "Decide on the task."),
    )


def agency(pointer: str) -> tuple[Link, ...]:
    """An agency code at `pointer`: its staff's inbox and escalations."""
    agency_code = {"agency_code": f"$response.body#{pointer}"}
    return (
        Link("AgencyInbox", "inbox", agency_code, "The agency's open tasks (its staff)."),
        Link("AgencyEscalations", "escalations", agency_code, "The agency's escalated tasks (its staff)."),
    )
