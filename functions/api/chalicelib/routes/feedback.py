"""Feedback and complaints (phản ánh, kiến nghị): citizens send, the agency's officers and leaders answer
and may publish; the published answers are public (docs/feedback.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from chalicelib.http.responses import Reply
from chalicelib.models import PageQuery
from motcua.domain.feedback import FeedbackState
from motcua.services.feedback import (
    AnswerRequest,
    FeedbackPage,
    FeedbackRequest,
    FeedbackView,
    PublicationRequest,
    PublicPage,
)

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="feedback")


class MyFeedback(BaseModel):
    items: list[FeedbackView]


class AgencyFeedbackQuery(PageQuery):
    model_config = ConfigDict(extra="ignore")

    state: Literal["open", "answered"] = Field(
        default="open",
        description="`open`: waiting for an answer, the soonest due first; `answered`: the latest first.",
    )


@area.route(
    "POST",
    "/v1/feedback",
    access=Access.CITIZEN,
    body=FeedbackRequest,
    response=FeedbackView,
    status=201,
    errors=(409,),
    response_headers={"Location": "Where the feedback is: `/v1/feedback/{feedback_code}`."},
)
def send_feedback(call: Call) -> Reply:
    """Send feedback or a complaint about one's dossier (`dossier_code`) or to an agency (`agency`).

    It gets a code `PAKN-<agency>-<YYMMDD>-<NNNN>` and a due date in working days (the province's
    `feedback.answer_working_days`), and lands in the agency's list for its officers and leaders.
    """
    services = call.container.feedback
    feedback = services.send(call.principal, call.body(FeedbackRequest), call.language)
    return Reply(services.view(feedback, staff=False), headers={"Location": f"/v1/feedback/{feedback.code}"})


@area.route("GET", "/v1/me/feedback", access=Access.CITIZEN, response=MyFeedback)
def my_feedback(call: Call) -> MyFeedback:
    """The signed-in citizen's feedback, newest first, with the agencies' answers."""
    services = call.container.feedback
    return MyFeedback(items=[services.view(f, staff=False) for f in services.mine(call.principal)])


@area.route("GET", "/v1/feedback/public", access=Access.PUBLIC, query=PageQuery, response=PublicPage)
def public_feedback(call: Call) -> PublicPage:
    """The answers the agencies chose to publish, the latest first: the question and answer as an officer
    edited them, without the sender's name or contacts, the dossier's code or the feedback's code."""
    query = call.query(PageQuery)
    services = call.container.feedback
    items, token = services.public(limit=query.limit, next_token=query.next_token)
    return PublicPage(items=[services.public_view(p) for p in items], next_token=token)


@area.route(
    "GET",
    "/v1/agencies/{agency_code}/feedback",
    access=Access.STAFF,
    query=AgencyFeedbackQuery,
    response=FeedbackPage,
)
def agency_feedback(call: Call, agency_code: str) -> FeedbackPage:
    """The feedback sent to the agency: open, the soonest due first (`overdue` marks those past their
    due date), or answered, the latest first. For the agency's officers and leaders."""
    query = call.query(AgencyFeedbackQuery)
    services = call.container.feedback
    items, token = services.inbox(
        call.principal,
        agency_code,
        FeedbackState(query.state),
        limit=query.limit,
        next_token=query.next_token,
    )
    return FeedbackPage(items=[services.view(f, staff=True) for f in items], next_token=token)


@area.route(
    "GET", "/v1/feedback/{feedback_code}", access=Access.SIGNED_IN, response=FeedbackView, errors=(404,)
)
def get_feedback(call: Call, feedback_code: str) -> FeedbackView:
    """One feedback: its sender's, or one sent to the agency of the officer or leader asking."""
    services = call.container.feedback
    feedback = services.get(call.principal, feedback_code)
    return services.view(feedback, staff=call.principal.is_staff)


@area.route(
    "POST",
    "/v1/feedback/{feedback_code}/answer",
    access=Access.STAFF,
    body=AnswerRequest,
    response=FeedbackView,
    errors=(404, 409),
)
def answer_feedback(call: Call, feedback_code: str) -> FeedbackView:
    """Answer a feedback of one's agency, once (a second answer is a 409 `feedback_answered`); who and
    when are recorded, and the citizen is told by email and SMS."""
    services = call.container.feedback
    found = services.for_officer(call.principal, feedback_code)  # refused before the body is read
    feedback = services.answer(call.principal, found, call.body(AnswerRequest))
    return services.view(feedback, staff=True)


@area.route(
    "POST",
    "/v1/feedback/{feedback_code}/publication",
    access=Access.STAFF,
    body=PublicationRequest,
    response=FeedbackView,
    errors=(404, 409),
)
def publish_feedback(call: Call, feedback_code: str) -> FeedbackView:
    """Publish an answered feedback on the public page, with the subject, question and answer edited to
    hold no personal data (no dossier code is accepted); publishing again replaces the texts. An
    unanswered feedback is a 409 `feedback_not_answered`."""
    services = call.container.feedback
    found = services.for_officer(call.principal, feedback_code)  # refused before the body is read
    feedback = services.publish(call.principal, found, call.body(PublicationRequest))
    return services.view(feedback, staff=True)
