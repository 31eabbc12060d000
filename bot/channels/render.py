"""Replies to message bodies, per channel: SMS is cost-aware, WhatsApp keeps full Unicode."""

from __future__ import annotations

from collections.abc import Sequence

from bot.languages import SmsPolicy, get_language
from bot.messages import ChannelKind, Reply
from bot.sms import segment_count, split_segments, transliterate_for_sms

#: Twilio's Messages API refuses bodies over 1,600 characters (error 21617).
MAX_BODY = 1600

#: On SMS, replies are packed into one message while it stays within this many segments; a
#: longer turn (a staff list, say) goes as several messages split between replies, so no
#: message reaches a basic phone as a wall of text cut mid-sentence.
SMS_MAX_SEGMENTS = 3


def render_bodies(replies: Sequence[Reply], channel: ChannelKind, lang: str | None) -> list[str]:
    """Join a turn's replies into as few messages as possible (each message costs money).

    On SMS a message stays within `SMS_MAX_SEGMENTS` where the replies allow it: replies that
    do not fit together go as separate messages, split between replies.
    """
    texts = [reply.text for reply in replies if reply.text]
    if not texts:
        return []
    if channel is not ChannelKind.SMS:
        return split_segments("\n\n".join(texts), limit=MAX_BODY)
    if get_language(lang).sms_policy is SmsPolicy.TRANSLITERATE:
        texts = [transliterate_for_sms(text) for text in texts]
    bodies: list[str] = []
    for text in texts:
        joined = f"{bodies[-1]}\n\n{text}" if bodies else text
        if bodies and segment_count(joined) <= SMS_MAX_SEGMENTS:
            bodies[-1] = joined
        else:
            bodies.append(text)
    return [part for body in bodies for part in split_segments(body, limit=MAX_BODY)]
