"""The store contract: every backend (memory, Redis) must pass every test here.

Tests that only make sense for a persistent backend (encryption at rest, a wrong secret) or
only for memory (lock bookkeeping) are at the end, on the backend they are about.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
import redis.asyncio as aioredis
from support.stores import CONTRACT_SECRET as SECRET
from support.stores import Backend

from bot.contacts import ContactKey, contact_key
from bot.engine.session import Session
from bot.settings import Settings
from bot.store.base import LockTimeout, StoreError, StoreUnavailable
from bot.store.factory import open_store
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore

PHONE = "+5216641234567"
OTHER_PHONE = "+50922345678"
NAME = "María Xuc Tzoc"
ALICE = contact_key(SECRET, PHONE)
BOB = contact_key(SECRET, OTHER_PHONE)
HOUR = timedelta(hours=1)


def make_session(phone: str = PHONE, name: str = NAME) -> Session:
    return Session(
        phone=phone,
        lang="es",
        flow="register",
        step="ask_birth_date",
        slots={"full_name": name, "birth_date": "1990-12-31"},
    )


# -- load / save ----------------------------------------------------------------------------


async def test_load_missing_returns_none(backend: Backend) -> None:
    assert await backend.store.load(ALICE) is None


async def test_save_then_load_round_trips(backend: Backend) -> None:
    session = make_session()
    await backend.store.save(ALICE, session, HOUR)
    assert await backend.store.load(ALICE) == session
    assert await backend.store.load(BOB) is None


async def test_save_overwrites(backend: Backend) -> None:
    await backend.store.save(ALICE, make_session(), HOUR)
    changed = make_session()
    changed.step = "confirm"
    await backend.store.save(ALICE, changed, HOUR)
    loaded = await backend.store.load(ALICE)
    assert loaded is not None and loaded.step == "confirm"


async def test_store_keeps_copies_not_the_caller_objects(backend: Backend) -> None:
    session = make_session()
    await backend.store.save(ALICE, session, HOUR)
    session.slots["full_name"] = "changed after save"
    loaded = await backend.store.load(ALICE)
    assert loaded is not None
    loaded.slots["full_name"] = "changed after load"
    again = await backend.store.load(ALICE)
    assert again is not None and again.slots["full_name"] == NAME


async def test_session_expires_after_its_ttl(backend: Backend) -> None:
    await backend.store.save(ALICE, make_session(), timedelta(milliseconds=300))
    await backend.advance(0.1)
    assert await backend.store.load(ALICE) is not None
    await backend.advance(0.35)
    assert await backend.store.load(ALICE) is None


async def test_saving_again_renews_the_ttl(backend: Backend) -> None:
    await backend.store.save(ALICE, make_session(), timedelta(milliseconds=300))
    await backend.advance(0.2)
    await backend.store.save(ALICE, make_session(), timedelta(milliseconds=300))
    await backend.advance(0.2)
    assert await backend.store.load(ALICE) is not None


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(seconds=-1)], ids=["zero", "negative"])
async def test_non_positive_ttl_is_refused(backend: Backend, ttl: timedelta) -> None:
    with pytest.raises(ValueError, match="ttl"):
        await backend.store.save(ALICE, make_session(), ttl)
    with pytest.raises(ValueError, match="ttl"):
        await backend.store.claim("twilio", "SM1", ttl)


# -- claims ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimStep:
    label: str
    namespace: str
    item_id: str
    expected: bool


CLAIM_SEQUENCE = [
    ClaimStep("first sight of a message", "twilio", "SM0001", True),
    ClaimStep("Twilio retry of the same message", "twilio", "SM0001", False),
    ClaimStep("another message", "twilio", "SM0002", True),
    ClaimStep("same id in another namespace", "status", "SM0001", True),
    ClaimStep("retry in that namespace", "status", "SM0001", False),
    ClaimStep("first namespace still remembers", "twilio", "SM0001", False),
]


async def test_claims_in_sequence(backend: Backend) -> None:
    for step in CLAIM_SEQUENCE:
        got = await backend.store.claim(step.namespace, step.item_id, HOUR)
        assert got is step.expected, step.label


async def test_claim_is_free_again_after_its_ttl(backend: Backend) -> None:
    assert await backend.store.claim("twilio", "SM9", timedelta(milliseconds=200))
    await backend.advance(0.3)
    assert await backend.store.claim("twilio", "SM9", HOUR)


async def test_concurrent_claims_have_one_winner(backend: Backend) -> None:
    results = await asyncio.gather(*(backend.store.claim("twilio", "SMX", HOUR) for _ in range(10)))
    assert sorted(results) == [False] * 9 + [True]


@pytest.mark.parametrize(
    ("namespace", "item_id"),
    [
        ("twilio", PHONE),
        ("twilio", "whatsapp:" + PHONE),
        ("twilio", ""),
        ("Twilio:x", "SM1"),
        ("", "SM1"),
    ],
    ids=["phone-as-id", "address-as-id", "empty-id", "colon-in-namespace", "empty-namespace"],
)
async def test_claim_refuses_unsafe_ids(backend: Backend, namespace: str, item_id: str) -> None:
    with pytest.raises(ValueError) as caught:
        await backend.store.claim(namespace, item_id, HOUR)
    assert PHONE not in str(caught.value)


# -- delete ---------------------------------------------------------------------------------


async def test_delete_removes_the_session_and_only_that_contacts(backend: Backend) -> None:
    await backend.store.save(ALICE, make_session(), HOUR)
    await backend.store.save(BOB, make_session(OTHER_PHONE, "Jean Pierre"), HOUR)
    await backend.store.delete(ALICE)
    assert await backend.store.load(ALICE) is None
    assert await backend.store.load(BOB) is not None


async def test_delete_leaves_no_key_of_the_contact(backend: Backend) -> None:
    async with backend.store.lock(ALICE):  # "delete my data" runs under the contact's lock
        await backend.store.save(ALICE, make_session(), HOUR)
        await backend.store.delete(ALICE)
    alice_keys = [k for k in await backend.raw_keys() if ALICE.digest in k]
    assert alice_keys == []


async def test_delete_of_unknown_contact_is_a_no_op(backend: Backend) -> None:
    await backend.store.delete(ALICE)


# -- locks ----------------------------------------------------------------------------------


async def _overlaps(backend: Backend, first: ContactKey, second: ContactKey) -> bool:
    """Run two handlers at once; True if their critical sections overlapped."""
    events: list[str] = []

    async def handler(name: str, key: ContactKey) -> None:
        async with backend.store.lock(key):
            events.append(f"enter {name}")
            await asyncio.sleep(0.1)
            events.append(f"exit {name}")

    await asyncio.gather(handler("a", first), handler("b", second))
    return events[1].startswith("enter")


@pytest.mark.parametrize(
    ("label", "second", "overlap"),
    [("same contact waits", ALICE, False), ("other contact runs at once", BOB, True)],
)
async def test_lock_is_per_contact(
    backend: Backend, label: str, second: ContactKey, overlap: bool
) -> None:
    assert await _overlaps(backend, ALICE, second) is overlap, label


async def test_lock_wait_is_bounded_by_lock_timeout(backend: Backend) -> None:
    store = backend.open(lock_timeout=0.2)
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with store.lock(ALICE):
            holding.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await holding.wait()
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(LockTimeout, match=ALICE.digest):
        async with store.lock(ALICE):
            pytest.fail("entered a lock that another handler holds")
    assert 0.15 <= loop.time() - started < 2.0
    release.set()
    await task
    async with store.lock(ALICE):  # free again once the holder is done
        pass


async def test_lock_is_released_when_the_handler_fails(backend: Backend) -> None:
    with pytest.raises(RuntimeError):
        async with backend.store.lock(ALICE):
            raise RuntimeError("handler crashed")
    store = backend.open(lock_timeout=0.2)
    async with store.lock(ALICE):
        pass


# -- privacy --------------------------------------------------------------------------------


async def test_keys_never_contain_the_phone_number(backend: Backend) -> None:
    await backend.store.save(ALICE, make_session(), HOUR)
    await backend.store.claim("twilio", "SM0001", HOUR)
    async with backend.store.lock(ALICE):
        keys = await backend.raw_keys()
    assert len(keys) >= 2
    digits = PHONE.lstrip("+")
    for key in keys:
        assert digits not in key and digits[-7:] not in key, key
    prefix = backend.keys.prefix
    assert f"{prefix}:{{{ALICE.digest}}}:session" in keys
    assert f"{prefix}:claim:twilio:SM0001" in keys


# -- Redis only -----------------------------------------------------------------------------


@pytest.mark.redis
async def test_redis_values_are_encrypted_at_rest(
    redis_backend: Backend, redis_inspector: aioredis.Redis
) -> None:
    await redis_backend.store.save(ALICE, make_session(), HOUR)
    raw = await redis_inspector.get(redis_backend.keys.session(ALICE))
    assert isinstance(raw, bytes)
    for secret_text in (NAME, "Xuc", PHONE, PHONE[-7:], "1990-12-31", "full_name"):
        for encoding in ("utf-8", "utf-16-le"):
            assert secret_text.encode(encoding) not in raw, secret_text


@pytest.mark.redis
async def test_redis_session_ttl_is_set(
    redis_backend: Backend, redis_inspector: aioredis.Redis
) -> None:
    await redis_backend.store.save(ALICE, make_session(), timedelta(days=30))
    ttl_ms = await redis_inspector.pttl(redis_backend.keys.session(ALICE))
    assert 29 * 86_400_000 < ttl_ms <= 30 * 86_400_000


@pytest.mark.redis
async def test_redis_wrong_secret_is_a_clear_store_error(redis_backend: Backend) -> None:
    await redis_backend.store.save(ALICE, make_session(), HOUR)
    stranger = redis_backend.open(secret="another-secret")
    with pytest.raises(StoreError, match="FRONTDOOR_SECRET_KEY") as caught:
        await stranger.load(ALICE)
    assert caught.value.__cause__ is None and PHONE not in str(caught.value)


@pytest.mark.redis
async def test_redis_value_copied_to_another_contact_does_not_decrypt(
    redis_backend: Backend, redis_inspector: aioredis.Redis
) -> None:
    await redis_backend.store.save(ALICE, make_session(), HOUR)
    raw = await redis_inspector.get(redis_backend.keys.session(ALICE))
    assert isinstance(raw, bytes)
    await redis_inspector.set(redis_backend.keys.session(BOB), raw, ex=60)
    with pytest.raises(StoreError, match="another contact"):
        await redis_backend.store.load(BOB)


@pytest.mark.redis
async def test_open_store_uses_configured_redis(redis_url: str) -> None:
    store = await open_store(Settings(redis_url=redis_url))
    try:
        assert isinstance(store, RedisStore)
    finally:
        await store.close()


# -- factory (no server needed) -------------------------------------------------------------


async def test_open_store_without_redis_url_is_memory() -> None:
    store = await open_store(Settings(redis_url=None))
    assert isinstance(store, MemoryStore)


@pytest.mark.parametrize(
    ("label", "url", "names"),
    [
        ("nothing listens", "redis://:hunter2@127.0.0.1:1/0", "127.0.0.1:1/0"),
        ("not a redis URL", "http://:hunter2@127.0.0.1:6379", "127.0.0.1:6379"),
        ("bad port", "redis://:hunter2@127.0.0.1:99999", "unparsable"),
    ],
)
async def test_open_store_with_unusable_redis_raises(label: str, url: str, names: str) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(StoreUnavailable) as caught:
        await open_store(Settings(redis_url=url))
    message = str(caught.value)
    assert names in message, label
    assert "hunter2" not in message, label
    assert loop.time() - started < 3.0, label


@asynccontextmanager
async def fake_server(reply: bytes | None) -> AsyncIterator[str]:
    """A local TCP server that answers every connection with `reply` (None: stays silent)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        if reply is not None:
            writer.write(reply)
            await writer.drain()
        await reader.read()  # until the client hangs up
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.close()


