"""A fair, leased, renewed per-contact lock on Redis: messages of one contact wait in line.

Why not redis-py's `Lock`: its waiters poll, so whichever poll comes first wins and a third
message can be handled before the second (1 burst in 10, measured). Here every handler joins a
queue (a Redis list per contact) when it arrives and holds the lock when its token is at the
head, so messages are handled in the order they reached the bot.

Leases, not a fixed timeout: every token (holder or waiter) has an expiry in a hash next to the
queue, renewed by a background task every third of the lease while its handler runs or waits.
A process killed with SIGKILL stops renewing; within one lease its tokens expire, and the next
waiter removes the dead head and goes on. So a crash blocks a contact for at most one lease
(`LEASE`, well inside Twilio's 15 s), and a slow but alive handler keeps its lock.

Keys: ``<prefix>:{<digest>}:lock`` (the queue) and ``...:lock-leases`` (the hash); both share
the contact's hash tag and expire on their own when nobody uses them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

log = logging.getLogger(__name__)

#: How long a token lives without renewal (a crashed holder blocks the contact this long).
LEASE = 6.0

# KEYS: queue, leases. ARGV: token, lease ms. Returns 1 when the token holds the lock, 0 when
# it waits, -1 when it is in the queue no more (it was taken for dead: join again).
_POLL = """
local queue, leases, token, lease = KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('HEXISTS', leases, token) == 1 then
  redis.call('HSET', leases, token, now + lease)
  redis.call('PEXPIRE', queue, lease * 4)
  redis.call('PEXPIRE', leases, lease * 4)
end
while true do
  local head = redis.call('LINDEX', queue, 0)
  if not head then return -1 end
  if head == token then
    if redis.call('HEXISTS', leases, token) == 0 then
      redis.call('LPOP', queue)
      return -1
    end
    return 1
  end
  local expires = tonumber(redis.call('HGET', leases, head) or '0')
  if expires > now then
    if redis.call('HEXISTS', leases, token) == 0 then return -1 end
    return 0
  end
  redis.call('LPOP', queue)
  redis.call('HDEL', leases, head)
end
"""

_JOIN = """
local queue, leases, token, lease = KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', leases, token, now + lease)
redis.call('LREM', queue, 0, token)
redis.call('RPUSH', queue, token)
redis.call('PEXPIRE', queue, lease * 4)
redis.call('PEXPIRE', leases, lease * 4)
return redis.call('LLEN', queue)
"""

# Removes the token wherever it is (head: the lock passes on; elsewhere: a waiter gave up).
_LEAVE = """
redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""


class LockWaitTimeout(Exception):
    """The lock was not had in time (a Redis token has left the queue by then)."""


@dataclass(slots=True)
class _LocalLock:
    lock: asyncio.Lock
    users: int = 0  # holders plus waiters; the entry is dropped when this returns to 0


class LocalLocks:
    """FIFO locks by name inside one process (asyncio.Lock wakes its waiters in order).

    The memory store's lock, and the first stage of the Redis one: the messages of a contact
    that reach one process are lined up here in arrival order, and only the first of them
    joins the Redis queue (a burst would otherwise race to Redis over several connections).
    """

    def __init__(self) -> None:
        self._locks: dict[str, _LocalLock] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def hold(self, name: str, wait: float) -> AsyncIterator[None]:
        entry = self._locks.get(name)
        if entry is None:
            entry = self._locks[name] = _LocalLock(asyncio.Lock())
        entry.users += 1
        try:
            try:
                async with asyncio.timeout(wait):
                    await entry.lock.acquire()
            except TimeoutError:
                raise LockWaitTimeout from None
            try:
                yield
            finally:
                entry.lock.release()
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[name]


class QueueLock:
    """Fair leased locks on one Redis client; `hold(queue_key, leases_key)` is the lock."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        wait: float,
        lease: float = LEASE,
        poll: float = 0.01,
        max_poll: float = 0.1,
    ) -> None:
        if min(wait, lease, poll, max_poll) <= 0:
            raise ValueError("wait, lease and poll must be > 0")
        self._redis = client
        self.wait = wait
        self.lease = lease
        self._poll = poll
        self._max_poll = max_poll
        self._poll_script: Any = client.register_script(_POLL)
        self._join_script: Any = client.register_script(_JOIN)
        self._leave_script: Any = client.register_script(_LEAVE)

    async def acquire(self, queue: str, leases: str, wait: float | None = None) -> Holding:
        """Join the queue and wait for the head (`LockWaitTimeout` after `wait` seconds, having
        left the queue); the caller must `release()` the returned holding."""
        token = os.urandom(12).hex()
        keys = [queue, leases]
        lease_ms = int(self.lease * 1000)
        await self._join_script(keys=keys, args=[token, lease_ms])
        renewer = asyncio.create_task(self._renew(keys, token, lease_ms))
        holding = Holding(self, keys, token, renewer)
        try:
            await self._wait_for_head(keys, token, lease_ms, self.wait if wait is None else wait)
        except BaseException:
            await holding.release()
            raise
        return holding

    async def _wait_for_head(self, keys: list[str], token: str, lease_ms: int, wait: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        delay = self._poll
        while True:
            state = int(await self._poll_script(keys=keys, args=[token, lease_ms]))
            if state == 1:
                return
            if state == -1:  # taken for dead (this process stalled a whole lease): join again
                log.warning("a lock token outlived its lease while waiting; joining again")
                await self._join_script(keys=keys, args=[token, lease_ms])
            if loop.time() >= deadline:
                raise LockWaitTimeout
            await asyncio.sleep(min(delay, max(0.0, deadline - loop.time())))
            delay = min(delay * 1.5, self._max_poll)

    async def _renew(self, keys: list[str], token: str, lease_ms: int) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                state = int(await self._poll_script(keys=keys, args=[token, lease_ms]))
            except Exception as exc:
                log.warning("lock lease not renewed: %s", type(exc).__name__)
                continue
            if state == -1:
                log.warning("a lock was taken for dead (its process stalled a whole lease)")


@dataclass
class Holding:
    locks: QueueLock
    keys: list[str]
    token: str
    renewer: asyncio.Task[None]

    async def release(self) -> None:
        self.renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.renewer
        # Shielded: a cancelled handler must still hand the lock on (else: one lease).
        await asyncio.shield(self.locks._leave_script(keys=self.keys, args=[self.token]))
