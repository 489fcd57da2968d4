"""The demo's draft: Trần Thị Bình has started a marriage registration, half filled in, its signed form
uploaded, so that "Hồ sơ của tôi" lists a draft and the filing form restores it (docs/drafts.md)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from motcua.domain.models import Principal, PrincipalKind
from motcua.services.drafts import DraftSave
from motcua.services.uploads import upload_key

from .accounts import user_ids

if TYPE_CHECKING:
    from motcua.container import Container

    from .accounts import DemoAccount
    from .provision import Outputs

MARRIAGE = "1.000894"
FORM_PAPER = "to_khai_dang_ky_ket_hon"
FILENAME = "to-khai-ket-hon.pdf"


def ensure_demo_draft(container: Container, cognito: Any, outputs: Outputs, account: DemoAccount) -> bool:
    """Save the draft unless the citizen has one already (a data folder keeps it); whether it saved."""
    from tests.examples import PDF  # the same one-page PDF the tests upload

    sub = user_ids(cognito, outputs)[f"citizens/{account.email}"]
    citizen = Principal(
        sub=sub, kind=PrincipalKind.CITIZEN, username=sub, name=account.name, email=account.email
    )
    if container.drafts.mine(citizen):
        return False
    upload_id = uuid.uuid4().hex
    # As the presigned POST leaves it: the bytes, their type and name, tagged pending until held.
    container.store.put(upload_key(sub, upload_id), PDF, content_type="application/pdf")
    body = DraftSave.model_validate(
        {
            "answers": {
                "applicant": {"full_name": account.name, "email": account.email, "phone": "0912345678"},
                "form": {"husband_full_name": "Phạm Quốc Huy", "wife_full_name": account.name},
            },
            "papers": [
                {
                    "upload_id": upload_id,
                    "paper_code": FORM_PAPER,
                    "filename": FILENAME,
                    "size": len(PDF),
                    "content_type": "application/pdf",
                }
            ],
        }
    )
    container.drafts.save(citizen, MARRIAGE, body, if_match=None, if_none_match="*")
    return True
