"""The bot says at start-up when its Redis would lose everything on a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from faults_support import RedisServer
from support.app import TEST_SECRET

from bot.store.redis import RedisStore

pytestmark = pytest.mark.redis


@pytest.mark.parametrize(
    ("aof", "expected"), [(True, None), (False, "persists NOTHING")], ids=["aof", "nothing"]
)
async def test_persistence_problem_names_what_a_restart_loses(
    tmp_path: Path, aof: bool, expected: str | None
) -> None:
    redis = RedisServer(tmp_path / "redis", aof=aof)
    redis.start()
    store = RedisStore.from_url(redis.url, TEST_SECRET)
    try:
        problem = await store.persistence_problem()
    finally:
        await store.close()
        redis.stop()
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem and "appendonly yes" in problem
