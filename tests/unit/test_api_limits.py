"""The province's API limits: a path's limit per address is within the address-wide one."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from motcua.config.province import ApiLimits


def test_the_defaults_keep_each_paths_limit_within_the_address_limit() -> None:
    limits = ApiLimits()
    assert (
        max(limits.sign_in_ip_limit, limits.filing_ip_limit, limits.uploads_ip_limit, limits.counter_ip_limit)
        <= limits.ip_limit
    )


@pytest.mark.parametrize(
    "name", ["sign_in_ip_limit", "filing_ip_limit", "uploads_ip_limit", "counter_ip_limit"]
)
def test_a_paths_limit_above_the_address_limit_is_refused_naming_both(name: str) -> None:
    with pytest.raises(ValidationError, match=f"api.{name} \\(501\\) is above api.ip_limit \\(500\\)"):
        ApiLimits.model_validate({"ip_limit": 500, "uploads_ip_limit": 10, "counter_ip_limit": 10, name: 501})
