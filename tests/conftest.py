"""Fixtures shared by the bot's tests: settings, a fixed clock, and a running app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.app import Clock, make_settings

from bot.app import create_app


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-golden",
        action="store_true",
        help="rewrite golden conversation files with what the bot says now (review the diff)",
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


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
