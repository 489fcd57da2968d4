"""Signing up, confirming and signing in through the API, and using the tokens it gives."""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

from tests.api.conftest import FINANCE, Api, Person
from tests.examples import PASSWORD

NEW = {"email": "chi.tran@example.vn", "password": PASSWORD, "name": "Trần Thị Chi", "phone": "0912345678"}


def sign_up_and_confirm(api: Api) -> None:
    assert api.post("/v1/auth/citizens/sign-up", json_body=NEW).status == 201
    assert (
        api.post("/v1/auth/citizens/confirm", json_body={"email": NEW["email"], "code": "123456"}).status
        == 200
    )


def test_a_citizen_signs_up_confirms_signs_in_and_uses_the_token(api: Api, container: Any) -> None:
    signed_up = api.post("/v1/auth/citizens/sign-up", json_body=NEW)
    assert signed_up.status == 201
    assert signed_up.json == {
        "email": NEW["email"],
        "phone": "+84912345678",
        "channel": "email",
        "confirmation_required": True,
    }
    confirmed = api.post("/v1/auth/citizens/confirm", json_body={"email": NEW["email"], "code": "123456"})
    assert confirmed.status == 200

    signed_in = api.post("/v1/auth/citizens/sign-in", json_body={"email": NEW["email"], "password": PASSWORD})

    assert signed_in.status == 200
    assert signed_in.json["token_type"] == "Bearer" and signed_in.json["refresh_token"]
    principal = container.verifier.verify(signed_in.json["id_token"])
    assert principal.name == "Trần Thị Chi" and principal.phone == "+84912345678"  # stored in E.164
    assert api.get("/v1/me/dossiers", token=signed_in.json["id_token"]).json["items"] == []


def test_signing_in_before_confirming_is_a_403(api: Api) -> None:
    api.post("/v1/auth/citizens/sign-up", json_body=NEW)

    answer = api.post("/v1/auth/citizens/sign-in", json_body={"email": NEW["email"], "password": PASSWORD})

    assert answer.status == 403


def test_signing_up_with_an_address_that_has_an_account_answers_as_a_new_sign_up(api: Api) -> None:
    sign_up_and_confirm(api)
    other = {
        "email": "dung.pham@example.vn",
        "password": PASSWORD,
        "name": "Phạm Dũng",
        "phone": "0912345679",
    }
    again = NEW | {"password": "Another-strong-1!", "name": "Kẻ Mạo Danh", "phone": "0987654321"}

    new_account = api.post("/v1/auth/citizens/sign-up", json_body=other, lang="en")
    existing_account = api.post("/v1/auth/citizens/sign-up", json_body=again, lang="en")

    assert existing_account.status == new_account.status == 201
    assert existing_account.json == new_account.json | {"email": NEW["email"], "phone": "+84987654321"}
    # Nothing changed for the account that was there: its password and name stay.
    refused = api.post(
        "/v1/auth/citizens/sign-in", json_body={"email": NEW["email"], "password": again["password"]}
    )
    assert refused.status == 401
    signed_in = api.post("/v1/auth/citizens/sign-in", json_body={"email": NEW["email"], "password": PASSWORD})
    assert signed_in.status == 200
    assert jwt.decode(signed_in.json["id_token"], options={"verify_signature": False})["name"] == NEW["name"]


def test_a_weak_password_is_refused_alike_for_a_new_and_an_existing_address(api: Api) -> None:
    sign_up_and_confirm(api)
    weak = {"password": "matkhau-1"}  # 9 characters: one short of the policy

    new_account = api.post("/v1/auth/citizens/sign-up", json_body=NEW | {"email": "e@example.vn"} | weak)
    existing_account = api.post("/v1/auth/citizens/sign-up", json_body=NEW | weak)

    assert existing_account.status == new_account.status == 422
    assert existing_account.json == new_account.json


def test_confirming_an_address_with_no_account_answers_as_a_wrong_code(api: Api) -> None:
    answer = api.post("/v1/auth/citizens/confirm", json_body={"email": "nobody@example.vn", "code": "123456"})

    assert answer.status == 422
    assert answer.error["message"] == "Mã xác nhận không đúng."


def reset_code(outputs: Any, username: str) -> str:
    """The code moto's pool keeps for a password reset (on AWS it goes by email or SMS)."""
    from moto.cognitoidp.models import cognitoidp_backends

    from tests.conftest import REGION

    pool = cognitoidp_backends["123456789012"][REGION].user_pools[outputs.citizen_pool_id]
    code = pool._get_user(username).confirmation_code
    assert code, f"no reset code was made for {username}"
    return str(code)


PHONE_ACCOUNT = {"phone": "0912 345 678", "password": "mot cum tu de nho", "name": "Lê Văn Phong"}


