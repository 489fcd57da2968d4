"""The user pools' password policy, also checked before a sign-up reaches a pool (Cognito checks it too).

NIST SP 800-63B (rev. 4, 3.1.1.2): a minimum length and nothing else: no rules on upper case, digits
or symbols (they make people write passwords down and vary them predictably), no forced changes. A
long passphrase in plain Vietnamese words with diacritics is as good as any.
"""

from __future__ import annotations

from motcua.domain.errors import FieldError, InvalidInput
from motcua.domain.i18n import Text

MIN_LENGTH = 10
# Cognito takes at most 256 characters; 800-63B asks for at least 64 to be accepted.
MAX_LENGTH = 256

WEAK = Text(
    vi=f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự (có thể là một cụm từ dễ nhớ).",
    en=f"The password needs at least {MIN_LENGTH} characters (a phrase you remember is fine).",
)


def check_strength(password: str) -> None:
    """InvalidInput naming `password` unless it meets the policy.

    Checked before the pool is asked, so that a weak password gets the same answer whether or not the
    account already exists (the pool might look at the username first).
    """
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidInput(
            WEAK, fields=(FieldError(field="password", code="InvalidPasswordException", message=WEAK),)
        )
