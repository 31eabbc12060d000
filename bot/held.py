"""Notices held for the person's next message (bot/jobs/notify.py, `hold_notice`).

A WhatsApp notice whose 24-hour window has closed, with no approved template and no SMS
agreed, cannot be sent at all. It is kept in the session (encrypted with it) and is the first
thing the person reads when they write again; the ledger marks it "held" meanwhile, so staff
and operators see it as not delivered. When the notice moved the conversation (an allocation
asks "confirm?"), the message that brought the person back did not answer that question: the
notice is the whole answer to it.
"""

from __future__ import annotations

from typing import Any

from bot.engine.session import Session
from bot.messages import Reply

HELD_SLOT = "_held_notices"


def hold_notice(session: Session, job_id: str, replies: list[Reply], *, moved: bool) -> bool:
    """Keep a notice for the next message (once per job); False when it was already held."""
    held: list[dict[str, Any]] = list(session.slots.get(HELD_SLOT) or [])
    if any(item.get("job") == job_id for item in held):
        return False
    replies_data = [reply.model_dump(mode="json") for reply in replies]
    held.append({"job": job_id, "replies": replies_data, "moved": moved})
    session.slots[HELD_SLOT] = held
    return True


def held_jobs(session: Session) -> list[str]:
    return [str(item.get("job")) for item in session.slots.get(HELD_SLOT) or []]


def take_held_notices(session: Session) -> tuple[list[Reply], bool, list[str]]:
    """The held notices' replies (oldest first), whether one of them moved the conversation
    (then the inbound message is not taken as an answer) and their job ids; the session
    forgets them."""
    held = session.slots.pop(HELD_SLOT, None) or []
    replies = [Reply.model_validate(r) for item in held for r in item.get("replies", [])]
    jobs = [str(item.get("job")) for item in held]
    return replies, any(bool(item.get("moved")) for item in held), jobs


def part_id(job_id: str) -> str:
    """The ledger's record of a held notice (its first part, as a sent one would have)."""
    return f"{job_id}#0"
