"""The phone line, through the real webhook (`POST /twilio/voice`, signed like Twilio signs):
golden calls (a new caller in Kreyòl reaching a callback; a registered caller's status and
today's request by keypad only, seen by the booking API over HTTP), every played URL served
as MP3 as long as its text in that voice, cache hits, signature refusals, speech recognition
read back, dates as eight digits, one conversation across a call and SMS.

Golden transcripts are in golden_calls/ (`pytest --record-golden` rewrites them: read the
diff). Each step records what the caller did, what the call said (the text behind each
<Play>, or a <Say>), and how it listens next."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from support import tools
from support.live import free_port
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather as OracleGather
from twilio.twiml.voice_response import VoiceResponse

from bot.channels.twiml_voice import Gather, VoiceTwiml
from bot.channels.voice_call import HeardSeal, keypad_text
from bot.engine.models import Collect
from bot.speech.audio import AudioFormat
from bot.speech.engines import EspeakEngine
from bot.speech.service import Speech, Spoken

TOKEN = "12345678901234567890123456789012"
PUBLIC = "https://bot.example.org"
LINE = "+16195550100"
GOLDEN = Path(__file__).parent / "golden_calls"
_REGISTRATION = re.compile(r"reg_[0-9a-f]{32}")


@pytest.fixture(scope="module")
def ffprobe() -> str:
    path: str = tools.or_fail(tools.speech_tools)
    return path


def sign(url: str, form: dict[str, str], token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, form))


class Phone:
    """A caller: each request is signed over the URL Twilio would call (the Gather's action)."""

    def __init__(self, client: TestClient, number: str, sid: str) -> None:
        self.client, self.number, self.sid = client, number, sid
        self.twiml: ET.Element | None = None
        speech = client.app.state.services.speech  # type: ignore[attr-defined]
        assert isinstance(speech, Speech)
        self.speech = speech
        #: media file name -> (text, language) of every prompt rendered for this call
        self.rendered: dict[str, tuple[str, str]] = getattr(speech, "_test_rendered", {})
        if not hasattr(speech, "_test_rendered"):
            original = speech.arender

            async def arender(
                text: str, lang: str, fmt: AudioFormat = AudioFormat.OGG
            ) -> Spoken:
                spoken = await original(text, lang, fmt)
                self.rendered[spoken.filename] = (text, lang)
                return spoken

            speech.arender = arender  # type: ignore[method-assign]
            speech._test_rendered = self.rendered  # type: ignore[attr-defined]

    def post(self, url: str, **fields: str) -> ET.Element:
        form = {"CallSid": self.sid, "AccountSid": "AC" + "0" * 32, "From": self.number, "To": LINE,
                "CallStatus": "in-progress", "Direction": "inbound", **fields}  # fmt: skip
        response = self.client.post(
            url.removeprefix(PUBLIC),
            content=urlencode(form).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": sign(url, form),
            },
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        self.twiml = ET.fromstring(response.text)
        assert self.twiml.tag == "Response"
        return self.twiml

    def start(self) -> ET.Element:
        return self.post(f"{PUBLIC}/twilio/voice")

    def gather(self) -> ET.Element:
        assert self.twiml is not None
        gather = self.twiml.find("Gather")
        assert gather is not None, "the call does not listen"
        return gather

    def press(self, digits: str) -> ET.Element:
        return self.post(self.gather().get("action", ""), Digits=digits)

    def speak(self, text: str) -> ET.Element:
        return self.post(self.gather().get("action", ""), SpeechResult=text, Confidence="0.93")

    def silence(self) -> ET.Element:
        assert self.twiml is not None
        redirect = self.twiml.find("Redirect")
        assert redirect is not None and redirect.text
        return self.post(redirect.text)

    def said(self) -> list[str]:
        """What the last answer says, in order: the text behind each <Play>, each <Say>."""
        assert self.twiml is not None
        out = []
        for verb in self.twiml.iter():
            if verb.tag == "Play":
                name = (verb.text or "").rsplit("/", 1)[-1]
                out.append(self.rendered[name][0])
            elif verb.tag == "Say":
                out.append(f"(Say {verb.get('language')}) {verb.text}")
        return out

    def plays(self) -> list[str]:
        assert self.twiml is not None
        return [verb.text or "" for verb in self.twiml.iter("Play")]

    def listens(self) -> str:
        assert self.twiml is not None
        gather = self.twiml.find("Gather")
        if gather is None:
            return "hangup" if self.twiml.find("Hangup") is not None else "nothing"
        how = gather.get("input", "")
        for attr in ("numDigits", "finishOnKey", "language"):
            if gather.get(attr):
                how += f" {attr}={gather.get(attr)}"
        return how


class Transcript:
    def __init__(self, phone: Phone) -> None:
        self.phone = phone
        self.steps: list[dict[str, Any]] = []

    def _record(self, did: str) -> None:
        said = [_REGISTRATION.sub("reg_<id>", text) for text in self.phone.said()]
        self.steps.append({"caller": did, "said": said, "then": self.phone.listens()})

    def start(self) -> None:
        self.phone.start()
        self._record("calls")

    def press(self, digits: str) -> None:
        self.phone.press(digits)
        self._record(f"presses {digits}")

    def speak(self, text: str) -> None:
        self.phone.speak(text)
        self._record(f"says {text}")

    def check(self, name: str, record: bool) -> None:
        path = GOLDEN / f"{name}.yaml"
        if record:
            text = yaml.dump(self.steps, Dumper=_Literal, allow_unicode=True, sort_keys=False,
                             width=100)  # fmt: skip
            path.write_text(text, encoding="utf-8")
        expected = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert self.steps == expected, f"call differs from {path.name} (--record-golden)"


class _Literal(yaml.SafeDumper):
    """Prompts of several lines as YAML blocks, as the conversation goldens show them."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Literal.add_representer(str, _text)


def probe(ffprobe: str, data: bytes) -> tuple[str, str, float]:
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(data)
        handle.flush()
        out = subprocess.run(
            [ffprobe, "-v", "error", "-show_entries", "format=format_name,duration:"
             "stream=codec_name", "-of", "default=noprint_wrappers=1", handle.name],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    fields = dict(line.split("=", 1) for line in out.splitlines())
    return fields["format_name"], fields["codec_name"], float(fields["duration"])


def check_played(phone: Phone, ffprobe: str, checked: set[str]) -> None:
    """Each <Play> URL serves MP3 as long as espeak-ng says its text in that voice."""
    for url in phone.plays():
        assert url.startswith(f"{PUBLIC}/media/") and url.endswith(".mp3"), url
        if url in checked:
            continue
        checked.add(url)
        served = phone.client.get(url.removeprefix(PUBLIC))
        assert served.status_code == 200
        assert served.headers["content-type"] == "audio/mpeg"
        container, codec, seconds = probe(ffprobe, served.content)
        assert (container, codec) == ("mp3", "mp3")
        text, lang = phone.rendered[url.rsplit("/", 1)[-1]]
        voice = phone.speech.voice_for(lang)
        assert voice is not None
        spoken = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        wav = EspeakEngine().synthesize(spoken, voice)
        expected = (len(wav) - 44) / (22050 * 2)  # espeak-ng: 22,050 Hz, 16-bit mono
        assert seconds == pytest.approx(expected, abs=0.2), text


@pytest.fixture
def phone_line(running_app: Callable[..., Any]) -> Callable[..., Any]:
    @contextmanager
    def start(**overrides: Any) -> Iterator[TestClient]:
        settings = {"twilio_auth_token": TOKEN, "public_base_url": PUBLIC, **overrides}
        with running_app(**settings) as client:
            yield client

    return start


def sms(client: TestClient, number: str, text: str, sid: str) -> str:
    form = {"MessageSid": sid, "From": number, "To": LINE, "Body": text, "NumMedia": "0"}
    url = f"{PUBLIC}/twilio/messages"
    response = client.post(
        "/twilio/messages",
        content=urlencode(form).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(url, form),
        },
    )
    assert response.status_code == 200, response.text
    found = re.findall(r"<Message>(.*?)</Message>", response.text, flags=re.S)
    return "\n".join(found)


# ---- must-show 1: signed TwiML with <Gather> and <Play>, audio served --------------------


def test_a_signed_call_gets_the_language_menu_to_press_with_played_prompts(
    phone_line: Callable[..., Any], ffprobe: str
) -> None:
    with phone_line() as client:
        phone = Phone(client, "+50937001122", "CA" + "1" * 32)
        twiml = phone.start()
        gather = phone.gather()
        assert (gather.get("input"), gather.get("numDigits")) == ("dtmf", "1")
        assert gather.get("action", "").startswith(f"{PUBLIC}/twilio/voice?")
        said = phone.said()
        assert "Para Español, marque 1." in said and "Pou Kreyòl ayisyen, peze 2." in said
        assert "Para Português, digite 3." in said and "For English, press 4." in said
        assert len(phone.plays()) == len(said) >= 7  # every prompt is a <Play>
        assert twiml.find("Redirect") is not None  # silence: asked again
        check_played(phone, ffprobe, set())


def test_unsigned_or_wrongly_signed_calls_are_refused(phone_line: Callable[..., Any]) -> None:
    form = {"CallSid": "CA" + "2" * 32, "From": "+50937001123", "To": LINE}
    body = urlencode(form).encode()
    with phone_line() as client:
        for signature in (None, sign(f"{PUBLIC}/twilio/voice", form, "0" * 32),
                          sign("https://evil.example.org/twilio/voice", form),
                          sign(f"{PUBLIC}/twilio/voice?turn=1", form)):  # fmt: skip
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if signature:
                headers["X-Twilio-Signature"] = signature
            response = client.post("/twilio/voice", content=body, headers=headers)
            assert response.status_code == 403
            assert "<Response" not in response.text
        speech = client.app.state.services.speech
        assert not any(speech.cache.directory.iterdir())  # nothing was rendered either


# ---- golden calls ---------------------------------------------------------------------------


def staff_inbox(client: TestClient) -> str:
    """What shelter staff see in their inbox (staff mode over SMS, a shelter with walk-ins)."""
    from bot.staff.cli import invite

    services = client.app.state.services  # type: ignore[attr-defined]
    staff_phone = "+5216649990000"
    code, _ = invite(services.staff.repo, services.settings, "Casa del Migrante", staff_phone,
                     services.conversations.clock(), True)  # fmt: skip
    sms(client, staff_phone, code, "SMstaff0001")
    return sms(client, staff_phone, "5", "SMstaff0002")


def test_golden_a_new_caller_in_kreyol_gets_a_callback_instead_of_a_dead_end(
    phone_line: Callable[..., Any], ffprobe: str, request: pytest.FixtureRequest
) -> None:
    record = bool(request.config.getoption("--record-golden"))
    checked: set[str] = set()
    with phone_line() as client:
        phone = Phone(client, "+50937004455", "CA" + "3" * 32)
        call = Transcript(phone)
        call.start()  # the language menu
        check_played(phone, ffprobe, checked)
        for key in ("2", "1", "1"):  # Kreyòl, yes to the privacy notice, Register
            call.press(key)
            check_played(phone, ffprobe, checked)
        assert phone.listens() == "dtmf numDigits=1"  # no speech recognition in Kreyòl
        call.press("1")  # a person calls back
        check_played(phone, ffprobe, checked)
        assert phone.listens() == "hangup"
        call.check("ht_new_caller_callback", record)
        inbox = staff_inbox(client)
    assert "Kreyòl ayisyen" in inbox and "Llamada de voz" in inbox, inbox


def register_by_sms(client: TestClient, number: str) -> None:
    answers = ["hola", "1", "si", "1", "María José Pérez López", "14/02/1992", "colombiana",
               "8", "2", "1"]  # fmt: skip
    for index, text in enumerate(answers):
        reply = sms(client, number, text, f"SMreg{index:04d}")
    assert "registro hecho" in reply


def test_golden_a_registered_caller_hears_their_status_and_requests_today_by_keypad(
    phone_line: Callable[..., Any], ffprobe: str, request: pytest.FixtureRequest
) -> None:
    record = bool(request.config.getoption("--record-golden"))
    checked: set[str] = set()
    number = "+5216641234567"
    with phone_line() as client:
        register_by_sms(client, number)
        phone = Phone(client, number, "CA" + "4" * 32)
        call = Transcript(phone)
        call.start()  # registered: the main menu in their language, no language menu
        for key in ("3", "2", "8", "1", "3"):  # status, request, San Ysidro, yes, status
            check_played(phone, ffprobe, checked)
            call.press(key)
        check_played(phone, ffprobe, checked)
        call.check("es_registered_caller_status_and_request", record)
        services = client.app.state.services
        session = client.portal.call(
            services.store.load, services.conversations.key_for(number)
        )
        assert session is not None and session.registration_id
        shown = httpx.get(f"{services.booking_url}/v1/registrations/{session.registration_id}")
    assert shown.status_code == 200
    latest = shown.json()["latest_request"]
    assert latest["request_date"] == "2026-03-14" and latest["status"] == "pending"
    assert latest is not None and latest["port"] == "san_ysidro", latest


# ---- pieces ---------------------------------------------------------------------------------


def test_the_twiml_builder_escapes_and_matches_twilios_own_voice_response() -> None:
    """twilio's VoiceResponse is the oracle: same verbs, attributes and escaped text."""
    name = 'Ana <b>&</b> "Zoé"'
    ours = VoiceTwiml()
    gather = Gather(action="https://x.example/twilio/voice?turn=2&stage=answer", num_digits=1)
    gather.play("https://x.example/media/a.mp3").say(name, language="es-MX")
    ours.gather(gather).redirect("https://x.example/twilio/voice?turn=2&stage=silence")
    ours.say(name).hangup()
    oracle = VoiceResponse()
    theirs = OracleGather(input="dtmf", action="https://x.example/twilio/voice?turn=2&stage=answer",
                          method="POST", timeout=6, num_digits=1)  # fmt: skip
    theirs.play("https://x.example/media/a.mp3")
    theirs.say(name, language="es-MX")
    oracle.append(theirs)
    oracle.redirect("https://x.example/twilio/voice?turn=2&stage=silence", method="POST")
    oracle.say(name)
    oracle.hangup()

    def shape(xml: str) -> list[tuple[str, dict[str, str], str]]:
        return [(e.tag, dict(e.attrib), e.text or "") for e in ET.fromstring(xml).iter()]

    assert shape(str(ours)) == shape(str(oracle))
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in str(ours)


def test_keys_become_what_the_flows_read() -> None:
    date = Collect(slot="birth_date", type="date")
    assert keypad_text("14021992", date) == "14/02/1992"
    assert keypad_text("1402199", date) == "1402199"  # refused by the date answer, asked again
    assert keypad_text("*", None) == "menu"
    assert keypad_text("12#", Collect(slot="n", type="number")) == "12"


def test_what_was_heard_is_sealed_to_its_call() -> None:
    seal = HeardSeal("secret")
    token = seal.seal("María López", "CA1")
    assert "Mar" not in token and seal.open(token, "CA1") == "María López"
    assert seal.open(token, "CA2") is None  # another call cannot use it
    assert seal.open(token[:-2] + "AA", "CA1") is None and seal.open("%%", "CA1") is None


# ---- speech, dates, and one conversation across a call and SMS -----------------------------


def test_spanish_caller_says_their_name_confirms_it_types_a_date_then_goes_on_by_sms(
    phone_line: Callable[..., Any], ffprobe: str
) -> None:
    number = "+5215511112222"
    checked: set[str] = set()
    with phone_line() as client:
        phone = Phone(client, number, "CA" + "5" * 32)
        phone.start()
        for key in ("1", "1", "1"):  # Español, privacy: yes, Register
            phone.press(key)
        assert phone.listens() == "speech language=es-MX"
        assert phone.said() == ["¿Cuál es su nombre completo, como en su documento?"]
        phone.speak("María José Pérez López")
        assert phone.said() == [
            "Escuché: María José Pérez López. Marque 1 si está bien, o 2 para decirlo otra vez."
        ]
        check_played(phone, ffprobe, checked)
        heard_url = phone.gather().get("action", "")
        assert "Mar" not in heard_url  # the name travels sealed, not in clear
        phone.press("2")  # not right: the question again, nothing given to the flow
        assert phone.said() == ["¿Cuál es su nombre completo, como en su documento?"]
        phone.speak("María José Pérez López")
        phone.press("1")
        said = phone.said()
        assert said[0].startswith("¿Cuál es su fecha de nacimiento?")
        assert said[-1].startswith("Márquela en el teclado: día, mes y año, ocho números")
        assert phone.listens() == "dtmf numDigits=8 finishOnKey=#"
        phone.press("31021992")
        assert phone.said()[0].startswith("Esa fecha no existe")
        phone.press("14021992")
        assert phone.said() == ["¿Cuál es su nacionalidad? Por ejemplo: Honduras."]
        phone.speak("colombiana")
        phone.press("1")
        assert phone.said()[0].startswith("¿En qué puerto de entrada quiere su cita?")
        check_played(phone, ffprobe, checked)
        # The caller hangs up and goes on by SMS: the same conversation, where the call left it.
        reply = sms(client, number, "8", "SMafter0001")
        assert "¿Viajan familiares con usted?" in reply
        reply = sms(client, number, "2", "SMafter0002")
        assert "Nacimiento: 14 de febrero de 1992" in reply and "Nacionalidad: Colombia" in reply
        assert "Pérez" in reply and "San Ysidro" in reply


def test_silence_asks_again_then_says_goodbye(phone_line: Callable[..., Any]) -> None:
    with phone_line() as client:
        phone = Phone(client, "+5215533334444", "CA" + "6" * 32)
        phone.start()
        menu = phone.said()
        phone.silence()
        assert phone.said() == menu and phone.listens() == "dtmf numDigits=1"
        phone.silence()
        assert phone.said() == [
            "No escuché ninguna respuesta. Puede volver a llamar cuando quiera. Hasta luego."
        ]
        assert phone.listens() == "hangup"


def test_prompts_are_rendered_once_for_every_caller(phone_line: Callable[..., Any]) -> None:
    with phone_line() as client:
        first = Phone(client, "+5215555550001", "CA" + "7" * 32)
        first.start()
        media = first.speech.cache.directory
        files = sorted(media.iterdir())
        second = Phone(client, "+5215555550002", "CA" + "8" * 32)
        second.start()
        assert second.plays() == first.plays()  # the same cached prompts
        assert sorted(media.iterdir()) == files  # nothing rendered again
        text, lang = first.rendered[first.plays()[1].rsplit("/", 1)[-1]]
        assert first.speech.render(text, lang, AudioFormat.MP3).cached


def test_without_a_speech_engine_twilio_says_the_prompts(phone_line: Callable[..., Any]) -> None:
    form = {"CallSid": "CA" + "9" * 32, "From": "+50937009999", "To": LINE}
    with phone_line(speech_engine="none") as client:
        url = f"{PUBLIC}/twilio/voice"

        def post(url: str, **fields: str) -> ET.Element:
            data = {**form, **fields}
            response = client.post(
                url.removeprefix(PUBLIC),
                content=urlencode(data).encode(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": sign(url, data),
                },
            )
            assert response.status_code == 200
            return ET.fromstring(response.text)

        twiml = post(url)
        says = [(say.get("language"), say.text) for say in twiml.iter("Say")]
        assert ("es-MX", "Para Español, marque 1.") in says
        assert ("pt-BR", "Para Português, digite 3.") in says
        assert ("es-MX", "Pou Kreyòl ayisyen, peze 2.") in says  # Twilio speaks no Kreyòl
        assert not list(twiml.iter("Play"))
        gather = twiml.find("Gather")
        assert gather is not None
        twiml = post(gather.get("action", ""), Digits="3")  # Português
        [(lang, text)] = [(say.get("language"), say.text) for say in twiml.iter("Say")]
        assert lang == "pt-BR" and text and text.startswith("Privacidade")


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", port)) != 0:
            return False
        sock.sendall(b"PING\r\n")
        try:
            return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def _redis(port: int, directory: Path) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (apt-get install redis-server)"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
         "--appendfsync", "always", "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not _answers(port):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    return process


def test_a_key_pressed_while_the_store_is_down_is_kept_and_answered_by_sms(
    phone_line: Callable[..., Any], tmp_path: Path
) -> None:
    """A Redis of the test's own, stopped mid-call: the press goes to the spool, the caller
    hears "received, I will answer shortly" and the call ends (no error for Twilio to read);
    once Redis is back the kept press is handled and its answer is a text (SMS), not a call."""
    port = free_port()
    redis = _redis(port, tmp_path)
    try:
        with phone_line(redis_url=f"redis://127.0.0.1:{port}/0") as client:
            phone = Phone(client, "+5215577778888", "CA" + "a" * 32)
            phone.start()
            phone.press("1")  # Español: the privacy notice
            redis.terminate()
            redis.wait(timeout=10)
            phone.press("1")  # yes: kept in the spool
            assert phone.said() == ["Recibí su mensaje. Le responderé en breve."]
            assert phone.listens() == "hangup"
            intake = client.app.state.services.intake
            assert intake.spooled() == 1
            redis = _redis(port, tmp_path)  # back, with what it had
            jobs: list[Any] = []

            async def send(job: Any) -> None:
                jobs.append(job)

            intake.send = send  # what the replay queues (the outbound worker is not the point)
            assert client.portal.call(intake.replay_spool_once) == 0
            [job] = jobs
            assert job.channel == "sms"
    finally:
        if redis.poll() is None:
            redis.kill()
            redis.wait(timeout=10)
