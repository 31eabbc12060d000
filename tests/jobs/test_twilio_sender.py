"""`TwilioSender` against Prism serving Twilio's own spec: what it sends is valid Twilio, an
invalid request fails, and Twilio's errors map to retry / never retry / fall back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support.prism import ACCOUNT_SID, AUTH_TOKEN, SMS_FROM, WHATSAPP_FROM, CountingTwilio

from bot.channels.twilio.sender import TwilioSender
from bot.messages import ChannelKind
from bot.outbound import (
    ContentRefused,
    OutboundMessage,
    RecipientOptedOut,
    SendRefused,
    SendUnavailable,
    WindowClosed,
)

PHONE = "+5215512345678"


def _sender(url: str, account_sid: str = ACCOUNT_SID) -> TwilioSender:
    return TwilioSender(
        account_sid=account_sid,
        auth_token=AUTH_TOKEN,
        sms_from=SMS_FROM,
        whatsapp_from=WHATSAPP_FROM,
        api_base_url=url,
    )


async def test_sms_and_whatsapp_free_text_are_valid_requests(
    twilio: tuple[CountingTwilio, str],
) -> None:
    counter, url = twilio
    sender = _sender(url)
    try:
        sms = await sender.send(OutboundMessage("c", PHONE, ChannelKind.SMS, body="Hola"))
        wa = await sender.send(OutboundMessage("c", PHONE, ChannelKind.WHATSAPP, body="Olá 👍"))
    finally:
        await sender.close()
    assert sms.startswith("SM") and wa.startswith("SM") and sms != wa
    assert [(s.to, s.form["From"], s.body) for s in counter.sent] == [
        (PHONE, SMS_FROM, "Hola"),
        (f"whatsapp:{PHONE}", f"whatsapp:{WHATSAPP_FROM}", "Olá 👍"),
    ]
    assert counter.refused == []


async def test_a_template_has_content_sid_and_variables_and_no_body(
    twilio: tuple[CountingTwilio, str],
) -> None:
    counter, url = twilio
    sender = _sender(url)
    message = OutboundMessage(
        "c",
        PHONE,
        ChannelKind.WHATSAPP,
        content_sid="HX" + "ab" * 16,
        content_variables={"1": "Laredo", "2": "martes"},
        status_callback="https://bot.example.org/twilio/status",
    )
    try:
        await sender.send(message)
    finally:
        await sender.close()
    [sent] = counter.sent
    assert "Body" not in sent.form
    assert sent.form["ContentSid"] == "HX" + "ab" * 16
    assert sent.form["ContentVariables"] == '{"1": "Laredo", "2": "martes"}'
    assert sent.form["StatusCallback"] == "https://bot.example.org/twilio/status"


async def test_an_invalid_request_is_refused_by_prism(twilio: tuple[CountingTwilio, str]) -> None:
    """The spec is the judge: an account id that is not AC + 32 hex digits is a 422."""
    counter, url = twilio
    sender = _sender(url, account_sid="AC-not-an-account")
    try:
        with pytest.raises(SendRefused) as refused:
            await sender.send(OutboundMessage("c", PHONE, ChannelKind.SMS, body="Hola"))
    finally:
        await sender.close()
    assert refused.value.status == 422
    assert counter.sent == [] and [status for status, _ in counter.refused] == [422]


@pytest.mark.parametrize(
    ("label", "status", "code", "error"),
    [
        ("server error: retry", 503, 20500, SendUnavailable),
        ("rate limited: retry", 429, 20429, SendUnavailable),
        ("queue overflow: retry", 400, 30001, SendUnavailable),
        ("STOP at the carrier: never retry", 400, 21610, RecipientOptedOut),
        ("unreachable: never retry", 400, 30003, SendRefused),
        ("outside the window: fall back", 400, 63016, WindowClosed),
        ("template variables wrong: plain text instead", 400, 63028, ContentRefused),
        ("an unknown code: refused", 400, 12345, SendRefused),
    ],
)
async def test_twilio_errors_are_classified(
    label: str,
    status: int,
    code: int,
    error: type[Exception],
    twilio: tuple[CountingTwilio, str],
) -> None:
    counter, url = twilio
    counter.fail_next.append((status, code))
    sender = _sender(url)
    try:
        with pytest.raises(error) as raised:
            await sender.send(OutboundMessage("c", PHONE, ChannelKind.SMS, body="Hola"))
    finally:
        await sender.close()
    assert type(raised.value) is error
    assert counter.sent == []


async def test_find_sent_asks_twilio_with_a_valid_list_request(
    twilio: tuple[CountingTwilio, str],
) -> None:
    counter, url = twilio
    sender = _sender(url)
    since = datetime.now(UTC) - timedelta(minutes=1)
    message = OutboundMessage("c", PHONE, ChannelKind.SMS, body="Su cita")
    try:
        assert await sender.find_sent(message, since) is None
        sid = await sender.send(message)
        other = OutboundMessage("c", PHONE, ChannelKind.SMS, body="Otro texto")
        assert await sender.find_sent(message, since) == sid
        assert await sender.find_sent(other, since) is None
    finally:
        await sender.close()
    assert counter.refused == []
