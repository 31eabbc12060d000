"""Messaging TwiML from a template: `<Response>` with one `<Message>` per body or media URL.

Byte for byte what twilio's `MessagingResponse` writes (its oracle test:
tests/channels/test_twilio_twiml.py), ten times faster: text is escaped for XML (& < >, as
ElementTree does) and characters XML 1.0 cannot carry at all (most C0 controls, lone
surrogates, U+FFFE/U+FFFF) are dropped, where ElementTree would write a document no parser
reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MEDIA_TYPE = "application/xml"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
EMPTY = HEAD + "<Response />"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def messaging(bodies: Sequence[str], media: Sequence[str] = ()) -> str:
    """One <Message> per body, then one <Message><Media> per media URL."""
    if not bodies and not media:
        return EMPTY
    out = [HEAD, "<Response>"]
    for body in bodies:
        out.append(f"<Message>{escape(body)}</Message>" if body else "<Message />")
    for url in media:
        out.append(f"<Message><Media>{escape(url)}</Media></Message>")
    out.append("</Response>")
    return "".join(out)
