"""Choose and open the configured store.

Redis when ``FRONTDOOR_REDIS_URL`` is set, the in-memory store otherwise. A configured Redis
that does not answer is an error at start-up, never a silent fallback to memory: that fallback
would run a multi-process deployment with one private store per process and lose every
conversation on restart.
"""

from __future__ import annotations

from bot.settings import Settings
from bot.store.base import Store
from bot.store.keys import KeyBuilder
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore


def store_keys(settings: Settings) -> KeyBuilder:
    """The store's key names: on a Redis Cluster, hash-tagged and sharded."""
    return KeyBuilder(
        settings.redis_key_prefix, cluster=settings.redis_cluster, shards=settings.redis_shards
    )


async def open_store(settings: Settings, *, lock_timeout: float | None = None) -> Store:
    """Return a ready store; raise `StoreUnavailable` if the configured Redis cannot be used.

    `lock_timeout`: how long a contact's lock is waited for (default: the setting, sized for
    Twilio's webhook clock; the worker, which no webhook waits for, waits longer)."""
    wait = settings.lock_timeout_seconds if lock_timeout is None else lock_timeout
    if settings.redis_url is None:
        return MemoryStore(lock_timeout=wait)
    store = RedisStore.from_url(
        settings.redis_url,
        settings.secret_key.get_secret_value(),
        keys=store_keys(settings),
        lock_timeout=wait,
        cluster=settings.redis_cluster,
    )
    try:
        await store.ping()
    except BaseException:
        await store.close()
        raise
    return store
