"""Messages the bot sends on its own (not as a reply): notifications, reminders, results of
replayed booking calls. The job worker (bot/jobs) decides what and when; this module only sends.

Two senders:
* `TwilioSender`: Twilio's Messages API through the twilio library (async client); the API base
  URL is configurable so tests run it against Prism serving Twilio's own OpenAPI spec. Free
  text (`Body`) or an approved WhatsApp template (`ContentSid` + `ContentVariables`, no Body).
* `RecordingSender`: the embedded default when no Twilio account is configured. It logs that a
  message was sent (to a contact key, never a phone number) and keeps it in memory, so
  `frontdoor chat` can show it and tests can read it.

Exception tree (what the worker acts on)::

    SendError
    ├── SendUnavailable      network error, timeout, HTTP 5xx/429, Twilio 20429/30001/63018:
    │                        transient, retried with backoff
    └── SendRefused          Twilio said no (code): never retried as it is
        └── WindowClosed     63016 and kin: WhatsApp free text outside the 24-hour window;
                             the worker falls back to SMS where the person agreed to it
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot import metrics
from bot.messages import ChannelKind

log = logging.getLogger(__name__)

#: WhatsApp refuses free text outside the customer-care window (63016) or the template /
#: session cannot be used (63032 user's number not on WhatsApp is NOT here: SMS may reach it).
WINDOW_ERRORS = frozenset({63016, 63024, 63049})
#: Never retried: the person opted out at the carrier (21610), unreachable, landline,
#: unknown or filtered (30003-30008), invalid or non-mobile number (21211, 21614).
PERMANENT_ERRORS = frozenset({21610, 21211, 21614, 30003, 30004, 30005, 30006, 30007, 30008})
#: Retried with backoff: queue overflow (30001), rate limits (20429, 63018).
TRANSIENT_ERRORS = frozenset({20429, 30001, 63018})
#: The carrier says this person sent STOP: no proactive message until they write again.
CARRIER_OPT_OUT = 21610


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


def classify(status: int, code: int | None, message: str) -> SendError:
    """Turn an HTTP status and Twilio error code into the exception the worker acts on."""
    if code in WINDOW_ERRORS:
        return WindowClosed(status, code, message)
    if code in TRANSIENT_ERRORS or status >= 500 or status == 429:
        return SendUnavailable(f"Twilio answered {status} (code {code}): {message}")
    return SendRefused(status, code, message)


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
        metrics.sent(message.channel, message.body, "not_sent")
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


class TwilioSender:
    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sms_from: str | None,
        whatsapp_from: str | None,
        api_base_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        from twilio.http.async_http_client import AsyncTwilioHttpClient
        from twilio.rest import Client

        self._http = AsyncTwilioHttpClient(timeout=timeout)
        self._client = Client(account_sid, auth_token, http_client=self._http)
        if api_base_url:
            self._client.api.base_url = api_base_url.rstrip("/")
        self._sms_from = sms_from
        self._whatsapp_from = whatsapp_from

    def sender_id(self, channel: ChannelKind) -> str:
        return self._addresses(channel, "+0")[0]

    def _addresses(self, channel: ChannelKind, phone: str) -> tuple[str, str]:
        if channel is ChannelKind.WHATSAPP:
            if not self._whatsapp_from:
                raise SendRefused(0, None, "FRONTDOOR_TWILIO_WHATSAPP_FROM is not set")
            return f"whatsapp:{self._whatsapp_from}", f"whatsapp:{phone}"
        if not self._sms_from:
            raise SendRefused(0, None, "FRONTDOOR_TWILIO_SMS_FROM is not set")
        return self._sms_from, phone

    async def send(self, message: OutboundMessage) -> str:
        try:
            sid = await self._create(message)
        except Exception:
            metrics.sent(message.channel, message.body, "failed")
            raise
        metrics.sent(message.channel, message.body, "sent")
        return sid

    async def _create(self, message: OutboundMessage) -> str:
        from twilio.base.exceptions import TwilioRestException

        sender, to = self._addresses(message.channel, message.phone)
        params: dict[str, Any] = {"to": to, "from_": sender}
        if message.content_sid:
            params["content_sid"] = message.content_sid
            params["content_variables"] = json.dumps(message.content_variables)
        else:
            params["body"] = message.body
        if message.status_callback:
            params["status_callback"] = message.status_callback
        try:
            created = await self._client.messages.create_async(**params)
        except TwilioRestException as exc:
            raise classify(int(exc.status), exc.code, str(exc.msg)) from None
        except (TimeoutError, OSError) as exc:
            raise SendUnavailable(f"Twilio not reached: {type(exc).__name__}") from exc
        except Exception as exc:  # aiohttp.ClientError and kin: the network, not Twilio
            if type(exc).__module__.startswith("aiohttp"):
                raise SendUnavailable(f"Twilio not reached: {type(exc).__name__}") from exc
            raise
        log.info("outbound message %s to contact %s", created.sid, message.contact)
        return str(created.sid)

    async def find_sent(self, message: OutboundMessage, since: datetime) -> str | None:
        from twilio.base.exceptions import TwilioRestException

        sender, to = self._addresses(message.channel, message.phone)
        try:
            found = await self._client.messages.list_async(
                to=to, from_=sender, date_sent_after=since, limit=50
            )
        except TwilioRestException as exc:
            raise classify(int(exc.status), exc.code, str(exc.msg)) from None
        except (TimeoutError, OSError) as exc:
            raise SendUnavailable(f"Twilio not reached: {type(exc).__name__}") from exc
        for item in found:
            # Twilio filters by day: compare the creation time too.
            created = item.date_created
            if created is not None and created < since:
                continue
            if message.content_sid or (item.body or "") == message.body:
                return str(item.sid)
        return None

    async def close(self) -> None:
        await self._http.close()
