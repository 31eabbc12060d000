"""The draw's randomness: a per-day secret seed, its commitment, and each request's draw key.

Commit, then reveal. For every request day the sandbox makes a 32-byte secret seed and
publishes its commitment, ``SHA-256(seed)`` in hex (``GET /v1/allocations/{date}/commitment``),
before that day's request window closes. After the run it publishes the seed with everything
else the run used (``publication.py``), so anyone can check that the seed hashes to the
commitment and re-run the draw.

The PRNG is SHA-256 used as a keyed hash: a request's draw key is

    key = SHA-256(seed || UTF-8(port_id + "\\n" + request_id))

(32 bytes, compared as unsigned big-endian numbers, i.e. byte by byte). Ordering the requests
by key is a uniform random permutation that no one could know before the seed was revealed,
and it does not depend on the order the requests are listed in. The rule that uses the keys is
in ``allocation.py``; ``docs/audit_allocation.py`` is an independent standard-library
implementation of both.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date

import numpy as np
import numpy.typing as npt

SEED_BYTES = 32
#: The name of the algorithm, published with every run (bump it if the rule ever changes).
ALGORITHM = "frontdoor-draw-v1: sha256(seed || port '\\n' request_id), longest-waiting by day"


def new_seed(fixed: int | None, request_date: date) -> bytes:
    """A fresh secret seed; with ``fixed`` (tests, demos), one derived from it and the day."""
    if fixed is None:
        return secrets.token_bytes(SEED_BYTES)
    return hashlib.sha256(f"frontdoor-fixed-seed:{fixed}:{request_date}".encode()).digest()


def commitment(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def draw_keys(seed: bytes, port_id: str, request_ids: Iterable[str]) -> npt.NDArray[np.bytes_]:
    """Each request's 32-byte draw key, as a numpy bytes array (sorts like the bytes do)."""
    base = hashlib.sha256(seed + port_id.encode() + b"\n")
    keys = []
    for request_id in request_ids:
        hashed = base.copy()
        hashed.update(request_id.encode())
        keys.append(hashed.digest())
    return np.array(keys, dtype="S32")