def test_a_citizen_signs_up_and_in_with_a_phone_number_as_people_write_it(api: Api) -> None:
    signed_up = api.post("/v1/auth/citizens/sign-up", json_body=PHONE_ACCOUNT)

    assert signed_up.status == 201
    assert signed_up.json == {
        "email": None,
        "phone": "+84912345678",
        "channel": "sms",
        "confirmation_required": True,
    }
    confirmed = api.post("/v1/auth/citizens/confirm", json_body={"phone": "0912.345.678", "code": "123456"})
    assert confirmed.status == 200 and confirmed.json["phone"] == "+84912345678"
    # A passphrase of plain words is enough: no upper case, digit or symbol is asked for.
    signed_in = api.post(
        "/v1/auth/citizens/sign-in", json_body={"phone": "+84 912 345 678", "password": "mot cum tu de nho"}
    )
    assert signed_in.status == 200, signed_in.body
    assert api.get("/v1/me/dossiers", token=signed_in.json["id_token"]).status == 200


def test_a_landline_or_a_made_up_number_cannot_sign_up(api: Api) -> None:
    for number in ("024 3825 2525", "0912 345", "1900 1234"):
        answer = api.post("/v1/auth/citizens/sign-up", json_body=PHONE_ACCOUNT | {"phone": number}, lang="en")
        assert answer.status == 422, number
        assert answer.field_names() == ["phone"]


def test_sign_in_names_the_account_by_email_or_phone_not_both(api: Api) -> None:
    both = {"email": "an@example.vn", "phone": "0912345678", "password": PASSWORD}
    neither = {"password": PASSWORD}

    for body in (both, neither):
        answer = api.post("/v1/auth/citizens/sign-in", json_body=body)
        assert answer.status == 422


def test_a_citizen_resets_a_forgotten_password_with_the_code_sent(api: Api, outputs: Any, an: Person) -> None:
    # Given a citizen who forgot their password
    asked = api.post("/v1/auth/citizens/password-reset", json_body={"email": an.username})
    assert asked.status == 202 and asked.json == {"requested": True}
    code = reset_code(outputs, an.username)

    # When a wrong code is tried, then the one sent, with a new password
    wrong = api.post(
        "/v1/auth/citizens/password-reset/confirm",
        json_body={
            "email": an.username,
            "code": "moto-confirmation-code:000000",
            "password": "mat khau moi 2026",
        },
        lang="en",
    )
    done = api.post(
        "/v1/auth/citizens/password-reset/confirm",
        json_body={"email": an.username, "code": code, "password": "mat khau moi 2026"},
    )

    # Then only the right code changes it: the old password no longer signs in, the new one does
    assert wrong.status == 422 and wrong.field_names() == ["code"]
    assert done.status == 200 and done.json == {"reset": True}
    old = api.post("/v1/auth/citizens/sign-in", json_body={"email": an.username, "password": PASSWORD})
    new = api.post(
        "/v1/auth/citizens/sign-in", json_body={"email": an.username, "password": "mat khau moi 2026"}
    )
    assert old.status == 401 and new.status == 200


def test_a_password_reset_answers_alike_whether_or_not_the_account_exists(api: Api, an: Person) -> None:
    known = api.post("/v1/auth/citizens/password-reset", json_body={"email": an.username}, lang="en")
    unknown = api.post("/v1/auth/citizens/password-reset", json_body={"email": "ai.do@example.vn"}, lang="en")
    unknown_phone = api.post("/v1/auth/citizens/password-reset", json_body={"phone": "0987654321"}, lang="en")

    assert known.status == unknown.status == unknown_phone.status == 202
    assert known.body == unknown.body == unknown_phone.body
    confirm = {"code": "123456", "password": "mat khau moi 2026"}
    no_account = api.post(
        "/v1/auth/citizens/password-reset/confirm",
        json_body=confirm | {"email": "ai.do@example.vn"},
        lang="en",
    )
    assert no_account.status == 422 and no_account.error["message"] == "The confirmation code is wrong."


def test_a_short_new_password_is_refused_before_the_code_is_looked_at(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/auth/citizens/password-reset/confirm",
        json_body={"email": an.username, "code": "123456", "password": "ngan"},
        lang="en",
    )

    assert answer.status == 422 and answer.field_names() == ["password"]


def test_a_weak_password_is_a_422(api: Api) -> None:
    answer = api.post("/v1/auth/citizens/sign-up", json_body=NEW | {"password": "matkhau"})

    assert answer.status == 422
    assert "Mật khẩu" in answer.error["message"]


