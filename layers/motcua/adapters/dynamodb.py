"""The dossier repository on one DynamoDB table (key design in docs/data-model.md)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from motcua.adapters.drafts import draft_key
from motcua.adapters.query_pages import query_page
from motcua.domain.audit import AuditEntry
from motcua.domain.drilldown import dossier_facts, index_keys
from motcua.domain.errors import DossierChanged, Unavailable
from motcua.domain.events import Event
from motcua.domain.i18n import Text
from motcua.domain.models import (
    Dossier,
    DossierRecord,
    IdempotencyRecord,
    Page,
    Task,
    TaskState,
    TimelineEvent,
)
from motcua.domain.ports import IdempotentReplay, SequenceTaken
from motcua.resources import COUNTER_PREFIX, DOSSIER_PREFIX, IDEMPOTENCY_PREFIX, NOTIFY_ATTRIBUTE

if TYPE_CHECKING:
    from collections.abc import Mapping

    from motcua.domain.changes import Change

IDEMPOTENCY_DAYS = 7
DOSSIER_DAYS = 10 * 365
# DynamoDB's "slow down": the SDK retries them (clients.py); what is left after that is a 503.
THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
BUSY = Text(
    vi="Hệ thống đang quá tải; yêu cầu chưa được thực hiện. Vui lòng thử lại sau ít giây.",
    en="The service is overloaded; nothing was changed. Please try again in a few seconds.",
)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _stamp(moment: datetime) -> str:
    """A sortable UTC timestamp for keys."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dossier_pk(code: str) -> str:
    return f"{DOSSIER_PREFIX}{code}"


def audit_from_stream(record: Mapping[str, Any]) -> tuple[str, AuditEntry, Event] | None:
    """A stream record of a new audit entry the citizen must hear about (as the notification pipe
    passes it on): the dossier's code, the entry and the event; None for any other record."""
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    if image.get("type", {}).get("S") != "audit" or NOTIFY_ATTRIBUTE not in image:
        return None
    code = image["PK"]["S"].removeprefix(dossier_pk(""))
    entry = AuditEntry.model_validate_json(image["data"]["S"])
    return code, entry, Event(image[NOTIFY_ATTRIBUTE]["S"])


