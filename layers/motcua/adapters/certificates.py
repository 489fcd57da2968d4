"""The province's certificates in the one DynamoDB table, under PK "PKI" (CertificateStore)."""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from motcua.resources import PKI_PARTITION
from motcua.signing.ports import StoredCertificates

PK = PKI_PARTITION
_AUTHORITY = "CA#"
_AGENCY = "CERT#"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class DynamoCertificateStore:
    """Implements CertificateStore: CA certificates at SK "CA#<SHA-256 of the CA's public key>" (one per
    CA key, so that racing issuers cannot add two), agency certificates at SK "CERT#<agency code>"."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table = table_name

    def load(self) -> StoredCertificates:
        stored = StoredCertificates()
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": _s(PK)},
            "ProjectionExpression": "SK, der",
            "ConsistentRead": True,
        }
        while True:
            response = self.client.query(**kwargs)
            for item in response["Items"]:
                sk, der = item["SK"]["S"], bytes(item["der"]["B"])
                if sk.startswith(_AUTHORITY):
                    stored.authorities[sk.removeprefix(_AUTHORITY)] = der
                elif sk.startswith(_AGENCY):
                    stored.agencies[sk.removeprefix(_AGENCY)] = der
            if "LastEvaluatedKey" not in response:
                return stored
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def add_authority(self, key_fingerprint: str, der: bytes) -> bool:
        return self._put(f"{_AUTHORITY}{key_fingerprint}", der, "attribute_not_exists(PK)", {})

    def put_agency(self, agency: str, der: bytes, *, replaces: bytes | None) -> bool:
        if replaces is None:
            return self._put(f"{_AGENCY}{agency}", der, "attribute_not_exists(PK)", {})
        return self._put(f"{_AGENCY}{agency}", der, "der = :old", {":old": {"B": replaces}})

    def _put(self, sk: str, der: bytes, condition: str, values: dict[str, Any]) -> bool:
        item = {
            "PK": _s(PK),
            "SK": _s(sk),
            "type": _s("certificate"),
            "der": {"B": der},
            "sha256": _s(hashlib.sha256(der).hexdigest()),
        }
        extra = {"ExpressionAttributeValues": values} if values else {}
        try:
            self.client.put_item(TableName=self.table, Item=item, ConditionExpression=condition, **extra)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
