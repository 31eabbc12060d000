"""Messaging TwiML from the template against its oracle, twilio's `MessagingResponse`."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.twilio import twiml

CASES: list[tuple[str, list[str], list[str]]] = [
    ("nothing", [], []),
    ("one body", ["Hola"], []),
    ("two bodies", ["1. Español\n2. Kreyòl ayisyen", "¿Seguimos?"], []),
    ("markup-like text", ["a < b & c > d <Message>x</Message> &amp;"], []),
    ("quotes and apostrophes", ["\"K'iche'\" – “curly” ʼ"], []),
    ("emoji and CRLF", ["👋 hi\r\nthere\ttab"], []),
    ("an empty body", [""], []),
    ("media", ["texto"], ["https://bot.example.org/media/ab.ogg?x=1&y=2"]),
    ("media only", [], ["https://bot.example.org/media/cd.ogg"]),
]


def oracle(bodies: list[str], media: list[str]) -> str:
    response = MessagingResponse()
    for body in bodies:
        response.message(body)
    for url in media:
        response.message().media(url)
    return str(response)


@pytest.mark.parametrize(("label", "bodies", "media"), CASES, ids=[c[0] for c in CASES])
def test_template_writes_what_messaging_response_writes(
    label: str, bodies: list[str], media: list[str]
) -> None:
    ours = twiml.messaging(bodies, media)
    assert ours == oracle(bodies, media)
    root = ET.fromstring(ours.encode())
    # As any XML parser reads it (a CR LF is read as LF, like the oracle's).
    read = [m.text or "" for m in root if m.find("Media") is None]
    assert read == [b.replace("\r\n", "\n") for b in bodies]


def test_characters_xml_cannot_carry_are_dropped_so_the_document_parses() -> None:
    text = "a\x00b\x07c\x1bd\ufffee"
    ours = twiml.messaging([text])
    assert ET.fromstring(ours.encode())[0].text == "abcde"
    with pytest.raises(ET.ParseError):  # what the oracle writes is not XML
        ET.fromstring(oracle([text], []).encode())
