"""Where the keys land on a real Redis Cluster: the global indexes spread over the masters,
the keys used together share a slot, and the send ledger and the job queue run there (redis-py
refuses a command whose keys are on two slots, so a cross-slot call fails these tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.redis import unique_prefix
from support.redis_cluster import RedisClusterNodes, command

from bot.contacts import ContactKey
from bot.jobs.ledger import Delivery, RedisLedger, SendState
from bot.jobs.queue import notify_stream, send_stream
from bot.settings import Settings
from bot.store.keys import KeyBuilder

pytestmark = pytest.mark.redis


def _slot(nodes: RedisClusterNodes, key: str) -> int:
    return int(command(nodes.client(nodes.master_ports()[0]), "CLUSTER KEYSLOT", key))


def test_global_indexes_are_spread_over_every_master(redis_cluster: RedisClusterNodes) -> None:
    keys = KeyBuilder("fd", cluster=True, shards=16)
    for shards in (keys.outboxes(), keys.erasure_indexes()):
        assert len({_slot(redis_cluster, name) for name in shards}) == 16
        assert len({redis_cluster.master_of(name) for name in shards}) == 3
    logs = keys.log_shards("booking-events")
    assert len({redis_cluster.master_of(keys.log(stream)) for stream in logs}) == 3
    for stream in logs:  # a log and its base are read and written together
        assert _slot(redis_cluster, keys.log(stream)) == _slot(redis_cluster, keys.log_base(stream))


def test_one_server_keeps_its_key_names() -> None:
    """Off a cluster nothing moves: the names a running single Redis already holds."""
    keys = KeyBuilder("fd", shards=16)
    assert keys.outboxes() == ["fd:outbox"]
    assert keys.log_shards("booking-events") == ["booking-events"]
    assert keys.log_base("booking-events") == "fd:log:booking-events:base"
    settings = Settings(redis_key_prefix="fd")
    assert (notify_stream(settings), send_stream(settings)) == ("fd:jobs:notify", "fd:jobs:send")


def test_contact_and_queue_keys_share_their_slot(redis_cluster: RedisClusterNodes) -> None:
    keys = KeyBuilder("fd", cluster=True, shards=16)
    contact = ContactKey("ab" * 16)
    together = [keys.session(contact), keys.replies(contact), keys.lock(contact),
                keys.lock_leases(contact), keys.flood(contact)]  # fmt: skip
    assert len({_slot(redis_cluster, name) for name in together}) == 1
    settings = Settings(redis_key_prefix="fd", redis_cluster=True)
    streams = [notify_stream(settings), send_stream(settings)]  # one XREADGROUP reads both
    assert len({_slot(redis_cluster, name) for name in streams}) == 1


async def test_the_send_ledger_runs_on_the_cluster(redis_cluster: RedisClusterNodes) -> None:
    prefix = unique_prefix()
    ledger = RedisLedger.from_url(redis_cluster.url, prefix, cluster=True)
    contact, part = "cd" * 16, f"job-{prefix}#0"
    try:
        assert await ledger.begin_part(part, contact, timedelta(seconds=30)) == (None, False, True)
        # Another worker with the same part waits for the lease.
        assert (await ledger.begin_part(part, contact, timedelta(seconds=30)))[2] is False
        attempting = SendState(state="attempting", channel="whatsapp")
        assert await ledger.reserve_attempt("whatsapp:+15005550002", 0.01, part, attempting) >= 0
        sent = SendState(state="sent", sid="SM1", channel="whatsapp")
        delivery = Delivery(job_id="job", contact=contact, channel="whatsapp")
        await ledger.finish_part(part, sent, "SM" + prefix, delivery)
        state, opted_out, leased = await ledger.begin_part(part, contact, timedelta(seconds=30))
        assert state is not None and state.state == "sent" and not leased and not opted_out
        found, new = await ledger.record_status("SM" + prefix, "delivered", None)
        assert found is not None and new
        await ledger.set_opted_out(contact, True)
        assert (await ledger.begin_part(f"job2-{prefix}#0", contact, timedelta(seconds=30)))[1]
        assert await ledger.traces(contact)
        await ledger.forget(contact)
        assert await ledger.traces(contact) == []
    finally:
        await ledger.close()
