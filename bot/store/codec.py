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

Blob layout: ``b"\\x01" | nonce (12 bytes, random) | ciphertext+tag``. A random 96-bit nonce is
safe for about 2**32 encryptions per key; at one save per inbound message that is far beyond
this service's volume, and rotating the secret resets the count.
"""

from __future__ import annotations

import os

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
_NONCE_BYTES = 12


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
        plaintext = session.model_dump_json().encode()
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, plaintext, _aad(key))

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
        if blob[:1] != FORMAT_V1 or len(blob) < 1 + _NONCE_BYTES + 16:
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
        try:
            return Session.model_validate_json(plaintext)
        except ValidationError as exc:
            raise StoreError(
                f"stored session of contact {key.digest} decrypts but does not match the "
                f"Session model ({exc.error_count()} errors); a migration is missing"
            ) from None


def _aad(key: ContactKey) -> bytes:
    return key.digest.encode()