def test_sign_up_details_are_checked_field_by_field(api: Api) -> None:
    answer = api.post(
        "/v1/auth/citizens/sign-up", json_body=NEW | {"email": "not-an-email", "phone": "12", "name": ""}
    )

    assert answer.status == 422
    assert sorted(answer.field_names()) == ["email", "name", "phone"]


def test_a_wrong_password_is_a_401(api: Api, an: Person) -> None:
    answer = api.post(
        "/v1/auth/citizens/sign-in", json_body={"email": an.username, "password": "Sai@mat-khau1"}
    )

    assert answer.status == 401
    assert answer.error["message"] == "Sai tên đăng nhập hoặc mật khẩu."


def test_an_unknown_citizen_gets_the_same_401_as_a_wrong_password(api: Api) -> None:
    answer = api.post(
        "/v1/auth/citizens/sign-in", json_body={"email": "ai.do@example.vn", "password": PASSWORD}
    )

    assert answer.status == 401
    assert answer.error["message"] == "Sai tên đăng nhập hoặc mật khẩu."


def test_staff_sign_in_gives_a_token_for_their_agencys_inbox(api: Api, receiver: Person) -> None:
    answer = api.post(
        "/v1/auth/staff/sign-in", json_body={"username": receiver.username, "password": PASSWORD}
    )

    assert answer.status == 200
    assert api.get(f"/v1/agencies/{FINANCE}/tasks", token=answer.json["id_token"]).status == 200


def test_a_citizen_cannot_sign_in_as_staff(api: Api, an: Person) -> None:
    answer = api.post("/v1/auth/staff/sign-in", json_body={"username": an.username, "password": PASSWORD})

    assert answer.status == 401


def test_a_refresh_token_gives_a_new_working_id_token(api: Api, an: Person) -> None:
    signed_in = api.post("/v1/auth/citizens/sign-in", json_body={"email": an.username, "password": PASSWORD})

    answer = api.post(
        "/v1/auth/refresh", json_body={"pool": "citizens", "refresh_token": signed_in.json["refresh_token"]}
    )

    assert answer.status == 200
    assert api.get("/v1/me/dossiers", token=answer.json["id_token"]).status == 200


def test_a_bad_refresh_token_is_a_401_asking_to_sign_in_again(api: Api) -> None:
    answer = api.post("/v1/auth/refresh", json_body={"pool": "staff", "refresh_token": "stale"}, lang="en")

    assert answer.status == 401
    assert answer.error["message"] == "The session has expired or is not valid; please sign in again."


def test_refresh_names_an_unknown_pool(api: Api) -> None:
    answer = api.post("/v1/auth/refresh", json_body={"pool": "admins", "refresh_token": "x"})

    assert answer.status == 422
    assert answer.field_names() == ["pool"]


def new_officer_signs_in(api: Api, outputs: Any) -> Any:
    """An officer an admin has just created, with a temporary password, signs in for the first time."""
    from motcua.adapters import clients
    from tests.conftest import REGION

    clients.client("cognito-idp", REGION).admin_create_user(
        UserPoolId=outputs.staff_pool_id,
        Username="moi.vao",
        TemporaryPassword="Tam@thoi-2026!",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "custom:agency_code", "Value": FINANCE},
            {"Name": "custom:role", "Value": "officer"},
        ],
    )
    return api.post("/v1/auth/staff/sign-in", json_body={"username": "moi.vao", "password": "Tam@thoi-2026!"})


def test_staff_with_a_temporary_password_get_a_challenge_instead_of_tokens(api: Api, outputs: Any) -> None:
    answer = new_officer_signs_in(api, outputs)

    assert answer.status == 200
    assert answer.json["challenge"] == "NEW_PASSWORD_REQUIRED" and answer.json["session"]
    assert "id_token" not in answer.json


def decoded_qr(svg: str) -> str:
    """What a camera reads from the SVG: segno's path of dark runs (`M x y`, `h n`, `m dx dy`) drawn
    as a bitmap, decoded by zxing-cpp."""
    import re

    import zxingcpp
    from PIL import Image, ImageDraw

    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))  # type: ignore[union-attr]
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
    scale, x, y = 8, 0.0, 0.0
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for command, numbers in re.findall(r"([MmHh])([-\d.\s]+)", path):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:  # h: a run of dark modules on the row, from here to the right
            row = int(y)
            draw.rectangle(
                [x * scale, row * scale, (x + values[0]) * scale - 1, (row + 1) * scale - 1], fill=0
            )
            x += values[0]
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, "no QR code found in the SVG"
    return str(found[0].text)


def totp(secret: str) -> str:
    """What an authenticator app shows now for `secret` (RFC 6238: SHA-1, 6 digits, 30 s)."""
    from cryptography.hazmat.primitives.hashes import SHA1
    from cryptography.hazmat.primitives.twofactor.totp import TOTP

    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    return TOTP(key, 6, SHA1(), 30, enforce_key_length=False).generate(time.time()).decode()


