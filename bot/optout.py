"""Opt-out and opt-in words in every language: a message that is only one of these words.

Twilio's own opt-out handling knows English words only (STOP, END, QUIT...); people here write
ALTO or PARA (Spanish), KANPE or SISPANN (Haitian Creole), PARE or PARAR (Portuguese). The bot
honours all of them itself: no proactive message (notifications, reminders) until the person
writes again or sends an opt-in word. Replies to what the person writes are not proactive.
Help words (HELP, AYUDA, ÈD, AJUDA) are the engine's global help command (engine/commands.py).

"cancelar" is not here: in Spanish and Portuguese it is an ordinary word (someone wants to cancel
an appointment), so it asks what to cancel (flows/cancel.yaml). The English CANCEL is Twilio's
carrier keyword on SMS only: the carrier has already stopped our messages, so on SMS it is an
opt-out; on WhatsApp it asks what to cancel too.
"""

from __future__ import annotations

from nlu.normalize import match_key

OPT_OUT_WORDS = frozenset(
    {
        # Twilio's standard English keywords
        "stop", "stopall", "unsubscribe", "end", "quit", "revoke", "optout",
        # Spanish
        "alto", "para", "parar", "detener", "basta", "baja",
        # Haitian Creole
        "kanpe", "sispann", "rete", "stope",
        # Portuguese
        "pare", "sair", "cancelar inscricao",
    }
)
#: Carrier keywords with an everyday meaning: an opt-out on SMS (the carrier acted on them
#: already), a command (engine/commands.py) elsewhere.
SMS_ONLY_OPT_OUT_WORDS = frozenset({"cancel"})
OPT_IN_WORDS = frozenset(
    {
        "start", "unstop",  # Twilio's ("yes" too, but that is also an answer: not taken here)
        "iniciar", "comenzar", "reanudar", "alta",  # Spanish
        "komanse", "rekomanse", "demare",  # Haitian Creole
        "comecar", "retomar", "voltar a receber",  # Portuguese
    }
)


def is_opt_out(text: str, sms: bool = True) -> bool:
    """`sms`: the message came by SMS, where the carrier's own keywords have acted already."""
    folded = match_key(text)
    if folded in SMS_ONLY_OPT_OUT_WORDS:
        return sms
    return folded in OPT_OUT_WORDS


def is_opt_in(text: str) -> bool:
    return match_key(text) in OPT_IN_WORDS
