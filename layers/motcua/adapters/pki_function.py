"""The PKI function, which the API calls when a certificate is missing or stale (CertificateIssuer)."""

from __future__ import annotations

import json
from typing import Any


class PkiFunctionFailed(RuntimeError):
    """The PKI function answered with an error: no certificate was issued."""


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
