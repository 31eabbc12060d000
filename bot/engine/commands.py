"""Global commands that work at every step, in every language, as one word.

Words are compared after folding (no accents, lower case), so "Atrás", "ATRAS" and "atras"
are the same. None of them is an SMS carrier keyword (STOP, CANCEL, END, QUIT, HELP is
avoided as an instruction too: carriers answer it themselves).
"""

from __future__ import annotations

from enum import StrEnum

from nlu.normalize import match_key


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


_WORDS: dict[Command, frozenset[str]] = {
    Command.MENU: frozenset({"menu", "meni", "inicio", "menu principal", "volver al menu"}),
    Command.BACK: frozenset(
        {"back", "atras", "volver", "retounen", "tounen", "voltar", "anterior"}
    ),
    Command.HELP: frozenset({"help", "ayuda", "ed", "ede", "ajuda", "aide", "socorro", "?"}),
    Command.LANGUAGE: frozenset(
        {"language", "lang", "idioma", "lenguaje", "langue", "lingua", "lang la", "idiomas"}
    ),
    Command.HUMAN: frozenset(
        {"person", "human", "persona", "humano", "moun", "yon moun", "pessoa", "atendente"}
    ),
    Command.STAFF: frozenset({"staff", "equipo", "ekip", "equipe"}),
    Command.VOICE: frozenset({"voice", "voz", "vwa", "audio", "odyo"}),
    Command.CANCEL: frozenset({"cancelar", "cancel", "anular", "anile", "anule"}),
}


def match_command(text: str) -> Command | None:
    folded = match_key(text) or text.strip()
    for command, words in _WORDS.items():
        if folded in words:
            return command
    return None
