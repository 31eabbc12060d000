"""What the bot's tests share besides fixtures: a settable clock and test settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from bot.settings import Settings

#: Inside the sandbox's real request window (12:00-23:59 US Eastern) on a Saturday.
FIXED_NOW = datetime(2026, 3, 14, 18, 30, tzinfo=UTC)
TEST_SECRET = "test-secret-key"


class Clock:
    """A settable clock; tests move it to show what happens hours or days later."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_settings(**overrides: Any) -> Settings:
    # Scripted conversations type faster than any person: flood control (tested on its own,
    # tests/channels/test_limits.py) would stop them.
    values: dict[str, Any] = {
        "secret_key": SecretStr(TEST_SECRET),
        "redis_url": None,
        "flood_burst": 10_000,
    }
    values.update(overrides)
    return Settings(**values)
