"""WhatsApp voice mode (flows/voice.yaml): each reply also as a voice note.

The text goes first, as always; the voice note follows as a second `<Message>` that carries
only a `<Media>` (WhatsApp sends no caption with audio, so the same message cannot hold both).
A prompt that cannot be spoken (no speech engine, a failure) leaves the text alone: the
reply is never lost for its audio.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.messages import ChannelKind
from bot.speech.audio import AudioFormat
from bot.speech.engines import SpeechError
from bot.speech.service import Speech

log = logging.getLogger(__name__)


def media_url(base_url: str, filename: str) -> str:
    return f"{base_url.rstrip('/')}/media/{filename}"


async def voice_notes(
    speech: Speech | None,
    bodies: Sequence[str],
    lang: str | None,
    channel: ChannelKind,
    base_url: str,
) -> list[str]:
    """The media URLs of the voice notes for these message bodies (one per body), or none."""
    if speech is None or channel is not ChannelKind.WHATSAPP or not bodies:
        return []
    code = lang or "es"
    if not speech.speaks(code):
        return []
    urls: list[str] = []
    for body in bodies:
        try:
            spoken = await speech.arender(body, code, AudioFormat.OGG)
        except SpeechError as exc:
            log.warning("no voice note (%s): sending the text alone", exc)
            return []
        urls.append(media_url(base_url, spoken.filename))
    return urls
