"""`frontdoor chat`: the same engine, services and rendering as Twilio, in a terminal.

For demos and for translators checking their work: what prints here is what a phone would
receive on that channel (SMS transliteration included).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from bot.channels.base import Outgoing, Rendered, StatusUpdate, WebRequest
from bot.channels.render import render_bodies
from bot.contacts import normalize_phone
from bot.messages import ChannelKind, Inbound
from bot.outbound import OutboundMessage, RecordingSender, Sender
from bot.services import Services

PROMPT = "you> "


class ConsoleChannel:
    """The terminal as a channel (bot/channels/base.py): a line in, text out."""

    name = "console"

    def __init__(self, phone: str, channel: ChannelKind, sender: Sender) -> None:
        self.phone = phone
        self.channel = channel
        self._sender = sender

    def verify(self, request: WebRequest) -> bool:
        return True  # the person at this keyboard is the only one who can type here

    def parse(self, request: WebRequest, now: datetime) -> Inbound | StatusUpdate:
        return Inbound(
            message_id=f"CONSOLE{uuid.uuid4().hex}",
            sender=self.phone,
            channel=self.channel,
            text=request.form.get("line", ""),
            received_at=now,
        )

    def render(self, outgoing: Outgoing) -> Rendered:
        text = "".join("bot> " + body.replace("\n", "\n     ") + "\n" for body in outgoing.bodies)
        return Rendered(text, "text/plain")

    async def send(self, message: OutboundMessage) -> str:
        return await self._sender.send(message)


async def _read_line(stdin: TextIO) -> str | None:
    line = await asyncio.to_thread(stdin.readline)
    return None if line == "" else line.rstrip("\n")


async def chat(
    services: Services,
    *,
    sender: str,
    channel: ChannelKind,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    phone = normalize_phone(sender)
    console = ConsoleChannel(phone, channel, services.sender)
    stdout.write(f"frontdoor chat over {channel.value} as {phone}. Ctrl-D to quit.\n")
    stdout.write(PROMPT)
    stdout.flush()
    while (line := await _read_line(stdin)) is not None:
        inbound = console.parse(WebRequest(url="console:", form={"line": line}), now())
        assert isinstance(inbound, Inbound)
        handled = await services.conversations.handle(inbound)
        bodies = render_bodies(handled.replies, channel, handled.lang)
        stdout.write(console.render(Outgoing(bodies)).body)
        if isinstance(services.sender, RecordingSender):
            # Messages the bot sent on its own since the last line (e.g. after an outage).
            for message in services.sender.take(phone):
                stdout.write("bot (sent later)> " + message.body.replace("\n", "\n     ") + "\n")
        stdout.write(PROMPT)
        stdout.flush()
    stdout.write("\n")
