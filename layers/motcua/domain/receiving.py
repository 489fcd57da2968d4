"""Receiving anywhere in the province (tiếp nhận không phụ thuộc địa giới hành chính).

Since 1 July 2025 a citizen may hand in a dossier at a one-stop desk other than the competent
agency's, within the province. The province file says, per procedure, where it may be received
(`receive_at`: `any`, or a list of agency codes; none: only at the procedure's own agency). The
dossier then carries the receiving desk's code (Circular 01/2018), is handed over to the competent
agency, which decides it, and comes back to the desk that returns the result.

`may_receive` is the one rule; the filing, the counter's intake and the list of desks all ask it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from motcua.domain.models import PrincipalKind, TimelineEvent

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.domain.catalog import Agency, Procedure
    from motcua.domain.models import Dossier
    from motcua.domain.roles import Role

ANYWHERE = "any"


class Province(Protocol):
    """What the rules need of the province file (motcua.config.province.Province): its agencies,
    and the agency doing an agency's work today, following mergers."""

    @property
    def agencies(self) -> tuple[Agency, ...]: ...

    @property
    def procedures(self) -> tuple[Procedure, ...]: ...

    def current_agency(self, code: str) -> Agency | None: ...


def may_receive(province: Province, procedure: Procedure, desk_agency: str) -> bool:
    """Whether the one-stop desk of `desk_agency` may receive a dossier of `procedure`.

    Merged agencies resolve to their successor on both sides: the desk of an agency that merged
    receives as the agency doing its work today, and a list naming an agency covers its successor.
    """
    desk = province.current_agency(desk_agency)
    competent = province.current_agency(procedure.agency)
    if desk is None or competent is None:
        return False
    if desk.code == competent.code:
        return True
    if procedure.receive_at == ANYWHERE:
        return desk.code in one_stop_desks(province)
    if procedure.receive_at is None:
        return False
    listed = (province.current_agency(code) for code in procedure.receive_at)
    return any(agency is not None and agency.code == desk.code for agency in listed)


def one_stop_desks(province: Province) -> frozenset[str]:
    """The agencies at work with a one-stop desk (bộ phận một cửa): those that receive a procedure of
    their own, and those a procedure's `receive_at` names; `any` means every one of them."""
    named = [procedure.agency for procedure in province.procedures] + [
        code
        for procedure in province.procedures
        if isinstance(procedure.receive_at, tuple)
        for code in procedure.receive_at
    ]
    return frozenset(agency.code for code in named if (agency := province.current_agency(code)) is not None)


def receiving_desks(province: Province, procedure: Procedure) -> tuple[Agency, ...]:
    """The desks at work that may receive `procedure`: the competent agency's first, then the others
    in the province file's order."""
    competent = province.current_agency(procedure.agency)
    desks = [
        agency
        for agency in province.agencies
        if agency.merged_into is None and may_receive(province, procedure, agency.code)
    ]
    return tuple(sorted(desks, key=lambda agency: competent is None or agency.code != competent.code))


def handed_over(dossier: Dossier) -> bool:
    """The dossier was received at a desk other than the competent agency's."""
    return dossier.competent_agency is not None and dossier.competent_agency != dossier.agency


def competent_agency(province: Province, dossier: Dossier) -> str:
    """The agency that decides `dossier` today, after mergers: the one it is handed over to, or the
    receiving agency itself (as for every dossier from before receiving anywhere)."""
    code = dossier.competent_agency or dossier.agency
    agency = province.current_agency(code)
    return agency.code if agency is not None else code


def receiving_agency(province: Province, dossier: Dossier) -> str:
    """The desk that received `dossier` and returns its result, today (after mergers)."""
    agency = province.current_agency(dossier.agency)
    return agency.code if agency is not None else dossier.agency


def hand_over(dossier: Dossier, to: str, actor: Role | PrincipalKind, at: datetime) -> TimelineEvent:
    """The dossier sent to `to` (the competent agency, or back to the receiving desk): a timeline
    event with no action, as a flow's hand-over to one of its agencies is (the console and the
    tracking page show it as “sent to …”)."""
    return TimelineEvent(at=at, action=None, status=dossier.status, agency=to, actor_role=actor)
