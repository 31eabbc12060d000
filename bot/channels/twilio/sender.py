"""Twilio's Messages API (the twilio library's async client): messages the bot sends on its own.

Free text (`Body`), or a content resource (`ContentSid` + `ContentVariables`, no Body): an
interactive reply or an approved WhatsApp template. The API base URL is configurable so tests
run it against Prism serving Twilio's own OpenAPI spec. Errors are classified by the one code
table (errors.py).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from bot import metrics
from bot.channels.twilio.errors import classify
from bot.messages import ChannelKind
from bot.outbound import OutboundMessage, SendRefused, SendUnavailable

log = logging.getLogger(__name__)


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
            metrics.sent(message.channel, message.body, "failed", message.lang)
            raise
        metrics.sent(message.channel, message.body, "sent", message.lang)
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
