"""Rendered audio on disk: named by a keyed hash, encrypted at rest, short-lived.

The name of a file is HMAC-SHA256(key, engine | voice | format | pieces) cut to 128 bits: the
same prompt is rendered once and reused by everyone who hears it (a cache hit), and nobody
without the app secret can guess a name from a text (prompts carry names and dates). Files are
sealed with AES-256-GCM (HKDF label of their own, bound to the file name), since a prompt may
say a person's name. A file is served for `ttl` seconds after it was last rendered or reused,
then removed: Twilio fetches a voice note or a <Play> within seconds, and "delete my data"
leaves at most one lifetime of audio behind.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NAME_INFO = b"frontdoor/speech/media-names/v1"
_SEAL_INFO = b"frontdoor/speech/media-encryption/v1"
_NONCE = 12
#: Expired files are swept at most this often (a directory scan).
SWEEP_EVERY = 60.0


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


class MediaCache:
    def __init__(
        self,
        directory: Path,
        secret: str,
        *,
        ttl: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.ttl = ttl
        self.clock = clock
        self._name_key = _derive(secret, _NAME_INFO)
        self._aead = AESGCM(_derive(secret, _SEAL_INFO))
        self._swept = 0.0
        directory.mkdir(parents=True, exist_ok=True)

    def name_for(self, parts: list[str]) -> str:
        material = "\x00".join(parts).encode()
        return hmac.new(self._name_key, material, hashlib.sha256).hexdigest()[:32]

    def _path(self, filename: str) -> Path:
        return self.directory / f"{filename}.sealed"

    def _fresh(self, path: Path) -> bool:
        try:
            return self.clock() - path.stat().st_mtime < self.ttl
        except FileNotFoundError:
            return False

    def touch(self, filename: str) -> bool:
        """A cache hit: True (and the lifetime starts again) if the file is there and fresh."""
        path = self._path(filename)
        if not self._fresh(path):
            return False
        now = self.clock()
        os.utime(path, (now, now))
        return True

    def put(self, filename: str, data: bytes) -> None:
        nonce = os.urandom(_NONCE)
        sealed = nonce + self._aead.encrypt(nonce, data, filename.encode())
        path = self._path(filename)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(sealed)
        os.replace(partial, path)  # readers never see half a file
        now = self.clock()
        os.utime(path, (now, now))
        self.sweep()

    def get(self, filename: str) -> bytes | None:
        """The audio, or None if it is unknown, expired or not sealed with this secret."""
        path = self._path(filename)
        if not self._fresh(path):
            return None
        try:
            sealed = path.read_bytes()
            return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], filename.encode())
        except (FileNotFoundError, InvalidTag):
            return None

    def sweep(self, *, force: bool = False) -> int:
        """Remove expired files; returns how many."""
        now = self.clock()
        if not force and now - self._swept < SWEEP_EVERY:
            return 0
        self._swept = now
        removed = 0
        for entry in os.scandir(self.directory):
            try:
                if now - entry.stat().st_mtime >= self.ttl:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
