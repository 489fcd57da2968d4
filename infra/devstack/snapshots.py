"""Snapshots of moto's memory, so that a start loads the state and replays only the requests made since.

The data folder holds at most one snapshot (`moto-snapshot.pickle`) and the recordings of the requests
made after it, one file per generation (`moto-recording.jsonl` is generation 0, then
`moto-recording.<n>.jsonl`). Taking a snapshot, between two requests (moto's gate held):

1. point moto's recorder at the next generation's file, so every later request goes there;
2. pickle every backend but Step Functions (its executions cannot outlive the process; the stack
   starts the flows in progress again, infra/devstack/flows.py), moto's random generator and the
   SQS receipt handles' one, to a temporary file, and flush it to the disk;
3. let requests in again; rename the file over the snapshot; delete the older generations' files.

A start loads the snapshot and replays, in order, every recording of its generation and later. A
kill at any point loses nothing that moto had answered: until the rename, the older snapshot and
every recording since it are on the disk; after it, the new one and the recordings since.
"""

from __future__ import annotations

import gc
import os
import pickle
import re
import sys
import threading
from contextlib import contextmanager
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

SNAPSHOT = "moto-snapshot.pickle"
FORMAT = 1
SKIPPED = frozenset({"stepfunctions"})  # executions live in threads; flows.py starts them again
_BACKEND_DICT = frozenset({"backend", "service_name", "_use_boto3_regions", "_additional_regions", "_id"})
_EXTRAS = "*"  # not an account id
_GENERATION = re.compile(r"^moto-recording(?:\.(\d+))?\.jsonl$")


def recording(data_dir: Path, generation: int) -> Path:
    return data_dir / ("moto-recording.jsonl" if generation == 0 else f"moto-recording.{generation}.jsonl")


def generation_of(path: Path) -> int:
    """The generation of a recording's file."""
    match = _GENERATION.match(path.name)
    if match is None:
        raise SnapshotError(f"{path} is not a recording of the local stack.")
    return int(match.group(1) or 0)


def recordings(data_dir: Path, since: int = 0) -> list[tuple[int, Path]]:
    """The recordings of generation `since` and later, in order."""
    found = []
    for path in data_dir.iterdir():
        match = _GENERATION.match(path.name)
        if match:
            generation = int(match.group(1) or 0)
            if generation >= since:
                found.append((generation, path))
    return sorted(found)


class _Pickler(pickle.Pickler):
    """Pickles what moto's models hold besides plain data: locks (made anew) and keys (DER and PEM)."""

    _locks = (type(threading.Lock()), type(threading.RLock()))
    compact = True  # DynamoDB's values and items as their arguments (False: as snapshots before them)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from moto.dynamodb.models.dynamo_type import DynamoType, Item
        from moto.dynamodb.models.table import Table

        self._dynamo_type, self._item, self._table = DynamoType, Item, Table
        # Each short string and attribute name once in the pickle (below, `_item_arguments`).
        self._strings: dict[str, str] = {}

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is self._dynamo_type and self.compact:
            # Its two attributes as arguments: no dictionary of state to build at the load (nor
            # here: reading an object's __dict__ would make one, kept with the object for good).
            return _dynamo_type, (kind, obj.type, _one(self._strings, obj.value))
        if kind is self._item and self.compact:
            return _item, _item_arguments(obj, self._dynamo_type, self._strings)
        if kind is self._table and self.compact:
            # Without what the patches derive from the items (moto_patches: the index of index
            # keys, the sorted items): remade when first needed, they would double the items' keys.
            rebuild, arguments, state, *rest = obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
            state = {k: v for k, v in state.items() if k not in _DERIVED}
            return (rebuild, arguments, state, *rest)
        if kind.__name__ == "LimitedSizeDict":
            # An item's attributes. Unpickled as a dict subclass, each attribute would go through
            # its __setitem__, which sums the size of the whole item every time (moto's 400 KB
            # check): most of the load's time. They were checked when they were written.
            return _attributes, (type(obj), dict(obj))
        if isinstance(obj, self._locks):
            return (threading.RLock if "RLock" in type(obj).__name__ else threading.Lock), ()
        if hasattr(obj, "private_bytes") and hasattr(obj, "public_key"):
            from cryptography.hazmat.primitives import serialization

            der = obj.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            return _load_private_key, (der,)
        if type(obj).__name__.endswith("PublicKey") and hasattr(obj, "public_bytes"):
            from cryptography.hazmat.primitives import serialization

            pem = obj.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            return _load_public_key, (pem,)
        return NotImplemented


def _attributes(kind: type[dict[str, Any]], attributes: dict[str, Any]) -> dict[str, Any]:
    restored = kind.__new__(kind)
    # The same few attribute names in every item: one string each, not one per item.
    dict.update(restored, {sys.intern(name): value for name, value in attributes.items()})
    return restored


SHORT = 100  # characters: keys, types, statuses, codes; a dossier's key is in each of its ~20 items
_same: dict[str, str] = {}  # while a snapshot loads: each short string met, once


