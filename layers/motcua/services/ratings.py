"""Satisfaction ratings: the owner rates a dossier once after its result (on the portal, or by the signed
link of the final message); the agency's staff read the tallies and comments, never who rated."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from motcua.domain.errors import Forbidden
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind
from motcua.domain.ratings import (
    COMMENT_LIMIT,
    CRITERIA,
    LINK_DAYS,
    AlreadyRated,
    Comment,
    Criterion,
    CriterionFigure,
    Rating,
    RatingForm,
    RatingTaken,
    Tally,
    Way,
    check_may_rate,
    figures,
    make_token,
    may_rate,
    month_of,
    months_between,
    read_token,
)
from motcua.observability import count, logger

if TYPE_CHECKING:
    from collections.abc import Callable

    from motcua.config.province import Province
    from motcua.domain.models import Dossier, Principal
    from motcua.domain.ports import Clock
    from motcua.domain.ratings import MacKey, RatingStore
    from motcua.services.dossiers import DossierService

COMMENTS_PAGE = 20


class RatingCriteria(BaseModel):
    """The rating form: its questions and the comment's limit."""

    model_config = ConfigDict(frozen=True)

    criteria: list[Criterion]
    comment_limit: int


class GivenRating(BaseModel):
    """A dossier's rating as its owner (or the link's holder) sees it back."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    scores: dict[str, int]
    comment: str | None


class DossierRating(BaseModel):
    """Whether a dossier may be rated now, and its rating once given."""

    model_config = ConfigDict(frozen=True)

    code: str
    procedure_name: Text
    agency_name: Text
    ratable: bool
    rating: GivenRating | None = None


class Figures(BaseModel):
    model_config = ConfigDict(frozen=True)

    ratings: int
    criteria: list[CriterionFigure]


class MonthFigures(Figures):
    month: str


class ProcedureFigures(Figures):
    procedure_code: str
    procedure_name: Text


class Satisfaction(Figures):
    """What the Decision 766 satisfaction indicator reads: per criterion, how many answered and the mean."""

    agency: str | None  # None: the whole province
    first_month: str
    last_month: str


class AgencyRatings(BaseModel):
    """An agency's ratings over a range of months: tallies and comments, never who gave them."""

    model_config = ConfigDict(frozen=True)

    agency: str
    agency_name: Text
    first_month: str
    last_month: str
    ratings: int
    criteria: list[CriterionFigure]
    months: list[MonthFigures]
    procedures: list[ProcedureFigures]
    comments: list[Comment]
    next_token: str | None = None


