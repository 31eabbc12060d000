"""`GET /media/<name>.<ext>`: rendered prompts for Twilio to fetch (voice notes, <Play>).

No sign-in (Twilio fetches media anonymously): the names are unguessable keyed hashes and
expire (cache.py). Anything that is not such a name, or has expired, is a plain 404.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response

from bot.speech.audio import AudioFormat

_NAME = re.compile(r"^[0-9a-f]{32}\.(ogg|mp3|wav)$")


def make_router() -> APIRouter:
    router = APIRouter()

    @router.get("/media/{filename}")
    async def media(filename: str, request: Request) -> Response:
        speech = getattr(request.app.state.services, "speech", None)
        match = _NAME.match(filename)
        data = speech.cache.get(filename) if speech is not None and match else None
        if data is None or match is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(
            data,
            media_type=AudioFormat(match.group(1)).content_type,
            headers={"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"},
        )

    return router
