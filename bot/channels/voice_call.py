"""`POST /twilio/voice`: the phone line, for people who cannot read (issue 20).

A call is one more channel into the same conversation: every key press becomes an `Inbound`
(channel VOICE, the caller's number, so the same contact key as their SMS or WhatsApp) and goes
through `Intake.receive` -> `Conversations.handle` -> the flows, like a text message. What the
conversation then waits for (the open question of its session) decides how the call asks:

- numbered options (language, menu, yes/no, ports...): `<Gather input="dtmf" numDigits="1">`,
  the key is the option's number; the language menu is said line by line, each language in
  its own words and voice ("Para Español, marque 1." "Pou Kreyòl ayisyen, peze 2.");
- a date: eight digits DDMMYYYY (`<Gather numDigits="8">`), given to the flow as DD/MM/YYYY;
- free text (name, nationality): `<Gather input="speech">` where Twilio recognises the
  language (es-MX, pt-BR, en-US), read back for confirmation ("I heard: ... Press 1 if it is
  right"); in any other language the call offers a callback instead: "1" opens the handoff
  (flows/human.yaml, through the flows) with a first line "Voice call: please call this
  person back. Language: ..." and the call ends;
- `*` is the main menu at any question.

Every prompt is `<Play>` of audio rendered and cached by bot/speech (MP3, served by
`/media/`), or `<Say>` in the nearest language Twilio speaks when no speech engine is set up.
What a turn says is not stored by the call: a retried request (same CallSid and turn) is a
replayed message id, answered from the session like an SMS retry. The text heard by speech
recognition waits for its confirmation sealed in the next request's URL (AES-GCM, bound to
the call), never in plain text.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import APIRouter, Request, Response

from bot import metrics
from bot.channels.twilio import TWIML, verified_form
from bot.channels.twiml_voice import Gather, VoiceTwiml
from bot.channels.voice_notes import media_url
from bot.contacts import InvalidSender, normalize_phone
from bot.engine.commands import Command
from bot.engine.models import Collect
from bot.engine.session import Session
from bot.languages import BY_CODE, fallback_chain
from bot.messages import ChannelKind, Inbound, Reply
from bot.services import Services
from bot.speech.audio import AudioFormat
from bot.speech.engines import SpeechError
from bot.staff.chat import HANDOFF_REQUESTED, HANDOFF_SLOT
from bot.store.base import StoreError

log = logging.getLogger(__name__)

PATH = "/twilio/voice"
#: Languages Twilio both speaks (`<Say>`) and recognises (`<Gather input="speech">`).
TWILIO_LANGUAGES: dict[str, str] = {"es": "es-MX", "pt": "pt-BR", "en": "en-US"}
#: Answer types taken as free text: by speech recognition, or a callback offer.
FREE_TEXT = frozenset({"name", "country"})
#: Silences in a row before the call says goodbye.
MAX_SILENCES = 2
_HEARD_INFO = b"frontdoor/voice-call/heard/v1"
_NONCE = 12


class Stage(StrEnum):
    """What the request answers (a query parameter of the Gather's action URL)."""

    ANSWER = "answer"  # the open question: keys or speech for the flow
    HEARD = "heard"  # 1: what speech recognition heard is right, 2: ask again
    CALLBACK = "callback"  # 1: a person calls back, 2: the main menu
    SILENCE = "silence"  # the Gather timed out


@dataclass(frozen=True, slots=True)
class Call:
    """One request of a call: Twilio's fields, and where in the call it is (the query)."""

    sid: str
    phone: str
    digits: str
    speech: str
    turn: int
    stage: Stage
    heard: str
    silences: int


class MalformedCall(ValueError):
    pass


def parse_call(form: Mapping[str, str], query: Mapping[str, str]) -> Call:
    sid = form.get("CallSid")
    if not sid:
        raise MalformedCall("CallSid is required")
    try:
        phone = normalize_phone(form.get("From") or "")
    except InvalidSender:
        phone = ""  # a withheld number: told, then the call ends
    try:
        turn = int(query.get("turn") or 0)
        stage = Stage(query.get("stage") or Stage.ANSWER)
        silences = int(query.get("silent") or 0)
    except ValueError as exc:
        raise MalformedCall(f"bad query: {exc}") from exc
    return Call(
        sid=sid,
        phone=phone,
        digits=(form.get("Digits") or "").strip(),
        speech=(form.get("SpeechResult") or "").strip(),
        turn=turn,
        stage=stage,
        heard=query.get("heard") or "",
        silences=silences,
    )


def keypad_text(digits: str, collect: Collect | None) -> str:
    """What keys mean to the flow: `*` the menu, eight digits at a date DD/MM/YYYY."""
    if digits == "*":
        return Command.MENU.value
    if collect is not None and collect.type == "date" and len(digits) == 8 and digits.isdigit():
        return f"{digits[:2]}/{digits[2:4]}/{digits[4:]}"
    return digits.rstrip("#")


class HeardSeal:
    """What speech recognition heard, sealed into the confirmation's URL (bound to the call)."""

    def __init__(self, secret: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HEARD_INFO)
        self._aead = AESGCM(key.derive(secret.encode()))

    def seal(self, text: str, call_sid: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = nonce + self._aead.encrypt(nonce, text.encode(), call_sid.encode())
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open(self, token: str, call_sid: str) -> str | None:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], call_sid.encode()).decode()
        except (binascii.Error, ValueError, InvalidTag):
            return None


