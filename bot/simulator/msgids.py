"""Which catalog messages a reply is made of, for translators ("which msgid says this?").

Replies reach the page already rendered in the person's language with their values filled in,
so each message's translation is turned into a pattern (its `{placeholders}` match any text)
and the reply's paragraphs and lines are matched against them: a whole paragraph first (a
message may span lines), then each line (an option of a numbered list without its "3. ").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from bot.i18n import Catalogs

_PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")
_NUMBERED = re.compile(r"^\d{1,2}\. ")


@dataclass(frozen=True, slots=True)
class Found:
    msgid: str
    #: The catalog the text came from (a fallback language when the wanted one lacks it).
    lang: str
    text: str


#: A message that is mostly placeholders ("{shelter}: {text}") would match any line.
MIN_LITERAL = 3


def _pattern(text: str) -> tuple[re.Pattern[str], int] | None:
    """The message as a pattern, and how many of its characters are its own (not values).

    A value stays on one line, except a `..._list` one (one line per person)."""
    pieces = _PLACEHOLDER.split(text)
    names = _PLACEHOLDER.findall(text)
    literal = sum(len(piece) for piece in pieces)
    if names and literal < MIN_LITERAL:
        return None
    out = re.escape(pieces[0])
    for name, piece in zip(names, pieces[1:], strict=True):
        out += (r"[\s\S]+?" if name.endswith("_list}") else r"[^\n]+?") + re.escape(piece)
    return re.compile(out), literal


@dataclass
class MessageIds:
    catalogs: Catalogs
    _cache: dict[str, list[tuple[re.Pattern[str], Found]]] = field(default_factory=dict, repr=False)

    @cached_property
    def msgids(self) -> list[str]:
        ids: set[str] = set()
        for lang in self.catalogs.languages:
            catalog = self.catalogs.catalog(lang)
            if catalog is not None:
                ids.update(str(message.id) for message in catalog if message.id)
        return sorted(ids)

    def _patterns(self, lang: str) -> list[tuple[re.Pattern[str], Found]]:
        cache = self._cache
        if lang not in cache:
            scored = []
            for msgid in self.msgids:
                translation = self.catalogs.lookup(lang, msgid)
                made = _pattern(translation.text)
                if made is not None:
                    scored.append((made[1], made[0], Found(msgid, translation.lang, "")))
            # Most specific first: the message with the most text of its own wins.
            scored.sort(key=lambda item: -item[0])
            cache[lang] = [(pattern, found) for _, pattern, found in scored]
        return cache[lang]

    def _match(self, text: str, lang: str) -> Found | None:
        for pattern, found in self._patterns(lang):
            if pattern.fullmatch(text):
                return Found(found.msgid, found.lang, text)
        return None

    def find(self, reply: str, lang: str) -> list[Found]:
        """The messages of one reply, in order; text no message matches is left out."""
        out: list[Found] = []
        for paragraph in reply.split("\n\n"):
            whole = self._match(paragraph, lang)
            if whole is not None:
                out.append(whole)
                continue
            lines = paragraph.split("\n")
            start = 0
            while start < len(lines):
                # The longest run of lines one message says (multi-line messages first).
                for end in range(len(lines), start, -1):
                    chunk = "\n".join(lines[start:end])
                    hit = self._match(_NUMBERED.sub("", chunk) if end == start + 1 else chunk, lang)
                    if hit is not None:
                        out.append(hit)
                        start = end
                        break
                else:
                    start += 1
        return out
