"""Session <-> bytes for persistent stores, encrypted at rest (AES-256-GCM).

Why encrypt: a session holds the phone number and answers such as name and date of birth, and
Redis dumps, replicas and backups travel further than the app does.

Why these choices:
- The key is derived from the app secret with HKDF-SHA256 and a fixed ``info`` label, so the
  one configured secret also keys the phone-number HMAC (`bot.contacts`) without the two uses
  sharing key material.
- AES-GCM (not Fernet) because it lets the contact digest be bound in as associated data: a
  value copied under another contact's key fails to decrypt instead of being served to the
  wrong person. It is also smaller (no base64, no CBC padding).
- A leading format byte leaves room for key rotation or another cipher later.

Blob layout: ``format byte | nonce (12 bytes, random) | ciphertext+tag``. Sessions are
written in format 2: the plaintext is the JSON without default fields, raw-deflated with a
fixed preset dictionary of the session's own words (field names, flow steps), so a registered
conversation takes about half the bytes (~14 µs to compress, measured). Format 1 (plain
JSON) is still read. Other records (`seal`) are format 1. A random 96-bit nonce is
safe for about 2**32 encryptions per key; at one save per inbound message that is far beyond
this service's volume, and rotating the secret resets the count.
"""

from __future__ import annotations

import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import ValidationError

from bot.contacts import ContactKey
from bot.engine.session import Session
from bot.store.base import StoreError

#: Fixed HKDF label. Changing it makes every stored session unreadable.
HKDF_INFO = b"frontdoor/store/session-encryption/v1"

FORMAT_V1 = b"\x01"
FORMAT_V2 = b"\x02"
_NONCE_BYTES = 12

#: Format 2's preset dictionary. Never change it: sessions written with it would no longer
#: read (a new dictionary needs a new format byte). The most frequent words come last (the
#: cheapest to refer to).
_ZDICT = (
    b'"_interpreter_offered":true,"_returning":true,"_return":"","_voice":true,'
    b'"sms_fallback":true,"daily_reminder":true,"request_port":"","request_ok":true,'
    b'"pending":{"name":"request_slot","idempotency_key":"","created_at":"2026-",'
    b'"attempts":1,"flow":"request","step":"","queued":[],"notices":[],"notified":["evt-'
    b'"opted_out_at":"2026-","channel":"whatsapp","household:list","household:ask_name",'
    b'"household:ask_birth_date","household:ask_relationship","household:ask_nationality",'
    b'"register:summary","register:ask_family","register:ask_port","register:ask_nationality",'
    b'"register:ask_birth_date","register:ask_name","menu:choose","privacy:notice",'
    b'"welcome:confirm_language"],"members":[{"full_name":"","birth_date":"","relationship":'
    b'"spouse","child","nationality":"","with_family":true,"household_choice":"done",'
    b'"registration_ok":true,"registration_id":"reg_","port":"el_paso","san_ysidro",'
    b'"nationality":"HN","GT","SV","HT","MX","VE","CO","full_name":"","birth_date":"19'
    b'{"schema_version":1,"phone":"+","lang":"es","flow":"menu","step":"choose","slots":'
    b'{"language":"es","consent":true,"menu_choice":"register","history":["'
    b'"contact_ref":"","consented_at":"2026-","recent":["'
    b'"created_at":"2026-","updated_at":"2026-","last_inbound_at":"2026-'
)


def derive_key(secret: str | bytes) -> bytes:
    """The 256-bit session-encryption key for an app secret (deterministic)."""
    material = secret.encode() if isinstance(secret, str) else secret
    if not material:
        raise ValueError("the app secret must not be empty")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO)
    return hkdf.derive(material)


class SessionCodec:
    """Encrypts sessions for one contact key at a time; see the module docstring."""

    __slots__ = ("_aead",)

    def __init__(self, secret: str | bytes) -> None:
        self._aead = AESGCM(derive_key(secret))

    def encode(self, key: ContactKey, session: Session) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        plaintext = _deflate(compact_json(session))
        return FORMAT_V2 + nonce + self._aead.encrypt(nonce, plaintext, _aad(key))

    def seal(self, label: str, plaintext: bytes) -> bytes:
        """Encrypt any record (e.g. a booking event), bound to `label` (its stream)."""
        nonce = os.urandom(_NONCE_BYTES)
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, plaintext, label.encode())

    def unseal(self, label: str, blob: bytes) -> bytes:
        if blob[:1] != FORMAT_V1 or len(blob) < 1 + _NONCE_BYTES + 16:
            raise StoreError(f"a record in {label!r} is not in a known format")
        try:
            return self._aead.decrypt(
                blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :], label.encode()
            )
        except InvalidTag:
            raise StoreError(
                f"cannot decrypt a record in {label!r}: FRONTDOOR_SECRET_KEY differs from the one "
                "it was written with, or the value was altered"
            ) from None

    def decode(self, key: ContactKey, blob: bytes) -> Session:
        if blob[:1] not in (FORMAT_V1, FORMAT_V2) or len(blob) < 1 + _NONCE_BYTES + 16:
            raise StoreError(
                f"stored session of contact {key.digest} is not in a known format "
                f"(first byte {blob[:1]!r}); it was not written by this version of frontdoor"
            )
        nonce, ciphertext = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            plaintext = self._aead.decrypt(nonce, ciphertext, _aad(key))
        except InvalidTag:
            raise StoreError(
                f"cannot decrypt the stored session of contact {key.digest}: "
                "FRONTDOOR_SECRET_KEY differs from the one it was written with, "
                "or the value was altered or copied from another contact"
            ) from None
        if blob[:1] == FORMAT_V2:
            try:
                plaintext = _inflate(plaintext)
            except zlib.error:
                raise StoreError(
                    f"stored session of contact {key.digest} does not inflate"
                ) from None
        try:
            return Session.model_validate_json(plaintext)
        except ValidationError as exc:
            raise StoreError(
                f"stored session of contact {key.digest} decrypts but does not match the "
                f"Session model ({exc.error_count()} errors); a migration is missing"
            ) from None


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -12, 4, zdict=_ZDICT)
    return packer.compress(data) + packer.flush()


def _inflate(data: bytes) -> bytes:
    unpacker = zlib.decompressobj(-12, zdict=_ZDICT)
    return unpacker.decompress(data) + unpacker.flush()


def compact_json(session: Session) -> bytes:
    """The session's JSON without the fields at their defaults (a third of a small session),
    except `schema_version`, which is always written: a later default must not relabel an
    old session."""
    body = session.model_dump_json(exclude_defaults=True).encode()
    if b'"schema_version"' in body[:20]:
        return body
    return b'{"schema_version":%d,' % session.schema_version + body[1:]


def _aad(key: ContactKey) -> bytes:
    return key.digest.encode()