@pytest.mark.parametrize(
    ("label", "reply", "match"),
    [
        ("silent server", None, "did not answer within 0.3 s"),
        ("an HTTP server", b"HTTP/1.1 400 Bad Request\r\n\r\n", "Protocol Error"),
    ],
)
async def test_ping_of_something_that_is_not_redis(
    label: str, reply: bytes | None, match: str
) -> None:
    async with fake_server(reply) as url:
        store = RedisStore.from_url(url, SECRET, ping_timeout=0.3)
        try:
            with pytest.raises(StoreUnavailable, match=match):
                await store.ping()
        finally:
            await store.close()


@pytest.mark.redis
async def test_open_store_with_db_index_out_of_range(redis_url: str) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/999"
    with pytest.raises(StoreUnavailable, match="/999"):
        await open_store(Settings(redis_url=url))


# -- memory only ----------------------------------------------------------------------------


async def test_memory_locks_are_dropped_when_unused(memory_backend: Backend) -> None:
    store = memory_backend.open(lock_timeout=0.05)
    assert isinstance(store, MemoryStore)
    default = memory_backend.store
    assert isinstance(default, MemoryStore)
    await _overlaps(memory_backend, ALICE, ALICE)
    await _overlaps(memory_backend, ALICE, BOB)
    assert default.active_locks() == 0
    async with store.lock(ALICE):
        assert store.active_locks() == 1
        with pytest.raises(LockTimeout):
            async with store.lock(ALICE):
                pass
    assert store.active_locks() == 0


