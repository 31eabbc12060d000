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

from bot.store import lua
from bot.store.base import Flood, Flooded

log = logging.getLogger(__name__)

#: How long a token lives without renewal (a crashed holder blocks the contact this long).
LEASE = 6.0


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
    """Fair leased locks on one Redis client.

    `enter(keys, ...)` joins the queue and waits for the head with `lua.ENTER`, which also
    loads what the holder needs in the same round trip (the session); `acquire` is the bare
    lock. The returned `Holding` is renewed while held and must be ended with `release()`
    or `commit(...)` (bot/store/lua.py: the fenced write that also releases)."""

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
        self.lease_ms = int(lease * 1000)
        self._poll = poll
        self._max_poll = max_poll
        self._poll_script: Any = client.register_script(lua.POLL)
        self._enter_script: Any = client.register_script(lua.ENTER)
        self._commit_script: Any = client.register_script(lua.COMMIT)
        self._leave_script: Any = client.register_script(lua.LEAVE)

    async def acquire(self, queue: str, leases: str, wait: float | None = None) -> Holding:
        """The lock alone (nothing loaded); `LockWaitTimeout` after `wait` seconds."""
        holding, _ = await self.enter([queue, leases, queue, queue, queue], wait=wait)
        return holding

    async def enter(
        self,
        keys: list[str],
        *,
        load: bool = False,
        tag: str = "",
        flood: tuple[int, float] | None = None,
        wait: float | None = None,
    ) -> tuple[Holding, list[Any]]:
        """Join the queue of ``keys[:2]`` and wait for the head; returns the holding and
        what `lua.ENTER` loaded (session, replies). Raises `Flooded` (not in line) or
        `LockWaitTimeout` (having left the queue)."""
        token = os.urandom(12).hex()
        burst, rate = flood if flood is not None else (0, 0.0)
        args: list[Any] = [token, self.lease_ms, 1, int(load), tag, burst, rate]
        answer = await self._enter_script(keys=keys, args=args)
        if int(answer[0]) != 0:
            raise Flooded(Flood(int(answer[0])))
        holding = Holding(self, keys[:2], token)
        try:
            state = int(answer[1])
            if state != 1:
                answer = await self._wait_for_head(keys, args, state, wait)
        except BaseException:
            await holding.release()
            raise
        holding.start_renewal()
        loaded = list(answer[2:])
        return holding, loaded + [None] * (2 - len(loaded))

    async def _wait_for_head(
        self, keys: list[str], args: list[Any], state: int, wait: float | None
    ) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.wait if wait is None else wait)
        delay = self._poll
        while True:
            # A waiter renews its own lease with every poll; one that was taken for dead (this
            # process stalled a whole lease) joins again, at the back.
            if state == -1:
                log.warning("a lock token outlived its lease while waiting; joining again")
            args = [*args[:2], int(state == -1), *args[3:5], 0, 0]  # no second flood token
            if loop.time() >= deadline:
                raise LockWaitTimeout
            await asyncio.sleep(min(delay, max(0.0, deadline - loop.time())))
            delay = min(delay * 1.5, self._max_poll)
            answer = await self._enter_script(keys=keys, args=args)
            state = int(answer[1])
            if state == 1:
                return answer

    async def _renew(self, keys: list[str], token: str) -> None:
        while True:
            try:
                state = int(await self._poll_script(keys=keys, args=[token, self.lease_ms]))
            except Exception as exc:
                log.warning("lock lease not renewed: %s", type(exc).__name__)
                state = 1
            if state == -1:
                log.warning("a lock was taken for dead (its process stalled a whole lease)")
            await asyncio.sleep(self.lease / 3)


@dataclass
class Holding:
    """A token at the head of a contact's queue. Renewal is a timer, not a task, until the
    holder has held for a third of a lease (most messages are done long before)."""

    locks: QueueLock
    keys: list[str]
    token: str
    _timer: asyncio.TimerHandle | None = None
    renewer: asyncio.Task[None] | None = None

    def start_renewal(self) -> None:
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.locks.lease / 3, self._start_renewer)

    def _start_renewer(self) -> None:
        self._timer = None
        self.renewer = asyncio.create_task(self.locks._renew(self.keys, self.token))

    def stop_renewal(self) -> None:
        """Stop renewing (what a killed process does; tests use it to play one)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.renewer is not None:
            self.renewer.cancel()

    async def _stopped(self) -> None:
        self.stop_renewal()
        if self.renewer is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.renewer
            self.renewer = None

    async def release(self) -> None:
        await self._stopped()
        # Shielded: a cancelled handler must still hand the lock on (else: one lease).
        await asyncio.shield(self.locks._leave_script(keys=self.keys, args=[self.token]))

    async def commit(
        self,
        keys: list[str],
        *,
        release: bool,
        session: tuple[bytes, int] | None = None,
        replies: tuple[bytes, int] | None = None,
    ) -> bool:
        """Write the session and the kept replies if this token still holds the lock (True),
        else write nothing (False); with ``release``, leave the queue in the same step."""
        if release:
            await self._stopped()
        blob, ttl = session if session is not None else (b"", 0)
        kept, kept_ttl = replies if replies is not None else (b"", 0)
        args = [self.token, int(release), blob, ttl, kept, kept_ttl, self.locks.lease_ms]
        call = self.locks._commit_script(keys=keys, args=args)
        return bool(int(await (asyncio.shield(call) if release else call)))
