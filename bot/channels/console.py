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

from bot.channels.render import render_bodies
from bot.contacts import normalize_phone
from bot.messages import ChannelKind, Inbound
from bot.outbound import RecordingSender
from bot.services import Services

PROMPT = "you> "


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
    stdout.write(f"frontdoor chat over {channel.value} as {phone}. Ctrl-D to quit.\n")
    stdout.write(PROMPT)
    stdout.flush()
    while (line := await _read_line(stdin)) is not None:
        inbound = Inbound(
            message_id=f"CONSOLE{uuid.uuid4().hex}",
            sender=phone,
            channel=channel,
            text=line,
            received_at=now(),
        )
        handled = await services.conversations.handle(inbound)
        for body in render_bodies(handled.replies, channel, handled.lang):
            stdout.write("bot> " + body.replace("\n", "\n     ") + "\n")
        if isinstance(services.sender, RecordingSender):
            # Messages the bot sent on its own since the last line (e.g. after an outage).
            for message in services.sender.take(phone):
                stdout.write("bot (sent later)> " + message.body.replace("\n", "\n     ") + "\n")
        stdout.write(PROMPT)
        stdout.flush()
    stdout.write("\n")
