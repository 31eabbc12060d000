"""SMS text economics: GSM-7 vs UCS-2, segment counting, transliteration, splitting.

Why this matters: one character outside the GSM 03.38 alphabet turns a whole SMS into UCS-2,
which fits 70 characters per segment instead of 160, and every segment is billed. Spanish and
Portuguese accents (á í ó ú ã õ ç ê â ô) are outside GSM-7, so the same prompt can cost two or
three times as much as it needs to. On the SMS channel we therefore transliterate such letters
to GSM-7 look-alikes, keeping the accented letters GSM-7 does have (é ñ ü è ò à ...). WhatsApp
keeps full Unicode and never goes through this module.

Counting follows GSM 03.38 / 3GPP 23.038 as carriers and Twilio apply it:
- GSM-7: one septet per basic character, two for the extension table (``^ { } \\ [ ~ ] | €``
  and form feed, sent as ESC + char); 160 septets in a single segment, 153 per segment once
  split (the rest of each segment is the concatenation header). An escape pair is never split
  across two segments.
- UCS-2: UTF-16 code units, so characters outside the BMP (most emoji) count two; 70 in a
  single segment, 67 per segment once split; a surrogate pair is never split.
- The empty text counts 0 segments: there is nothing to send, and Twilio refuses a message
  with neither a body nor media (error 21602) rather than billing an empty segment.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

#: GSM 03.38 default alphabet (the 127 characters other than ESC), in table order.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: GSM 03.38 extension table: each costs two septets (ESC + char).
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7 = GSM7_BASIC | GSM7_EXTENSION

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

#: Twilio's limit on one message body (error 21617 above it).
TWILIO_BODY_LIMIT = 1600

# Why a hand-written table: no maintained library does GSM-7-aware transliteration. Generic
# transliterators (Unidecode, anyascii, text-unidecode) flatten to ASCII and would also strip
# é ñ ü è ò, which GSM-7 carries for free and which make Spanish and Kreyòl read correctly;
# Twilio's Smart Encoding changes only punctuation. So: characters already in GSM-7 stay, this
# table covers punctuation and letters Unicode does not decompose, and NFKD decomposition
# (dropping combining accents) covers the accented letters (á→a, ç→c, Ô→O, ...).
_LOOKALIKES: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u02bb\u2032\u00b4`\u2039\u203a", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2022", "-"),
    **dict.fromkeys("\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006", " "),
    **dict.fromkeys("\u2008\u2009\u200a\u3000\t", " "),
    **dict.fromkeys("\u200b\u2060\ufeff\u00ad", ""),  # zero-width space, word joiner, BOM, SHY
    "\u2026": "...",
    "œ": "oe",
    "Œ": "OE",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ı": "i",
}


def is_gsm7(text: str) -> bool:
    """True if `text` can be sent in the GSM-7 alphabet (basic or extension table)."""
    return GSM7.issuperset(text)  # set operation in C: this runs on every SMS reply


def encoding(text: str) -> Encoding:
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def units(text: str) -> int:
    """Length in the units segments are measured in: septets (GSM-7) or UTF-16 code units."""
    return sum(_unit_sizes(text, is_gsm7(text)))


def segment_count(text: str) -> int:
    """How many SMS segments (billed messages) `text` takes as it is; 0 for the empty text."""
    gsm = is_gsm7(text)
    sizes = _unit_sizes(text, gsm)
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if gsm else (UCS2_SINGLE, UCS2_MULTI)
    total = sum(sizes)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for size in sizes:  # greedy, never splitting an escape pair or a surrogate pair
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return segments


def transliterate_for_sms(text: str) -> str:
    """`text` made GSM-7 by look-alike replacements, or `text` unchanged if that cannot work.

    GSM-7 text is returned as it is. If some character has no GSM-7 look-alike (emoji, other
    scripts) the message is UCS-2 whatever we do, and in UCS-2 an accented letter costs the same
    as a plain one, so the original is returned: replacing letters would lose fidelity for
    nothing (and ``…`` -> ``...`` would even cost more).
    """
    if is_gsm7(text):
        return text
    converted = "".join(_to_gsm7(ch) for ch in unicodedata.normalize("NFC", text))
    return converted if is_gsm7(converted) else text


def split_segments(text: str, limit: int = TWILIO_BODY_LIMIT) -> list[str]:
    """Split `text` into message bodies of at most `limit` UTF-16 units each.

    For Twilio's 1600-character body limit (these are separate messages, not the SMS segments
    the carrier makes of each). Cuts prefer, in order, a paragraph break, a line break, a
    sentence end, a space; a boundary is only used if it leaves the piece at least half full,
    so a stray early break does not produce a tiny message. Whitespace at cuts is dropped.
    Units are UTF-16 code units, which is never less than the character count, so a piece is
    within the limit however Twilio counts emoji. Empty or blank text gives ``[]``.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if _utf16_len(rest) <= limit:
            pieces.append(rest)
            break
        cut = _cut_position(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return pieces


# -- internals ------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def _unit_sizes(text: str, gsm: bool) -> list[int]:
    if gsm:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


@functools.lru_cache(maxsize=4096)
def _to_gsm7(ch: str) -> str:
    if ch in GSM7:
        return ch
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch]
    if unicodedata.combining(ch):
        return ""  # a stray accent left after NFC (no precomposed letter exists)
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and is_gsm7(base):
        return base
    return ch


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """The largest index i such that text[:i] is at most `limit` UTF-16 units."""
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def _cut_position(text: str, limit: int) -> int:
    end = _fitting_prefix(text, limit)
    # One character of look-ahead so a boundary right at the limit is seen.
    window = text[: end + 1]
    floor = max(1, end // 2)
    candidates = (
        [m.start() for m in _PARAGRAPH.finditer(window)],
        [i for i, ch in enumerate(window) if ch == "\n"],
        [m.end() for m in _SENTENCE_END.finditer(window)],
        [i for i, ch in enumerate(window) if ch.isspace()],
    )
    for positions in candidates:
        fitting = [p for p in positions if floor <= p <= end]
        if fitting:
            return fitting[-1]
    cut = end
    while cut > 1 and unicodedata.combining(text[cut]):
        cut -= 1  # do not separate a letter from its accent
    return cut
