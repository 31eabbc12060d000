"""The conversation state of one contact: everything needed to resume at any later time.

It is saved after every message (there is no "session expired"). It holds personal data (the
phone number, answers such as name and date of birth), so persistent stores encrypt it.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from bot.messages import ChannelKind

#: How many handled message ids a session remembers (a retry or replay of one of them is not
#: handled again; the replies to the last one are kept apart, a few minutes: bot/store).
RECENT_TURNS = 24


def utcnow() -> datetime:
    return datetime.now(UTC)


def message_tag(message_id: str) -> str:
    """A handled message's id as the session keeps it: 48 bits of its SHA-256 in 8 base64
    characters (a new message taken for one of a contact's last `RECENT_TURNS`: about 1 in
    10**13; the id itself, 34 characters, would be most of a small session)."""
    return base64.urlsafe_b64encode(hashlib.sha256(message_id.encode()).digest()[:6]).decode()


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
    #: The answers the action reads (its step's `inputs`), kept with it: a replay from the
    #: outbox uses these even when the conversation has moved on.
    values: dict[str, Any] = Field(default_factory=dict)


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
    #: Tags (`message_tag`) of the last handled messages, oldest first: the dedupe, written
    #: in the same step as the state it led to.
    recent: list[str] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    last_inbound_at: datetime | None = None
    #: The person sent STOP (ALTO, KANPE, PARE...): no proactive message until they write again.
    opted_out_at: datetime | None = None
    #: Notification jobs already applied to this conversation (a job run twice moves it once).
    notified: list[str] = Field(default_factory=list)

    @field_validator("recent", mode="before")
    @classmethod
    def _tags_of_old_turns(cls, value: Any) -> Any:
        """Sessions written before the tags kept each turn as {message_id, replies}."""
        if isinstance(value, list):
            return [
                message_tag(str(v["message_id"])) if isinstance(v, dict) else v for v in value
            ]
        return value

    def handled(self, message_id: str) -> bool:
        return message_tag(message_id) in self.recent

    def remember(self, message_id: str) -> None:
        tag = message_tag(message_id)
        if tag not in self.recent:
            self.recent.append(tag)
            del self.recent[:-RECENT_TURNS]
