"""The conversation state of one contact: everything needed to resume at any later time.

It is saved after every message (there is no "session expired"). It holds personal data (the
phone number, answers such as name and date of birth), so persistent stores encrypt it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from bot.messages import ChannelKind, Reply

#: How many handled message ids (with their replies) a session remembers, for Twilio retries.
RECENT_TURNS = 10


def utcnow() -> datetime:
    return datetime.now(UTC)


class Turn(BaseModel):
    """A handled inbound message and the replies it got (replayed verbatim on a retry)."""

    message_id: str
    replies: list[Reply]


class PendingAction(BaseModel):
    """A side effect decided by the engine, committed to the store before it is carried out.

    The idempotency key is fixed when the action is recorded, so a crash between saving and
    calling the booking API, or a retry, never registers or requests twice.
    """

    name: str
    idempotency_key: str
    #: When the person asked: a request replayed after an outage keeps this time.
    created_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    #: The action step, whose branches say what to tell the person about the outcome.
    flow: str | None = None
    step: str | None = None


class Session(BaseModel):
    schema_version: int = 1
    phone: str
    channel: ChannelKind = ChannelKind.SMS
    lang: str | None = None
    flow: str | None = None
    step: str | None = None
    slots: dict[str, Any] = Field(default_factory=dict)
    history: list[str] = Field(default_factory=list)
    failures: int = 0
    pending: PendingAction | None = None
    #: Booking calls kept while the booking API is down, replayed in order (the outbox).
    queued: list[PendingAction] = Field(default_factory=list)
    #: Messages decided but not yet sent (results of replayed calls): sent after a save.
    notices: list[str] = Field(default_factory=list)
    #: "Delete my data" was carried out: the conversation service erases instead of saving.
    erase: bool = False
    #: The contact key's digest: the only identity the booking API is given for this person.
    contact_ref: str | None = None
    registration_id: str | None = None
    consented_at: datetime | None = None
    recent: list[Turn] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    last_inbound_at: datetime | None = None
    #: The person sent STOP (ALTO, KANPE, PARE...): no proactive message until they write again.
    opted_out_at: datetime | None = None
    #: Notification jobs already applied to this conversation (a job run twice moves it once).
    notified: list[str] = Field(default_factory=list)

    def replies_for(self, message_id: str) -> list[Reply] | None:
        for turn in self.recent:
            if turn.message_id == message_id:
                return turn.replies
        return None

    def remember(self, message_id: str, replies: list[Reply]) -> None:
        self.recent = [t for t in self.recent if t.message_id != message_id]
        self.recent.append(Turn(message_id=message_id, replies=replies))
        del self.recent[:-RECENT_TURNS]
