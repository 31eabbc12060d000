"""Encryption of personal fields in the staff database (names, dates of birth, phone numbers,
handoff messages).

Same construction as the session store (bot/store/codec.py): AES-256-GCM with a key derived
from the app secret by HKDF-SHA256, but under its own HKDF label so the two uses never share
key material. Each value is bound to its column and row (associated data), so a ciphertext
copied into another row or column fails to decrypt instead of showing the wrong person's data.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HKDF_INFO = b"frontdoor/staff/field-encryption/v1"
_CODE_INFO = b"frontdoor/staff/one-time-codes/v1"
FORMAT_V1 = b"\x01"
_NONCE = 12


class FieldDecryptionError(ValueError):
    """A stored field cannot be decrypted (another secret key, or altered)."""


def _derive(secret: str, info: bytes) -> bytes:
    if not secret:
        raise ValueError("the app secret must not be empty")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


class FieldCipher:
    __slots__ = ("_aead", "_code_key")

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(_derive(secret, HKDF_INFO))
        self._code_key = _derive(secret, _CODE_INFO)

    def seal(self, where: str, value: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, value.encode(), where.encode())

    def open(self, where: str, blob: bytes) -> str:
        if blob[:1] != FORMAT_V1 or len(blob) < 1 + _NONCE + 16:
            raise FieldDecryptionError(f"{where}: not in a known format")
        try:
            plain = self._aead.decrypt(blob[1 : 1 + _NONCE], blob[1 + _NONCE :], where.encode())
        except InvalidTag:
            raise FieldDecryptionError(
                f"{where}: cannot decrypt (FRONTDOOR_SECRET_KEY changed, or the value was altered)"
            ) from None
        return plain.decode()

    def code_digest(self, purpose: str, code: str) -> str:
        """One-time codes and session tokens are stored only as keyed hashes."""
        normalized = code.strip().upper().replace(" ", "").replace("-", "")
        mac = hmac.new(self._code_key, f"{purpose}:{normalized}".encode(), hashlib.sha256)
        return mac.hexdigest()
