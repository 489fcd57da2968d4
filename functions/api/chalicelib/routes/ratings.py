"""Satisfaction ratings (docs/ratings.md): the form's criteria, the owner's rating on the portal, the
signed link of the final message (no sign-in), and an agency's tallies and comments for its staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from motcua.domain.ratings import MONTH, RatingForm, month_of
from motcua.services.ratings import AgencyRatings, DossierRating, RatingCriteria

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="ratings")


class RatingsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    first: str | None = Field(
        default=None,
        alias="from",
        pattern=MONTH.pattern,
        description="First month, `2026-01`; default: 11 months before `to`.",
    )
    last: str | None = Field(
        default=None,
        alias="to",
        pattern=MONTH.pattern,
        description="Last month, `2026-12`; default: this month.",
    )
    token: str | None = Field(default=None, max_length=2000, description="The comments' `next_token`.")


@area.route(
    "GET", "/v1/ratings/criteria", access=Access.PUBLIC, response=RatingCriteria, cache="public, max-age=3600"
)
def rating_criteria(call: Call) -> RatingCriteria:
    """The rating form: its criteria (the national public service portal's), scales and comment limit."""
    return call.container.ratings.criteria()


@area.route("GET", "/v1/dossiers/{code}/rating", access=Access.CITIZEN, response=DossierRating, errors=(404,))
def get_rating(call: Call, code: str) -> DossierRating:
    """Whether the signed-in owner may rate the dossier now, and their rating once given."""
    return call.container.ratings.of_dossier(call.principal, code)


@area.route(
    "POST",
    "/v1/dossiers/{code}/rating",
    access=Access.CITIZEN,
    body=RatingForm,
    response=DossierRating,
    status=201,
    errors=(404, 409),
)
def rate_dossier(call: Call, code: str) -> DossierRating:
    """The owner rates the dossier, once, after its result (status 10, or 9 with an electronic result).

    A second rating answers 409 `already_rated`; a dossier without its result yet, 409 `not_ratable`.
    """
    return call.container.ratings.rate(call.principal, code, call.body(RatingForm))


@area.route(
    "GET", "/v1/rating-links/{token}", access=Access.PUBLIC, response=DossierRating, errors=(401, 403, 404)
)
def get_rating_link(call: Call, token: str) -> DossierRating:
    """The dossier a rating link of the final email or SMS names, and whether it was rated (no sign-in).

    A forged or garbled link answers 403 `rating_link_invalid`; an expired one 401 `rating_link_expired`.
    """
    return call.container.ratings.of_link(token)


@area.route(
    "POST",
    "/v1/rating-links/{token}",
    access=Access.PUBLIC,
    body=RatingForm,
    response=DossierRating,
    status=201,
    errors=(401, 403, 404, 409),
)
def rate_by_link(call: Call, token: str) -> DossierRating:
    """Rate the dossier the link names, once, without signing in (the link is the proof)."""
    return call.container.ratings.rate_by_link(token, call.body(RatingForm))


@area.route(
    "GET",
    "/v1/agencies/{agency_code}/ratings",
    access=Access.STAFF,
    query=RatingsQuery,
    response=AgencyRatings,
    errors=(422,),
)
def agency_ratings(call: Call, agency_code: str) -> AgencyRatings:
    """The agency's ratings over whole months (at most 24): counts and means per criterion, per month
    and per procedure, and its comments, newest first (`next_token` for more). For the agency's staff;
    nothing in it names a dossier or the citizen who rated."""
    query = call.query(RatingsQuery)
    last = query.last or month_of(call.container.clock.now())
    first = query.first or _months_before(last, 11)
    return call.container.ratings.for_agency(call.principal, agency_code, first, last, query.token)


def _months_before(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
