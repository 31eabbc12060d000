"""Every channel implements the same protocol (verify, parse, render, send): Twilio's and the
terminal's (mypy --strict checks the assignments to `Channel`; the asserts check behaviour)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bot.channels.base import Channel, Outgoing, StatusUpdate, WebRequest
from bot.channels.console import ConsoleChannel
from bot.channels.twilio import TwilioChannel
from bot.channels.twilio.inbound import parse_form
from bot.messages import ChannelKind, Inbound
from bot.outbound import OutboundMessage, RecordingSender

NOW = datetime(2026, 3, 14, 18, 30, tzinfo=UTC)
URL = "https://bot.example.org/twilio/messages"


def _request(params: dict[str, str], token: str | None) -> WebRequest:
    form = parse_form(urlencode(params).encode())
    headers = {}
    if token:
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(URL, form)
    return WebRequest(url=URL, form=form, items=form.multi_items(), headers=headers)


async def test_twilio_channel() -> None:
    sender = RecordingSender()
    channel: Channel = TwilioChannel("secret-token", sender)
    message = {
        "MessageSid": "SM1",
        "From": "whatsapp:+50937123456",
        "Body": "Wi",
        "ButtonPayload": "confirm.yes",
    }
    assert channel.verify(_request(message, "secret-token"))
    assert not channel.verify(_request(message, "another-token"))
    assert not channel.verify(_request(message, None))
    parsed = channel.parse(_request(message, None), NOW)
    assert isinstance(parsed, Inbound)
    assert (parsed.channel, parsed.button_payload) == (ChannelKind.WHATSAPP, "confirm.yes")
    status = channel.parse(
        _request({"MessageSid": "SM2", "MessageStatus": "failed", "ErrorCode": "63016"}, None),
        NOW,
    )
    assert isinstance(status, StatusUpdate) and status.problem == "window_closed"
    rendered = channel.render(Outgoing(["a & b"]))
    assert (
        rendered.media_type == "application/xml" and "<Message>a &amp; b</Message>" in rendered.body
    )
    sid = await channel.send(OutboundMessage("c", "+50937123456", ChannelKind.SMS, body="hi"))
    assert sid.startswith("LOCAL") and sender.take("+50937123456")[0].body == "hi"


async def test_console_channel() -> None:
    sender = RecordingSender()
    channel: Channel = ConsoleChannel("+15005550006", ChannelKind.SMS, sender)
    parsed = channel.parse(WebRequest(url="console:", form={"line": "hola"}), NOW)
    assert isinstance(parsed, Inbound) and parsed.text == "hola"
    assert channel.verify(WebRequest(url="console:", form={}))
    assert channel.render(Outgoing(["uno\ndos"])).body == "bot> uno\n     dos\n"
    await channel.send(OutboundMessage("c", "+15005550006", ChannelKind.SMS, body="x"))
    assert [m.body for m in sender.take("+15005550006")] == ["x"]
