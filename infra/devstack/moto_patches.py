"""Narrow patches to moto's DynamoDB that keep its cost per request flat as the table grows.

Applied by the local stack (`infra/devstack/cloud.py`) and by the tests (`tests/conftest.py`), so both
run the same moto. Each one keeps moto's behaviour and changes only what it costs; each is pinned by
`tests/integration/test_moto_patches.py`, and docs/local-stack.md says what to report upstream so that
it can go when moto fixes it.

1. `TransactWriteItems` (moto 5.2.6, `DynamoDBBackend.transact_write_items`) deep-copies every table it
   touches, once per item of the transaction, to be able to roll back: each filing and each decision
   then costs the size of the whole single table. The patched transaction keeps, for its rollback,
   only the items it touches and the length of the table's stream.
2. `Query` on a table's own key (`Table.query` without an index) tests every item of the table for
   its partition key; the patched one reads only that partition. On an index, it reads only the items
   whose index key it could match (an index of each GSI's partition key, kept up to date by every
   write; moto then checks each candidate as before).
3. `Scan` (and every other reader of `Table.all_items`) sorts every item of the table by its keys
   at each call, so a Scan of n items in pages cost n² log n: the sorted list is kept until an item
   is put, deleted or put back by a rollback.
4. The stream (`StreamShard.items`) keeps every record for ever, each with both images: the local stack
   drops the records its pipe has forwarded (`trim_stream`), as DynamoDB drops them after 24 hours.
5. S3 (`FakeKey`) keeps each object's body in a `SpooledTemporaryFile`, in memory up to 5 MB (its
   default key buffer): every attachment and every PDF of every dossier, plus about 1.5 KB of
   buffer objects per key however small. The patched key holds a small body as bytes and writes a
   larger one (over `SPILL` bytes) to a file of its own in the folder `MOTO_S3_BODIES_DIR` names (the
   local stack's `<data dir>/s3-bodies/`), reading it back when asked. The folder is a process's
   own: emptied when the patch is applied (the snapshot and the recordings hold every body).
   moto's setting `MOTO_S3_DEFAULT_KEY_BUFFER_SIZE` would roll a body over to an anonymous
   temporary file instead, which keeps a file descriptor open per key: 30,000 at 10,000 dossiers.
"""

from __future__ import annotations

import contextlib
import copy
import os
import tempfile
import threading
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

_applied = False
_lock = threading.Lock()
_hint = threading.local()  # the candidates of the query in progress, per thread


