"""What travels between channels and the engine: one inbound message, the replies to it.

These types are channel-neutral on purpose: the engine never sees Twilio form fields and
channels never see flows. A channel turns its payload into an `Inbound` and turns `Reply`
objects into its own wire format (TwiML, WhatsApp buttons, terminal text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.contacts import Address


class ChannelKind(StrEnum):
    SMS = "sms"
    WHATSAPP = "whatsapp"
    #: A phone call (bot/channels/voice_call.py): a way in, never a way out. The session
    #: keeps the channel it writes on (texts and notices go there), so a person can start
    #: by phone and continue by SMS or WhatsApp.
    VOICE = "voice"


class Option(BaseModel):
    """One choice offered with a reply: `id` is routed on, `title` is shown (translated)."""

    model_config = ConfigDict(frozen=True)
    id: str
    title: str


class Reply(BaseModel):
    """One message to the person, already rendered in their language.

    A pydantic model (not a dataclass) because replies are stored with the session, so that a
    retried webhook gets exactly the reply the first delivery got.
    """

    model_config = ConfigDict(frozen=True)
    text: str
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a person. `sender` is the raw E.164 number: never log it."""

    message_id: str
    sender: str
    channel: ChannelKind
    text: str
    received_at: datetime
    button_payload: str | None = None
    num_media: int = 0
    media_types: tuple[str, ...] = field(default_factory=tuple)

    @property
    def address(self) -> Address:
        """Who wrote, as `channel:id` (bot/contacts.py): `tel:+E164` for every phone channel,
        whose keyed hash is the contact key the store has always used."""
        return Address("tel", self.sender)
