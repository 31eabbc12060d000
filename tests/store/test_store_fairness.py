"""Locks that fit Twilio's clock, flood buckets and read-only claims, on every backend.

Order: messages of one contact are handled in the order they reached the bot (the lock is a
queue, not a race). Crash: a holder that dies without releasing blocks its contact for one
lease at most (Redis; memory locks die with their process). Renewal: a holder slower than
its lease keeps the lock.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from support.stores import CONTRACT_SECRET as SECRET
from support.stores import Backend

from bot.contacts import contact_key
from bot.store.base import Flood
from bot.store.locks import QueueLock
from bot.store.redis import RedisStore

ALICE = contact_key(SECRET, "+5216641234567")
BOB = contact_key(SECRET, "+50922345678")


async def test_waiters_enter_in_arrival_order(backend: Backend) -> None:
    """Twenty handlers of one contact arriving 2 ms apart run one by one, in that order."""
    entered: list[int] = []

    async def handler(number: int) -> None:
        async with backend.store.lock(ALICE):
            entered.append(number)
            await asyncio.sleep(0.005)

    tasks = []
    for number in range(20):
        tasks.append(asyncio.create_task(handler(number)))
        await asyncio.sleep(0.002)
    await asyncio.gather(*tasks)
    assert entered == list(range(20))


async def test_claimed_reads_without_claiming(backend: Backend) -> None:
    assert not await backend.store.claimed("inbound", "abc123")
    assert not await backend.store.claimed("inbound", "abc123")  # asking claims nothing
    assert await backend.store.claim("inbound", "abc123", timedelta(milliseconds=300))
    assert await backend.store.claimed("inbound", "abc123")
    await backend.advance(0.4)
    assert not await backend.store.claimed("inbound", "abc123")


async def test_flood_bucket_warns_once_then_drops_then_refills(backend: Backend) -> None:
    verdicts = [await backend.store.flood(ALICE, 3, 5.0) for _ in range(6)]
    assert verdicts == [Flood.OK] * 3 + [Flood.WARN, Flood.DROP, Flood.DROP]
    assert await backend.store.flood(BOB, 3, 5.0) is Flood.OK  # others are not affected
    await backend.advance(0.25)  # > one token at 5 per second
    assert await backend.store.flood(ALICE, 3, 5.0) is Flood.OK
    assert await backend.store.flood(ALICE, 3, 5.0) is Flood.DROP  # the same flood: told already
    await backend.advance(0.8)  # full again: the flood is over
    verdicts = [await backend.store.flood(ALICE, 3, 5.0) for _ in range(4)]
    assert verdicts == [Flood.OK] * 3 + [Flood.WARN]  # a new flood: told again


async def test_delete_my_data_removes_the_flood_bucket(backend: Backend) -> None:
    await backend.store.flood(ALICE, 3, 1.0)
    await backend.store.delete(ALICE)
    assert [k for k in await backend.raw_keys() if ALICE.digest in k] == []


@pytest.mark.redis
async def test_redis_lock_of_a_dead_holder_expires_after_one_lease(
    redis_backend: Backend,
) -> None:
    """A holder killed without releasing (its renewal stops, nothing runs `finally`)."""
    store = redis_backend.open(lock_lease=0.5, lock_timeout=3.0)
    assert isinstance(store, RedisStore)
    locks: QueueLock = store._locks
    keys = redis_backend.keys
    dead = await locks.acquire(keys.lock(ALICE), keys.lock_leases(ALICE))
    dead.stop_renewal()  # the process is gone: no renewal, no release
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with store.lock(ALICE):
        waited = loop.time() - started
    assert 0.3 <= waited < 1.5


@pytest.mark.redis
async def test_redis_lock_is_renewed_while_its_holder_works(redis_backend: Backend) -> None:
    store = redis_backend.open(lock_lease=0.3, lock_timeout=0.2)
    order: list[str] = []

    async def slow() -> None:
        async with store.lock(ALICE):
            order.append("slow in")
            await asyncio.sleep(1.0)  # > three leases
            order.append("slow out")

    task = asyncio.create_task(slow())
    await asyncio.sleep(0.05)
    for _ in range(3):
        with pytest.raises(Exception, match="not acquired"):
            async with store.lock(ALICE):
                order.append("entered while held")
    await task
    assert order == ["slow in", "slow out"]
