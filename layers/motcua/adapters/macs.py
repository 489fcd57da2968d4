"""A KMS HMAC key (GENERATE_VERIFY_MAC, HMAC_SHA_256) that authenticates the rating links: the key
never leaves KMS; GenerateMac both makes a link's MAC and, compared in constant time, checks one."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from motcua.domain.errors import Unavailable
from motcua.domain.i18n import Text

ALGORITHM = "HMAC_SHA_256"
UNAVAILABLE = Text(
    vi="Chưa kiểm tra được đường dẫn đánh giá; vui lòng thử lại sau ít phút.",
    en="The rating link cannot be checked right now; please try again in a few minutes.",
)


class KmsMacKey:
    """Implements motcua.domain.ratings.MacKey with KMS GenerateMac."""

    def __init__(self, client: Any, key_id: str) -> None:
        if not key_id:
            raise RuntimeError("MOTCUA_RATING_KEY is not set: no key signs the rating links")
        self.client = client
        self.key_id = key_id

    def mac(self, message: bytes) -> bytes:
        try:
            answer = self.client.generate_mac(KeyId=self.key_id, Message=message, MacAlgorithm=ALGORITHM)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"KMSInvalidStateException", "DisabledException"}:
                raise Unavailable(UNAVAILABLE, retry_after=60, code="rating_key_unavailable") from error
            raise
        except BotoCoreError as error:
            raise Unavailable(UNAVAILABLE, retry_after=30, code="rating_key_unavailable") from error
        mac: bytes = answer["Mac"]
        return mac
