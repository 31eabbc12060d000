"""Twilio's webhook forms: an inbound SMS / WhatsApp message, or a status callback.

Parsed permissively (Twilio adds parameters without notice: unknown fields are ignored); only
what the bot needs is required. A WhatsApp tap carries the id the bot gave the option in
`ButtonPayload` (its translated title is in Body): the bot routes on the id.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import parse_qsl

from starlette.datastructures import ImmutableMultiDict

from bot.channels.base import StatusUpdate
from bot.channels.twilio.errors import problem
from bot.contacts import InvalidSender, normalize_phone
from bot.messages import ChannelKind, Inbound

WHATSAPP_PREFIX = "whatsapp:"
MAX_MEDIA = 10

Form = Mapping[str, str]
FormParams = ImmutableMultiDict[str, str]


class MalformedForm(ValueError):
    """The request body is not a Twilio form we can use (answered with 400)."""


def parse_form(body: bytes) -> FormParams:
    """An application/x-www-form-urlencoded body (`multi_items()`: every pair, in order)."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedForm("body is not an application/x-www-form-urlencoded form") from exc
    return ImmutableMultiDict(pairs)


def field(form: Form, name: str) -> str:
    return form.get(name) or ""


def parse_message(form: Form, now: datetime) -> Inbound:
    message_id = field(form, "MessageSid") or field(form, "SmsMessageSid") or field(form, "SmsSid")
    sender = field(form, "From")
    if not message_id or not sender:
        raise MalformedForm("MessageSid and From are required")
    channel = ChannelKind.WHATSAPP if sender.startswith(WHATSAPP_PREFIX) else ChannelKind.SMS
    try:
        phone = normalize_phone(sender)
    except InvalidSender as exc:
        raise MalformedForm(f"From is not a phone number ({exc})") from exc
    try:
        num_media = int(field(form, "NumMedia") or 0)
    except ValueError as exc:
        raise MalformedForm("NumMedia is not a number") from exc
    media_types = tuple(
        field(form, f"MediaContentType{i}") for i in range(min(num_media, MAX_MEDIA))
    )
    return Inbound(
        message_id=message_id,
        sender=phone,
        channel=channel,
        text=field(form, "Body"),
        received_at=now,
        # Route on ButtonPayload, never on the (translated) title in Body.
        # (A list item's id may come as ListId instead: the same thing to the bot.)
        button_payload=field(form, "ButtonPayload") or field(form, "ListId") or None,
        num_media=num_media,
        media_types=media_types,
    )


def parse_status(form: Form) -> StatusUpdate:
    sid, status = field(form, "MessageSid"), field(form, "MessageStatus")
    if not sid or not status:
        raise MalformedForm("MessageSid and MessageStatus are required")
    code = field(form, "ErrorCode") or None
    return StatusUpdate(message_id=sid, status=status, error_code=code, problem=problem(code))


def parse(form: Form, now: datetime) -> Inbound | StatusUpdate:
    """A status callback (it has MessageStatus, an inbound message has not) or a message."""
    return parse_status(form) if "MessageStatus" in form else parse_message(form, now)
