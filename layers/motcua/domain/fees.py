"""A dossier's fee at filing (phí, lệ phí), as the dossier itself records it (docs/statistics.md).

The Decision 766 indicator "fees paid online" (domain/indicators.py) counts the dossiers asked to pay
and those that paid online. The statistics read only the items themselves (the live counters and the
recount must agree whatever the catalog says later), so a dossier records at filing the fee its
procedure asked and where it is paid:

- filed online, a fee paid at filing (`fee.at_filing`): paid online through the gateway; the fee item
  beside the dossier (`FEE#filing`, docs/payments.md) says whether and when it was paid;
- received at the counter, a procedure with a fee: the desk collects it there, at the intake.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.counter import Channel

if TYPE_CHECKING:
    from motcua.domain.catalog import Fee
    from motcua.domain.models import Dossier


class FeeCollection(StrEnum):
    ONLINE = "online"  # through the payment gateway (its IPN marks the fee item paid)
    COUNTER = "counter"  # collected by the desk at the intake, with the receipt


class FilingFee(BaseModel):
    """The fee a dossier was asked at filing, and where it is paid."""

    model_config = ConfigDict(frozen=True)

    amount_vnd: int = Field(gt=0)  # integers in VND
    collection: FeeCollection
    collected_at: datetime | None = None  # at the counter: when the desk took it


def filing_fee(fee: Fee, channel: Channel, at: datetime) -> FilingFee | None:
    """The fee a new dossier records: at the counter every fee of the procedure is collected at the
    intake; online, a fee known up front is paid online right after filing; otherwise none (a fee
    set later is a financial obligation, status 6)."""
    if fee.amount_vnd <= 0:
        return None
    if channel is Channel.COUNTER:
        return FilingFee(amount_vnd=fee.amount_vnd, collection=FeeCollection.COUNTER, collected_at=at)
    if channel is Channel.ONLINE and fee.at_filing:
        return FilingFee(amount_vnd=fee.amount_vnd, collection=FeeCollection.ONLINE)
    return None


def counted_as(dossier: Dossier) -> dict[str, str]:
    """Where a dossier's fee item counts in the statistics (kept in the item, `counted_as`): the agency
    and procedure the dossier is counted under, and when it was filed (the month it counts in)."""
    return {
        "agency": dossier.competent_agency or dossier.agency,
        "procedure": dossier.procedure_code,
        "filed_at": dossier.filed_at.isoformat(),
    }
