"""Identity: the citizens' and the staff user pools, their groups and the portal's app clients.

Built from motcua.resources.USER_POOLS, the same specs the local stack creates on moto.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.constructs.notifications import NO_TOPICS, SMS_ACTIONS
from motcua.domain import passwords
from motcua.resources import STAFF_POOL

if TYPE_CHECKING:
    from collections.abc import Sequence

    from motcua.resources import UserPoolSpec

# The token attributes of a spec, as CDK names the standard ones.
_STANDARD = {
    "name": "fullname",
    "email": "email",
    "email_verified": "email_verified",
    "phone_number": "phone_number",
    "phone_number_verified": "phone_number_verified",
}


class Identity(Construct):
    def __init__(self, scope: Construct, id: str, *, pools: Sequence[UserPoolSpec]) -> None:
        super().__init__(scope, id)
        self.pools: dict[str, cognito.UserPool] = {}
        self.clients: dict[str, cognito.UserPoolClient] = {}
        # Cognito texts sign-up and password-reset codes to phones through SNS with this role: to phone
        # numbers only, as the notify function (an SMS has no ARN; the deny keeps every topic out).
        self.sms_external_id = f"motcua-sms-{Stack.of(self).stack_name}"
        self.sms_role = iam.Role(
            self,
            "SmsRole",
            assumed_by=iam.ServicePrincipal(
                "cognito-idp.amazonaws.com",
                conditions={"StringEquals": {"sts:ExternalId": self.sms_external_id}},
            ),
            description="Cognito sends the user pools' SMS codes",
        )
        self.sms_role.add_to_policy(iam.PolicyStatement(actions=list(SMS_ACTIONS), resources=["*"]))
        self.sms_role.add_to_policy(
            iam.PolicyStatement(effect=iam.Effect.DENY, actions=list(SMS_ACTIONS), resources=[NO_TOPICS])
        )
        for spec in pools:
            pool = self._pool(spec)
            self.pools[spec.key] = pool
            self.clients[spec.key] = pool.add_client(
                "Portal",
                auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
                generate_secret=False,
                disable_o_auth=True,  # the portal signs in through the API, not Cognito's hosted UI
                prevent_user_existence_errors=True,
                enable_token_revocation=True,
                id_token_validity=Duration.hours(1),
                access_token_validity=Duration.hours(1),
                refresh_token_validity=Duration.days(30),
                read_attributes=_readable(spec),
                write_attributes=_writable(spec),
            )
            for group in spec.groups:
                cognito.UserPoolGroup(self, f"{spec.key}-{group}", user_pool=pool, group_name=group)

    @property
    def all_pools(self) -> list[cognito.UserPool]:
        return list(self.pools.values())

    def grant_staff_directory(self, grantee: iam.IGrantable) -> None:
        """Read a member of staff of the staff pool (agency, role, enabled): who a task may go to."""
        self.pools[STAFF_POOL.key].grant(grantee, "cognito-idp:AdminGetUser")

    def _pool(self, spec: UserPoolSpec) -> cognito.UserPool:
        by_email = "email" in spec.username_attributes
        by_phone = "phone_number" in spec.username_attributes
        return cognito.UserPool(
            self,
            spec.key.capitalize(),
            self_sign_up_enabled=spec.self_sign_up,
            # Email and phone as usernames (not aliases): a citizen signs up with either. Changing this
            # replaces a pool; the old one is retained (RemovalPolicy.RETAIN), see docs/sign-in.md.
            sign_in_aliases=cognito.SignInAliases(
                email=by_email, phone=by_phone, username=not (by_email or by_phone)
            ),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(
                email="email" in spec.auto_verified, phone="phone_number" in spec.auto_verified
            ),
            standard_attributes=cognito.StandardAttributes(
                fullname=cognito.StandardAttribute(required=False, mutable=True),
                email=cognito.StandardAttribute(required=by_email, mutable=True),
                phone_number=cognito.StandardAttribute(required=False, mutable=True),
            ),
            custom_attributes={
                name: cognito.StringAttribute(min_len=1, max_len=64, mutable=True)
                for name in spec.custom_attributes
            },
            # NIST SP 800-63B: a minimum length and no composition rules (motcua.domain.passwords).
            password_policy=cognito.PasswordPolicy(
                min_length=passwords.MIN_LENGTH,
                require_lowercase=False,
                require_uppercase=False,
                require_digits=False,
                require_symbols=False,
                temp_password_validity=Duration.days(3),
            ),
            # An authenticator app: SMS would need an SNS spending limit and a sender registration.
            mfa=cognito.Mfa.REQUIRED if spec.mfa_required else cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            sms_role=self.sms_role,
            sms_role_external_id=self.sms_external_id,
            account_recovery=_RECOVERY[spec.recovery],
            # Threat protection (compromised credentials, adaptive sign-in) where the accounts can
            # change dossiers: staff. Its per-user price is not paid for a province's citizens.
            feature_plan=cognito.FeaturePlan.PLUS if spec.mfa_required else cognito.FeaturePlan.ESSENTIALS,
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION if spec.mfa_required else None
            ),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )


# A forgotten password's code: by email, or by SMS to an account that has no verified email.
_RECOVERY = {
    ("verified_email",): cognito.AccountRecovery.EMAIL_ONLY,
    ("verified_email", "verified_phone_number"): cognito.AccountRecovery.EMAIL_AND_PHONE_WITHOUT_MFA,
}


def _readable(spec: UserPoolSpec) -> cognito.ClientAttributes:
    standard = {_STANDARD[name]: True for name in spec.token_attributes if name in _STANDARD}
    custom = [name.removeprefix("custom:") for name in spec.token_attributes if name.startswith("custom:")]
    return cognito.ClientAttributes().with_standard_attributes(**standard).with_custom_attributes(*custom)


def _writable(spec: UserPoolSpec) -> cognito.ClientAttributes:
    """What a signed-in person may change about themselves (UserPoolSpec.self_writable): standard
    attributes only, so never agency or role; for staff not even their name, which they sign with."""
    unknown = [name for name in spec.self_writable if name not in _STANDARD]
    if unknown or not spec.self_writable:  # an empty list would let the client write every standard one
        raise ValueError(f"{spec.key}: self_writable must name standard attributes, not {unknown or 'none'}")
    return cognito.ClientAttributes().with_standard_attributes(
        **{_STANDARD[name]: True for name in spec.self_writable}
    )