def _dynamo_type(kind: type[Any], type_: str, value: Any) -> Any:
    """A DynamoDB attribute value as moto's constructor makes it: its attributes inline, not in a dict."""
    made: Any = object.__new__(kind)
    if type(value) is str and len(value) <= SHORT:
        value = _same.setdefault(value, value)
    elif type(value) is dict:
        value = {sys.intern(name): member for name, member in value.items()}
    made.type = type_
    made.value = value
    return made


_DERIVED = frozenset({"_motcua_gsi", "_motcua_sorted"})


def _one(strings: dict[str, str], value: Any) -> Any:
    """`value`, or the equal short string met before in this pickle: pickled once, then referred to."""
    if type(value) is str and len(value) <= SHORT:
        return strings.setdefault(value, value)
    return value


def _item_arguments(item: Any, dynamo_type: type[Any], strings: dict[str, str]) -> tuple[Any, ...]:
    """An item as flat arguments: each attribute's name, type and value (a map or a list as its
    `DynamoType`), and its key as the position of its key attribute. No object per value in the
    pickle: each would be held by the pickler's memo until the end, here and at the load.

    Equal names and short values (a dossier's key in each of its items, the kinds, the statuses,
    every attribute's name) are one object in the pickle (`strings`): moto's memory holds an equal
    but distinct string in each item, each of which was pickled, unpickled, replaced by its one
    shared copy (`_same`, `sys.intern`) and yet held by the unpickler's memo until the load's end,
    then freed among the objects that stay: some 1.2 million holes of 48–96 bytes at 10,000 dossiers
    (90 MB) that the process kept for good."""
    attrs = item.attrs
    flat: list[Any] = []
    for name, value in attrs.items():
        inner = value.value
        if type(inner) is dict or (type(inner) is list and inner and type(inner[0]) is dynamo_type):
            flat += (_one(strings, name), None, value)
        else:
            flat += (_one(strings, name), value.type, _one(strings, inner))
    return (dynamo_type, type(attrs), _key_ref(attrs, item.hash_key), _key_ref(attrs, item.range_key), *flat)


def _key_ref(attrs: dict[str, Any], key: Any) -> Any:
    """The position in `attrs` of the attribute holding the key (else the key itself, or None)."""
    if key is None:
        return None
    for position, value in enumerate(attrs.values()):
        if value.type == key.type and value.value == key.value:
            return position
    return key


def _item(dynamo_type: type[Any], attributes: type[Any], hash_key: Any, range_key: Any, *flat: Any) -> Any:
    """A DynamoDB item as moto's constructor makes it, its attributes set as a whole (moto's 400 KB
    check ran when they were written) and its key the object of its key attribute."""
    from moto.dynamodb.models.dynamo_type import Item

    values = [
        value if type_ is None else _dynamo_type(dynamo_type, type_, value)
        for type_, value in zip(flat[1::3], flat[2::3], strict=True)
    ]
    attrs = dict.__new__(attributes)
    dict.update(attrs, zip(map(sys.intern, flat[0::3]), values, strict=True))
    made: Any = object.__new__(Item)
    made.hash_key = values[hash_key] if type(hash_key) is int else hash_key
    made.range_key = values[range_key] if type(range_key) is int else range_key
    made.attrs = attrs
    return made


@contextmanager
def _compact_items() -> Iterator[None]:
    """While a snapshot written before `_dynamo_type` and `_item` loads, its DynamoDB items come back
    as compact as moto makes them (a snapshot written since is made of those two), and S3's keys
    share their ACLs.

    An object unpickled the default way gets its `__dict__` made as a real dictionary (about 90
    bytes), where one built by its constructor keeps its attributes inline: each attribute value
    (`DynamoType`, some 190,000 items of 7 attributes at 10,000 dossiers) and each `Item` get their
    attributes set one by one instead. Equal short strings (a dossier's key in each of its items,
    the kinds, the statuses) become one string; names within maps are interned; an item's key
    shares the object of its key attribute, as it holds the same value. Nothing changes in what
    moto sees: moto never changes a `DynamoType` in place, it makes new ones.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    same = _same

    def dynamo_type(self: Any, state: dict[str, Any]) -> None:
        value = state["value"]
        if type(value) is str and len(value) <= SHORT:
            value = same.setdefault(value, value)
        elif type(value) is dict:
            value = {sys.intern(name): member for name, member in value.items()}
        self.type = state["type"]
        self.value = value
        for name, other in state.items():
            if name not in ("type", "value"):
                setattr(self, name, other)

    def item(self: Any, state: dict[str, Any]) -> None:
        attrs = state.get("attrs") or {}
        for name, value in state.items():
            if name in ("hash_key", "range_key") and value is not None:
                value = _same_in(attrs, value)
            setattr(self, name, value)

    from moto.s3.models import FakeKey

    s3_key = FakeKey.__setstate__
    shared: dict[Any, Any] = {}

    def fake_key(self: Any, state: dict[str, Any]) -> None:
        _fake_key(s3_key, shared, self, state)

    DynamoType.__setstate__ = dynamo_type  # type: ignore[attr-defined]
    Item.__setstate__ = item  # type: ignore[attr-defined]
    FakeKey.__setstate__ = fake_key  # type: ignore[method-assign]
    try:
        yield
    finally:
        _same.clear()
        del DynamoType.__setstate__  # type: ignore[attr-defined]
        del Item.__setstate__  # type: ignore[attr-defined]
        FakeKey.__setstate__ = s3_key  # type: ignore[method-assign]


def _fake_key(
    restore: Callable[[Any, dict[str, Any]], None], shared: dict[Any, Any], key: Any, state: dict[str, Any]
) -> None:
    """moto's own `FakeKey.__setstate__`, then the key's ACL (three objects, about 1.2 KB) and its
    states' list shared with every key that has the same: moto never changes either in place
    (set_acl puts another ACL)."""
    restore(key, state)
    acl = key.__dict__.get("acl")
    if acl is not None:
        key.acl = shared.setdefault(_acl_key(acl), acl)
    transitions = key.__dict__.get("_transitions")
    if type(transitions) is list:
        key._transitions = shared.setdefault(("transitions", *transitions), transitions)


def _acl_key(acl: Any) -> tuple[Any, ...]:
    """What an S3 ACL grants to whom, as a value (equal ACLs, equal keys)."""
    return (
        "acl",
        type(acl),
        *(
            (
                tuple((g.id, g.uri, g.display_name) for g in grant.grantees),
                tuple(grant.permissions),
            )
            for grant in acl.grants
        ),
    )


def _same_in(attrs: dict[str, Any], key: Any) -> Any:
    """The attribute of `attrs` with the key's type and value (the key attribute), else the key itself."""
    for value in attrs.values():
        if value.value is key.value and value.type == key.type:
            return value
    for value in attrs.values():
        if value.type == key.type and type(value.value) is str and value.value == key.value:
            return value
    return key


