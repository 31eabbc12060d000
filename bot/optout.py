"""Opt-out and opt-in words in every language: a message that is only one of these words.

The words are the packs' `commands: stop` and `start` (translations/<code>/pack.yaml), with
`sms_only_stop` for the carrier keywords that are commands off SMS.

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

from functools import cache

from nlu.normalize import match_key
from nlu.packs import enabled_packs, on_reload


@cache
def _words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(stop words, SMS-only stop words, start words) of every enabled pack, folded."""
    stop: set[str] = set()
    sms_only: set[str] = set()
    start: set[str] = set()
    for pack in enabled_packs().values():
        stop.update(match_key(w) for w in pack.commands["stop"])
        sms_only.update(match_key(w) for w in pack.sms_only_stop)
        start.update(match_key(w) for w in pack.commands["start"])
    return frozenset(stop - sms_only), frozenset(sms_only), frozenset(start)


on_reload(_words.cache_clear)


def is_opt_out(text: str, sms: bool = True) -> bool:
    """`sms`: the message came by SMS, where the carrier's own keywords have acted already."""
    stop, sms_only, _ = _words()
    folded = match_key(text)
    if folded in sms_only:
        return sms
    return folded in stop


def is_opt_in(text: str) -> bool:
    return match_key(text) in _words()[2]