def test_a_new_officer_sets_a_password_and_an_authenticator_and_then_works(
    api: Api, outputs: Any, monkeypatch: Any
) -> None:
    # Given a staff pool that requires MFA, as on AWS (codes really checked), and a new officer
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    from motcua.adapters import clients
    from tests.conftest import REGION

    cognito = clients.client("cognito-idp", REGION)
    cognito.set_user_pool_mfa_config(
        UserPoolId=outputs.staff_pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )
    first = new_officer_signs_in(api, outputs)

    # When the officer chooses a password, adds the secret to an authenticator app and types its code
    step = api.post(
        "/v1/auth/staff/challenge",
        json_body={
            "username": "moi.vao",
            "challenge": "NEW_PASSWORD_REQUIRED",
            "session": first.json["session"],
            "answer": PASSWORD,
        },
    )
    assert step.json["challenge"] == "MFA_SETUP"
    setup = api.post(
        "/v1/auth/staff/mfa-setup", json_body={"session": step.json["session"], "username": "moi.vao"}
    )
    assert setup.status == 200 and setup.json["otpauth_uri"].startswith("otpauth://totp/")
    assert f"secret={setup.json['secret_code']}" in setup.json["otpauth_uri"]
    assert ":moi.vao?" in setup.json["otpauth_uri"]  # the account, as the app lists it
    assert decoded_qr(setup.json["qr_svg"]) == setup.json["otpauth_uri"]
    wrong = api.post(
        "/v1/auth/staff/challenge",
        json_body={
            "username": "moi.vao",
            "challenge": "MFA_SETUP",
            "session": setup.json["session"],
            "answer": "000000",
        },
    )
    assert wrong.status == 422
    code = totp(setup.json["secret_code"])
    done = api.post(
        "/v1/auth/staff/challenge",
        json_body={
            "username": "moi.vao",
            "challenge": "MFA_SETUP",
            "session": setup.json["session"],
            "answer": code,
        },
    )

    # Then the tokens work on the agency's inbox
    assert done.status == 200 and done.json["id_token"]
    inbox = api.get(f"/v1/agencies/{FINANCE}/tasks", token=done.json["id_token"])
    assert inbox.status == 200


def test_an_expired_challenge_session_is_a_401(api: Api) -> None:
    answer = api.post(
        "/v1/auth/staff/challenge",
        json_body={
            "username": "ai",
            "challenge": "SOFTWARE_TOKEN_MFA",
            "session": "s" * 40,
            "answer": "123456",
        },
        lang="en",
    )
    assert answer.status == 401
    assert "sign in again" in answer.error["message"]


def test_an_authenticator_code_of_the_wrong_shape_is_a_422_naming_the_answer(api: Api) -> None:
    # Cognito refuses "0" before any call (a code has 6 digits): the officer is told, not a 500.
    answer = api.post(
        "/v1/auth/staff/challenge",
        json_body={"username": "ai", "challenge": "MFA_SETUP", "session": "s" * 40, "answer": "0"},
        lang="en",
    )
    assert answer.status == 422, answer.body
    assert answer.field_names() == ["answer"]


# --- tokens the user pools did not issue as they are --------------------------------------------


def test_a_tampered_token_is_refused(api: Api, an: Person, binh: Person) -> None:
    header, _, signature = an.token.split(".")
    other_claims = binh.token.split(".")[1]  # Bình's claims under An's signature

    answer = api.get("/v1/me/dossiers", token=f"{header}.{other_claims}.{signature}", lang="en")

    assert answer.status == 401
    assert answer.error["message"] == "The sign-in token is not valid."


def test_a_token_signed_by_someone_else_is_refused(api: Api, an: Person) -> None:
    claims = jwt.decode(an.token, options={"verify_signature": False})
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})

    answer = api.get("/v1/me/dossiers", token=forged)

    assert answer.status == 401


def test_an_expired_token_is_refused_saying_the_session_expired(api: Api, an: Person) -> None:
    claims = jwt.decode(an.token, options={"verify_signature": False})
    claims |= {"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}
    # Signed with the very key the (moto) user pool signs with: only the expiry is wrong.
    key = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key
    expired = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})

    answer = api.get("/v1/me/dossiers", token=expired, lang="en")

    assert answer.status == 401
    assert "expired" in answer.error["message"]


def test_an_access_token_is_not_an_id_token(api: Api, container: Any, an: Person) -> None:
    tokens = container.citizens.sign_in(username=an.username, password=PASSWORD)

    answer = api.get("/v1/me/dossiers", token=tokens["access_token"])

    assert answer.status == 401
