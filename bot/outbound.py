"""Messages the bot sends on its own (not as a reply): notifications, reminders, results of
replayed booking calls. The job worker (bot/jobs) decides what and when; this module only sends.

Two senders:
* `TwilioSender` (bot/channels/twilio/sender.py): Twilio's Messages API. Free text (`Body`)
  or a content resource (`ContentSid` + `ContentVariables`, no Body): interactive replies and
  approved WhatsApp templates.
* `RecordingSender`: the embedded default when no Twilio account is configured. It logs that a
  message was sent (to a contact key, never a phone number) and keeps it in memory, so
  `frontdoor chat` can show it and tests can read it.

Exception tree (what the worker acts on)::

    SendError
    ├── SendUnavailable      network error, timeout, HTTP 5xx/429, Twilio 20429/30001/63018:
    │                        transient, retried with backoff
    └── SendRefused          the provider said no (code): never retried as it is
        ├── WindowClosed     WhatsApp free text outside the 24-hour window; the worker
        │                    falls back to SMS where the person agreed to it
        ├── RecipientOptedOut  STOP at the carrier: no proactive message until they write
        └── ContentRefused   a template / interactive content refused: sent once as text
(which provider code is which: bot/channels/twilio/errors.py)
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot import metrics
from bot.messages import ChannelKind

log = logging.getLogger(__name__)


class SendError(Exception):
    """Base of every sending error."""


class SendUnavailable(SendError):
    """Try again later."""


class SendRefused(SendError):
    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"Twilio refused ({status}, code {code}): {message}")
        self.status = status
        self.code = code


class WindowClosed(SendRefused):
    """WhatsApp will not deliver this free text now: use a template or SMS."""


class RecipientOptedOut(SendRefused):
    """The person told the carrier STOP: nothing proactive until they write again."""


class ContentRefused(SendRefused):
    """The content (template, buttons, list) was refused: the same words as plain text go."""


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    contact: str  # contact key digest: what logs may show
    phone: str  # E.164: only the sender itself uses it
    channel: ChannelKind
    body: str = ""
    #: An approved WhatsApp template instead of `body` (outside the 24-hour window).
    content_sid: str | None = None
    content_variables: dict[str, str] = field(default_factory=dict)
    #: Where Twilio reports delivery (`/twilio/status`); None: the number's default.
    status_callback: str | None = None
    #: The person's language, for the metrics only ("" when not known).
    lang: str = ""


class Sender(Protocol):
    def sender_id(self, channel: ChannelKind) -> str:
        """The sending address a rate limit applies to (Twilio counts per sender)."""

    async def send(self, message: OutboundMessage) -> str:
        """Send one message; returns the provider's message id. Raises `SendError`."""

    async def find_sent(self, message: OutboundMessage, since: datetime) -> str | None:
        """The id of this message if it was already created since `since` (a worker died
        waiting for the answer): asked before sending again, so nobody gets it twice."""

    async def close(self) -> None: ...


def console_block(message: OutboundMessage, number: int) -> str:
    """How an unsent message is shown on the console: the contact by its key, never a phone."""
    head = (
        f"--- message {number} NOT SENT (no Twilio account): {message.channel.value} to "
        f"contact {message.contact[:12]} ---"
    )
    body = message.body or (
        f"[template {message.content_sid} {json.dumps(message.content_variables)}]"
    )
    return f"{head}\n{body}\n---"


class RecordingSender:
    """Without a Twilio account: keeps what would have been sent (the terminal chat and tests
    read it with `take`) and, with `echo`, prints it on the console, marked as not sent, so a
    local run shows every message the bot sends on its own (notices, sign-in codes...)."""

    def __init__(self, *, echo: bool = False) -> None:
        self.sent: dict[str, list[OutboundMessage]] = defaultdict(list)
        self._count = 0
        self._echo = echo

    async def send(self, message: OutboundMessage) -> str:
        self._count += 1
        self.sent[message.phone].append(message)
        log.info(
            "outbound message %d to contact %s (%d characters, not sent: no Twilio "
            "account configured)",
            self._count,
            message.contact,
            len(message.body),
        )
        if self._echo:
            print(console_block(message, self._count), flush=True)
        metrics.sent(message.channel, message.body, "not_sent", message.lang)
        return f"LOCAL{self._count:08d}"

    async def find_sent(self, message: OutboundMessage, since: datetime) -> str | None:
        return None

    def sender_id(self, channel: ChannelKind) -> str:
        return f"local-{channel.value}"

    def take(self, phone: str) -> list[OutboundMessage]:
        """Messages for one phone since the last call (for the terminal chat and tests)."""
        return self.sent.pop(phone, [])

    async def close(self) -> None:
        return None
