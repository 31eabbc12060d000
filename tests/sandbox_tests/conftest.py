"""Fixtures for the booking sandbox tests: a settable clock, SQLite and PostgreSQL databases,
and the app over the ASGI transport or over real HTTP (uvicorn on a free port).

PostgreSQL runs at 127.0.0.1:5432 (trust auth, database ``test``); each test gets a schema of
its own, dropped afterwards. A PostgreSQL that does not answer fails its tests (never a skip).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sandbox_support import FakeClock, LiveServer

from booking_sandbox.app import create_app
from booking_sandbox.settings import SandboxSettings

POSTGRES_URL = os.environ.get(
    "BOOKING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _psycopg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _postgres_available() -> bool:
    try:
        with psycopg.connect(_psycopg_dsn(POSTGRES_URL), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_ready() -> bool:
    if not _postgres_available():
        pytest.fail(
            f"PostgreSQL at {POSTGRES_URL} does not answer: start it (trust auth, database "
            "test) or set BOOKING_TEST_POSTGRES_URL",
            pytrace=False,
        )
    return True


@pytest.fixture
def postgres_schema(postgres_ready: bool) -> Iterator[str]:
    schema = f"sandbox_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_psycopg_dsn(POSTGRES_URL), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    yield schema
    with psycopg.connect(_psycopg_dsn(POSTGRES_URL), autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Any) -> dict[str, Any]:
    """Keyword arguments for SandboxSettings that pick one of the two databases."""
    if request.param == "sqlite":
        return {"database_url": f"sqlite:///{tmp_path}/sandbox.sqlite3"}
    schema = request.getfixturevalue("postgres_schema")
    return {"database_url": POSTGRES_URL, "database_schema": schema}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


SettingsFactory = Callable[..., SandboxSettings]


@pytest.fixture
def make_settings(database: dict[str, Any]) -> SettingsFactory:
    def build(**overrides: Any) -> SandboxSettings:
        values: dict[str, Any] = {"scheduler_enabled": False, **database}
        values.update(overrides)
        return SandboxSettings(**values)

    return build


@pytest.fixture
def settings(make_settings: SettingsFactory) -> SandboxSettings:
    return make_settings()


@pytest.fixture
def app(settings: SandboxSettings, clock: FakeClock) -> Iterator[FastAPI]:
    application = create_app(settings, clock=clock)
    yield application
    application.state.sandbox.engine.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        yield http


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server
