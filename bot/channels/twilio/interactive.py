"""WhatsApp interactive replies: which questions become buttons or a list, and their content.

A reply with 2-3 short options is a `twilio/quick-reply` (titles <= 20 characters), with up to
10 a `twilio/list-picker` (items <= 24 characters, body <= 1024); anything else stays numbered
text. The option id is the button / item id, so a tap comes back as `ButtonPayload` = the id
and the answer types route on it exactly as on a typed number or word.

A content resource is per option set and language, not per reply: its body is one variable
(`{{1}}`, the question as the engine wrote it for this person, names and dates filled in), so
one resource serves every person and every wording of the question. Its key is a digest of
what the resource holds (type, language, ids, titles, button label): the webhook finds it by
computing the same key from the reply, and an edited title is a new key (a new version). Each
resource also has `twilio/text` with the numbered text, so one SID falls back to text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.messages import Option, Reply

QUICK_REPLY = "twilio/quick-reply"
LIST_PICKER = "twilio/list-picker"
TEXT = "twilio/text"
QUICK_REPLY_MAX = 3
QUICK_REPLY_TITLE = 20
LIST_MAX = 10
LIST_ITEM = 24
LIST_BUTTON = 20
BODY_MAX = 1024
BODY_VARIABLE = "{{1}}"


def numbered(options: Sequence[Option]) -> str:
    """The options as the engine numbers them under a question (its `_numbered`)."""
    return "\n".join(f"{i}. {opt.title}" for i, opt in enumerate(options, start=1))


def kind_for(options: Sequence[Option], button: str) -> str | None:
    """The interactive type these options fit (None: numbered text)."""
    count = len(options)
    if count < 2:
        return None
    if count <= QUICK_REPLY_MAX and all(len(o.title) <= QUICK_REPLY_TITLE for o in options):
        return QUICK_REPLY
    if (
        count <= LIST_MAX
        and all(0 < len(o.title) <= LIST_ITEM for o in options)
        and 0 < len(button) <= LIST_BUTTON
    ):
        return LIST_PICKER
    return None


@dataclass(frozen=True, slots=True)
class Interactive:
    """One interactive content: what the Content API creates, and how a reply uses it."""

    kind: str
    lang: str
    options: tuple[Option, ...]
    button: str

    @property
    def key(self) -> str:
        data = [self.kind, self.lang, [[o.id, o.title] for o in self.options], self.button]
        digest = hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()
        return f"ask-{digest[:16]}"

    def types(self) -> dict[str, Any]:
        fallback = {"body": f"{BODY_VARIABLE}\n{numbered(self.options)}"}
        if self.kind == QUICK_REPLY:
            actions = [{"title": o.title, "id": o.id} for o in self.options]
            return {QUICK_REPLY: {"body": BODY_VARIABLE, "actions": actions}, TEXT: fallback}
        items = [{"item": o.title, "id": o.id} for o in self.options]
        body = {"body": BODY_VARIABLE, "button": self.button, "items": items}
        return {LIST_PICKER: body, TEXT: fallback}


def interactive_for(options: Sequence[Option], lang: str, button: str) -> Interactive | None:
    kind = kind_for(options, button)
    return None if kind is None else Interactive(kind, lang, tuple(options), button)


def question_text(reply: Reply) -> str | None:
    """The reply without its numbered options (the body variable), or None when the reply is
    not a question followed by its numbered options (then it stays text)."""
    tail = numbered(reply.options)
    if reply.text == tail:
        return None
    if not reply.text.endswith("\n" + tail):
        return None
    body = reply.text[: -len(tail) - 1]
    return body if 0 < len(body) <= BODY_MAX else None
