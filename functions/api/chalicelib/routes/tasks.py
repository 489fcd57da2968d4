"""Agency work: the inbox by due date, a task with its dossier, and an officer's decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from chalicelib.models import InboxQuery, InboxResults, PageQuery
from chalicelib.routes import links
from motcua.domain.models import Page
from motcua.presentation.views import DecisionResult, TaskDetail, TaskView
from motcua.services.inbox import Decision, InboxFilter

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="tasks")


@area.route(
    "GET",
    "/v1/agencies/{agency_code}/tasks",
    access=Access.STAFF,
    query=InboxQuery,
    response=InboxResults,
    errors=(404,),
    links=(*links.task("/items/0/task_id"), *links.dossier("/items/0/dossier_code", staff=True)),
)
def inbox(call: Call, agency_code: str) -> InboxResults:
    """The agency's open tasks, the soonest due first; searched, filtered and sorted if asked.

    For its receivers, officers and leaders (docs/roles.md); each task lists the actions the caller's
    role may take on it. With `count=true` the first page counts the matching tasks and the overdue
    among them.
    `due` and the due-date order are answered by the inbox index; `q`, `status`, `procedure` and the
    filing order read at most the agency's first 1,000 open tasks by due date (`count.complete` says
    when there were more) and keep the answer's pages and tokens.
    """
    query = call.query(InboxQuery)
    services = call.container
    narrow = InboxFilter.model_validate(query.model_dump(include=set(InboxFilter.model_fields)))
    page = services.inbox.inbox(
        call.principal,
        agency_code,
        limit=query.limit,
        token=query.next_token,
        narrow=narrow,
        counted=query.count,
    )
    items = [services.presenter.open_task(task, call.language, call.principal) for task in page.items]
    return InboxResults(items=items, next_token=page.next_token, count=page.count)


@area.route(
    "GET",
    "/v1/agencies/{agency_code}/escalations",
    access=Access.STAFF,
    query=PageQuery,
    response=Page[TaskView],
    errors=(404,),
    links=(*links.task("/items/0/task_id"), *links.dossier("/items/0/dossier_code", staff=True)),
)
def escalations(call: Call, agency_code: str) -> Page[TaskView]:
    """The agency's open tasks escalated to its leaders, the soonest due first.

    The daily sweep escalates a task once, when it is late or due by the end of the next working day;
    it stays here until it is decided or waits on the citizen. Open a task to act on it.
    For the agency's leaders only.
    """
    query = call.query(PageQuery)
    services = call.container
    page = services.sweep.escalations(call.principal, agency_code, limit=query.limit, token=query.next_token)
    items = [services.presenter.task(task, call.language) for task in page.items]
    return Page[TaskView](items=items, next_token=page.next_token)


@area.route(
    "GET",
    "/v1/tasks/{task_id}",
    access=Access.STAFF,
    response=TaskDetail,
    errors=(404,),
    links=(*links.task("/task/task_id"), *links.dossier("/dossier/code", staff=True)),
)
def open_task(call: Call, task_id: str) -> TaskDetail:
    """A task and its whole dossier, with short-lived links to download the files and to preview the
    PDFs and images in place."""
    services = call.container
    task, record = services.inbox.open(call.principal, task_id)
    return TaskDetail(
        task=services.presenter.open_task(task, call.language, call.principal),
        dossier=services.presenter.dossier(
            record,
            call.language,
            viewer=call.principal,
            download_url=services.dossiers.download_url,
            preview_url=services.dossiers.preview_url,
        ),
    )


@area.route(
    "POST",
    "/v1/tasks/{task_id}/decision",
    access=Access.STAFF,
    body=Decision,
    response=DecisionResult,
    errors=(404, 409),
    links=(*links.task("/task/task_id"), *links.dossier("/dossier_code", staff=True)),
)
def decide(call: Call, task_id: str) -> DecisionResult:
    """Decide on a task: accept, refuse, request papers, approve, reject or return the result.

    The desk's actions (accept, refuse, papers at intake, return the result, restart the flow) are
    for receivers and leaders; deciding (approve, reject, papers in process, a step) for officers and
    leaders; a step of role `leader` for leaders; a forwarded task for its assignee or a leader. A
    403 `role_required` names the role needed (docs/roles.md).
    """
    services = call.container
    task, dossier = services.inbox.decide(call.principal, task_id, call.body(Decision))
    return services.presenter.decision(task, dossier, call.language, call.principal)
