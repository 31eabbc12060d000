"""Messages the bot sends on its own (not as a reply): results of replayed booking calls now,
notifications later (issue "Outbound" adds the job queue, rate limits and WhatsApp templates).

Two senders:
* `TwilioSender`: Twilio's Messages API through the twilio library (async client); the API base
  URL is configurable so tests run it against Prism serving Twilio's own OpenAPI spec.
* `RecordingSender`: the embedded default when no Twilio account is configured. It logs that a
  message was sent (to a contact key, never a phone number) and keeps it in memory, so
  `frontdoor chat` can show it and tests can read it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from bot.messages import ChannelKind

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    contact: str  # contact key digest: what logs may show
    phone: str  # E.164: only the sender itself uses it
    channel: ChannelKind
    body: str


class Sender(Protocol):
    async def send(self, message: OutboundMessage) -> str:
        """Send one message; returns the provider's message id."""

    async def close(self) -> None: ...


class RecordingSender:
    def __init__(self) -> None:
        self.sent: dict[str, list[OutboundMessage]] = defaultdict(list)
        self._count = 0

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
        return f"LOCAL{self._count:08d}"

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
    ) -> None:
        from twilio.http.async_http_client import AsyncTwilioHttpClient
        from twilio.rest import Client

        self._http = AsyncTwilioHttpClient()
        self._client = Client(account_sid, auth_token, http_client=self._http)
        if api_base_url:
            self._client.api.base_url = api_base_url.rstrip("/")
        self._sms_from = sms_from
        self._whatsapp_from = whatsapp_from

    async def send(self, message: OutboundMessage) -> str:
        if message.channel is ChannelKind.WHATSAPP:
            if not self._whatsapp_from:
                raise RuntimeError("FRONTDOOR_TWILIO_WHATSAPP_FROM is not set")
            sender, to = f"whatsapp:{self._whatsapp_from}", f"whatsapp:{message.phone}"
        else:
            if not self._sms_from:
                raise RuntimeError("FRONTDOOR_TWILIO_SMS_FROM is not set")
            sender, to = self._sms_from, message.phone
        created = await self._client.messages.create_async(to=to, from_=sender, body=message.body)
        log.info("outbound message %s to contact %s", created.sid, message.contact)
        return str(created.sid)

    async def close(self) -> None:
        await self._http.close()
