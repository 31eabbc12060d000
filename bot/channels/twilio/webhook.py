"""Twilio Messaging webhooks (SMS and WhatsApp): verify, parse, answer with TwiML.

The signature is checked before any field is interpreted, over the URL Twilio was configured
with (built from FRONTDOOR_PUBLIC_BASE_URL: behind a TLS proxy `request.url` is not the URL
Twilio signed). Unknown form fields are accepted: Twilio adds parameters without notice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, Response

from bot import metrics
from bot.channels.base import WebRequest
from bot.channels.render import render_bodies
from bot.channels.twilio import signature, twiml
from bot.channels.twilio.channel import TwilioChannel
from bot.channels.twilio.content import registry_for
from bot.channels.twilio.derive import button_label
from bot.channels.twilio.inbound import (
    FormParams,
    MalformedForm,
    parse_form,
    parse_message,
    parse_status,
)
from bot.channels.twilio.replies import interactive_parts, reply_job_id
from bot.channels.voice_notes import voice_notes
from bot.jobs.models import Parcel, SendJob
from bot.jobs.sending import seal_parcel
from bot.messages import ChannelKind, Inbound, Reply
from bot.spool import SpoolFull
from bot.store.base import StoreError

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


async def _send_interactive(
    services: Any, inbound: Inbound, replies: Sequence[Reply], lang: str | None
) -> bool:
    """Buttons or a list for this turn (sent by REST through the outbound queue), if a reply
    has options with a synced content; False: answer in TwiML."""
    if not any(reply.options for reply in replies):
        return False
    conv = services.conversations
    code = lang or conv.settings.default_language
    registry = registry_for(conv.store)
    try:
        parts = await interactive_parts(replies, code, button_label(conv.engine, code), registry)
    except StoreError as exc:  # the contents cannot be read now: numbered text still works
        log.warning("interactive reply as text: %s", exc)
        return False
    if parts is None:
        return False
    outbound = services.outbound
    job = SendJob(
        job_id=reply_job_id(inbound.message_id),
        contact=conv.key_for(inbound.sender).digest,
        channel=ChannelKind.WHATSAPP,
        sealed=seal_parcel(outbound.codec, Parcel(phone=inbound.sender, parts=parts)),
        proactive=False,  # the answer to what the person wrote
    )
    await outbound.queue.send(job)
    return True


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
        interactive = inbound.channel is ChannelKind.WHATSAPP and not handled.voice
        if interactive and await _send_interactive(
            services, inbound, handled.replies, handled.lang
        ):
            return Response(twiml.EMPTY, media_type=TWIML)
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
        with metrics.timed("status_callback"):
            await request.app.state.services.record_delivery(update)
        return Response(status_code=204)

    return router
