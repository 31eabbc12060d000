"""`RedisStore`: the production store, shared by every web and worker process.

Exceptions raised (everything from redis-py is translated; nothing else leaks)::

    StoreError                 a Redis error, or a stored value that cannot be decrypted/read
    ├── StoreUnavailable       Redis does not answer (refused, timed out, auth failed, bad URL)
    └── LockTimeout            another handler held this contact's lock for too long

Values are encrypted by `SessionCodec`; keys come from `KeyBuilder` and carry only contact
digests. Error messages name the Redis host/port/db, never the password.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from datetime import timedelta
from math import ceil
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.contacts import ContactKey
from bot.engine.session import Session
from bot.store import lua
from bot.store.base import (
    REPLIES_KEPT,
    Flood,
    Held,
    LockLost,
    LockTimeout,
    StoreError,
    StoreUnavailable,
)
from bot.store.client import redis_client
from bot.store.codec import SessionCodec
from bot.store.keys import KeyBuilder
from bot.store.locks import LEASE, Holding, LocalLocks, LockWaitTimeout, QueueLock

log = logging.getLogger(__name__)

#: RPUSH and answer the record's index (trimmed records still count).
_LOG_APPEND = """
local length = redis.call('RPUSH', KEYS[1], ARGV[1])
return tonumber(redis.call('GET', KEYS[2]) or '0') + length - 1
"""
#: The base and the records start..start+count-1, in one step (a trim cannot come between).
_LOG_READ = """
local base = tonumber(redis.call('GET', KEYS[2]) or '0')
local start = math.max(tonumber(ARGV[1]), base)
local stop = tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1
if stop < start then return {base} end
local records = redis.call('LRANGE', KEYS[1], start - base, stop - base)
table.insert(records, 1, base)
return records
"""
_LOG_TRIM = """
local base = tonumber(redis.call('GET', KEYS[2]) or '0')
local drop = math.min(tonumber(ARGV[1]) - base, redis.call('LLEN', KEYS[1]))
if drop <= 0 then return 0 end
redis.call('LTRIM', KEYS[1], drop, -1)
redis.call('SET', KEYS[2], base + drop)
return drop
"""
#: Blank records by index, each only if it is still the record that was read.
_LOG_BLANK = """
local base = tonumber(redis.call('GET', KEYS[2]) or '0')
local blanked = 0
for i = 1, #ARGV, 2 do
  local at = tonumber(ARGV[i]) - base
  if at >= 0 and redis.call('LINDEX', KEYS[1], at) == ARGV[i + 1] then
    redis.call('LSET', KEYS[1], at, '')
    blanked = blanked + 1
  end
