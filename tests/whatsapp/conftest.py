"""Fixtures of the WhatsApp tests: Prism on Twilio's Messages spec (behind the counting proxy)
and Prism on Twilio's Content API spec (behind `ContentProxy`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.live import RestartableServer
from support.prism import CONTENT_SPEC_NAME, CountingTwilio, Prism, serve
from whatsapp_support import ContentProxy


@pytest.fixture(scope="session")
def prism() -> Iterator[Prism]:
    server = Prism()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def content_prism() -> Iterator[Prism]:
    server = Prism(CONTENT_SPEC_NAME)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def twilio(prism: Prism) -> Iterator[tuple[CountingTwilio, str]]:
    """(counter, base URL) of the Messages API."""
    counter = CountingTwilio(prism.url)
    server = serve(counter)
    try:
        yield counter, server.url
    finally:
        server.stop()


@pytest.fixture
def content(content_prism: Prism) -> Iterator[tuple[ContentProxy, str]]:
    """(proxy, base URL) of the Content API."""
    proxy = ContentProxy(content_prism.url)
    server = RestartableServer(proxy.app)
    server.start()
    try:
        yield proxy, server.url
    finally:
        server.stop()