class RatingService:
    def __init__(
        self,
        *,
        province: Province,
        store: RatingStore,
        dossiers: DossierService,
        key: Callable[[], MacKey],
        clock: Clock,
        portal_url: str,
    ) -> None:
        self.province = province
        self.store = store
        self.dossiers = dossiers
        self._key = key  # built on first use: only the link's routes and the notifier need it
        self.clock = clock
        self.portal_url = portal_url.rstrip("/")

    # --- the citizen -------------------------------------------------------------------------------

    def criteria(self) -> RatingCriteria:
        return RatingCriteria(criteria=list(CRITERIA), comment_limit=COMMENT_LIMIT)

    def _owned(self, principal: Principal, code: str) -> Dossier:
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(Text(vi="Chỉ chủ hồ sơ được đánh giá.", en="Only the dossier's owner rates it."))
        return self.dossiers.load_for(principal, code).dossier

    def of_dossier(self, principal: Principal, code: str) -> DossierRating:
        """For the owner's dossier page: may it be rated, and how it was."""
        return self._state(self._owned(principal, code))

    def rate(self, principal: Principal, code: str, form: RatingForm) -> DossierRating:
        """The signed-in owner rates their dossier (once)."""
        return self._rate(self._owned(principal, code), form, Way.PORTAL)

    def link(self, code: str) -> str:
        """The link of the final message: the rating page with a token naming the dossier, for LINK_DAYS."""
        token = make_token(self._key(), code, now=self.clock.now(), days=LINK_DAYS)
        return f"{self.portal_url}/#/rate/{token}"

    def of_link(self, token: str) -> DossierRating:
        """What the link's page shows: the dossier it names, and whether it was rated."""
        return self._state(self._linked(token))

    def rate_by_link(self, token: str, form: RatingForm) -> DossierRating:
        return self._rate(self._linked(token), form, Way.LINK)

    def _linked(self, token: str) -> Dossier:
        code = read_token(self._key(), token, now=self.clock.now())
        return self.dossiers.load(code).dossier

    def _state(self, dossier: Dossier) -> DossierRating:
        given = self.store.get(dossier.code)
        return DossierRating(
            code=dossier.code,
            procedure_name=dossier.procedure_name,
            agency_name=self._agency_name(dossier.agency),
            ratable=given is None and may_rate(dossier),
            rating=GivenRating(at=given.at, scores=given.scores, comment=given.comment) if given else None,
        )

    def _rate(self, dossier: Dossier, form: RatingForm, way: Way) -> DossierRating:
        check_may_rate(dossier)
        now = self.clock.now()
        current = self.province.current_agency(dossier.agency)
        rating = Rating(
            code=dossier.code,
            agency=current.code if current is not None else dossier.agency,
            procedure_code=dossier.procedure_code,
            month=month_of(now),
            at=now,
            scores=form.scores(),
            comment=form.comment,
            way=way,
        )
        # As long as the dossier (its filing + the retention), like everything else about it.
        expires_at = dossier.filed_at + timedelta(days=self.province.retention.dossiers_days)
        try:
            self.store.add(rating, expires_at=expires_at)
        except RatingTaken as error:
            raise AlreadyRated() from error
        count("RatingGiven", way=way.value)
        logger.info("rated", extra={"way": way.value})
        return self._state(dossier)

    # --- the agency --------------------------------------------------------------------------------

    def for_agency(
        self, principal: Principal, agency: str, first: str, last: str, token: str | None = None
    ) -> AgencyRatings:
        """The agency's tallies per month and procedure, and its comments (newest first): for its staff,
        whatever their role; nothing names a dossier or a person."""
        if not principal.is_staff or principal.agency != agency:
            raise Forbidden(
                Text(
                    vi="Chỉ cán bộ của cơ quan được xem đánh giá của cơ quan.",
                    en="Only the agency's staff see its ratings.",
                )
            )
        months = months_between(first, last)
        procedures = [p for p in self.province.procedures if p.agency == agency]
        tallies = self.store.tallies(agency, months, [p.code for p in procedures])
        total = Tally()
        month_rows = []
        for month in months:
            tally = tallies.get(month, Tally())
            total = total.plus(tally)
            month_rows.append(MonthFigures(month=month, ratings=tally.ratings, criteria=figures(tally)))
        procedure_rows = []
        for procedure in procedures:
            tally = Tally()
            for month in months:
                tally = tally.plus(tallies.get(f"{month}#{procedure.code}", Tally()))
            procedure_rows.append(
                ProcedureFigures(
                    procedure_code=procedure.code,
                    procedure_name=procedure.name,
                    ratings=tally.ratings,
                    criteria=figures(tally),
                )
            )
        page = self.store.comments(
            agency, first=f"{first}-01", last=f"{last}-31", limit=COMMENTS_PAGE, token=token
        )
        return AgencyRatings(
            agency=agency,
            agency_name=self._agency_name(agency),
            first_month=first,
            last_month=last,
            ratings=total.ratings,
            criteria=figures(total),
            months=month_rows,
            procedures=procedure_rows,
            comments=page.items,
            next_token=page.next_token,
        )

    def satisfaction(self, agency: str | None, first_month: str, last_month: str) -> Satisfaction:
        """Counts and means per criterion of an agency (None: the province) over whole months, YYYY-MM
        to YYYY-MM: one read per month (a BatchGetItem of the months' tallies), whatever the ratings."""
        months = months_between(first_month, last_month)
        tallies = self.store.tallies(agency, months, [])
        total = Tally()
        for month in months:
            total = total.plus(tallies.get(month, Tally()))
        return Satisfaction(
            agency=agency,
            first_month=first_month,
            last_month=last_month,
            ratings=total.ratings,
            criteria=figures(total),
        )

    def _agency_name(self, code: str) -> Text:
        agency = self.province.agencies_by_code.get(code)
        return agency.name if agency is not None else Text(vi=code, en=code)