end
return blanked
"""

_SCHEMES = ("redis", "rediss", "unix")
#: Records read per step while purging a log.
_PURGE_BATCH = 500


def describe_redis_url(url: str) -> str:
    """``host:port/db`` (or the socket path) of a Redis URL, for messages: no credentials."""
    try:
        parts = urlsplit(url)
        if parts.scheme == "unix":
            return f"unix socket {parts.path}"
        port = parts.port or 6379
        db = parts.path.strip("/") or "0"
        return f"{parts.hostname or 'localhost'}:{port}/{db}"
    except ValueError:
        return "an unparsable URL"


class RedisStore:
    """`Store` on Redis (redis-py asyncio client); build it with `from_url`."""

    def __init__(
        self,
        client: aioredis.Redis,
        secret: str | bytes,
        *,
        where: str = "redis",
        keys: KeyBuilder | None = None,
        lock_timeout: float = 5.0,
        lock_lease: float = LEASE,
        lock_poll: float = 0.01,
        ping_timeout: float = 3.0,
    ) -> None:
        """
        ``lock_timeout``: how long a handler waits for a contact's lock before `LockTimeout`.
        ``lock_lease``: how long the lock lives if its holder dies without renewing it (a crash
        blocks a contact this long); renewed while the holder runs (bot/store/locks.py).
        ``ping_timeout``: the whole budget of `ping`, retries included, so a start-up against
        a silent server fails in seconds rather than after every retry's socket timeout.
        """
        if min(lock_timeout, lock_lease, lock_poll, ping_timeout) <= 0:
            raise ValueError("lock_timeout, lock_lease, lock_poll and ping_timeout must be > 0")
        self._redis = client
        self._codec = SessionCodec(secret)
        self._where = where
        self._keys = keys or KeyBuilder()
        self._lock_timeout = lock_timeout
        self._locks = QueueLock(client, wait=lock_timeout, lease=lock_lease, poll=lock_poll)
        self._local = LocalLocks()
        self._ping_timeout = ping_timeout
        self._log_append = client.register_script(_LOG_APPEND)
        self._log_read = client.register_script(_LOG_READ)
        self._log_trim = client.register_script(_LOG_TRIM)
        self._log_blank = client.register_script(_LOG_BLANK)
        self._flood: Any = client.register_script(lua.FLOOD)

    @classmethod
    def from_url(
        cls,
        url: str,
        secret: str | bytes,
        *,
        keys: KeyBuilder | None = None,
        lock_timeout: float = 5.0,
        lock_lease: float = LEASE,
        connect_timeout: float = 2.0,
        command_timeout: float = 5.0,
        ping_timeout: float = 3.0,
        max_connections: int = 2000,
        cluster: bool = False,
    ) -> RedisStore:
        """Build a store without connecting (call `ping` to check the server is there)."""
        where = describe_redis_url(url)
        if urlsplit(url).scheme not in _SCHEMES:
            raise StoreUnavailable(
                f"FRONTDOOR_REDIS_URL ({where}) must start with redis://, rediss:// or unix://"
            )
        try:
            # A pool sized for bursts: redis-py's default (100) fails a burst with "Too many
            # connections", and its BlockingConnectionPool costs ~100 us per command (measured,
            # benchmarks/README.md), a third of the time a message spends on Redis.
            client = redis_client(
                url,
                cluster=cluster,
                max_connections=max_connections,
                connect_timeout=connect_timeout,
                command_timeout=command_timeout,
            )
        except (ValueError, RedisError) as exc:
            raise StoreUnavailable(f"FRONTDOOR_REDIS_URL ({where}) is not usable: {exc}") from None
        return cls(
            client,
            secret,
            where=where,
            keys=keys,
            lock_timeout=lock_timeout,
            lock_lease=lock_lease,
            ping_timeout=ping_timeout,
        )

    async def ping(self) -> None:
        """Raise `StoreUnavailable` unless a Redis server answers (any failure counts: a wrong
        password or a non-Redis server at that address is as unusable as no server)."""
        try:
            async with asyncio.timeout(self._ping_timeout):
                with self._errors():
                    await self._redis.ping()
        except TimeoutError:
            raise StoreUnavailable(
                f"Redis at {self._where} did not answer within {self._ping_timeout:g} s"
            ) from None
        except StoreUnavailable:
            raise
        except StoreError as exc:
            raise StoreUnavailable(str(exc)) from None

    async def close(self) -> None:
        await self._redis.aclose()

    async def persistence_problem(self) -> str | None:
        """What a restart of this Redis would lose, when that is a lot (None: AOF is on).

        ``CONFIG GET`` first (the settings); managed Redis often disables CONFIG, then
        ``INFO persistence`` (whether AOF runs; snapshot rules are not in INFO)."""
        try:
            with self._errors():
                config: dict[Any, Any] = dict(await self._redis.config_get("*"))
        except StoreError:
            config = {}
        if config:
            values = {_text(k): _text(v) for k, v in config.items()}
            if values.get("appendonly") == "yes":
                return None
            if values.get("save", "").strip():
                return (
                    f"Redis at {self._where} persists only snapshots (save {values['save']!r}): "
                    "a restart loses every conversation since the last one. Set appendonly yes "
                    "(README: Redis persistence)."
                )
            return (
                f"Redis at {self._where} persists NOTHING (appendonly no, save ''): a restart "
                "loses every conversation. Set appendonly yes (README: Redis persistence)."
            )
        with self._errors():
            info = await self._redis.info("persistence")
        if str(info.get("aof_enabled", "0")) == "1":
            return None
        return (
            f"Redis at {self._where} does not run AOF (INFO persistence: aof_enabled 0): a "
            "restart loses conversations. Set appendonly yes (README: Redis persistence)."
        )

    async def load(self, key: ContactKey) -> Session | None:
        with self._errors():
            blob = await self._redis.get(self._keys.session(key))
        if blob is None:
            return None
        if not isinstance(blob, bytes):  # a client built with decode_responses=True
            raise StoreError("RedisStore needs a client with decode_responses=False")
        return self._codec.decode(key, blob)

    async def save(self, key: ContactKey, session: Session, ttl: timedelta) -> None:
        blob = self._codec.encode(key, session)
        with self._errors():
            await self._redis.set(self._keys.session(key), blob, px=_millis(ttl))

    async def delete(self, key: ContactKey) -> None:
        with self._errors():
            await self._redis.delete(*self._keys.data_keys(key))
            await self._redis.srem(self._keys.outbox(key), key.digest)

    async def outbox_add(self, key: ContactKey) -> None:
        with self._errors():
            await self._redis.sadd(self._keys.outbox(key), key.digest)

    async def outbox_remove(self, key: ContactKey) -> None:
        with self._errors():
            await self._redis.srem(self._keys.outbox(key), key.digest)

    async def outbox(self) -> list[ContactKey]:
        return await self._members(self._keys.outboxes())

    async def _members(self, shards: list[str]) -> list[ContactKey]:
        """The contacts of a sharded index (every shard asked at once)."""
        with self._errors():
            answers = await asyncio.gather(*(self._redis.smembers(name) for name in shards))
        return [ContactKey(_text(m)) for members in answers for m in members]

    def log_shards(self, stream: str) -> list[str]:
        return self._keys.log_shards(stream)

    def log_shard(self, stream: str, by: str) -> str:
        return self._keys.log_shard(stream, by)

    def _log_keys(self, stream: str) -> list[str]:
        return [self._keys.log(stream), self._keys.log_base(stream)]

    async def log_append(self, stream: str, record: bytes) -> int:
        sealed = self._codec.seal(stream, record)
        with self._errors():
            index = await self._log_append(keys=self._log_keys(stream), args=[sealed])
        return int(index)

    async def _log_blobs(self, stream: str, start: int, count: int) -> tuple[int, list[bytes]]:
        with self._errors():
            answer = await self._log_read(keys=self._log_keys(stream), args=[start, count])
        base, *blobs = answer
        return int(base), [b if isinstance(b, bytes) else str(b).encode() for b in blobs]

    async def log_read(self, stream: str, start: int = 0, count: int = 100) -> list[bytes]:
        _, blobs = await self._log_blobs(stream, start, count)
        return [self._codec.unseal(stream, blob) if blob else b"" for blob in blobs]

    async def log_first(self, stream: str) -> int:
        with self._errors():
            raw = await self._redis.get(self._keys.log_base(stream))
        return int(raw or 0)

    async def log_trim(self, stream: str, upto: int) -> int:
        with self._errors():
            return int(await self._log_trim(keys=self._log_keys(stream), args=[upto]))

    async def log_purge(self, stream: str, drop: Callable[[bytes], bool]) -> int:
        blanked, start = 0, await self.log_first(stream)
        while True:
            base, blobs = await self._log_blobs(stream, start, _PURGE_BATCH)
            start = max(start, base)
            args: list[int | bytes] = []
            for offset, blob in enumerate(blobs):
                if blob and drop(self._codec.unseal(stream, blob)):
                    args += [start + offset, blob]
            if args:
                with self._errors():
                    blanked += int(await self._log_blank(keys=self._log_keys(stream), args=args))
            if len(blobs) < _PURGE_BATCH:
                return blanked
            start += len(blobs)

    async def save_erasure(self, key: ContactKey, record: bytes) -> None:
        sealed = self._codec.seal(f"erasure:{key.digest}", record)
        with self._errors():
            await self._redis.sadd(self._keys.erasures(key), key.digest)  # the index first
            await self._redis.set(self._keys.erasure(key), sealed)

    async def load_erasure(self, key: ContactKey) -> bytes | None:
        with self._errors():
            blob = await self._redis.get(self._keys.erasure(key))
        if blob is None:
            return None
        raw = blob if isinstance(blob, bytes) else blob.encode()
        return self._codec.unseal(f"erasure:{key.digest}", raw)

    async def drop_erasure(self, key: ContactKey) -> None:
        with self._errors():
            await self._redis.delete(self._keys.erasure(key))
            await self._redis.srem(self._keys.erasures(key), key.digest)

    async def erasures(self) -> list[ContactKey]:
        return await self._members(self._keys.erasure_indexes())

    async def save_reference(self, name: str, record: bytes) -> None:
        sealed = self._codec.seal(f"ref:{name}", record)
        with self._errors():
            await self._redis.set(self._keys.reference(name), sealed)

    async def load_reference(self, name: str) -> bytes | None:
        with self._errors():
            blob = await self._redis.get(self._keys.reference(name))
        if blob is None:
            return None
        raw = blob if isinstance(blob, bytes) else blob.encode()
        return self._codec.unseal(f"ref:{name}", raw)

    async def traces(self, key: ContactKey) -> list[str]:
        tokens_only = {self._keys.lock(key), self._keys.lock_leases(key)}
        with self._errors():
            names = [
                n.decode() if isinstance(n, bytes) else str(n)
                async for n in self._redis.scan_iter(
                    match=self._keys.contact_pattern(key), count=1000
                )
            ]
            in_outbox = await self._redis.sismember(self._keys.outbox(key), key.digest)
            erasing = await self._redis.sismember(self._keys.erasures(key), key.digest)
        found = [f"store: {name}" for name in sorted(names) if name not in tokens_only]
        if in_outbox:
            found.append(f"store: {self._keys.outbox(key)} (booking calls waiting)")
        if erasing:
            found.append(f"store: {self._keys.erasures(key)} (deletion not finished)")
        return found

    async def claim(self, namespace: str, item_id: str, ttl: timedelta) -> bool:
        name = self._keys.claim(namespace, item_id)
        with self._errors():
            return bool(await self._redis.set(name, b"1", nx=True, px=_millis(ttl)))

    async def claimed(self, namespace: str, item_id: str) -> bool:
        with self._errors():
            return bool(await self._redis.exists(self._keys.claim(namespace, item_id)))

    async def flood(self, key: ContactKey, burst: int, per_second: float) -> Flood:
        if burst < 1 or per_second <= 0:
            raise ValueError("burst must be >= 1 and per_second > 0")
        with self._errors():
            verdict = await self._flood(keys=[self._keys.flood(key)], args=[burst, per_second])
        return Flood(int(verdict))

    def lock(self, key: ContactKey) -> AbstractAsyncContextManager[None]:
        return self._lock(key)

    @asynccontextmanager
    async def _lock(self, key: ContactKey) -> AsyncIterator[None]:
        async with self._hold(key, load=False):
            yield

    def hold(
        self,
        key: ContactKey,
        *,
        message: str = "",
        flood: tuple[int, float] | None = None,
    ) -> AbstractAsyncContextManager[Held]:
        return self._hold(key, message=message, flood=flood)

    @asynccontextmanager
    async def _hold(
        self,
        key: ContactKey,
        *,
        load: bool = True,
        message: str = "",
        flood: tuple[int, float] | None = None,
    ) -> AsyncIterator[_RedisHeld]:
        queue = self._keys.lock(key)
        keys = [
            queue,
            self._keys.lock_leases(key),
            self._keys.session(key),
            self._keys.replies(key),
            self._keys.flood(key),
        ]
        if flood is not None and (flood[0] < 1 or flood[1] <= 0):
            raise ValueError("burst must be >= 1 and per_second > 0")
        tag = _tag(message) if message else ""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._lock_timeout
        try:
            async with self._local.hold(queue, self._lock_timeout):
                left = max(0.001, deadline - loop.time())
                with self._errors():
                    holding, (blob, kept) = await self._locks.enter(
                        keys, load=load, tag=tag, flood=flood, wait=left
                    )
                try:
                    held = _RedisHeld(self, key, keys[:4], holding, tag)
                    if blob is not None:
                        held.session = self._codec.decode(key, _bytes(blob))
                    if kept is not None:
                        label = f"replies:{key.digest}:{tag}"
                        held.kept_replies = self._codec.unseal(label, _bytes(kept)[len(tag) :])
                    yield held
                except BaseException:
                    with self._errors():
                        await holding.release()
                    raise
                await held.finish()
        except LockWaitTimeout:
            raise LockTimeout(
                f"lock of contact {key.digest} not acquired within {self._lock_timeout:g} s"
            ) from None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise StoreUnavailable(
                f"Redis at {self._where} does not answer ({type(exc).__name__}: {exc})"
            ) from None
        except RedisError as exc:
            name = type(exc).__name__
            raise StoreError(f"Redis at {self._where} failed: {name}: {exc}") from None


class _RedisHeld:
    """`Held` on Redis: writes go through `lua.COMMIT` (fenced by the lock's token)."""

    def __init__(
        self, store: RedisStore, key: ContactKey, keys: list[str], holding: Holding, tag: str
    ) -> None:
        self.session: Session | None = None
        self.kept_replies: bytes | None = None
        self._store, self._key, self._keys = store, key, keys
        self._holding, self._tag = holding, tag
        self._staged: tuple[Session, timedelta, bytes | None] | None = None

    async def save(self, session: Session, ttl: timedelta, replies: bytes | None = None) -> None:
        await self._write(session, ttl, replies, release=False)

    def stage(self, session: Session, ttl: timedelta, replies: bytes | None = None) -> None:
        self._staged = (session, ttl, replies)

    async def finish(self) -> None:
        if self._staged is None:
            with self._store._errors():
                await self._holding.release()
            return
        session, ttl, replies = self._staged
        await self._write(session, ttl, replies, release=True)

    async def _write(
        self, session: Session, ttl: timedelta, replies: bytes | None, *, release: bool
    ) -> None:
        store = self._store
        blob = (store._codec.encode(self._key, session), _millis(ttl))
        kept = None
        if replies is not None and self._tag:
            label = f"replies:{self._key.digest}:{self._tag}"
            sealed = self._tag.encode() + store._codec.seal(label, replies)
            kept = (sealed, _millis(REPLIES_KEPT))
        with store._errors():
            written = await self._holding.commit(
                self._keys, release=release, session=blob, replies=kept
            )
        if not written:
            raise LockLost(
                f"contact {self._key.digest}: this handler's lock lease ran out and another "
                "handler took the contact; its write was refused"
            )


def _tag(message: str) -> str:
    """A short tag of a message id (replies are kept under it; no provider id in Redis)."""
    return hashlib.blake2b(message.encode(), digest_size=9).hexdigest()


def _bytes(value: object) -> bytes:
    if not isinstance(value, bytes):  # a client built with decode_responses=True
        raise StoreError("RedisStore needs a client with decode_responses=False")
    return value


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _millis(ttl: timedelta) -> int:
    millis = ceil(ttl.total_seconds() * 1000)
    if millis <= 0:
        raise ValueError("ttl must be positive")
    return millis
