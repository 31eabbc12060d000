"""Checks a translation must pass whoever wrote it: the same placeholders, no carrier keywords.

Why in the package and not only in tests: `frontdoor i18n report` and a translator's own run of
the tests should give the same verdicts, and the rules are about our messages, not our tests.
"""

from __future__ import annotations

import re
import string

from bot.engine.commands import match_command

#: Words carriers act on by themselves (Twilio's built-in opt-out / opt-in / help handling).
#: A message must never ask people to send one: the carrier would answer, or stop all messages.
CARRIER_KEYWORDS = frozenset(
    {
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
        "START",
        "YES",
        "UNSTOP",
        "HELP",
        "INFO",
    }
)
#: A word in capitals is how our messages show a word to write back ("Write MENU"); two-letter
#: abbreviations ("ID") are not instructions, and every carrier keyword is longer.
_SHOUTED = re.compile(r"\b[^\W\d_]{3,}\b")


def placeholders(text: str) -> frozenset[str]:
    """The `{name}` fields of a message (format specs and conversions ignored)."""
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)
    except ValueError:  # an unbalanced brace: report it as a placeholder no source has
        return frozenset({"<unbalanced braces>"})


def placeholder_problem(msgid: str, translation: str) -> str | None:
    """Why `translation` would break at run time (a missing or renamed field), or None."""
    wanted, found = placeholders(msgid), placeholders(translation)
    if wanted == found:
        return None
    parts = []
    if wanted - found:
        parts.append(f"missing {sorted(wanted - found)}")
    if found - wanted:
        parts.append(f"unknown {sorted(found - wanted)}")
    return ", ".join(parts)


def reply_words(text: str) -> list[str]:
    """The words a message asks people to write: those in capitals (MENU, ATRAS, MENI...)."""
    return [w for w in _SHOUTED.findall(text) if w.isupper()]


def keyword_problem(text: str) -> str | None:
    """Why `text` would send people to a carrier keyword or to a word the bot does not know."""
    for word in reply_words(text):
        if word.upper() in CARRIER_KEYWORDS:
            return f"asks for the carrier keyword {word}"
        if match_command(word) is None:
            return f"asks for {word}, which is not a command the bot understands"
    return None
