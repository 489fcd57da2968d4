"""Once-only actions on the dossiers table, with Powertools' idempotency utility."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

if TYPE_CHECKING:
    from collections.abc import Callable

# Long enough to cover every retry and a redrive from the dead-letter queue (kept 14 days).
REMEMBER_SECONDS = 30 * 86_400


class PowertoolsOnceOnly:
    """Implements OnceOnly: the first call's answer is stored under the key, in the single table.

    Items live in one partition (`partition`), sorted by the key's hash, and expire through the
    table's TTL attribute. While an action runs its item says so: a second caller with the same key
    fails (and is retried later) instead of running it twice.
    """

    def __init__(
        self,
        client: Any,
        table: str,
        *,
        partition: str,
        ttl_attribute: str = "expires_at",
        remember_seconds: int = REMEMBER_SECONDS,
    ) -> None:
        self.persistence = DynamoDBPersistenceLayer(
            table_name=table,
            key_attr="PK",
            sort_key_attr="SK",
            static_pk_value=partition,
            expiry_attr=ttl_attribute,
            boto3_client=client,
        )
        self.config = IdempotencyConfig(
            event_key_jmespath="key", expires_after_seconds=remember_seconds, use_local_cache=False
        )

        @idempotent_function(  # type: ignore[untyped-decorator]
            data_keyword_argument="request", persistence_store=self.persistence, config=self.config
        )
        def _run(*, request: dict[str, str], action: Callable[[], dict[str, str]]) -> dict[str, str]:
            return action()

        self._run = _run

    def register(self, context: Any) -> None:
        """Lambda's context: an action cut short by a timeout may be run again by the next attempt."""
        self.config.register_lambda_context(context)

    def run(self, key: str, action: Callable[[], dict[str, str]]) -> dict[str, str]:
        result: dict[str, str] = self._run(request={"key": key}, action=action)
        return result
