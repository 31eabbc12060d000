"""Session encryption at rest: round trip, key separation, and clear errors."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.contacts import contact_key
from bot.engine.session import PendingAction, Session, message_tag
from bot.store.base import StoreError
from bot.store.codec import FORMAT_V1, FORMAT_V2, SessionCodec, _aad, derive_key

SECRET = "codec-secret"
PHONE = "+5216641234567"
KEY = contact_key(SECRET, PHONE)
OTHER = contact_key(SECRET, "+50922345678")


def session() -> Session:
    return Session(phone=PHONE, slots={"full_name": "Ana Lucía Pérez"})


def test_round_trip() -> None:
    codec = SessionCodec(SECRET)
    original = session()
    assert codec.decode(KEY, codec.encode(KEY, original)) == original


def test_each_encryption_uses_a_fresh_nonce() -> None:
    codec = SessionCodec(SECRET)
    assert codec.encode(KEY, session()) != codec.encode(KEY, session())


def test_blob_holds_no_plaintext() -> None:
    blob = SessionCodec(SECRET).encode(KEY, session())
    assert blob.startswith(FORMAT_V2)
    for text in ("Ana", "Pérez", PHONE, "full_name"):
        assert text.encode() not in blob


def test_encryption_key_is_independent_of_the_phone_hmac_key() -> None:
    derived = derive_key(SECRET)
    assert len(derived) == 32
    assert derived != SECRET.encode()
    assert derived != hmac.new(SECRET.encode(), b"", hashlib.sha256).digest()
    assert derive_key(SECRET) == derived  # deterministic: survives restarts


@pytest.mark.parametrize(
    ("label", "mangle", "match"),
    [
        ("wrong secret", lambda b: b, "FRONTDOOR_SECRET_KEY"),
        ("flipped byte", lambda b: b[:-1] + bytes([b[-1] ^ 1]), "altered"),
        ("unknown format", lambda b: b"\x03" + b[1:], "known format"),
        ("truncated", lambda b: b[:10], "known format"),
        ("empty", lambda b: b"", "known format"),
    ],
)
def test_unreadable_values_raise_store_error(
    label: str, mangle: Callable[[bytes], bytes], match: str
) -> None:
    blob = mangle(SessionCodec(SECRET).encode(KEY, session()))
    reader = SessionCodec("another-secret" if label == "wrong secret" else SECRET)
    with pytest.raises(StoreError, match=match):
        reader.decode(KEY, blob)


def test_value_bound_to_its_contact() -> None:
    codec = SessionCodec(SECRET)
    with pytest.raises(StoreError, match="another contact"):
        codec.decode(OTHER, codec.encode(KEY, session()))


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="secret"):
        SessionCodec("")


def full_session() -> Session:
    """Every field away from its default (a default left out of the compact JSON must come
    back as it was)."""
    when = datetime(2026, 3, 14, 18, 30, tzinfo=UTC)
    return Session(
        schema_version=1,
        phone=PHONE,
        lang="ht",
        flow="register",
        step="summary",
        slots={"full_name": "Ana Lucía Pérez", "members": [{"relationship": "child"}]},
        history=["menu:choose"],
        failures=2,
        pending=PendingAction(name="register", idempotency_key="k1", created_at=when),
        queued=[PendingAction(name="request_slot", idempotency_key="k2", attempts=3)],
        notices=["Hola"],
        contact_ref=KEY.digest,
        registration_id="reg_1",
        consented_at=when,
        recent=[message_tag("SM1")],
        last_inbound_at=when,
        opted_out_at=when,
        notified=["evt-1"],
    )


@pytest.mark.parametrize("make", [session, full_session, lambda: Session(phone=PHONE)])
def test_compressed_format_reads_as_the_plain_json_oracle(make: Callable[[], Session]) -> None:
    """Format 2 (compact JSON, deflated with the preset dictionary) decodes to what the
    plain JSON of format 1 decodes to; format 1 blobs (written before) still read."""
    codec = SessionCodec(SECRET)
    original = make()
    oracle = Session.model_validate_json(original.model_dump_json())
    assert codec.decode(KEY, codec.encode(KEY, original)) == oracle == original
    nonce = os.urandom(12)
    v1 = (
        FORMAT_V1
        + nonce
        + codec._aead.encrypt(nonce, original.model_dump_json().encode(), _aad(KEY))
    )
    assert codec.decode(KEY, v1) == original
    assert len(codec.encode(KEY, original)) < len(v1)


def test_sessions_written_with_whole_turns_read_as_tags() -> None:
    """Before the tags a session kept each turn's replies: such a session still reads."""
    old = Session(phone=PHONE).model_dump(mode="json")
    old["recent"] = [{"message_id": "SM1", "replies": [{"text": "Hola", "options": []}]}]
    assert Session.model_validate(old).recent == [message_tag("SM1")]
    assert Session.model_validate(old).handled("SM1")
