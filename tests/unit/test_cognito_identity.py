"""The Cognito adapter's answers that must not tell who has an account (botocore's Stubber, no AWS)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from motcua.adapters.cognito import CognitoIdentityProvider
from motcua.domain.errors import AccountExists, InvalidInput

CONFIRM = {"ClientId": "portal", "Username": "an@example.vn", "ConfirmationCode": "123456"}


@pytest.fixture
def cognito() -> Iterator[tuple[CognitoIdentityProvider, Stubber]]:
    client = boto3.client(
        "cognito-idp", region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        yield CognitoIdentityProvider(client, pool_id="pool", client_id="portal"), stubber


@pytest.mark.parametrize(
    ("cognito_says", "message"),
    [
        ("CodeMismatchException", "Invalid code provided, please request a code again."),
        ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"),
        ("UserNotFoundException", "Username/client id combination not found."),
    ],
)
def test_confirming_says_wrong_code_alike_for_a_wrong_code_a_confirmed_account_and_no_account(
    cognito: tuple[CognitoIdentityProvider, Stubber], cognito_says: str, message: str
) -> None:
    identity, stubber = cognito
    stubber.add_client_error("confirm_sign_up", cognito_says, message, 400, expected_params=CONFIRM)

    with pytest.raises(InvalidInput) as raised:
        identity.confirm_sign_up(username="an@example.vn", code="123456")

    assert raised.value.message.en == "The confirmation code is wrong."
    assert [(f.field, f.code) for f in raised.value.fields] == [("code", "CodeMismatchException")]


def test_signing_up_an_existing_username_is_account_exists(
    cognito: tuple[CognitoIdentityProvider, Stubber],
) -> None:
    identity, stubber = cognito
    stubber.add_client_error("sign_up", "UsernameExistsException", "User already exists", 400)

    with pytest.raises(AccountExists):
        identity.sign_up(username="an@example.vn", password="Matkhau@2026!", attributes={})
