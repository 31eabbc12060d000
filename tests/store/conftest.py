"""Backends for the store contract suite: each test runs on memory, on a real Redis and on a
real Redis Cluster.

A `Backend` hides the only differences the contract allows: how time passes (a fake clock for
memory, real sleeping for Redis) and how raw keys are inspected.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from support.redis import delete_prefix, redis_url_or_skip, unique_prefix
from support.redis_cluster import RedisClusterNodes
from support.stores import CONTRACT_SECRET, Backend, FakeClock

from bot.store.base import Store
from bot.store.keys import KeyBuilder
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore


@pytest.fixture
async def memory_backend() -> Backend:
    clock = FakeClock()
    keys = KeyBuilder()
    stores: list[MemoryStore] = []

    def open_(**options: Any) -> Store:
        options.pop("secret", None)  # nothing is encrypted in memory
        options.setdefault("lock_timeout", 5.0)
        store = MemoryStore(clock=clock, keys=keys, **options)
        stores.append(store)
        view.opened.append(store)
        return store

    async def advance(seconds: float) -> None:
        clock.advance(seconds)

    async def raw_keys() -> list[str]:
        return sorted({name for store in stores for name in store.raw_keys()})

    view = Backend("memory", keys, open_, advance, raw_keys)
    open_()
    return view


@pytest.fixture
def redis_url() -> str:
    return redis_url_or_skip()


@pytest.fixture
async def redis_inspector(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A plain client on the test Redis, to look at raw keys and values."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def redis_backend(redis_url: str, redis_inspector: aioredis.Redis) -> AsyncIterator[Backend]:
    prefix = unique_prefix()
    keys = KeyBuilder(prefix)

    def open_(**options: Any) -> Store:
        secret = options.pop("secret", CONTRACT_SECRET)
        options.setdefault("lock_timeout", 5.0)
        store = RedisStore.from_url(redis_url, secret, keys=keys, **options)
        view.opened.append(store)
        return store

    async def raw_keys() -> list[str]:
        found = redis_inspector.scan_iter(match=f"{prefix}:*", count=500)
        return sorted([name.decode() async for name in found])

    view = Backend("redis", keys, open_, asyncio.sleep, raw_keys)
    try:
        await open_().ping()
        yield view
    finally:
        await view.close()
        await delete_prefix(redis_url, prefix)


@pytest.fixture
async def cluster_backend(redis_cluster: RedisClusterNodes) -> AsyncIterator[Backend]:
    """The Redis store on a real 3-master Redis Cluster, with its global indexes in 4 shards
    (redis-py refuses any command whose keys are on two slots: the suite would fail)."""
    prefix = unique_prefix()
    keys = KeyBuilder(prefix, cluster=True, shards=4)
    url = redis_cluster.url
    inspector = RedisCluster.from_url(url)

    def open_(**options: Any) -> Store:
        secret = options.pop("secret", CONTRACT_SECRET)
        options.setdefault("lock_timeout", 5.0)
        store = RedisStore.from_url(url, secret, keys=keys, cluster=True, **options)
        view.opened.append(store)
        return store

    async def raw_keys() -> list[str]:
        found = inspector.scan_iter(match=f"*{prefix}:*", count=500)
        return sorted({name.decode() async for name in found})

    view = Backend("cluster", keys, open_, asyncio.sleep, raw_keys)
    try:
        await open_().ping()
        yield view
    finally:
        await view.close()
        async for name in inspector.scan_iter(match=f"*{prefix}:*", count=500):
            await inspector.delete(name)
        await inspector.aclose()


@pytest.fixture(
    params=[
        "memory",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("cluster", marks=pytest.mark.redis),
    ]
)
def backend(request: pytest.FixtureRequest) -> Backend:
    name: str = request.param
    chosen: Backend = request.getfixturevalue(f"{name}_backend")
    return chosen
