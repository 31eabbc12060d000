"""Exactly-once writes: an Idempotency-Key, the hash of the request, and the first answer.

The write and the record of its answer are committed in one transaction, so a retry either sees
nothing (and does the write) or sees the answer (and gets it back): never both, never neither.
Two racing requests with one key are settled by the primary key on ``idempotency_keys``; the
loser rolls back and replays the winner's answer. Refusals (4xx) are recorded too, so a retry
of a refused write is refused the same way.

When a household is deleted, the answers that mention it are replaced by a ``410
registration_deleted`` tombstone (no personal data kept), so a late retry cannot resurrect it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_sandbox.db import SessionFactory
from booking_sandbox.errors import SandboxError, error_body
from booking_sandbox.models import IdempotencyRecord

MAX_KEY_LENGTH = 255
ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """What a write answered: stored verbatim and replayed for the same key."""

    status_code: int
    body: Any | None
    registration_id: str | None = None
    replayed: bool = False


def fingerprint(method: str, path: str, payload: Any) -> str:
    """Hash of what was asked; key order and whitespace in the client's JSON do not matter."""
    canonical = json.dumps(
        {"method": method.upper(), "path": path, "body": payload},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str | None, *, required: bool) -> str | None:
    if key is None or key == "":
        if required:
            raise SandboxError(
                400, "idempotency_key_required", "This write needs an Idempotency-Key header."
            )
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise SandboxError(
            400, "invalid_idempotency_key", f"Idempotency-Key is longer than {MAX_KEY_LENGTH}."
        )
    return key


def _replay(record: IdempotencyRecord, request_hash: str) -> Outcome:
    if record.request_hash is not None and record.request_hash != request_hash:
        raise SandboxError(
            409,
            "idempotency_conflict",
            "This Idempotency-Key was already used for a different request.",
        )
    body = json.loads(record.response_body) if record.response_body is not None else None
    return Outcome(record.status_code, body, record.registration_id, replayed=True)


def run_once(
    factory: SessionFactory,
    key: str | None,
    request_hash: str,
    now: Callable[[], datetime],
    action: Callable[[Session], Outcome],
) -> Outcome:
    """Run ``action`` at most once per key and return its (possibly replayed) outcome."""
    for _attempt in range(ATTEMPTS):
        with factory() as db:
            if key is not None:
                existing = db.get(IdempotencyRecord, key)
                if existing is not None:
                    return _replay(existing, request_hash)
            try:
                outcome = action(db)
                _remember(db, key, request_hash, outcome, now())
                db.commit()
                return outcome
            except SandboxError as refusal:
                db.rollback()
                outcome = Outcome(refusal.status_code, refusal.body())
                try:
                    _remember(db, key, request_hash, outcome, now())
                    db.commit()
                except IntegrityError:
                    db.rollback()
                    continue
                return outcome
            except IntegrityError:
                # A racing write won (same key, or a unique rule such as one request a day):
                # start again and let the fresh state decide.
                db.rollback()
                continue
    raise SandboxError(409, "conflict", "The request conflicted with a concurrent one; retry.")


def _remember(
    db: Session, key: str | None, request_hash: str, outcome: Outcome, now: datetime
) -> None:
    if key is None:
        return
    db.add(
        IdempotencyRecord(
            key=key,
            request_hash=request_hash,
            registration_id=outcome.registration_id,
            status_code=outcome.status_code,
            response_body=None if outcome.body is None else json.dumps(outcome.body),
            created_at=now,
        )
    )
    db.flush()


def tombstone(db: Session, registration_id: str) -> None:
    """Forget every stored answer about a deleted household, keeping only the keys."""
    body = error_body(
        "registration_deleted", "This registration was deleted at its owner's request."
    )
    db.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.registration_id == registration_id)
        .values(request_hash=None, status_code=410, response_body=json.dumps(body))
    )
