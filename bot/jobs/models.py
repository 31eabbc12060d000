"""The two kinds of job on the queue. Payloads carry no personal data in clear: the contact is
its key digest, and message text (which names people) is sealed with the store's key."""

from __future__ import annotations

from pydantic import BaseModel, Field

#: Notification purposes: one step each in flows/notices.yaml, one template each in settings.
PURPOSES = (
    "allocated",
    "not_selected",
    "lapsed",
    "confirm_reminder",
    "appointment_reminder",
    "daily_reminder",
)


class NotifyJob(BaseModel):
    """Tell one contact about something: rendered in their language by the worker."""

    job_id: str
    contact: str
    purpose: str
    #: Display values the message shows (appointment_port, appointment_at, confirm_by...).
    values: dict[str, str] = Field(default_factory=dict)


class SendJob(BaseModel):
    """One message (in one or more parts, sent in order) to one contact on one channel."""

    job_id: str
    contact: str
    channel: str
    #: Sealed JSON of `Parcel`.
    sealed: str
    #: Proactive messages stop when the person opts out; replies to them do not.
    proactive: bool = True
    #: The person's language, for the metrics only ("" when not known).
    lang: str = ""


class Part(BaseModel):
    body: str = ""
    content_sid: str | None = None
    content_variables: dict[str, str] = Field(default_factory=dict)
    #: For content (buttons, a list, a template): the same words as text, sent once instead
    #: if the content is refused for what it is (`ContentRefused`).
    text_fallback: str | None = None


class Parcel(BaseModel):
    """What `SendJob.sealed` holds."""

    phone: str
    parts: list[Part]
    #: For WhatsApp: the same message as SMS bodies, used if WhatsApp refuses (63016...).
    sms_fallback: list[str] | None = None
