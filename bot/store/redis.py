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
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from datetime import timedelta
from math import ceil
from typing import Any
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.contacts import ContactKey
from bot.engine.session import Session
from bot.store.base import Flood, LockTimeout, StoreError, StoreUnavailable
from bot.store.codec import SessionCodec
from bot.store.keys import KeyBuilder
from bot.store.locks import LEASE, LocalLocks, LockWaitTimeout, QueueLock

log = logging.getLogger(__name__)

_SCHEMES = ("redis", "rediss", "unix")

# A token bucket per contact (KEYS[1]); ARGV: burst, tokens per second. 0 ok, 1 warn, 2 drop.
# Told once per flood: `warned` is cleared only when the bucket is full again (flood over).
_FLOOD = """
local key, burst, rate = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('HMGET', key, 'tokens', 'at', 'warned')
local tokens = tonumber(v[1]) or burst
local at = tonumber(v[2]) or now
tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
local warned, verdict = v[3] or '0', 0
if tokens >= burst then warned = '0' end
if tokens >= 1 then
  tokens = tokens - 1
elseif warned == '1' then
  verdict = 2
else
  warned, verdict = '1', 1
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', now, 'warned', warned)
redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
return verdict
"""


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
        self._flood: Any = client.register_script(_FLOOD)

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
            pool = aioredis.ConnectionPool.from_url(
                url,
                max_connections=max_connections,
                socket_connect_timeout=connect_timeout,
                socket_timeout=command_timeout,
                # Few, short retries: fail fast at start-up instead of hanging the deploy.
                retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=2),
            )
            client = aioredis.Redis.from_pool(pool)  # the client owns (and closes) the pool
        except ValueError as exc:
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
            await self._redis.srem(self._keys.outbox(), key.digest)

    async def outbox_add(self, key: ContactKey) -> None:
        with self._errors():
            await self._redis.sadd(self._keys.outbox(), key.digest)

    async def outbox_remove(self, key: ContactKey) -> None:
        with self._errors():
            await self._redis.srem(self._keys.outbox(), key.digest)

    async def outbox(self) -> list[ContactKey]:
        with self._errors():
            members = await self._redis.smembers(self._keys.outbox())
        return [ContactKey(m.decode() if isinstance(m, bytes) else str(m)) for m in members]

    async def log_append(self, stream: str, record: bytes) -> int:
        name = self._keys.log(stream)
        with self._errors():
            length = await self._redis.rpush(name, self._codec.seal(stream, record))
        return int(length) - 1

    async def log_read(self, stream: str, start: int = 0, count: int = 100) -> list[bytes]:
        name = self._keys.log(stream)
        with self._errors():
            blobs = await self._redis.lrange(name, start, start + count - 1)
        return [
            self._codec.unseal(stream, blob if isinstance(blob, bytes) else blob.encode())
            for blob in blobs
        ]

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
        return self._hold(key)

    @asynccontextmanager
    async def _hold(self, key: ContactKey) -> AsyncIterator[None]:
        queue, leases = self._keys.lock(key), self._keys.lock_leases(key)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._lock_timeout
        try:
            async with self._local.hold(queue, self._lock_timeout):
                with self._errors():
                    left = max(0.001, deadline - loop.time())
                    holding = await self._locks.acquire(queue, leases, left)
                try:
                    yield
                finally:
                    with self._errors():
                        await holding.release()
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


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _millis(ttl: timedelta) -> int:
    millis = ceil(ttl.total_seconds() * 1000)
    if millis <= 0:
        raise ValueError("ttl must be positive")
    return millis