def apply() -> None:
    """Patch moto's DynamoDB (idempotent); moto must be importable."""
    global _applied
    with _lock:
        if _applied:
            return
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.models.table import Table

        DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
        original_query = Table.query
        original_all_items = Table.all_items
        original_put = Table.put_item
        original_delete = Table.delete_item
        original_update = DynamoDBBackend.update_item

        def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
            _hint.candidates = _candidates(self, hash_key, args, kwargs)
            try:
                return original_query(self, hash_key, *args, **kwargs)
            finally:
                _hint.candidates = None

        def all_items(self: Table) -> Any:
            candidates = getattr(_hint, "candidates", None)
            if candidates is not None:
                return list(candidates)
            # moto sorts every item by its keys at each call (each page of a Scan): keep the order
            # until an item comes or goes (an update in place changes no key, so no order).
            cached = self.__dict__.get("_motcua_sorted")
            if cached is None:
                cached = self.__dict__["_motcua_sorted"] = original_all_items(self)
            return list(cached)

        def put_item(self: Table, *args: Any, **kwargs: Any) -> Any:
            item = original_put(self, *args, **kwargs)
            self.__dict__.pop("_motcua_sorted", None)
            _index(self, item)
            return item

        def delete_item(self: Table, *args: Any, **kwargs: Any) -> Any:
            self.__dict__.pop("_motcua_sorted", None)
            return original_delete(self, *args, **kwargs)

        def update_item(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Any:
            item = original_update(self, table_name, *args, **kwargs)
            _index(self.get_table(table_name), item)
            return item

        Table.query = query  # type: ignore[method-assign]
        Table.all_items = all_items  # type: ignore[method-assign]
        Table.put_item = put_item  # type: ignore[method-assign]
        Table.delete_item = delete_item  # type: ignore[method-assign]
        DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
        _bodies_apart()
        _applied = True


# --- 1. a transaction keeps only what it touches ----------------------------------------------------


def _key_of(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type == "Put":
        attrs = op["Item"]
        key = {table.hash_key_attr: attrs[table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = attrs[table.range_key_attr]
        return key
    return dict(op["Key"])


class _Undo:
    """What a transaction changed, to put back: the items it touches as they were, each stream's length."""

    def __init__(self) -> None:
        self.items: list[tuple[Any, Any, Any, Any]] = []  # table, hash, range, the item before (or None)
        self.streams: dict[int, tuple[Any, int]] = {}

    def keep(self, backend: Any, table_name: str, key: dict[str, Any]) -> None:
        if table_name not in backend.tables:
            return
        table = backend.tables[table_name]
        try:
            hash_value, range_value = backend.get_keys_value(table, key)
        except Exception:  # a malformed key: the operation itself will say so, and touch nothing
            return
        before = table.get_item(hash_value, range_value)
        self.items.append((table, hash_value, range_value, copy.deepcopy(before)))
        if table.stream_shard is not None and id(table) not in self.streams:
            self.streams[id(table)] = (table.stream_shard, len(table.stream_shard.items))

    def roll_back(self) -> None:
        for table, hash_value, range_value, before in reversed(self.items):
            table.__dict__.pop("_motcua_sorted", None)
            if range_value is not None:
                if before is None:
                    table.items[hash_value].pop(range_value, None)
                    if not table.items[hash_value]:
                        del table.items[hash_value]
                else:
                    table.items[hash_value][range_value] = before
            elif before is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = before
            if before is not None:
                _index(table, before)
        for shard, length in self.streams.values():
            del shard.items[length:]


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:  # noqa: C901 — moto's own
    """moto 5.2.6's transaction, with `_Undo` in place of a deep copy of every table touched."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    undo = _Undo()
    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            names = op.get("ExpressionAttributeNames")
            values = op.get("ExpressionAttributeValues")
            on_failure = op.get("ReturnValuesOnConditionCheckFailure")
            key = _key_of(self.get_table(table_name), op_type, op)
            check_unicity(table_name, key)
            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(condition_expression, names, values)
                if not condition_op.expr(current):
                    if on_failure == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
            if op_type != "ConditionCheck":
                undo.keep(self, table_name, key)
            if op_type == "Put":
                self.put_item(
                    table_name,
                    op["Item"],
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            undo.roll_back()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))  # type: ignore[arg-type]
        except Exception as e:  # noqa: BLE001 — as moto: any other failure cancels the transaction
            errors.append((type(e).__name__, str(e), original_item))  # type: ignore[arg-type]
    if any(code is not None for code, _, _ in errors):
        undo.roll_back()
        raise TransactionCanceledException(errors)


# --- 2. a query reads only what it could match --------------------------------------------------------


def _partition_keys(table: Any) -> dict[str, str]:
    """Each global index's name → the attribute of its partition key (indexes with one only)."""
    keys: dict[str, str] = {}
    for index in table.global_indexes:
        hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
        if len(hashes) == 1:
            keys[index.name] = hashes[0]
    return keys


def _gsi_index(table: Any) -> dict[str, dict[Any, set[tuple[Any, Any]]]]:
    """The table's index of index keys: GSI name → partition value → primary keys of items that had it.

    A superset: an item whose value changed, or that was deleted, stays listed under its old value
    until the next query finds it no longer matches (moto checks every candidate).
    """
    index: dict[str, dict[Any, set[tuple[Any, Any]]]] | None = table.__dict__.get("_motcua_gsi")
    if index is None or set(index) != set(_partition_keys(table)):  # new, or an index was added
        index = {name: {} for name in _partition_keys(table)}
        table.__dict__["_motcua_gsi"] = index
        for item in _every_item(table):
            _index(table, item)
    return index


def _every_item(table: Any) -> Iterator[Any]:
    for partition in list(table.items.values()):
        if table.range_key_attr:
            yield from list(partition.values())
        else:
            yield partition


def _index(table: Any, item: Any) -> None:
    index = table.__dict__.get("_motcua_gsi")
    if index is None or item is None:
        return  # built from the items the first time a query needs it
    for name, attribute in _partition_keys(table).items():
        value = item.attrs.get(attribute)
        if value is not None and name in index:
            index[name].setdefault(value, set()).add((item.hash_key, item.range_key))


def _candidates(table: Any, hash_key: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any] | None:
    """The items a query could match, or None to let moto test every item of the table."""
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    if not index_name:
        if hash_key is None:
            return None
        partition = table.items.get(hash_key)
        if partition is None:
            return []
        return list(partition.values()) if table.range_key_attr else [partition]
    attribute = _partition_keys(table).get(index_name)
    conditions = dict(kwargs.get("hash_key_conditions") or [])
    if attribute is None or attribute not in conditions:
        return None
    keys = _gsi_index(table).get(index_name, {}).get(conditions[attribute], set())
    found = []
    for hash_value, range_value in list(keys):
        item = table.items.get(hash_value)
        if table.range_key_attr and item is not None:
            item = item.get(range_value)
        value = None if item is None else item.attrs.get(attribute)
        if value is not None and value == conditions[attribute]:
            found.append(item)
        else:
            keys.discard((hash_value, range_value))
    return found


# --- 4. the stream keeps what has not been read -------------------------------------------------------


def trim_stream(table: Any, keep_from: int) -> int:
    """Drop the table's stream records before the absolute position `keep_from`; the number dropped.

    Positions stay absolute: `stream_offset(table)` tells where the list now starts, and moto's own
    sequence numbers go on from where they were (its `starting_sequence_number` moves with them).
    """
    shard = table.stream_shard
    if shard is None:
        return 0
    offset = stream_offset(table)
    drop = max(0, min(keep_from - offset, len(shard.items)))
    if drop:
        del shard.items[:drop]
        shard.starting_sequence_number += drop
        table.__dict__["_motcua_stream_offset"] = offset + drop
    return drop


def stream_offset(table: Any) -> int:
    """How many records of the table's stream were dropped from the front of its list."""
    return int(table.__dict__.get("_motcua_stream_offset", 0))


# --- 5. an S3 object's body: small in memory, larger on the disk ---------------------------------------

SPILL = 16 * 1024  # bytes: a body larger than this goes to a file (a PDF, a scan); a small one stays
BODIES = "MOTO_S3_BODIES_DIR"  # the folder of the bodies on the disk; unset: every body in memory


class Body:
    """What moto's `FakeKey` keeps its body in (it asked for a `SpooledTemporaryFile`).

    The same calls moto makes (seek, read, write, truncate, close), on bytes while the body is at
    most `SPILL` bytes, on a file of `folder` beyond, opened only for each call: no descriptor
    stays open, whatever the number of keys. Closed (moto disposes of a key it deleted or
    overwrote), or collected, it deletes its file; a closed body refuses to be read, as a file does.
    """

    __slots__ = ("_data", "_folder", "_path", "_pid", "_position", "_size", "__weakref__")

    def __init__(self, folder: Path | None) -> None:
        self._folder = folder
        self._pid = os.getpid()  # a copy of the process (the snapshot's fork) never deletes its files
        self._data: bytes | None = b""
        self._path: str | None = None
        self._position = 0
        self._size = 0

    @property
    def on_disk(self) -> bool:
        return self._path is not None

    def _whole(self) -> bytes:
        if self._data is not None:
            return self._data
        if self._path is None:
            raise ValueError("I/O operation on closed file.")
        return Path(self._path).read_bytes()

    def _keep(self, data: bytes) -> None:
        self._size = len(data)
        if self._folder is None or len(data) <= SPILL:
            self._forget_file()
            self._data = data
            return
        if self._path is None:
            handle, self._path = tempfile.mkstemp(dir=self._folder, suffix=".body")
            os.close(handle)
        Path(self._path).write_bytes(data)
        self._data = None

    def seek(self, position: int, whence: int = 0) -> int:
        self._position = (
            position if whence == 0 else (self._position if whence == 1 else self._size) + position
        )
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int = -1) -> bytes:
        start = self._position
        if self._data is not None:
            chunk = self._data[start:] if size < 0 else self._data[start : start + size]
        elif self._path is None:
            raise ValueError("I/O operation on closed file.")
        else:
            with open(self._path, "rb") as file:
                file.seek(start)
                chunk = file.read(size)
        self._position += len(chunk)
        return chunk

    def write(self, data: bytes) -> int:
        whole = self._whole() if self._size else b""
        start = self._position
        self._keep(
            whole[:start] + b"\0" * max(0, start - len(whole)) + bytes(data) + whole[start + len(data) :]
        )
        self._position = start + len(data)
        return len(data)

    def truncate(self, size: int | None = None) -> int:
        size = self._position if size is None else size
        if size < self._size:
            self._keep(self._whole()[:size])
        return size

    def close(self) -> None:
        self._forget_file()
        self._data = None
        self._size = 0

    def _forget_file(self) -> None:
        if self._path is not None and self._pid == os.getpid():
            # Gone already (the folder emptied), or the interpreter is shutting down: nothing to do.
            with contextlib.suppress(OSError, TypeError, AttributeError):
                os.unlink(self._path)
            self._path = None

    def __del__(self) -> None:
        self._forget_file()


def bodies_folder() -> Path | None:
    """The folder of the bodies kept on the disk (MOTO_S3_BODIES_DIR), emptied; None: all in memory."""
    name = os.environ.get(BODIES)
    if not name:
        return None
    folder = Path(name)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.body"):  # a stopped or killed process's; the snapshot holds them
        stale.unlink(missing_ok=True)
    return folder


_bodies: Path | None = None  # where the bodies over SPILL bytes go (bodies_folder), set when applied


def _bodies_apart() -> None:
    """moto's S3 keys keep their bodies in `Body` (moto.s3.models asks `tempfile` for a spooled file)."""
    global _bodies
    import moto.s3.models as s3_models

    _bodies = bodies_folder()

    def spooled(max_size: int = 0, *args: Any, **kwargs: Any) -> Body:
        return Body(_bodies)

    shim = types.SimpleNamespace(**{n: getattr(tempfile, n) for n in dir(tempfile) if not n.startswith("__")})
    shim.SpooledTemporaryFile = spooled
    setattr(s3_models, "tempfile", shim)  # noqa: B010 — moto's module reads it at each key
