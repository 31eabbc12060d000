"""Twilio Messaging webhooks (SMS and WhatsApp): verify, parse, answer with TwiML.

The signature is checked before any field is interpreted, over the URL Twilio was configured
with (built from FRONTDOOR_PUBLIC_BASE_URL: behind a TLS proxy `request.url` is not the URL
Twilio signed). Unknown form fields are accepted: Twilio adds parameters without notice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot import metrics
from bot.channels.render import render_bodies
from bot.channels.voice_notes import voice_notes
from bot.contacts import InvalidSender, normalize_phone
from bot.messages import ChannelKind, Inbound
from bot.spool import SpoolFull

log = logging.getLogger(__name__)

TWIML = "application/xml"
WHATSAPP_PREFIX = "whatsapp:"


class MalformedForm(ValueError):
    """The request body is not a Twilio form we can use (answered with 400)."""


FormParams = ImmutableMultiDict[str, str]


def parse_form(body: bytes) -> FormParams:
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedForm("body is not an application/x-www-form-urlencoded form") from exc
    return ImmutableMultiDict(pairs)


def signed_url(public_base_url: str, path: str, query: str) -> str:
    url = public_base_url.rstrip("/") + path
    return f"{url}?{query}" if query else url


def signature_valid(token: str, url: str, form: FormParams, signature: str | None) -> bool:
    if not signature:
        return False
    return bool(RequestValidator(token).validate(url, form, signature))


def parse_inbound(form: Mapping[str, str], now: datetime) -> Inbound:
    message_id = form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid")
    sender = form.get("From")
    if not message_id or not sender:
        raise MalformedForm("MessageSid and From are required")
    channel = ChannelKind.WHATSAPP if sender.startswith(WHATSAPP_PREFIX) else ChannelKind.SMS
    try:
        phone = normalize_phone(sender)
    except InvalidSender as exc:
        raise MalformedForm(f"From is not a phone number ({exc})") from exc
    try:
        num_media = int(form.get("NumMedia") or 0)
    except ValueError as exc:
        raise MalformedForm("NumMedia is not a number") from exc
    media_types = tuple(form.get(f"MediaContentType{i}", "") for i in range(min(num_media, 10)))
    return Inbound(
        message_id=message_id,
        sender=phone,
        channel=channel,
        text=form.get("Body", ""),
        received_at=now,
        # Route on ButtonPayload, never on the (translated) title in Body.
        button_payload=form.get("ButtonPayload") or None,
        num_media=num_media,
        media_types=media_types,
    )


def render_twiml(bodies: Sequence[str], media: Sequence[str] = ()) -> str:
    """One <Message> per body, then one per media URL (voice notes: bot/channels/voice_notes)."""
    response = MessagingResponse()
    for body in bodies:
        response.message(body)
    for url in media:
        response.message().media(url)
    return str(response)


async def verified_form(request: Request) -> FormParams | Response:
    """The form of a Twilio webhook (messages, status, voice), or the 400/403 to answer."""
    services = request.app.state.services
    body = await request.body()
    try:
        form = parse_form(body)
    except MalformedForm as exc:
        return Response(str(exc), status_code=400, media_type="text/plain")
    token = services.settings.twilio_auth_token
    if token is not None:
        base = services.settings.public_base_url or str(request.base_url)
        url = signed_url(base, request.url.path, request.url.query)
        signature = request.headers.get("X-Twilio-Signature")
        if not signature_valid(token.get_secret_value(), url, form, signature):
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
            inbound = parse_inbound(form, services.conversations.clock())
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
        return Response(render_twiml(bodies, media), media_type=TWIML)

    @router.post("/twilio/status")
    async def status_callback(request: Request) -> Response:
        form = await verified_form(request)
        if isinstance(form, Response):
            return form
        sid, status = form.get("MessageSid"), form.get("MessageStatus")
        if not sid or not status:
            return Response("MessageSid and MessageStatus are required", status_code=400)
        await request.app.state.services.record_delivery(sid, status, form.get("ErrorCode"))
        return Response(status_code=204)

    return router
