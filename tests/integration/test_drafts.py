"""Drafts on moto: the adapter's conditions and the filing transaction that removes a draft."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from motcua.adapters import clients
from motcua.resources import BUCKET
from motcua.services.drafts import DraftSave
from motcua.services.uploads import upload_key
from tests.conftest import REGION
from tests.integration.conftest import BIRTH, filing_request, upload


def test_a_draft_is_versioned_expires_and_goes_with_its_filing(
    container: Any, people: Any, clock: Any
) -> None:
    an = people.citizen("an@example.vn")
    drafts = container.drafts
    paper_code = container.province.procedures_by_code[BIRTH].papers[0].code
    upload_id = upload(container, an)
    body = DraftSave.model_validate(
        {
            "answers": {"form": {"x": "Nguyễn Bé Na"}},
            "papers": [{"upload_id": upload_id, "paper_code": paper_code}],
        }
    )

    first = drafts.save(an, BIRTH, body, if_match=None, if_none_match="*")
    second = drafts.save(an, BIRTH, body, if_match='"1"', if_none_match=None)
    with pytest.raises(Exception) as stale:
        drafts.save(an, BIRTH, body, if_match='"1"', if_none_match=None)

    assert (first.version, second.version) == (1, 2)
    assert getattr(stale.value, "code", None) == "draft_changed"
    assert drafts.get(an, BIRTH).answers == {"form": {"x": "Nguyễn Bé Na"}}
    assert [d.procedure_code for d in drafts.mine(an)] == [BIRTH]
    # The upload is re-tagged draft: the bucket's draft-uploads rule, not the abandoned one, expires it.
    s3 = clients.client("s3", REGION)
    tags = s3.get_object_tagging(Bucket=container.settings.bucket_name, Key=upload_key(an.sub, upload_id))
    assert tags["TagSet"] == [{"Key": BUCKET.pending_tag[0], "Value": BUCKET.draft_value}]

    container.filing.file(an, filing_request(container, an), "key-draft-0001")
    assert drafts.mine(an) == []

    # Expired, and not yet removed by the TTL (moto's, like DynamoDB's, is not immediate): not read.
    drafts.save(an, BIRTH, body, if_match=None, if_none_match="*")
    clock.set(clock.now() + timedelta(days=container.province.drafts.keep_days))
    assert drafts.mine(an) == []
    assert drafts.save(an, BIRTH, body, if_match=None, if_none_match="*").version == 1
