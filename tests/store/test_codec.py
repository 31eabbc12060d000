"""Session encryption at rest: round trip, key separation, and clear errors."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest

from bot.contacts import contact_key
from bot.engine.session import Session
from bot.store.base import StoreError
from bot.store.codec import FORMAT_V1, SessionCodec, derive_key

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
    assert blob.startswith(FORMAT_V1)
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
        ("unknown format", lambda b: b"\x02" + b[1:], "known format"),
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
