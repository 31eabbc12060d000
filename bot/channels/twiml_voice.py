"""A small builder of Twilio Voice TwiML (`<Response>` with Play, Say, Gather, Redirect, Hangup).

Built with ElementTree, so every text and attribute is escaped by the XML serialiser, not by
hand (a prompt can hold a name with "&" or "<"). Only the verbs and attributes the phone line
uses exist here; twilio's own `VoiceResponse` is its test oracle (tests/channels).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Literal

GatherInput = Literal["dtmf", "speech"]


@dataclass
class Gather:
    """`<Gather>`: what is played inside it can be interrupted by a key press."""

    action: str
    input: GatherInput = "dtmf"
    num_digits: int | None = None
    finish_on_key: str | None = None
    timeout: int = 6
    #: Speech recognition language (BCP-47, "es-MX"); only with input="speech".
    language: str | None = None
    _children: list[ET.Element] = field(default_factory=list)

    def play(self, url: str) -> Gather:
        self._children.append(_text("Play", url))
        return self

    def say(self, text: str, language: str | None = None) -> Gather:
        self._children.append(_text("Say", text, language=language))
        return self

    def element(self) -> ET.Element:
        attrs = {"input": self.input, "action": self.action, "method": "POST",
                 "timeout": str(self.timeout)}  # fmt: skip
        if self.num_digits is not None:
            attrs["numDigits"] = str(self.num_digits)
        if self.finish_on_key is not None:
            attrs["finishOnKey"] = self.finish_on_key
        if self.input == "speech":
            attrs["speechTimeout"] = "auto"
            if self.language:
                attrs["language"] = self.language
        gather = ET.Element("Gather", attrs)
        gather.extend(self._children)
        return gather


def _text(tag: str, text: str, **attrs: str | None) -> ET.Element:
    element = ET.Element(tag, {k: v for k, v in attrs.items() if v is not None})
    element.text = text
    return element


@dataclass
class VoiceTwiml:
    _verbs: list[ET.Element] = field(default_factory=list)

    def play(self, url: str) -> VoiceTwiml:
        self._verbs.append(_text("Play", url))
        return self

    def say(self, text: str, language: str | None = None) -> VoiceTwiml:
        self._verbs.append(_text("Say", text, language=language))
        return self

    def gather(self, gather: Gather) -> VoiceTwiml:
        self._verbs.append(gather.element())
        return self

    def redirect(self, url: str) -> VoiceTwiml:
        self._verbs.append(_text("Redirect", url, method="POST"))
        return self

    def hangup(self) -> VoiceTwiml:
        self._verbs.append(ET.Element("Hangup"))
        return self

    def __str__(self) -> str:
        response = ET.Element("Response")
        response.extend(self._verbs)
        body = ET.tostring(response, encoding="unicode", short_empty_elements=True)
        return '<?xml version="1.0" encoding="UTF-8"?>' + body
