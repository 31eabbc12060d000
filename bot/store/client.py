"""The one place a Redis client is built: a single server, or a Redis Cluster.

`FRONTDOOR_REDIS_CLUSTER=true` turns `FRONTDOOR_REDIS_URL` into the address of one node of a
cluster (redis-py's `RedisCluster` finds the others, follows MOVED/ASK and a failover). The
store, the send ledger and the job queue all build their client here, so they agree.

`RedisCluster` is typed as `redis.asyncio.Redis` for the callers: the commands they use (GET,
SET, EVALSHA through registered scripts, sets, lists, streams, pipelines, SCAN over every
master) have the same signatures, and a command whose keys are on different slots is refused
by redis-py before it is sent (``all keys must map to the same key slot``), which the cluster
tests rely on.
"""

from __future__ import annotations

from typing import cast

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff


def redis_client(
    url: str,
    *,
    cluster: bool,
    max_connections: int,
    connect_timeout: float = 2.0,
    command_timeout: float | None = 5.0,
    blocking_timeout: float | None = None,
) -> aioredis.Redis:
    """A client for `url` (it connects on first use).

    ``blocking_timeout``: single server only, a pool that waits this long for a free
    connection instead of failing a burst (what the send ledger wants); None: a plain pool.
    """
    # Few, short retries: fail fast at start-up instead of hanging the deploy.
    retry = Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=2)
    if cluster:
        client = RedisCluster.from_url(
            url,
            max_connections=max_connections,  # per node
            socket_connect_timeout=connect_timeout,
            socket_timeout=command_timeout,
            retry=retry,
        )
        return cast(aioredis.Redis, client)
    pool: aioredis.ConnectionPool
    if blocking_timeout is not None:
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=blocking_timeout,
            socket_connect_timeout=connect_timeout,
            socket_timeout=command_timeout,
        )
    else:
        pool = aioredis.ConnectionPool.from_url(
            url,
            max_connections=max_connections,
            socket_connect_timeout=connect_timeout,
            socket_timeout=command_timeout,
            retry=retry,
        )
    return aioredis.Redis.from_pool(pool)  # the client owns (and closes) the pool


def is_cluster(client: aioredis.Redis) -> bool:
    return isinstance(client, RedisCluster)
