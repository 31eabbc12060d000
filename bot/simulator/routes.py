"""`/simulator`: the page, and the JSON it talks to.

Every message typed in the page goes where a Twilio webhook's goes: an `Inbound` (channel SMS
or WhatsApp, a fictional +1 555 number per browser: `phones.py`) into `Intake.receive`, and
the replies through `render_bodies`, so the page shows what a phone would get. Beside them: the
flow step the conversation is at, the catalog messages each reply is made of (`msgids.py`),
and on SMS each body's encoding, segments and price (`bot/sms.py`). Messages the bot sends on
its own (results, notices) come back from the simulator's mailbox (`sender.py`).

Not the webhook's: no signature (there is no Twilio request), no metrics (simulated turns
would count as people), no voice notes. The browser is known by a random token in an
HttpOnly, SameSite=Strict cookie; every API call also needs the `X-Simulator` header, which a
cross-site form cannot send.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from bot.channels.render import render_bodies
from bot.languages import LANGUAGES
from bot.messages import ChannelKind, Inbound
from bot.services import Services
from bot.simulator.msgids import MessageIds
from bot.simulator.phones import phone_for
from bot.simulator.sender import mailbox
from bot.sms import encoding, segment_count
from bot.spool import SpoolFull

STATIC = Path(__file__).parent / "static"
FILES = {"simulator.js": "text/javascript", "simulator.css": "text/css"}
COOKIE = "fd_sim"
HEADER = "X-Simulator"
#: The command word that opens the language menu (bot/engine/commands.py), in English.
LANGUAGE_WORD = "LANGUAGE"
POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)


class Typed(BaseModel):
    text: str = Field(max_length=2000)
    channel: ChannelKind = ChannelKind.SMS
    #: An option's id, as Twilio's ButtonPayload carries it for a tapped WhatsApp button.
    button: str | None = Field(default=None, max_length=200)


class LanguageSwitch(BaseModel):
    lang: str = Field(max_length=10)
    channel: ChannelKind = ChannelKind.SMS


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _token(request: Request) -> str | None:
    token = request.cookies.get(COOKIE)
    return token if token and len(token) <= 64 else None


def _set_token(response: Response, token: str, request: Request) -> None:
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/simulator",
    )


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _msgids(request: Request) -> MessageIds:
    found: MessageIds | None = getattr(request.app.state, "simulator_msgids", None)
    if found is None:
        found = MessageIds(_services(request).catalogs)
        request.app.state.simulator_msgids = found
    return found


def _body_view(body: str, channel: ChannelKind, price: float) -> dict[str, Any]:
    if channel is not ChannelKind.SMS:
        return {"text": body}
    segments = segment_count(body)
    return {
        "text": body,
        "encoding": encoding(body),
        "segments": segments,
        "cost": round(segments * price, 4),
    }


async def _state(services: Services, phone: str) -> dict[str, Any]:
    session = await services.store.load(services.conversations.key_for(phone))
    languages = [
        {"code": lang.code, "name": lang.own_name}
        for lang in LANGUAGES
        if lang.code in services.catalogs.languages
    ]
    if session is None:
        return {
            "phone": phone,
            "flow": None,
            "step": None,
            "lang": None,
            "asks": None,
            "languages": languages,
        }
    asks = None
    flowset = services.conversations.engine.flowset
    if session.flow in flowset.flows and session.step in flowset.flows[session.flow].steps:
        asks = flowset.step(session.flow, session.step).say
    return {
        "phone": phone,
        "channel": session.channel.value,
        "flow": session.flow,
        "step": session.step,
        "lang": session.lang,
        "asks": asks,
        "waiting_calls": len(session.queued) + (session.pending is not None),
        "languages": languages,
    }


def _later(services: Services, phone: str) -> list[dict[str, Any]]:
    box = mailbox(services.sender)
    if box is None:
        return []
    price = services.settings.simulator_segment_price
    return [
        {"channel": m.channel.value, **_body_view(m.body, m.channel, price)}
        for m in box.take(phone)
    ]


async def _turn(request: Request, phone: str, typed: Typed) -> dict[str, Any]:
    services = _services(request)
    inbound = Inbound(
        message_id=f"SIM{uuid.uuid4().hex}",
        sender=phone,
        channel=typed.channel,
        text=typed.text,
        received_at=services.conversations.clock(),
        button_payload=typed.button or None,
    )
    handled = await services.intake.receive(inbound)  # the webhook's way in
    bodies = render_bodies(handled.replies, typed.channel, handled.lang)
    lang = handled.lang or services.settings.default_language
    ids = _msgids(request)
    price = services.settings.simulator_segment_price
    return {
        "sent": typed.text,
        "bodies": [_body_view(body, typed.channel, price) for body in bodies],
        "messages": [
            {"msgid": found.msgid, "lang": found.lang, "fallback": found.lang != lang}
            for reply in handled.replies
            for found in ids.find(reply.text, lang)
        ],
        "options": [
            {"id": option.id, "title": option.title}
            for option in (handled.replies[-1].options if handled.replies else ())
        ],
    }


def make_router() -> APIRouter:
    router = APIRouter(prefix="/simulator", include_in_schema=False)

    @router.get("")
    async def page(request: Request) -> Response:
        response = _headers(FileResponse(STATIC / "simulator.html", media_type="text/html"))
        if _token(request) is None:
            _set_token(response, secrets.token_urlsafe(24), request)
        return response

    @router.get("/static/{name}")
    async def static(name: str) -> Response:
        if name not in FILES:
            return _headers(Response("not found", status_code=404, media_type="text/plain"))
        return _headers(FileResponse(STATIC / name, media_type=FILES[name]))

    def _phone(request: Request) -> str | None:
        token = _token(request)
        if token is None or request.headers.get(HEADER) != "1":
            return None
        secret = _services(request).settings.secret_key.get_secret_value()
        return phone_for(secret, token)

    def _refused() -> Response:
        return _headers(JSONResponse({"error": "open /simulator first"}, status_code=403))

    async def _answer(request: Request, phone: str, turns: list[Typed]) -> Response:
        services = _services(request)
        try:
            done = [await _turn(request, phone, typed) for typed in turns]
        except SpoolFull:
            return _headers(JSONResponse({"error": "busy"}, status_code=503))
        state = await _state(services, phone)
        return _headers(
            JSONResponse({"turns": done, "later": _later(services, phone), "state": state})
        )

    @router.get("/api/state")
    async def state(request: Request) -> Response:
        phone = _phone(request)
        if phone is None:
            return _refused()
        services = _services(request)
        state = await _state(services, phone)
        return _headers(
            JSONResponse({"turns": [], "later": _later(services, phone), "state": state})
        )

    @router.post("/api/send")
    async def send(request: Request, typed: Typed) -> Response:
        phone = _phone(request)
        if phone is None:
            return _refused()
        return await _answer(request, phone, [typed])

    @router.post("/api/language")
    async def language(request: Request, switch: LanguageSwitch) -> Response:
        """The language menu, then the language: two messages, as a person would send them."""
        phone = _phone(request)
        if phone is None:
            return _refused()
        if switch.lang not in {lang.code for lang in LANGUAGES}:
            return _headers(JSONResponse({"error": "unknown language"}, status_code=400))
        turns = [
            Typed(text=LANGUAGE_WORD, channel=switch.channel),
            Typed(text=switch.lang, channel=switch.channel),
        ]
        return await _answer(request, phone, turns)

    @router.post("/api/reset")
    async def reset(request: Request) -> Response:
        """A new person: a new token (so a new number); the old conversation is deleted."""
        phone = _phone(request)
        if phone is None:
            return _refused()
        services = _services(request)
        key = services.conversations.key_for(phone)
        async with services.store.lock(key):
            await services.store.delete(key)
        _later(services, phone)  # drop what was kept for the old number
        token = secrets.token_urlsafe(24)
        secret = services.settings.secret_key.get_secret_value()
        response = JSONResponse(
            {"turns": [], "later": [], "state": await _state(services, phone_for(secret, token))}
        )
        _set_token(response, token, request)
        return _headers(response)

    return router
