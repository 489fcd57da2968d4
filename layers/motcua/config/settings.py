"""Runtime settings, read once from the environment at start; a missing one fails loudly."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_", frozen=True)

    table_name: str
    bucket_name: str
    province_file: str
    # True where the province file is the copy synthesis checked (every function on AWS): its forms'
    # JSON Schemas are not checked against the metaschema again on a cold start.
    province_checked: bool = False
    citizen_pool_id: str
    citizen_client_id: str
    staff_pool_id: str
    staff_client_id: str
    region: str = Field(validation_alias="AWS_REGION", default="ap-southeast-1")
    # Where the portal is served: tracking links point there. Empty means the province file's.
    portal_url: str = ""
    # Where the flows' state machines write (the local runner polls it; Lambda is triggered by it).
    routing_queue_url: str = ""
    # Procedure code -> ARN of the state machine of its flow (JSON in MOTCUA_STATE_MACHINES).
    state_machines: dict[str, str] = Field(default_factory=dict)
    # Agency code -> KMS key id that signs; and "CA", the province's certification authority, only
    # where certificates are issued (the PKI function; the local stack, one process for everything).
    signing_keys: dict[str, str] = Field(default_factory=dict)
    # The PKI function the API asks for certificates (on AWS). Empty: this process issues them itself,
    # with the "CA" key of signing_keys (the local stack and tests; on AWS the API has no CA key).
    pki_function: str = ""
    # The Secrets Manager secret holding the payment gateway's terminal code and hash secret (JSON
    # `{"tmn_code", "hash_secret"}`, docs/payments.md). Empty: no online payment.
    payment_secret: str = ""
    # The local stack's sandbox gateway (http://127.0.0.1:<port>), in place of the origin of the
    # province file's gateway URLs; empty everywhere else.
    payment_gateway_url: str = ""
    # The KMS HMAC key (GENERATE_VERIFY_MAC) that signs the rating links of the final messages
    # (docs/ratings.md); the API and the notifier fail loudly when a link is needed without it.
    rating_key: str = ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()  # read from the environment
