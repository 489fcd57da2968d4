"""The API's way to certificates: it asks the PKI function, which takes no input and may fail loudly."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from motcua.adapters.pki_function import LambdaCertificateIssuer, PkiFunctionFailed


class StubLambda:
    def __init__(self, answer: dict[str, Any], *, error: bool = False) -> None:
        self.answer = answer
        self.error = error
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        response: dict[str, Any] = {"Payload": io.BytesIO(json.dumps(self.answer).encode())}
        if self.error:
            response["FunctionError"] = "Unhandled"
        return response


def test_the_issuer_invokes_the_pki_function_with_nothing_to_choose() -> None:
    client = StubLambda({"issued": ["000.00.01.H99"]})

    issued = LambdaCertificateIssuer(client, "motcua-pki").issue()

    assert issued == ("000.00.01.H99",)
    assert client.calls == [
        {"FunctionName": "motcua-pki", "InvocationType": "RequestResponse", "Payload": b"{}"}
    ]


def test_a_failed_pki_function_is_an_error_not_a_silent_nothing() -> None:
    client = StubLambda({"errorType": "KeyMisconfigured", "errorMessage": "…"}, error=True)

    with pytest.raises(PkiFunctionFailed, match="KeyMisconfigured"):
        LambdaCertificateIssuer(client, "motcua-pki").issue()
