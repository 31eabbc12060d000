"""Twilio Messaging webhooks (SMS and WhatsApp): verify, parse, answer with TwiML.

The signature is checked before any field is interpreted, over the URL Twilio was configured
with (built from FRONTDOOR_PUBLIC_BASE_URL: behind a TLS proxy `request.url` is not the URL
Twilio signed). Unknown form fields are accepted: Twilio adds parameters without notice.
"""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request, Response

from bot import metrics
from bot.channels.base import WebRequest
from bot.channels.render import render_bodies
from bot.channels.twilio import signature, twiml
from bot.channels.twilio.channel import TwilioChannel
from bot.channels.twilio.inbound import (
    FormParams,
    MalformedForm,
    parse_form,
    parse_message,
    parse_status,
)
from bot.channels.voice_notes import voice_notes
from bot.spool import SpoolFull

log = logging.getLogger(__name__)

TWIML = twiml.MEDIA_TYPE


def channel_for(request: Request) -> TwilioChannel:
    token = request.app.state.services.settings.twilio_auth_token
    return TwilioChannel(token.get_secret_value() if token is not None else None)


async def verified_form(request: Request) -> FormParams | Response:
    """The form of a Twilio webhook (messages, status, voice), or the 400/403 to answer."""
    services = request.app.state.services
    body = await request.body()
    try:
        form = parse_form(body)
    except MalformedForm as exc:
        return Response(str(exc), status_code=400, media_type="text/plain")
    channel = channel_for(request)
    if channel.verifies:
        base = services.settings.public_base_url or str(request.base_url)
        url = signature.signed_url(base, request.url.path, request.url.query)
        web = WebRequest(url=url, form=form, items=form.multi_items(), headers=request.headers)
        if not channel.verify(web):
            log.warning("rejected %s: missing or invalid X-Twilio-Signature", request.url.path)
            return Response("invalid signature", status_code=403, media_type="text/plain")
    return form


def make_router() -> APIRouter:
    router = APIRouter()

    @router.post("/twilio/messages")
    async def inbound_message(request: Request) -> Response:
        form = await verified_form(request)
        if isinstance(form, Response):
            return form
        services = request.app.state.services
        try:
            inbound = parse_message(form, services.conversations.clock())
        except MalformedForm as exc:
            return Response(str(exc), status_code=400, media_type="text/plain")
        started = time.perf_counter()
        try:
            handled = await services.intake.receive(inbound)
        except SpoolFull as exc:  # neither handled nor kept: let Twilio try the fallback URL
            log.error("inbound message refused: %s", exc)
            return Response("busy", status_code=503, media_type="text/plain")
        bodies = render_bodies(handled.replies, inbound.channel, handled.lang)
        metrics.inbound(inbound.channel, handled.lang, bodies, time.perf_counter() - started)
        media: list[str] = []
        if handled.voice:
            base = services.settings.public_base_url or str(request.base_url)
            media = await voice_notes(services.speech, bodies, handled.lang, inbound.channel, base)
        return Response(twiml.messaging(bodies, media), media_type=TWIML)

    @router.post("/twilio/status")
    async def status_callback(request: Request) -> Response:
        form = await verified_form(request)
        if isinstance(form, Response):
            return form
        try:
            update = parse_status(form)
        except MalformedForm as exc:
            return Response(str(exc), status_code=400)
        await request.app.state.services.record_delivery(update)
        return Response(status_code=204)

    return router