# -- outbox and logs (booking calls to replay, booking events) -------------------------------


async def test_outbox_holds_contacts_until_removed(backend: Backend) -> None:
    store = backend.store
    assert await store.outbox() == []
    await store.outbox_add(ALICE)
    await store.outbox_add(ALICE)
    await store.outbox_add(BOB)
    assert sorted(k.digest for k in await store.outbox()) == sorted([ALICE.digest, BOB.digest])
    await store.outbox_remove(ALICE)
    assert [k.digest for k in await store.outbox()] == [BOB.digest]


async def test_delete_my_data_also_leaves_the_outbox(backend: Backend) -> None:
    await backend.store.save(ALICE, make_session(), HOUR)
    await backend.store.outbox_add(ALICE)
    await backend.store.delete(ALICE)
    assert await backend.store.outbox() == []


async def test_log_keeps_records_in_order(backend: Backend) -> None:
    store = backend.store
    assert await store.log_read("booking-events") == []
    indexes = [await store.log_append("booking-events", f"event {i}".encode()) for i in range(5)]
    assert indexes == [0, 1, 2, 3, 4]
    assert await store.log_read("booking-events", 1, 2) == [b"event 1", b"event 2"]
    assert await store.log_read("other") == []


async def test_log_stream_names_are_checked(backend: Backend) -> None:
    with pytest.raises(ValueError, match="invalid log stream"):
        await backend.store.log_append("+5216641234567", b"x")