def _load_private_key(der: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    # Our own keys, written by the stack: checking an RSA key again costs about a second each.
    return serialization.load_der_private_key(der, password=None, unsafe_skip_rsa_key_validation=True)


def _load_public_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_public_key(pem)


def _backends() -> dict[str, dict[str, dict[str, Any]]]:
    """Every backend moto has made so far: service → account → region → backend."""
    from moto.core.base_backend import BackendDict

    found: dict[str, dict[str, dict[str, Any]]] = {}
    every: list[Any] = BackendDict._instances  # type: ignore[misc]  # noqa: SLF001 — moto's list of those in use
    for backends in list(every):
        if backends.service_name in SKIPPED:
            continue
        service = found.setdefault(backends.service_name, {})
        for account, regions in backends.items():
            service.setdefault(account, {}).update(dict(regions.items()))
        # What a service keeps across accounts (S3: which account holds each bucket name).
        extras = {k: v for k, v in vars(backends).items() if k not in _BACKEND_DICT}
        if extras:
            service.setdefault(_EXTRAS, {}).update(extras)
    return found


class Snapshots:
    """The data folder's snapshot and recordings; `take` must run between two requests to moto."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / SNAPSHOT

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    def generation(self) -> int:
        """The generation the snapshot starts (0 without one)."""
        if not self.exists:
            return 0
        with self.path.open("rb") as file:
            header = pickle.load(file)  # noqa: S301 — our own file, in the user's data folder
        return int(header["generation"])

    def write(self, generation: int, random_state: Any, handles_state: Any) -> Path:
        """Pickle moto's memory for `generation` to a temporary file (the caller holds moto's gate)."""
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("wb") as file:
            header = {"format": FORMAT, "generation": generation, "moto": version("moto")}
            pickle.dump(header, file, protocol=pickle.HIGHEST_PROTOCOL)
            _Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(
                {"random": random_state, "handles": handles_state, "backends": _backends()}
            )
            file.flush()
            os.fsync(file.fileno())
        return temporary

    def commit(self, temporary: Path, generation: int) -> None:
        """Put the written snapshot in place and forget the recordings it holds."""
        os.replace(temporary, self.path)
        _sync_folder(self.data_dir)
        for older, path in recordings(self.data_dir):
            if older < generation:
                path.unlink(missing_ok=True)

    def load(self) -> tuple[int, Any, Any]:
        """Put the snapshot's backends into moto; its generation and the two generators' states."""
        from moto.backends import get_backend

        with self.path.open("rb") as file:
            header = pickle.load(file)  # noqa: S301 — our own file
            if header.get("format") != FORMAT:
                raise SnapshotError(f"{self.path} was written by another version of the stack.")
            # Millions of objects, none garbage: the cyclic collector would walk all of them again
            # and again as they come (a third of the load's time), for nothing.
            collecting = gc.isenabled()
            gc.disable()
            try:
                with _compact_items():
                    body = pickle.load(file)  # noqa: S301
            finally:
                if collecting:
                    gc.enable()
        for service, accounts in body["backends"].items():
            backends = get_backend(service)
            for account, regions in accounts.items():
                if account == _EXTRAS:
                    vars(backends).update(regions)
                    continue
                for region, backend in regions.items():
                    backends[account][region] = backend
        return int(header["generation"]), body["random"], body["handles"]


def _sync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class SnapshotError(RuntimeError):
    """The snapshot cannot be loaded as it is."""
