"""Fixtures of the outbound tests: Prism (one per session) and a counting proxy per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.prism import CountingTwilio, Prism, serve


@pytest.fixture(scope="session")
def prism() -> Iterator[Prism]:
    server = Prism()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def twilio(prism: Prism) -> Iterator[tuple[CountingTwilio, str]]:
    """(counter, base URL): point FRONTDOOR_TWILIO_API_BASE_URL at the URL."""
    counter = CountingTwilio(prism.url)
    server = serve(counter)
    try:
        yield counter, server.url
    finally:
        server.stop()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request: pytest.FixtureRequest) -> str:
    """The queue, ledger and store the worker tests run on: in memory and on a real Redis."""
    return str(request.param)