class DynamoDossierRepository:
    """Implements DossierRepository; every request path is a GetItem, a Query or a transaction."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        *,
        dossier_days: int = DOSSIER_DAYS,
        idempotency_days: int = IDEMPOTENCY_DAYS,
    ) -> None:
        self.client = client
        self.table = table_name
        # Retention (the province's `retention`): every item of a dossier's partition expires this long
        # after the filing, through the table's TTL; an Idempotency-Key this long after its first use.
        self.dossier_days = dossier_days
        self.idempotency_days = idempotency_days

    def _expiry(self, dossier: Dossier) -> dict[str, Any]:
        """The TTL attribute of every item of the dossier's partition: the same day for all of them."""
        return {
            "expires_at": {"N": str(int((dossier.filed_at + timedelta(days=self.dossier_days)).timestamp()))}
        }

    # --- items -------------------------------------------------------------------------------

    def _dossier_item(self, dossier: Dossier) -> dict[str, Any]:
        return {
            "PK": _s(dossier_pk(dossier.code)),
            "SK": _s("D"),
            "type": _s("dossier"),
            "version": {"N": str(dossier.version)},
            "status": {"N": str(int(dossier.status))},
            "GSI1PK": _s(f"OWNER#{dossier.owner}"),
            "GSI1SK": _s(f"{_stamp(dossier.filed_at)}#{dossier.code}"),
            **_deadline_keys(dossier),
            **{name: _s(value) for name, value in index_keys(dossier.code, dossier_facts(dossier)).items()},
            "data": _s(dossier.model_dump_json()),
        }

    def _task_item(self, task: Task) -> dict[str, Any]:
        item = {
            "PK": _s(dossier_pk(task.dossier_code)),
            "SK": _s(f"T#{task.task_id}"),
            "type": _s("task"),
            **_escalation_keys(task),
            "data": _s(task.model_dump_json()),
        }
        if task.state is TaskState.OPEN:  # sparse index: only open tasks are in an inbox
            item["GSI2PK"] = _s(f"INBOX#{task.agency}")
            item["GSI2SK"] = _s(f"{_stamp(task.due_at)}#{task.task_id}")
        return item

    def _event_item(self, code: str, version: int, index: int, event: TimelineEvent) -> dict[str, Any]:
        return {
            "PK": _s(dossier_pk(code)),
            "SK": _s(f"E#{_stamp(event.at)}#{version:06d}#{index:02d}"),
            "type": _s("event"),
            "data": _s(event.model_dump_json()),
        }

    def _put(self, item: dict[str, Any], condition: str | None = None, **extra: Any) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self.table, "Item": item, **extra}
        if condition:
            put["ConditionExpression"] = condition
        return {"Put": put}

    # --- filing ------------------------------------------------------------------------------

    def last_sequence(self, agency: str, day: date) -> int:
        found = self.client.get_item(
            TableName=self.table,
            Key=_counter_key(agency, day),
            ConsistentRead=True,
            ProjectionExpression="#l",
            ExpressionAttributeNames={"#l": "last"},
        ).get("Item")
        return int(found["last"]["N"]) if found else 0

    def file(
        self, change: Change, *, agency: str, day: date, sequence: int, idempotency: IdempotencyRecord
    ) -> None:
        last = sequence - 1
        counter_update = {
            "Update": {
                "TableName": self.table,
                "Key": _counter_key(agency, day),
                "UpdateExpression": "SET #l = :next",
                "ConditionExpression": "attribute_not_exists(PK)" if last == 0 else "#l = :last",
                "ExpressionAttributeNames": {"#l": "last"},
                "ExpressionAttributeValues": {":next": {"N": str(sequence)}}
                | ({":last": {"N": str(last)}} if last else {}),
            }
        }
        idem_item = {
            "PK": _s(f"{IDEMPOTENCY_PREFIX}{idempotency.owner}#{idempotency.key}"),
            "SK": _s("IDEM"),
            "type": _s("idempotency"),
            "data": _s(idempotency.model_dump_json()),
            "expires_at": {
                "N": str(int((idempotency.created_at + timedelta(days=self.idempotency_days)).timestamp()))
            },
        }
        dossier = change.dossier
        items = [
            counter_update,
            self._put(idem_item, "attribute_not_exists(PK)", ReturnValuesOnConditionCheckFailure="ALL_OLD"),
            *self._change_items(change),
            # The citizen's draft of this procedure, if any, goes with the filing (docs/drafts.md).
            {"Delete": {"TableName": self.table, "Key": draft_key(dossier.owner, dossier.procedure_code)}},
        ]
        try:
            self._transact(items)
        except ClientError as error:
            reasons = _cancellations(error)
            if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
                old = reasons[1].get("Item")
                replayed = (
                    IdempotencyRecord.model_validate_json(old["data"]["S"])
                    if old
                    else self.get_idempotency(idempotency.owner, idempotency.key)
                )
                if replayed is not None:
                    raise IdempotentReplay(replayed) from error
            # Another filing took this number (or the items were busy).
            raise SequenceTaken(f"{agency} {day} {sequence}") from error

    def get_idempotency(self, owner: str, key: str) -> IdempotencyRecord | None:
        item = self.client.get_item(
            TableName=self.table,
            Key={"PK": _s(f"{IDEMPOTENCY_PREFIX}{owner}#{key}"), "SK": _s("IDEM")},
            ConsistentRead=True,
        ).get("Item")
        return IdempotencyRecord.model_validate_json(item["data"]["S"]) if item else None

    # --- reading -----------------------------------------------------------------------------

    def get(self, code: str) -> DossierRecord | None:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            # Everything from "D" on: the dossier, its events and tasks; the audit trail ("A#") is
            # read only when asked for.
            "KeyConditionExpression": "PK = :pk AND SK >= :d",
            "ExpressionAttributeValues": {":pk": _s(dossier_pk(code)), ":d": _s("D")},
            "ConsistentRead": True,
        }
        while True:
            try:
                response = self.client.query(**kwargs)
            except ClientError as error:
                if error.response["Error"]["Code"] in THROTTLED:
                    raise Unavailable(BUSY, retry_after=5, code="busy") from error
                raise
            items += response["Items"]
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        dossier: Dossier | None = None
        events: list[TimelineEvent] = []
        tasks: list[Task] = []
        for item in items:
            kind, data = item["type"]["S"], item["data"]["S"]
            if kind == "dossier":
                dossier = Dossier.model_validate_json(data)
            elif kind == "event":
                events.append(TimelineEvent.model_validate_json(data))
            elif kind == "task":
                tasks.append(Task.model_validate_json(data))
        if dossier is None:
            return None
        return DossierRecord(dossier=dossier, events=tuple(events), tasks=tuple(tasks))

    def list_by_owner(self, owner: str, *, limit: int, token: str | None) -> Page[Dossier]:
        items, next_token = self._page("GSI1", f"OWNER#{owner}", limit, token, forward=False)
        return Page(items=[Dossier.model_validate_json(i["data"]["S"]) for i in items], next_token=next_token)

    def inbox(
        self,
        agency: str,
        *,
        limit: int,
        token: str | None,
        after: datetime | None = None,
        until: datetime | None = None,
        latest_first: bool = False,
    ) -> Page[Task]:
        """The agency's open tasks by due date (GSI2); the window is the index's key condition."""
        items, next_token = self._page(
            "GSI2", f"INBOX#{agency}", limit, token, forward=not latest_first, after=after, until=until
        )
        return Page(items=[Task.model_validate_json(i["data"]["S"]) for i in items], next_token=next_token)

    def count_inbox(
        self, agency: str, *, at_most: int, after: datetime | None = None, until: datetime | None = None
    ) -> int:
        """`Select=COUNT` over the same key condition: the items are read (at most `at_most` + 1, by
        `Limit`), not sent."""
        condition, values = self._window("GSI2", f"INBOX#{agency}", after, until)
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "GSI2",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "Select": "COUNT",
        }
        total = 0
        while True:
            kwargs["Limit"] = at_most + 1 - total
            response = self.client.query(**kwargs)
            total += int(response["Count"])
            if "LastEvaluatedKey" not in response or total > at_most:
                return total
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    @staticmethod
    def _window(
        index: str, value: str, after: datetime | None, until: datetime | None
    ) -> tuple[str, dict[str, Any]]:
        """The key condition of `index` under `value`, its sort keys (`<stamp>#<id>`) in the window."""
        sort_key = f"{index}SK"
        condition, values = f"{index}PK = :pk", {":pk": _s(value)}
        # "~" sorts after every character of an id, so every item stamped `until` is in, and none
        # stamped `after`.
        if after is not None and until is not None:
            condition += f" AND {sort_key} BETWEEN :after AND :until"
            values[":after"], values[":until"] = _s(f"{_stamp(after)}#~"), _s(f"{_stamp(until)}#~")
        elif after is not None:
            condition += f" AND {sort_key} > :after"
            values[":after"] = _s(f"{_stamp(after)}#~")
        elif until is not None:
            condition += f" AND {sort_key} <= :until"
            values[":until"] = _s(f"{_stamp(until)}#~")
        return condition, values

    def _page(
        self,
        index: str,
        value: str,
        limit: int,
        token: str | None,
        *,
        forward: bool = True,
        after: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of `index` under `value` (sort keys `<stamp>#<id>`, after `after`, up to `until`)."""
        key, sort_key = f"{index}PK", f"{index}SK"
        condition, values = self._window(index, value, after, until)
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": forward,
            "Limit": limit,
        }
        # A position in an index is the table's key and the index's key, all strings, nothing else.
        return query_page(self.client, kwargs, token, names={"PK", "SK", key, sort_key}, listing={key: value})

    # --- deadlines (the scheduled sweep, the leaders' escalations) ----------------------------

    def due_by(self, agency: str, until: datetime, *, limit: int, token: str | None) -> Page[Dossier]:
        """The agency's dossiers whose appointment is at or before `until`, the soonest first (GSI3)."""
        items, next_token = self._page("GSI3", f"DUE#{agency}", limit, token, until=until)
        return Page(items=[Dossier.model_validate_json(i["data"]["S"]) for i in items], next_token=next_token)

    def open_tasks_due_by(self, agency: str, until: datetime, *, limit: int, token: str | None) -> Page[Task]:
        """The agency's open tasks due at or before `until`, the soonest first (GSI2, the inbox)."""
        items, next_token = self._page("GSI2", f"INBOX#{agency}", limit, token, until=until)
        return Page(items=[Task.model_validate_json(i["data"]["S"]) for i in items], next_token=next_token)

    def escalated(self, agency: str, *, limit: int, token: str | None) -> Page[Task]:
        """The agency's open tasks escalated to its leaders, the soonest due first (GSI3)."""
        items, next_token = self._page("GSI3", f"ESCALATED#{agency}", limit, token)
        return Page(items=[Task.model_validate_json(i["data"]["S"]) for i in items], next_token=next_token)

    def backfill_deadlines(self) -> int:
        """Give GSI3's keys to the items written before GSI3 existed; how many items changed.

        A one-off for an older table (the local stack's data folders), so it may Scan; never on a
        request path. Only the index keys are set: bodies and versions stay as they are.
        """
        changed = 0
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "FilterExpression": "#t IN (:d, :k) AND attribute_not_exists(GSI3PK)",
            "ExpressionAttributeNames": {"#t": "type"},
            "ExpressionAttributeValues": {":d": _s("dossier"), ":k": _s("task")},
        }
        while True:
            response = self.client.scan(**kwargs)
            for item in response["Items"]:
                data = item["data"]["S"]
                keys = (
                    _deadline_keys(Dossier.model_validate_json(data))
                    if item["type"]["S"] == "dossier"
                    else _escalation_keys(Task.model_validate_json(data))
                )
                if keys:
                    self.client.update_item(
                        TableName=self.table,
                        Key={"PK": item["PK"], "SK": item["SK"]},
                        UpdateExpression="SET GSI3PK = :pk, GSI3SK = :sk",
                        ConditionExpression="attribute_exists(PK)",
                        ExpressionAttributeValues={":pk": keys["GSI3PK"], ":sk": keys["GSI3SK"]},
                    )
                    changed += 1
            if "LastEvaluatedKey" not in response:
                return changed
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # --- changing ----------------------------------------------------------------------------

    def audit_trail(self, code: str) -> list[AuditEntry]:
        entries: list[AuditEntry] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :a)",
            "ExpressionAttributeValues": {":pk": _s(dossier_pk(code)), ":a": _s("A#")},
            "ConsistentRead": True,
        }
        while True:
            response = self.client.query(**kwargs)
            entries += [AuditEntry.model_validate_json(item["data"]["S"]) for item in response["Items"]]
            if "LastEvaluatedKey" not in response:
                return entries
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _audit_item(self, code: str, change: Change) -> dict[str, Any]:
        entry = change.audit
        item = {
            "PK": _s(dossier_pk(code)),
            "SK": _s(f"A#{entry.seq:08d}"),
            "type": _s("audit"),
            "data": _s(entry.model_dump_json()),
        }
        if change.notify is not None:  # the table's stream takes it to the notifier
            item[NOTIFY_ATTRIBUTE] = _s(change.notify.value)
        return item

    def _change_items(self, change: Change) -> list[dict[str, Any]]:
        """The change as transaction items: the dossier (at the version it was read, or new), its
        tasks, its new timeline events and its audit entry (append-only: a number is written once)."""
        dossier = change.dossier
        if change.expected_version is None:
            head = self._put(self._dossier_item(dossier), "attribute_not_exists(PK)")
        else:
            head = self._put(
                self._dossier_item(dossier),
                "#v = :expected",
                ExpressionAttributeNames={"#v": "version"},
                ExpressionAttributeValues={":expected": {"N": str(change.expected_version)}},
            )
        new = "attribute_not_exists(PK)"
        task_condition = new if change.expected_version is None else None
        expiry = self._expiry(dossier)
        items = [
            head,
            *(self._put(self._task_item(task), task_condition) for task in change.tasks),
            *(
                self._put(self._event_item(dossier.code, dossier.version, i, event), new)
                for i, event in enumerate(change.events)
            ),
            self._put(self._audit_item(dossier.code, change), new),
        ]
        for item in items:
            item["Put"]["Item"].update(expiry)
        return items

    def change_items(self, change: Change) -> list[dict[str, Any]]:
        """The change's transaction items, for a writer that stores them with items of its own (a
        paid financial obligation's resume goes in the payment's own transaction, adapters/payments.py)."""
        return self._change_items(change)

    def _transact(self, items: list[dict[str, Any]]) -> None:
        transact(self.client, items)

    def apply(self, change: Change) -> None:
        try:
            self._transact(self._change_items(change))
        except ClientError as error:
            _cancellations(error)
            if self._stored(change):
                # Our own write, stored by an attempt whose answer was lost (a timeout the SDK
                # retried after DynamoDB had committed, or a token past its ten minutes).
                return
            raise DossierChanged() from error

    def _stored(self, change: Change) -> bool:
        """Whether this very change is in the table: its audit entry's number holds its hash.

        An audit number is written once, in the transaction that carries the rest of the change, and
        the hash covers who, what, when and the entry before: no other change can have put it there.
        """
        found = self.client.get_item(
            TableName=self.table,
            Key={"PK": _s(dossier_pk(change.dossier.code)), "SK": _s(f"A#{change.audit.seq:08d}")},
            ConsistentRead=True,
            ProjectionExpression="#d",
            ExpressionAttributeNames={"#d": "data"},
        ).get("Item")
        return (
            found is not None and AuditEntry.model_validate_json(found["data"]["S"]).hash == change.audit.hash
        )


