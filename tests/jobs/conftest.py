"""Fixtures of the outbound tests: Prism (one per session) and a counting proxy per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from support.prism import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    SMS_FROM,
    WHATSAPP_FROM,
    CountingTwilio,
    Prism,
    serve,
)


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


def twilio_settings(url: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": SecretStr(AUTH_TOKEN),
        "twilio_sms_from": SMS_FROM,
        "twilio_whatsapp_from": WHATSAPP_FROM,
        "twilio_api_base_url": url,
        "send_backoff_seconds": 0.01,
    }
    values.update(overrides)
    return values
