"""Fixtures shared by the bot's tests: settings, a fixed clock, and a running app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import Settings

#: Inside the sandbox's real request window (12:00-23:59 US Eastern) on a Saturday.
FIXED_NOW = datetime(2026, 3, 14, 18, 30, tzinfo=UTC)
TEST_SECRET = "test-secret-key"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-golden",
        action="store_true",
        help="rewrite golden conversation files with what the bot says now (review the diff)",
    )


class Clock:
    """A settable clock; tests move it to show what happens hours or days later."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"secret_key": SecretStr(TEST_SECRET), "redis_url": None}
    values.update(overrides)
    return Settings(**values)


AppFactory = Callable[..., Any]


@pytest.fixture
def running_app(tmp_path: Path, clock: Clock) -> Callable[..., Any]:
    """`with running_app(**settings) as client:` a TestClient with the lifespan running."""

    @contextmanager
    def start(**overrides: Any) -> Iterator[TestClient]:
        app = create_app(make_settings(**overrides), clock=clock, data_dir=tmp_path / "data")
        with TestClient(app, base_url="http://testserver") as client:
            yield client

    return start
