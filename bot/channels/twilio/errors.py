"""Twilio's error codes, and what each means to the bot (`Problem`, bot/channels/base.py).

The one table: the REST sender turns an error answer into the `SendError` the worker acts on
(`classify`), and a status callback's ErrorCode into a `Problem` (`problem`)."""

from __future__ import annotations

from bot.channels.base import Problem
from bot.outbound import (
    ContentRefused,
    RecipientOptedOut,
    SendError,
    SendRefused,
    SendUnavailable,
    WindowClosed,
)

#: Code -> what it means. Anything not here is `Problem.OTHER` (refused, never retried).
CODES: dict[int, Problem] = {
    # The person sent STOP to the carrier: nothing proactive until they write again.
    21610: Problem.OPTED_OUT,
    # WhatsApp free text outside the customer-care window (63016), or the session / template
    # cannot be used now (63024 invalid recipient for a session message, 63049 not delivered
    # by Meta's marketing limits). 63032 (not on WhatsApp) is not here: SMS may reach it.
    63016: Problem.WINDOW_CLOSED,
    63024: Problem.WINDOW_CLOSED,
    63049: Problem.WINDOW_CLOSED,
    # The content itself: unknown or unapproved ContentSid, wrong ContentVariables, a content
    # type the channel cannot carry, interactive body too long.
    21656: Problem.CONTENT,  # ContentVariables invalid
    63005: Problem.CONTENT,  # channel did not accept the content
    63013: Problem.CONTENT,  # channel policy violation
    63021: Problem.CONTENT,  # invalid content (interactive) message
    63027: Problem.CONTENT,  # template does not exist for language / locale
    63028: Problem.CONTENT,  # number of parameters does not match the template
    # Unreachable, landline, unknown or filtered numbers; invalid or non-mobile numbers.
    21211: Problem.UNREACHABLE,
    21614: Problem.UNREACHABLE,
    30003: Problem.UNREACHABLE,
    30004: Problem.UNREACHABLE,
    30005: Problem.UNREACHABLE,
    30006: Problem.UNREACHABLE,
    30007: Problem.UNREACHABLE,
    30008: Problem.UNREACHABLE,
    # Queue overflow and rate limits: try again later.
    20429: Problem.TRANSIENT,
    30001: Problem.TRANSIENT,
    63018: Problem.TRANSIENT,
}


def problem(code: int | str | None) -> Problem | None:
    """What an ErrorCode (a status callback's, or a REST error's) means; None: no error."""
    if code is None or code == "":
        return None
    if isinstance(code, str):
        if not code.isdigit():
            return Problem.OTHER
        code = int(code)
    return CODES.get(code, Problem.OTHER)


def classify(status: int, code: int | None, message: str) -> SendError:
    """Turn an HTTP status and Twilio error code into the exception the worker acts on."""
    meaning = problem(code)
    if meaning is Problem.WINDOW_CLOSED:
        return WindowClosed(status, code, message)
    if meaning is Problem.OPTED_OUT:
        return RecipientOptedOut(status, code, message)
    if meaning is Problem.CONTENT:
        return ContentRefused(status, code, message)
    if meaning is Problem.TRANSIENT or status >= 500 or status == 429:
        return SendUnavailable(f"Twilio answered {status} (code {code}): {message}")
    return SendRefused(status, code, message)
