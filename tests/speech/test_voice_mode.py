"""WhatsApp voice mode through the real webhook: after VOZ, each reply carries a voice note
(es, pt, ht, quc) that /media/ serves as Ogg/Opus as long as the text spoken; VOZ again stops
them; SMS says where they work; a media name that was never rendered is a 404."""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from support import tools

from bot.speech.engines import ESPEAK_VOICES, EspeakEngine

SENDER = "+5215512345678"


@pytest.fixture(scope="module")
def ffprobe() -> str:
    path: str = tools.or_fail(tools.speech_tools)
    return path


def send(client: TestClient, text: str, sid: str, *, whatsapp: bool = True) -> str:
    prefix = "whatsapp:" if whatsapp else ""
    form = {"MessageSid": sid, "From": prefix + SENDER, "To": prefix + "+16195550100",
            "Body": text, "NumMedia": "0"}  # fmt: skip
    response = client.post(
        "/twilio/messages",
        content=urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    return str(response.text)


def texts(twiml: str) -> list[str]:
    found = re.findall(r"<Message>(.*?)</Message>", twiml, flags=re.S)
    return [html.unescape(body) for body in found if "<Media>" not in body]


def media(twiml: str) -> list[str]:
    return [html.unescape(url) for url in re.findall(r"<Media>(.*?)</Media>", twiml)]


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


def spoken_seconds(text: str, lang: str) -> float:
    wav = EspeakEngine().synthesize(text, ESPEAK_VOICES[lang])
    return (len(wav) - 44) / (22050 * 2)  # espeak-ng: 22,050 Hz, 16-bit mono


def check_voice_note(client: TestClient, twiml: str, lang: str, ffprobe: str) -> None:
    """One voice note after the text, served as Ogg/Opus, as long as the text in `lang`."""
    [body] = texts(twiml)
    [url] = media(twiml)
    assert url.startswith("https://bot.example.org/media/") and url.endswith(".ogg")
    served = client.get(url.removeprefix("https://bot.example.org"))
    assert served.status_code == 200
    assert served.headers["content-type"] == "audio/ogg"
    container, codec, seconds = probe(ffprobe, served.content)
    assert (container, codec) == ("ogg", "opus")
    assert seconds == pytest.approx(spoken_seconds(body, lang), abs=0.15)
    speech = client.app.state.services.speech  # type: ignore[attr-defined]
    again = speech.render(body, lang)
    assert again.cached and url.endswith(again.filename)  # that text, in that language's voice


LANGUAGE_NUMBER = {"es": "1", "ht": "2", "pt": "3", "quc": "5"}


@pytest.mark.parametrize("lang", ["es", "pt", "ht", "quc"])
def test_after_voz_every_reply_carries_a_voice_note(
    running_app: Callable[..., Any], ffprobe: str, lang: str
) -> None:
    with running_app(public_base_url="https://bot.example.org") as client:
        first = send(client, "VOZ", "SMvoice0001")
        assert "Mensajes de voz activados" in texts(first)[0]
        assert "Elija su idioma" in texts(first)[0]  # then the language menu, spoken too
        check_voice_note(client, first, "es", ffprobe)
        chosen = send(client, LANGUAGE_NUMBER[lang], "SMvoice0002")
        check_voice_note(client, chosen, lang, ffprobe)
        consent = send(client, "1", "SMvoice0003")  # yes to the privacy notice: the menu
        check_voice_note(client, consent, lang, ffprobe)
        off = send(client, "VOZ", "SMvoice0004")
        assert media(off) == [] and texts(off)
        assert media(send(client, "3", "SMvoice0005")) == []  # stays off


def test_the_word_turns_voice_notes_on_at_the_main_menu(running_app: Callable[..., Any]) -> None:
    with running_app(public_base_url="https://bot.example.org") as client:
        for number, text in enumerate(["hola", "1", "1"]):  # Spanish, privacy: yes, the menu
            assert media(send(client, text, f"SMmenu{number:04d}")) == []
        on = send(client, "VOZ", "SMmenu0010")  # the word, at the main menu
        assert "Mensajes de voz activados" in texts(on)[0] and len(media(on)) == 1


def test_on_sms_voice_notes_are_not_offered(running_app: Callable[..., Any]) -> None:
    with running_app(public_base_url="https://bot.example.org") as client:
        reply = send(client, "VOZ", "SMsms0001", whatsapp=False)
        assert "funcionan en WhatsApp" in texts(reply)[0] and media(reply) == []


def test_unknown_or_malformed_media_names_are_404(running_app: Callable[..., Any]) -> None:
    with running_app() as client:
        assert client.get("/media/" + "0" * 32 + ".ogg").status_code == 404
        assert client.get("/media/../../etc/passwd").status_code == 404
        assert client.get("/media/abc.ogg").status_code == 404
