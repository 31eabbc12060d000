"""Global commands that work at every step, in every language, as one word.

The words come from the language packs (`commands:` in translations/<code>/pack.yaml), so a
translator adds them without Python; a carrier keyword may only mean what the carrier makes
of it (checked when packs load, nlu/packs.py). Words are compared after folding (no
accents, lower case), so "Atrás", "ATRAS" and "atras" are the same.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from nlu.normalize import match_key
from nlu.packs import enabled_packs, on_reload


class Command(StrEnum):
    MENU = "menu"
    BACK = "back"
    HELP = "help"
    LANGUAGE = "language"
    #: Talk to a person (a handoff to shelter staff, issue 6).
    HUMAN = "human"
    #: Staff mode, on a phone linked as shelter staff (bot/staff/chat.py); help elsewhere.
    STAFF = "staff"
    #: Voice notes on or off (flows/voice.yaml, issue 20).
    VOICE = "voice"
    #: "cancelar" alone: what to cancel? (flows/cancel.yaml; the English CANCEL is an SMS
    #: carrier opt-out, bot/optout.py, so it arrives here from WhatsApp only.)
    CANCEL = "cancel"


#: The pack's name of each command's word list (translations/<code>/pack.yaml `commands:`).
PACK_KEYS: dict[Command, str] = {
    Command.MENU: "menu",
    Command.BACK: "back",
    Command.HELP: "help",
    Command.LANGUAGE: "language",
    Command.HUMAN: "person",
    Command.STAFF: "staff",
    Command.VOICE: "voice",
    Command.CANCEL: "cancel",
}


@cache
def _words() -> dict[Command, frozenset[str]]:
    """Every enabled pack's words for each command, folded (any language's word works)."""
    words: dict[Command, set[str]] = {command: set() for command in Command}
    for pack in enabled_packs().values():
        for command, key in PACK_KEYS.items():
            words[command].update(match_key(w) or w.strip() for w in pack.commands[key])
    return {command: frozenset(found) for command, found in words.items()}


on_reload(_words.cache_clear)


def command_words(command: Command) -> frozenset[str]:
    return _words()[command]


def match_command(text: str) -> Command | None:
    folded = match_key(text) or text.strip()
    for command, words in _words().items():
        if folded in words:
            return command
    return None