def transact(client: Any, items: list[dict[str, Any]]) -> None:
    """One TransactWriteItems; its ClientRequestToken is the hash of the items, so that the SDK's
    retry of a transaction that did succeed is answered as the success it was, not a conflict."""
    digest = hashlib.sha256(json.dumps(items, sort_keys=True).encode()).digest()
    try:
        client.transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.UUID(bytes=digest[:16])))
    except ClientError as error:
        # Throttled through every attempt: nothing of the transaction was written.
        if error.response["Error"]["Code"] in THROTTLED:
            raise Unavailable(BUSY, retry_after=5, code="busy") from error
        raise


def _counter_key(agency: str, day: date) -> dict[str, Any]:
    return {"PK": _s(f"{COUNTER_PREFIX}{agency}#{day:%y%m%d}"), "SK": _s("SEQ")}


def _cancellations(error: ClientError) -> list[dict[str, Any]]:
    """Why a transaction was cancelled, item by item; any other error is raised again.

    A token reused with other items (IdempotentParameterMismatch) means two different writers built
    the same-looking request: a conflict like a failed condition.
    """
    code = error.response["Error"]["Code"]
    if code == "IdempotentParameterMismatchException":
        return []
    if code != "TransactionCanceledException":
        raise error
    reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])
    return reasons


def _deadline_keys(dossier: Dossier) -> dict[str, Any]:
    """GSI3, sparse: a dossier is in its agency's deadlines while its appointment can still be missed.

    Keyed by the appointment (the due date, or the later date an apology gave), so a dossier the
    sweep apologised for leaves the sweep's window until its new date comes near.
    """
    if not dossier.owes_result:
        return {}
    return {
        "GSI3PK": _s(f"DUE#{dossier.agency}"),
        "GSI3SK": _s(f"{_stamp(dossier.appointment)}#{dossier.code}"),
    }


def _escalation_keys(task: Task) -> dict[str, Any]:
    """GSI3, sparse: an open task escalated to the agency's leaders, by due date."""
    if task.state is not TaskState.OPEN or task.escalated_at is None:
        return {}
    return {
        "GSI3PK": _s(f"ESCALATED#{task.agency}"),
        "GSI3SK": _s(f"{_stamp(task.due_at)}#{task.task_id}"),
    }
