"""Replies to message bodies, per channel: SMS is cost-aware, WhatsApp keeps full Unicode.

The one renderer for everything the bot sends: the replies of a turn (`render_bodies`) and
every message it writes on its own (`rendered`: staff texts to applicants and to staff,
portal sign-in codes, staff replies, notices), so GSM-7 transliteration and segment limits
apply to all of them alike."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.languages import SmsPolicy, get_language
from bot.messages import ChannelKind, Reply
from bot.outbound import OutboundMessage
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


def rendered(message: OutboundMessage, lang: str | None) -> list[OutboundMessage]:
    """A message the bot sends on its own, as the messages it goes as on its channel (in
    `lang`, whose SMS policy applies): on SMS transliterated to GSM-7, split like replies."""
    if message.content_sid is not None:
        return [message]  # an approved template: its text is the provider's
    bodies = render_bodies([Reply(text=message.body)], message.channel, lang)
    return [dataclasses.replace(message, body=body) for body in bodies]
