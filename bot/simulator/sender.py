"""Messages the bot sends on its own to a simulated person stay in this process for the page.

`SimulatorSender` wraps the configured sender: a message to a +1 555 number (`phones.py`) is
recorded (the same `RecordingSender` the terminal chat reads), anything else goes on to the
real sender. Without a Twilio account the configured sender already records everything, so
no wrapper is needed (`with_simulator`).
"""

from __future__ import annotations

from datetime import datetime

from bot.messages import ChannelKind
from bot.outbound import OutboundMessage, RecordingSender, Sender
from bot.simulator.phones import is_simulated


class SimulatorSender:
    def __init__(self, real: Sender) -> None:
        self.real = real
        self.recorded = RecordingSender()

    def sender_id(self, channel: ChannelKind) -> str:
        return self.real.sender_id(channel)

    async def send(self, message: OutboundMessage) -> str:
        if is_simulated(message.phone):
            return await self.recorded.send(message)
        return await self.real.send(message)

    async def find_sent(self, message: OutboundMessage, since: datetime) -> str | None:
        if is_simulated(message.phone):
            return None
        return await self.real.find_sent(message, since)

    async def close(self) -> None:
        await self.real.close()


def with_simulator(sender: Sender) -> Sender:
    """The sender to use when the simulator is on: simulated numbers are never really sent."""
    if isinstance(sender, RecordingSender | SimulatorSender):
        return sender
    return SimulatorSender(sender)


def mailbox(sender: Sender) -> RecordingSender | None:
    """Where messages sent to simulated numbers are kept (None: they were not kept)."""
    if isinstance(sender, RecordingSender):
        return sender
    if isinstance(sender, SimulatorSender):
        return sender.recorded
    return None
