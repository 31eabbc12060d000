"""Replies to message bodies, per channel: SMS is cost-aware, WhatsApp keeps full Unicode."""

from __future__ import annotations

from collections.abc import Sequence

from bot.languages import SmsPolicy, get_language
from bot.messages import ChannelKind, Reply
from bot.sms import split_segments, transliterate_for_sms

#: Twilio's Messages API refuses bodies over 1,600 characters (error 21617).
MAX_BODY = 1600


def render_bodies(replies: Sequence[Reply], channel: ChannelKind, lang: str | None) -> list[str]:
    """Join a turn's replies into as few messages as possible (each message costs money)."""
    text = "\n\n".join(reply.text for reply in replies if reply.text)
    if not text:
        return []
    if channel is ChannelKind.SMS and get_language(lang).sms_policy is SmsPolicy.TRANSLITERATE:
        text = transliterate_for_sms(text)
    return split_segments(text, limit=MAX_BODY)