async def test_log_trim_keeps_indexes(backend: Backend) -> None:
    """A consumer's cursor stays valid after the records it has read are trimmed."""
    store = backend.store
    for i in range(6):
        await store.log_append("booking-events", f"event {i}".encode())
    assert await store.log_trim("booking-events", 4) == 4
    assert await store.log_first("booking-events") == 4
    assert await store.log_trim("booking-events", 2) == 0  # already gone
    assert await store.log_read("booking-events", 4, 10) == [b"event 4", b"event 5"]
    # Reading from before the first kept record starts at it.
    assert await store.log_read("booking-events", 0, 5) == [b"event 4"]
    assert await store.log_append("booking-events", b"event 6") == 6
    assert await store.log_trim("booking-events", 100) == 3
    assert await store.log_first("booking-events") == 7
    assert await store.log_read("booking-events", 7) == []


async def test_log_purge_blanks_records_in_place(backend: Backend) -> None:
    store = backend.store
    for name in ("ana", "bob", "ana", "eve"):
        await store.log_append("booking-events", name.encode())
    await store.log_trim("booking-events", 1)
    assert await store.log_purge("booking-events", lambda record: record == b"ana") == 1
    assert await store.log_read("booking-events", 1) == [b"bob", b"", b"eve"]
    assert await store.log_purge("booking-events", lambda record: record == b"ana") == 0


