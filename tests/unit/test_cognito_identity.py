"""The Cognito adapter's answers that must not tell who has an account (botocore's Stubber, no AWS)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from motcua.adapters.cognito import CognitoIdentityProvider
from motcua.domain.errors import AccountExists, InvalidInput, TooManyRequests

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


FORGOT = {"ClientId": "portal", "Username": "+84912345678"}


@pytest.mark.parametrize(
    ("cognito_says", "message"),
    [
        # What Cognito still says with PreventUserExistenceErrors, each telling something of the account.
        (
            "InvalidParameterException",
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        ),
        ("NotAuthorizedException", "User is disabled."),
        ("UserNotConfirmedException", "User is not confirmed."),
        ("UserNotFoundException", "Username/client id combination not found."),
    ],
)
def test_asking_for_a_reset_code_answers_alike_whatever_the_account(
    cognito: tuple[CognitoIdentityProvider, Stubber], cognito_says: str, message: str
) -> None:
    identity, stubber = cognito
    stubber.add_client_error("forgot_password", cognito_says, message, 400, expected_params=FORGOT)

    identity.forget_password(username="+84912345678")  # as for an account the code went to

    stubber.assert_no_pending_responses()


def test_asking_for_reset_codes_too_often_is_still_a_429(
    cognito: tuple[CognitoIdentityProvider, Stubber],
) -> None:
    identity, stubber = cognito
    stubber.add_client_error(
        "forgot_password", "LimitExceededException", "Attempt limit exceeded", 400, expected_params=FORGOT
    )

    with pytest.raises(TooManyRequests):
        identity.forget_password(username="+84912345678")


@pytest.mark.parametrize(
    ("cognito_says", "message"),
    [
        ("CodeMismatchException", "Invalid verification code provided, please try again."),
        ("UserNotFoundException", "Username/client id combination not found."),
        ("NotAuthorizedException", "User is disabled."),
    ],
)
def test_a_reset_with_a_wrong_code_or_no_account_says_wrong_code_alike(
    cognito: tuple[CognitoIdentityProvider, Stubber], cognito_says: str, message: str
) -> None:
    identity, stubber = cognito
    stubber.add_client_error("confirm_forgot_password", cognito_says, message, 400)

    with pytest.raises(InvalidInput) as raised:
        identity.reset_password(username="+84912345678", code="123456", password="mot cum tu de nho")

    assert raised.value.message.en == "The confirmation code is wrong."
    assert [f.field for f in raised.value.fields] == ["code"]
