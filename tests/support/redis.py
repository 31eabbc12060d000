"""The one rule for tests that need a real Redis, shared by every test folder.

A Redis that does not answer fails the test, locally as in CI: a test never skips because a
service is down (a skipped suite looks green to a newcomer). The message says how to start it.
Tests use DB 15 by default and a unique key prefix each, so they can run next to a development
Redis and next to each other.
"""

from __future__ import annotations

import functools
import os
import uuid

import pytest
import redis
import redis.asyncio as aioredis

from bot.store.redis import describe_redis_url

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"
#: Overrides the URL above (e.g. a CI service container on another host).
URL_ENV = "FRONTDOOR_TEST_REDIS_URL"


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def configured_redis_url() -> str:
    return os.environ.get(URL_ENV) or DEFAULT_TEST_REDIS_URL


@functools.cache
def _problem(url: str) -> str | None:
    """Why Redis at `url` cannot be used (None when it answers). Checked once per process."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return None


def redis_url_or_fail() -> str:
    """The test Redis URL; fails the test (never skips it) when Redis does not answer."""
    url = configured_redis_url()
    problem = _problem(url)
    if problem is not None:
        where = describe_redis_url(url)
        pytest.fail(
            f"Redis for tests at {where} is down ({problem}): start one with "
            "`redis-server --port 6379 --save '' --daemonize yes`, or set "
            f"{URL_ENV}",
            pytrace=False,
        )
    return url


#: The former name (it skipped locally once); kept for branches in flight.
redis_url_or_skip = redis_url_or_fail


def unique_prefix() -> str:
    """A key prefix no other test (or developer data) uses; pass it to `KeyBuilder`."""
    return f"fdtest-{uuid.uuid4().hex[:12]}"


async def delete_prefix(url: str, prefix: str) -> int:
    """Remove every key under ``prefix:``; returns how many were removed."""
    client = aioredis.Redis.from_url(url)
    removed = 0
    try:
        async for name in client.scan_iter(match=f"{prefix}:*", count=500):
            removed += int(await client.delete(name))
    finally:
        await client.aclose()
    return removed