async def test_erasure_record_outlives_delete(backend: Backend) -> None:
    store = backend.store
    await store.save(ALICE, make_session(), HOUR)
    await store.save_erasure(ALICE, b'{"pending": true}')
    await store.delete(ALICE)
    assert await store.load(ALICE) is None
    assert await store.load_erasure(ALICE) == b'{"pending": true}'
    assert await store.load_erasure(BOB) is None
    assert await store.erasures() == [ALICE]
    await store.drop_erasure(ALICE)
    assert await store.load_erasure(ALICE) is None
    assert await store.erasures() == []
    assert [k for k in await backend.raw_keys() if ALICE.digest in k] == []


async def test_traces_name_every_key_of_a_contact(backend: Backend) -> None:
    store = backend.store
    assert await store.traces(ALICE) == []
    await store.save(ALICE, make_session(), HOUR)
    await store.save(BOB, make_session(OTHER_PHONE), HOUR)
    await store.outbox_add(ALICE)
    await store.save_erasure(ALICE, b"{}")
    async with store.lock(ALICE):
        found = await store.traces(ALICE)
    assert len(found) == 4
    assert all(ALICE.digest in line or "outbox" in line or "erasures" in line for line in found)
    assert not any(BOB.digest in line or ":lock" in line for line in found)
    await store.delete(ALICE)
    await store.drop_erasure(ALICE)
    assert await store.traces(ALICE) == []


async def test_reference_data_is_kept_for_every_process(backend: Backend) -> None:
    """The last known port list: kept without expiry, read back by another store object."""
    assert await backend.store.load_reference("ports") is None
    await backend.store.save_reference("ports", b'[{"id": "laredo"}]')
    await backend.store.save_reference("ports", b'[{"id": "nogales"}]')
    # Redis: another process's store sees it (memory is one process's store by design).
    other = backend.open() if backend.name != "memory" else backend.store
    assert await other.load_reference("ports") == b'[{"id": "nogales"}]'
    with pytest.raises(ValueError, match="invalid reference name"):
        await backend.store.save_reference("+5216641234567", b"x")


async def test_sharded_log_keeps_each_registrations_records_in_order(backend: Backend) -> None:
    """On a cluster the events log is spread over shards (slots); one registration's records
    stay in one shard, in order, and every record is in exactly one shard."""
    store = backend.store
    shards = store.log_shards("booking-events")
    assert len(shards) == (4 if backend.name == "cluster" else 1)
    assert len(set(shards)) == len(shards)
    for i in range(12):
        registration = f"reg-{i % 5}"
        assert store.log_shard("booking-events", registration) in shards
        await store.log_append(
            store.log_shard("booking-events", registration), f"{registration} {i}".encode()
        )
    everything = [r for shard in shards for r in await store.log_read(shard, 0, 100)]
    assert sorted(everything) == sorted(f"reg-{i % 5} {i}".encode() for i in range(12))
    for n in range(5):
        shard = store.log_shard("booking-events", f"reg-{n}")
        records = await store.log_read(shard, 0, 100)
        mine = [r for r in records if r.startswith(f"reg-{n} ".encode())]
        assert mine == [f"reg-{n} {i}".encode() for i in range(12) if i % 5 == n]
