"""`TwilioChannel`: the `Channel` protocol (bot/channels/base.py) for Twilio SMS and WhatsApp."""

from __future__ import annotations

from datetime import datetime

from bot.channels.base import Outgoing, Rendered, StatusUpdate, WebRequest
from bot.channels.twilio import inbound, signature, twiml
from bot.messages import Inbound
from bot.outbound import OutboundMessage, Sender


class TwilioChannel:
    name = "twilio"

    def __init__(self, auth_token: str | None, sender: Sender | None = None) -> None:
        #: None: requests are not verified (local runs without a Twilio account).
        self._token = auth_token.encode("utf-8") if auth_token is not None else None
        self._sender = sender

    @property
    def verifies(self) -> bool:
        return self._token is not None

    def verify(self, request: WebRequest) -> bool:
        if self._token is None:
            return True
        given = request.headers.get(signature.HEADER) or request.headers.get(
            signature.HEADER.lower()
        )
        return signature.valid(self._token, request.url, request.items, given)

    def parse(self, request: WebRequest, now: datetime) -> Inbound | StatusUpdate:
        return inbound.parse(request.form, now)

    def render(self, outgoing: Outgoing) -> Rendered:
        return Rendered(twiml.messaging(outgoing.bodies, outgoing.media), twiml.MEDIA_TYPE)

    async def send(self, message: OutboundMessage) -> str:
        if self._sender is None:
            raise RuntimeError("this TwilioChannel has no sender")
        return await self._sender.send(message)