@dataclass(frozen=True, slots=True)
class _Prompt:
    """One thing to say, in the language (and voice) to say it in."""

    text: str
    lang: str


class PhoneLine:
    def __init__(self, services: Services, base_url: str) -> None:
        self.services = services
        self.base_url = base_url.rstrip("/")
        self.conversations = services.conversations
        self.engine = services.conversations.engine
        self.catalogs = self.engine.catalogs
        secret = services.settings.secret_key.get_secret_value()
        self.seal = HeardSeal(secret)

    # ---- the call -------------------------------------------------------------------------

    async def answer(self, call: Call) -> VoiceTwiml:
        if not call.phone:
            twiml = VoiceTwiml()
            lang = self.services.settings.default_language
            await self._say(twiml, [_Prompt(self._message(lang, "no_caller_id"), lang)])
            return twiml.hangup()
        if call.turn == 0:  # the call starts: the language menu, or the main menu
            return await self._turn(call, Command.MENU.value)
        session = await self._session(call)
        if call.stage is Stage.SILENCE:
            if call.silences >= MAX_SILENCES:
                return await self._goodbye(session)
            return await self._ask(call, session, [], call.turn)
        if call.stage is Stage.HEARD:
            heard = self.seal.open(call.heard, call.sid) if call.digits == "1" else None
            if heard is None:  # "2", another key, or a token that is not this call's
                return await self._ask(call, session, [], call.turn)
            return await self._turn(call, heard)
        if call.stage is Stage.CALLBACK:
            if call.digits == "1":
                return await self._turn(call, Command.HUMAN.value, callback=True)
            if call.digits == "2" or call.digits == "*":
                return await self._turn(call, Command.MENU.value)
            return await self._ask(call, session, [], call.turn)
        collect = self._collect(session)
        if call.speech and collect is not None and collect.type in FREE_TEXT:
            return await self._read_back(call, session)
        if not call.digits:
            return await self._ask(call, session, [], call.turn)
        return await self._turn(call, keypad_text(call.digits, collect))

    async def _turn(self, call: Call, text: str, *, callback: bool = False) -> VoiceTwiml:
        """One message to the conversation, then the question it waits at."""
        inbound = Inbound(
            message_id=f"{call.sid}:{call.turn}",
            sender=call.phone,
            channel=ChannelKind.VOICE,
            text=text,
            received_at=self.conversations.clock(),
        )
        started = time.perf_counter()
        handled = await self.services.intake.receive(inbound)
        texts = [reply.text for reply in handled.replies if reply.text]
        seconds = time.perf_counter() - started
        metrics.inbound(ChannelKind.VOICE, handled.lang or "-", texts, seconds)
        session = await self._session(call)
        if callback and session is not None:
            return await self._called_back(session)
        return await self._ask(call, session, handled.replies, call.turn + 1)

    async def _ask(
        self, call: Call, session: Session | None, replies: Sequence[Reply], turn: int
    ) -> VoiceTwiml:
        """Say the replies, then ask what the conversation waits for."""
        twiml = VoiceTwiml()
        lang = self._lang(session)
        if session is None or self._paused(session):  # data deleted, or a person takes over
            await self._say(twiml, [_Prompt(r.text, lang) for r in replies])
            return twiml.hangup()
        ctx = await self.conversations.turn_context()
        question = self.engine.question(session, ctx)
        collect = self._collect(session)
        asked = list(replies)
        asked_options = question[-1].options if question else ()
        if not asked or (asked_options and asked[-1].options != asked_options):
            asked += question  # after a "home" step the menu is not said: a call must say it
        prompts = [_Prompt(reply.text, lang) for reply in asked]
        if collect is not None and collect.type == "language" and asked[-1:] == question[-1:]:
            prompts = prompts[:-1] + self._language_menu(question[-1])
        gather = Gather(action=self._url(turn, Stage.ANSWER), num_digits=1)
        if collect is not None and collect.type == "date":
            prompts.append(_Prompt(self._message(lang, "date_keys"), lang))
            gather = Gather(action=gather.action, num_digits=8, finish_on_key="#", timeout=15)
        elif collect is not None and collect.type in FREE_TEXT:
            spoken = self._recognised(lang)
            if spoken is None:
                prompts.append(_Prompt(self._message(lang, "no_speech"), lang))
                gather = Gather(action=self._url(turn, Stage.CALLBACK), num_digits=1)
            else:
                gather = Gather(action=gather.action, input="speech", language=spoken)
        elif collect is not None and (not asked_options or len(asked_options) > 9):
            gather = Gather(action=gather.action, finish_on_key="#", timeout=10)
        await self._say(gather, prompts)
        twiml.gather(gather)
        silent = self._url(turn, Stage.SILENCE, silent=str(call.silences + 1))
        return twiml.redirect(silent)

    async def _read_back(self, call: Call, session: Session | None) -> VoiceTwiml:
        lang = self._lang(session)
        token = self.seal.seal(call.speech, call.sid)
        gather = Gather(action=self._url(call.turn, Stage.HEARD, heard=token), num_digits=1)
        text = self._message(lang, "heard").format(answer=call.speech)
        await self._say(gather, [_Prompt(text, lang)])
        twiml = VoiceTwiml().gather(gather)
        return twiml.redirect(self._url(call.turn, Stage.SILENCE, silent=str(call.silences + 1)))

    async def _called_back(self, session: Session) -> VoiceTwiml:
        """The handoff is open (flows/human.yaml): mark it as a voice call, say so, hang up."""
        lang = self._lang(session)
        handoff = session.slots.get(HANDOFF_SLOT)
        staff = self.services.staff
        if staff is not None and handoff and handoff != HANDOFF_REQUESTED:
            staff_lang = self.services.settings.default_language
            name = BY_CODE[lang].own_name if lang in BY_CODE else lang
            note = self._message(staff_lang, "callback_note")
            note = note.format(language=f"{name} ({lang})")
            await staff.handoff_message(str(handoff), note)
        else:
            log.warning("voice call: no handoff was opened for the callback")
        twiml = VoiceTwiml()
        await self._say(twiml, [_Prompt(self._message(lang, "callback_told"), lang)])
        return twiml.hangup()

    async def _goodbye(self, session: Session | None) -> VoiceTwiml:
        lang = self._lang(session)
        twiml = VoiceTwiml()
        await self._say(twiml, [_Prompt(self._message(lang, "goodbye"), lang)])
        return twiml.hangup()

    # ---- what to say, and how -------------------------------------------------------------

    def _language_menu(self, question: Reply) -> list[_Prompt]:
        """Each language offered in its own words and voice: "Pou Kreyòl ayisyen, peze 2."."""
        msgid = self.engine.flowset.messages["call.language_option"]
        prompts = []
        for digit, option in enumerate(question.options, start=1):
            code = next(
                (c for c in fallback_chain(option.id) if not
                 self.catalogs.lookup(c, msgid).is_fallback_for(c)),
                option.id,
            )  # fmt: skip
            text = self.catalogs.gettext(code, msgid).format(language=option.title, digit=digit)
            prompts.append(_Prompt(text, code))
        return prompts

    async def _say(self, into: VoiceTwiml | Gather, prompts: Sequence[_Prompt]) -> None:
        speech = self.services.speech
        for prompt in prompts:
            if not prompt.text.strip():
                continue
            if speech is not None and speech.speaks(prompt.lang):
                try:
                    spoken = await speech.arender(prompt.text, prompt.lang, AudioFormat.MP3)
                except SpeechError as exc:
                    log.warning("voice call: prompt not rendered (%s): said by Twilio", exc)
                else:
                    into.play(media_url(self.base_url, spoken.filename))
                    continue
            into.say(prompt.text, language=self._twilio_voice(prompt.lang))

    @staticmethod
    def _twilio_voice(lang: str) -> str:
        """The nearest language Twilio's `<Say>` speaks (Kreyòl, the Mayan languages: es-MX)."""
        for code in [*fallback_chain(lang), "es"]:
            if code in TWILIO_LANGUAGES:
                return TWILIO_LANGUAGES[code]
        return TWILIO_LANGUAGES["es"]

    @staticmethod
    def _recognised(lang: str) -> str | None:
        """Twilio's speech recognition language for `lang`, if it has one."""
        return TWILIO_LANGUAGES.get(lang)

    def _message(self, lang: str, key: str) -> str:
        return self.catalogs.gettext(lang, self.engine.flowset.messages[f"call.{key}"])

    # ---- the conversation's state ---------------------------------------------------------

    async def _session(self, call: Call) -> Session | None:
        """The caller's conversation; None without a number, or while the store does not
        answer (then what was pressed is in the spool: the call says so and ends, and the
        answer comes by SMS once the spool is replayed)."""
        if not call.phone:
            return None
        try:
            return await self.conversations.store.load(self.conversations.key_for(call.phone))
        except StoreError as exc:
            log.warning("voice call: the conversation cannot be read now (%s)", exc)
            return None

    def _collect(self, session: Session | None) -> Collect | None:
        if session is None or session.flow is None or session.step is None:
            return None
        flow = self.engine.flowset.flows.get(session.flow)
        step = flow.steps.get(session.step) if flow is not None else None
        return step.collect if step is not None else None

    @staticmethod
    def _paused(session: Session) -> bool:
        handoff = session.slots.get(HANDOFF_SLOT)
        return bool(handoff) and handoff != HANDOFF_REQUESTED

    def _lang(self, session: Session | None) -> str:
        if session is not None and session.lang:
            return session.lang
        return self.services.settings.default_language

    def _url(self, turn: int, stage: Stage, **extra: str) -> str:
        query = {"turn": str(turn), "stage": stage.value, **extra}
        return f"{self.base_url}{PATH}?{urlencode(query)}"


def make_router() -> APIRouter:
    router = APIRouter()

    @router.post(PATH)
    async def voice(request: Request) -> Response:
        form = await verified_form(request)
        if isinstance(form, Response):
            return form
        try:
            call = parse_call(form, request.query_params)
        except MalformedCall as exc:
            return Response(str(exc), status_code=400, media_type="text/plain")
        services: Services = request.app.state.services
        base = services.settings.public_base_url or str(request.base_url)
        twiml = await PhoneLine(services, base).answer(call)
        return Response(str(twiml), media_type=TWIML)

    return router
