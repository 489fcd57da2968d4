"""The PKI function, which the API calls when a certificate is missing or stale (CertificateIssuer)."""

from __future__ import annotations

import json
from typing import Any

from motcua.domain.errors import Unavailable
from motcua.signing.kms import SIGNING_UNAVAILABLE


class PkiFunctionFailed(Unavailable):
    """The PKI function answered with an error (its KMS key did not answer, …): no certificate was
    issued, so nothing can be signed now; the user is asked to try again (503)."""

    def __init__(self, detail: str) -> None:
        super().__init__(SIGNING_UNAVAILABLE, retry_after=60, code="signing_unavailable")
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


class LambdaCertificateIssuer:
    """Implements CertificateIssuer by invoking the PKI function, which alone holds the CA key. It takes
    no input: what it issues follows from its own configuration, never from the caller."""

    def __init__(self, client: Any, function_name: str) -> None:
        self.client = client
        self.function_name = function_name

    def issue(self) -> tuple[str, ...]:
        response = self.client.invoke(
            FunctionName=self.function_name, InvocationType="RequestResponse", Payload=b"{}"
        )
        payload = json.loads(response["Payload"].read() or b"{}")
        if response.get("FunctionError"):
            raise PkiFunctionFailed(f"{self.function_name}: {payload.get('errorType', 'error')}")
        return tuple(str(code) for code in payload.get("issued", ()))
