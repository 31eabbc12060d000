"""A WhatsApp turn's replies as REST sends when one of them is interactive.

TwiML `<Message>` carries text and media only, so a turn with buttons or a list goes through
the Messages API: its replies become the parts of one send job (in order: text parts as
Body, the question as ContentSid + ContentVariables with its numbered text as fallback),
queued on the outbound queue under a name made from the MessageSid (a retried webhook gets the
same job, which the ledger sends once), and the webhook answers with an empty `<Response/>`.
A question without a synced content (`frontdoor whatsapp sync`), a title too long, more than
ten options: numbered text in TwiML, as before. SMS never comes here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bot.channels.render import render_bodies
from bot.channels.twilio.content import ContentRegistry
from bot.channels.twilio.interactive import interactive_for, question_text
from bot.jobs.models import Part
from bot.messages import ChannelKind, Reply


async def interactive_parts(
    replies: Sequence[Reply], lang: str, button: str, registry: ContentRegistry
) -> list[Part] | None:
    """The parts to send, or None when no reply is interactive (TwiML as usual)."""
    parts: list[Part] = []
    plain: list[Reply] = []
    used = False

    def flush() -> None:
        parts.extend(Part(body=b) for b in render_bodies(plain, ChannelKind.WHATSAPP, lang))
        plain.clear()

    for reply in replies:
        content = interactive_for(reply.options, lang, button) if reply.options else None
        body = question_text(reply) if content is not None else None
        record = await registry.get(content.key, lang) if content and body else None
        if record is None or body is None:
            plain.append(reply)
            continue
        flush()
        text = render_bodies([reply], ChannelKind.WHATSAPP, lang)
        parts.append(
            Part(
                content_sid=record.sid,
                content_variables={"1": body},
                text_fallback="\n\n".join(text),
            )
        )
        used = True
    flush()
    return parts if used else None


def reply_job_id(message_sid: str) -> str:
    return "reply-" + hashlib.sha256(message_sid.encode()).hexdigest()[:24]
