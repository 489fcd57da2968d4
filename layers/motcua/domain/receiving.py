"""Which one-stop desk may receive which procedure (nơi tiếp nhận hồ sơ)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from motcua.domain.catalog import Procedure


class _Agency(Protocol):
    @property
    def code(self) -> str: ...


class Province(Protocol):
    """What of the province file the rule reads (motcua.config.province.Province is one)."""

    def current_agency(self, code: str) -> _Agency | None: ...


def may_receive(province: Province, procedure: Procedure, desk_agency: str) -> bool:
    """Whether the desk of `desk_agency` may receive a dossier of `procedure`: for now, only the
    procedure's receiving agency (as it is today, after any merger)."""
    receiving = province.current_agency(procedure.agency)
    desk = province.current_agency(desk_agency)
    return receiving is not None and desk is not None and receiving.code == desk.code
