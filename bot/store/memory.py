"""`MemoryStore`: the embedded default, for development, tests and single-process pilots.

It follows the same contract as the Redis store (TTLs, claims, one lock per contact) so code
that works here works in production. Sessions are kept as JSON bytes, not as objects: a caller
that mutates a loaded or saved session never changes what is stored, and anything that would
not survive Redis (a slot value that is not JSON) fails here too. Nothing is encrypted: the data
never leaves the process.

Expiry is checked against an injectable monotonic clock, so tests can move time instead of
sleeping; expired entries are dropped when read and by an occasional sweep.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from bot.contacts import ContactKey
from bot.engine.session import Session
from bot.store.base import REPLIES_KEPT, Flood, Flooded, Held, LockTimeout
from bot.store.flood import TokenBuckets
from bot.store.keys import KeyBuilder
from bot.store.locks import LocalLocks, LockWaitTimeout

Clock = Callable[[], float]

#: Seconds between sweeps of expired entries (reads drop expired entries anyway).
SWEEP_INTERVAL = 60.0


class _MemoryHeld:
    """`Held` in memory: a lock here cannot be lost (it lives and dies with the process)."""

    def __init__(self, store: MemoryStore, key: ContactKey, message: str) -> None:
        self.session: Session | None = None
        self.kept_replies: bytes | None = None
        self.staged: tuple[Session, timedelta, bytes | None] | None = None
        self._store, self._key, self._message = store, key, message

    async def save(self, session: Session, ttl: timedelta, replies: bytes | None = None) -> None:
        self.write(session, ttl, replies)

    def stage(self, session: Session, ttl: timedelta, replies: bytes | None = None) -> None:
        self.staged = (session, ttl, replies)

    def write(self, session: Session, ttl: timedelta, replies: bytes | None) -> None:
        store = self._store
        store._set(store._keys.session(self._key), session.model_dump_json().encode(), ttl)
        if replies is not None and self._message:
            store._keep_replies(self._key, self._message, replies)


@dataclass(slots=True)
class _Entry:
    value: bytes
    expires_at: float


class MemoryStore:
    """In-process `Store`. Not shared between processes: run one worker with it."""

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        lock_timeout: float = 5.0,
        keys: KeyBuilder | None = None,
    ) -> None:
        if lock_timeout <= 0:
            raise ValueError("lock_timeout must be positive")
        self._clock = clock
        self._lock_timeout = lock_timeout
        self._keys = keys or KeyBuilder()
        self._data: dict[str, _Entry] = {}
        self._locks = LocalLocks()
        self._outbox: dict[str, ContactKey] = {}
        self._logs: dict[str, list[bytes]] = {}
        self._log_bases: dict[str, int] = {}
        self._erasures: dict[str, bytes] = {}
        self._erasure_index: dict[str, ContactKey] = {}
        self._references: dict[str, bytes] = {}
        self._buckets = TokenBuckets(clock)
        self._next_sweep = clock() + SWEEP_INTERVAL

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def load(self, key: ContactKey) -> Session | None:
        raw = self._get(self._keys.session(key))
        return None if raw is None else Session.model_validate_json(raw)

    async def save(self, key: ContactKey, session: Session, ttl: timedelta) -> None:
        self._set(self._keys.session(key), session.model_dump_json().encode(), ttl)

    async def delete(self, key: ContactKey) -> None:
        for name in self._keys.data_keys(key):
            self._data.pop(name, None)
            self._buckets.forget(name)
        self._outbox.pop(key.digest, None)

    async def outbox_add(self, key: ContactKey) -> None:
        self._outbox[key.digest] = key

    async def outbox_remove(self, key: ContactKey) -> None:
        self._outbox.pop(key.digest, None)

    async def outbox(self) -> list[ContactKey]:
        return list(self._outbox.values())

    def log_shards(self, stream: str) -> list[str]:
        return self._keys.log_shards(stream)

    def log_shard(self, stream: str, by: str) -> str:
        return self._keys.log_shard(stream, by)

    async def log_append(self, stream: str, record: bytes) -> int:
        name = self._keys.log(stream)
        log = self._logs.setdefault(name, [])
        log.append(bytes(record))
        return self._log_bases.get(name, 0) + len(log) - 1

    async def log_read(self, stream: str, start: int = 0, count: int = 100) -> list[bytes]:
        name = self._keys.log(stream)
        base = self._log_bases.get(name, 0)
        low = max(start, base) - base
        high = max(start + count - base, low)
        return list(self._logs.get(name, [])[low:high])

    async def log_first(self, stream: str) -> int:
        return self._log_bases.get(self._keys.log(stream), 0)

    async def log_trim(self, stream: str, upto: int) -> int:
        name = self._keys.log(stream)
        log = self._logs.get(name, [])
        base = self._log_bases.get(name, 0)
        dropped = max(0, min(upto - base, len(log)))
        if dropped:
            del log[:dropped]
            self._log_bases[name] = base + dropped
        return dropped

    async def log_purge(self, stream: str, drop: Callable[[bytes], bool]) -> int:
        log = self._logs.get(self._keys.log(stream), [])
        blanked = 0
        for index, record in enumerate(log):
            if record and drop(record):
                log[index] = b""
                blanked += 1
        return blanked

    async def save_erasure(self, key: ContactKey, record: bytes) -> None:
        self._erasure_index[key.digest] = key
        self._erasures[self._keys.erasure(key)] = bytes(record)

    async def load_erasure(self, key: ContactKey) -> bytes | None:
        return self._erasures.get(self._keys.erasure(key))

    async def drop_erasure(self, key: ContactKey) -> None:
        self._erasures.pop(self._keys.erasure(key), None)
        self._erasure_index.pop(key.digest, None)

    async def erasures(self) -> list[ContactKey]:
        return list(self._erasure_index.values())

    async def save_reference(self, name: str, record: bytes) -> None:
        self._references[self._keys.reference(name)] = bytes(record)

    async def load_reference(self, name: str) -> bytes | None:
        return self._references.get(self._keys.reference(name))

    async def traces(self, key: ContactKey) -> list[str]:
        found = [f"store: {name}" for name in self.raw_keys() if key.digest in name]
        if key.digest in self._outbox:
            found.append(f"store: {self._keys.outbox(key)} (booking calls waiting)")
        if key.digest in self._erasure_index:
            found.append(f"store: {self._keys.erasures(key)} (deletion not finished)")
        return found

    async def claim(self, namespace: str, item_id: str, ttl: timedelta) -> bool:
        name = self._keys.claim(namespace, item_id)
        if self._get(name) is not None:
            return False
        self._set(name, b"1", ttl)
        return True

    async def claimed(self, namespace: str, item_id: str) -> bool:
        return self._get(self._keys.claim(namespace, item_id)) is not None

    async def flood(self, key: ContactKey, burst: int, per_second: float) -> Flood:
        return self._buckets.take(self._keys.flood(key), burst, per_second)

    def lock(self, key: ContactKey) -> AbstractAsyncContextManager[None]:
        return self._hold(self._keys.lock(key), key)

    def hold(
        self,
        key: ContactKey,
        *,
        message: str = "",
        flood: tuple[int, float] | None = None,
    ) -> AbstractAsyncContextManager[Held]:
        return self._hold_session(key, message, flood)

    @asynccontextmanager
    async def _hold_session(
        self, key: ContactKey, message: str, flood: tuple[int, float] | None
    ) -> AsyncIterator[Held]:
        async with self._hold(self._keys.lock(key), key):
            if flood is not None:
                verdict = await self.flood(key, *flood)
                if verdict is not Flood.OK:
                    raise Flooded(verdict)
            held = _MemoryHeld(self, key, message)
            held.session = await self.load(key)
            kept = self._get(self._keys.replies(key))
            if message and kept is not None:
                tag, _, replies = kept.partition(b"\n")
                if tag == message.encode():
                    held.kept_replies = replies
            yield held
            if held.staged is not None:
                held.write(*held.staged)

    # -- introspection for tests and the contract suite (not part of `Store`) --

    def raw_keys(self) -> list[str]:
        """Live keys, as the Redis store would name them."""
        now = self._clock()
        live = [k for k, e in self._data.items() if e.expires_at > now]
        return sorted(live + list(self._erasures))

    def active_locks(self) -> int:
        """Contacts with a lock held or awaited (0 when idle: locks do not leak)."""
        return len(self._locks)

    # -- internals --

    def _keep_replies(self, key: ContactKey, message: str, replies: bytes) -> None:
        self._set(self._keys.replies(key), message.encode() + b"\n" + replies, REPLIES_KEPT)

    @asynccontextmanager
    async def _hold(self, name: str, key: ContactKey) -> AsyncIterator[None]:
        try:
            async with self._locks.hold(name, self._lock_timeout):
                yield
        except LockWaitTimeout:
            raise LockTimeout(
                f"lock of contact {key.digest} not acquired within {self._lock_timeout:g} s"
            ) from None

    def _get(self, name: str) -> bytes | None:
        entry = self._data.get(name)
        if entry is None:
            return None
        if entry.expires_at <= self._clock():
            del self._data[name]
            return None
        return entry.value

    def _set(self, name: str, value: bytes, ttl: timedelta) -> None:
        seconds = ttl.total_seconds()
        if seconds <= 0:
            raise ValueError("ttl must be positive")
        now = self._clock()
        self._data[name] = _Entry(value, now + seconds)
        if now >= self._next_sweep:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        self._data = {k: e for k, e in self._data.items() if e.expires_at > now}
        self._next_sweep = now + SWEEP_INTERVAL
