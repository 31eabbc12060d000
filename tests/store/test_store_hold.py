"""`Store.hold`: the lock with the session in one round trip, the last write with the
release in one more, and writes fenced by the lock (two writers never both win).

Every test runs on memory and on a real Redis (tests/store/conftest.py); the ones about a
holder that stalls past its lease are Redis only (a memory lock dies with its process).
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from support.stores import CONTRACT_SECRET as SECRET
from support.stores import Backend

from bot.contacts import contact_key
from bot.engine.session import Session
from bot.store.base import Flood, Flooded, LockLost
from bot.store.redis import RedisStore

PHONE = "+5216641234567"
ALICE = contact_key(SECRET, PHONE)
BOB = contact_key(SECRET, "+50922345678")
HOUR = timedelta(hours=1)


def session(step: str = "start", count: int = 0) -> Session:
    return Session(phone=PHONE, step=step, slots={"count": count})


async def test_hold_loads_the_session_and_stages_the_last_write(backend: Backend) -> None:
    store = backend.store
    async with store.hold(ALICE) as held:
        assert held.session is None
        held.stage(session("one"), HOUR)
        assert await store.load(ALICE) is None  # staged: written with the release
    loaded = await store.load(ALICE)
    assert loaded is not None and loaded.step == "one"
    async with store.hold(ALICE) as held:
        assert held.session == loaded
        await held.save(session("two"), HOUR)  # now: before side effects
        now = await store.load(ALICE)
        assert now is not None and now.step == "two"


async def test_a_failing_handler_writes_nothing_staged_and_frees_the_lock(
    backend: Backend,
) -> None:
    store = backend.open(lock_timeout=0.5)
    with pytest.raises(RuntimeError):
        async with store.hold(ALICE) as held:
            held.stage(session("never"), HOUR)
            raise RuntimeError("handler failed")
    assert await store.load(ALICE) is None
    async with store.hold(ALICE) as held:  # not left locked
        assert held.session is None


async def test_replies_are_kept_for_the_same_message_only(backend: Backend) -> None:
    store = backend.store
    async with store.hold(ALICE, message="SM1") as held:
        assert held.kept_replies is None
        held.stage(session(), HOUR, b'[{"text":"hola"}]')
    async with store.hold(ALICE, message="SM1") as held:  # a retry of SM1
        assert held.kept_replies == b'[{"text":"hola"}]'
    async with store.hold(ALICE, message="SM2") as held:  # another message
        assert held.kept_replies is None
    async with store.hold(BOB, message="SM1") as held:  # another contact
        assert held.kept_replies is None
    await store.delete(ALICE)  # "delete my data" takes them too
    async with store.hold(ALICE, message="SM1") as held:
        assert held.kept_replies is None and held.session is None


async def test_flood_limit_is_taken_with_the_lock(backend: Backend) -> None:
    verdicts = []
    for _ in range(5):
        try:
            async with backend.store.hold(ALICE, flood=(3, 0.01)):
                verdicts.append(Flood.OK)
        except Flooded as flooded:
            verdicts.append(flooded.verdict)
    assert verdicts == [Flood.OK] * 3 + [Flood.WARN, Flood.DROP]
    async with backend.store.hold(BOB, flood=(3, 0.01)):
        pass  # others are not affected


async def test_two_concurrent_writers_never_both_win(backend: Backend) -> None:
    """Two writers (on Redis: two stores, as two processes; a memory store is one process's
    own) add 1 to one counter 40 times each, concurrently: every read-modify-write under
    `hold` sees the one before it, none is lost."""
    first = backend.store
    second = backend.open(lock_timeout=10.0) if backend.name == "redis" else first
    seen: list[int] = []

    async def writer(store: Any) -> None:
        for _ in range(40):
            async with store.hold(ALICE) as held:
                count = 0 if held.session is None else int(held.session.slots["count"])
                seen.append(count)
                await asyncio.sleep(0)
                held.stage(session(count=count + 1), HOUR)

    await asyncio.gather(writer(first), writer(second))
    final = await first.load(ALICE)
    assert final is not None and final.slots["count"] == 80
    assert sorted(seen) == list(range(80))


@pytest.mark.redis
def test_redis_a_holder_that_stalled_past_its_lease_cannot_write(
    redis_backend: Backend, redis_url: str
) -> None:
    """A holds the lock and stalls (its event loop blocked: a GC pause, a descheduled
    process) for longer than its lease; B takes the contact and writes; A's writes, now or
    with its release, are refused with `LockLost`, and B's state stands."""
    keys = redis_backend.keys
    a_holds, b_done = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def stalled_writer() -> None:
        async def run() -> None:
            store = RedisStore.from_url(redis_url, SECRET, keys=keys, lock_lease=0.3)
            try:
                async with store.hold(ALICE) as held:
                    a_holds.set()
                    time.sleep(0.8)  # noqa: ASYNC251 (on purpose: this loop stalls, no renewal)
                    b_done.wait(5)
                    try:
                        await held.save(session("A now"), HOUR)
                    except LockLost as exc:
                        outcome["save"] = exc
                    held.stage(session("A at release"), HOUR)
            except LockLost as exc:
                outcome["release"] = exc
            finally:
                await store.close()

        asyncio.run(run())

    async def other_writer() -> None:
        store = RedisStore.from_url(redis_url, SECRET, keys=keys, lock_timeout=5.0)
        try:
            await asyncio.to_thread(a_holds.wait, 5)
            async with store.hold(ALICE) as held:
                held.stage(session("B"), HOUR)
            b_done.set()
            await asyncio.to_thread(thread.join, 10)
            outcome["final"] = await store.load(ALICE)
        finally:
            await store.close()

    thread = threading.Thread(target=stalled_writer)
    thread.start()
    asyncio.run(other_writer())
    assert isinstance(outcome.get("save"), LockLost)
    assert isinstance(outcome.get("release"), LockLost)
    assert outcome["final"] is not None and outcome["final"].step == "B"


@pytest.mark.redis
async def test_redis_a_message_costs_two_round_trips(
    redis_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uncontended: one command to hold (flood token, lock, session, kept replies), one to
    write and release; counted at the client's `execute_command` (every command and every
    script call goes through it, a NOSCRIPT reload too)."""
    store = redis_backend.store
    assert isinstance(store, RedisStore)
    client = store._redis
    sent: list[str] = []
    execute: Any = client.execute_command

    async def counting(*args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return await execute(*args, **options)

    monkeypatch.setattr(client, "execute_command", counting)
    async with store.hold(ALICE, message="SM1", flood=(10, 1.0)) as held:
        held.stage(session("one"), HOUR, b"[]")
    sent.clear()  # the first use loads the scripts
    async with store.hold(ALICE, message="SM2", flood=(10, 1.0)) as held:
        assert held.session is not None and held.session.step == "one"
        held.stage(session("two"), HOUR, b"[]")
    assert sent == ["EVALSHA", "EVALSHA"]
