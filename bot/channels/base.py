"""What every channel implements (nyaruka/courier's shape): verify, parse, render, send.

A channel is one folder or module under bot/channels/ (`twilio/`, `console.py`); the rest of the
bot sees only `Inbound`, `StatusUpdate`, `Outgoing` and `OutboundMessage`, never a provider's
fields or library.

* verify(request): was this request really sent by the provider? (before anything is read)
* parse(request): the `Inbound` message or `StatusUpdate` it carries
* render(outgoing): the answer to the request (TwiML, a terminal line...)
* send(message): a message the bot sends on its own; the provider's message id
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.messages import Inbound
from bot.outbound import OutboundMessage


@dataclass(frozen=True, slots=True)
class WebRequest:
    """A provider's webhook request, as a channel reads it."""

    #: The URL the provider was configured with (and signed), not the one the proxy passed on.
    url: str
    #: Form fields by name (the last value of a repeated name).
    form: Mapping[str, str]
    #: Every (name, value) pair, repeated names included, in order: what a signature covers.
    items: Sequence[tuple[str, str]] = ()
    headers: Mapping[str, str] = field(default_factory=dict)


class Problem(StrEnum):
    """What a refusal means to the bot, whatever code the provider used."""

    OPTED_OUT = "opted_out"  # the person said STOP at the carrier: nothing proactive
    WINDOW_CLOSED = "window_closed"  # WhatsApp free text outside the 24-hour window
    CONTENT = "content"  # the content (template, buttons) was refused: send plain text
    UNREACHABLE = "unreachable"  # the number cannot get messages
    TRANSIENT = "transient"  # try again later
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery report for a message the bot sent."""

    message_id: str
    status: str
    error_code: str | None = None
    problem: Problem | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A turn's answer, already split into message bodies for the channel."""

    bodies: Sequence[str] = ()
    #: Media URLs, one message each (WhatsApp voice notes).
    media: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Rendered:
    body: str
    media_type: str


class Channel(Protocol):
    name: str

    def verify(self, request: WebRequest) -> bool: ...

    def parse(self, request: WebRequest, now: datetime) -> Inbound | StatusUpdate: ...

    def render(self, outgoing: Outgoing) -> Rendered: ...

    async def send(self, message: OutboundMessage) -> str: ...
