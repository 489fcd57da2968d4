"""Catalog search as a citizen types it: without diacritics, by everyday words, filtered and paged."""

from __future__ import annotations

import pytest

from motcua.config.province import load_province
from motcua.domain.errors import BadRequest, NotFound
from motcua.services.catalog import CatalogService
from tests.conftest import DEMO_PROVINCE

catalog = CatalogService(load_province(DEMO_PROVINCE))


def codes(**query: object) -> list[str]:
    return [p.code for p in catalog.search(limit=50, **query).items]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "q", ["dang ky kinh doanh", "ĐĂNG KÝ KINH DOANH", "ma so thue", "business registration"]
)
def test_everyday_words_find_business_registration_first(q: str) -> None:
    assert codes(q=q)[0] == "2.001610"


def test_words_the_catalog_does_not_have_find_nothing() -> None:
    assert codes(q="khai sinh") == ["1.001193"]
    assert codes(q="khong co thu tuc nao nhu the nay") == []  # only words that ask, none that name
    assert codes(q="qwxzv") == []


def test_filters_by_receiving_agency_and_level() -> None:
    assert codes(agency="000.01.01.H99") == ["1.001193", "1.000894", "1.000656"]
    assert all(catalog.get(c).level.value == "full" for c in codes(level="full"))
    assert all(catalog.get(c).legacy_level == 4 for c in codes(level="4"))
    assert set(codes(level="full")) | set(codes(level="partial")) == set(codes())
    with pytest.raises(BadRequest):
        codes(level="5")


def test_pages_cover_everything_once() -> None:
    seen, token = [], None
    while True:
        page = catalog.search(limit=4, token=token)
        seen += [p.code for p in page.items]
        token = page.next_token
        if token is None:
            break
    assert seen == codes()
    with pytest.raises(BadRequest):
        catalog.search(token="bm90LWpzb24")


def test_an_unknown_procedure_is_not_found() -> None:
    with pytest.raises(NotFound):
        catalog.get("9.999999")
