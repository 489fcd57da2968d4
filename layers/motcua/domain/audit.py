"""The audit trail (nhật ký): every change to a dossier, append-only and hash-chained.

Each entry carries the hash of the one before it; the dossier carries the hash and number of the
last. Editing an entry breaks its own hash; deleting one breaks the next entry's link or, for the
last, the dossier's head: either way `verify` says where.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from pydantic import BaseModel, ConfigDict

GENESIS = "0" * 64


class AuditDraft(BaseModel):
    """What a change records, before the repository numbers it and chains it."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    actor: str  # a username, a citizen's sub, or "system"
    actor_name: str | None = None
    role: str  # citizen, receiver, officer, leader, admin, system
    agency: str | None = None
    action: str  # filed, accept, approve, step_started, flow_done, escalated, ...
    task_id: str | None = None
    status_before: int | None = None
    status_after: int
    reason: str | None = None


class AuditEntry(AuditDraft):
    seq: int
    prev_hash: str
    hash: str


def chain(draft: AuditDraft, *, seq: int, prev_hash: str) -> AuditEntry:
    """The entry that follows `prev_hash` as number `seq`."""
    digest = _digest(draft.model_dump(mode="json") | {"seq": seq, "prev_hash": prev_hash})
    return AuditEntry(**draft.model_dump(), seq=seq, prev_hash=prev_hash, hash=digest)


class AuditCheck(BaseModel):
    intact: bool
    entries: int
    broken_at: int | None = None  # the first entry number that does not hold
    # missing_entry, broken_link, changed, missing_tail — for programs; `problem` says it in words
    problem_code: str | None = None
    problem: str | None = None


def verify(entries: list[AuditEntry], *, head_seq: int, head_hash: str) -> AuditCheck:
    """Recompute the chain; the first entry that was edited, removed or added says where it broke."""
    prev, expected = GENESIS, 1
    for entry in sorted(entries, key=lambda e: e.seq):
        if entry.seq != expected:
            return _broken(len(entries), expected, "missing_entry", f"entry {expected} is missing")
        if entry.prev_hash != prev:
            return _broken(
                len(entries), entry.seq, "broken_link", "its link to the entry before does not hold"
            )
        body = entry.model_dump(mode="json", exclude={"hash"})
        if _digest(body) != entry.hash:
            return _broken(len(entries), entry.seq, "changed", "its content was changed after it was written")
        prev, expected = entry.hash, expected + 1
    if expected - 1 != head_seq or prev != head_hash:
        return _broken(len(entries), expected, "missing_tail", "the last entries are missing")
    return AuditCheck(intact=True, entries=len(entries))


def _broken(count: int, seq: int, code: str, problem: str) -> AuditCheck:
    return AuditCheck(intact=False, entries=count, broken_at=seq, problem_code=code, problem=problem)


def _digest(body: dict[str, object]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
