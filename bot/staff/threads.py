"""The handoff inbox as conversations (issue 19): one thread per person, who took it, how long
the person has waited for an answer, what each staff member has not read yet, and the note
left on closing. Synchronous, one transaction per method, like `StaffRepository` (whose
visibility rules, walk-ins included, decide which handoffs a shelter sees at all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from bot.staff.models import Handoff, HandoffMessage, HandoffRead
from bot.staff.repository import HandoffView, StaffRepository, _aware

#: The inbox's filters: every open conversation, those where the person waits for an answer,
#: those assigned to me, and the closed ones.
View = Literal["open", "waiting", "mine", "closed"]
VIEWS: tuple[View, ...] = ("open", "waiting", "mine", "closed")


@dataclass(frozen=True, slots=True)
class Thread:
    handoff: HandoffView
    assigned_staff_id: int | None
    #: Messages from the person this staff member has not seen.
    unread: int
    #: Since when the person waits for an answer (their first message after staff last wrote,
    #: or the opening); None when staff wrote last or the conversation is closed.
    waiting_since: datetime | None
    close_note: str | None
    closed_at: datetime | None

    @property
    def last_in(self) -> str | None:
        """The person's last message (the inbox's preview)."""
        found = [m.body for m in self.handoff.messages if m.direction == "in"]
        return found[-1] if found else None


def waiting_since(handoff: HandoffView) -> datetime | None:
    if handoff.status != "open":
        return None
    since: datetime | None = handoff.opened_at
    for message in handoff.messages:
        if message.direction == "out":
            since = None
        elif since is None:
            since = message.at
    return since


class ThreadRepository:
    def __init__(self, repo: StaffRepository) -> None:
        self.repo = repo
        self._sessions = sessionmaker(bind=repo.engine, expire_on_commit=False)

    def _seal_note(self, handoff_id: str, note: str) -> bytes:
        return self.repo._seal(f"handoff.note:{handoff_id}", note)

    def threads(self, shelter_id: int, staff_id: int, view: View = "open") -> list[Thread]:
        handoffs = self.repo.handoffs(shelter_id, include_closed=view == "closed")
        if view == "closed":
            handoffs = [h for h in handoffs if h.status == "closed"]
        threads = self._threads(handoffs, staff_id)
        if view == "waiting":
            threads = [t for t in threads if t.waiting_since is not None]
            threads.sort(key=lambda t: (not t.handoff.urgent, t.waiting_since))
        elif view == "mine":
            threads = [t for t in threads if t.assigned_staff_id == staff_id]
        elif view == "closed":
            threads.sort(key=lambda t: t.closed_at or t.handoff.opened_at, reverse=True)
        return threads

    def thread(self, shelter_id: int, staff_id: int, handoff_id: str) -> Thread | None:
        handoff = self.repo.handoff(shelter_id, handoff_id)
        return self._threads([handoff], staff_id)[0] if handoff is not None else None

    def _threads(self, handoffs: list[HandoffView], staff_id: int) -> list[Thread]:
        ids = [h.id for h in handoffs]
        if not ids:
            return []
        with self._sessions() as db:
            extra = {
                row.id: (row.assigned_staff_id, row.close_note_enc, row.closed_at)
                for row in db.execute(
                    select(
                        Handoff.id, Handoff.assigned_staff_id, Handoff.close_note_enc,
                        Handoff.closed_at,
                    ).where(Handoff.id.in_(ids))
                )
            }  # fmt: skip
            counted = db.execute(
                select(HandoffMessage.handoff_id, func.count())
                .outerjoin(
                    HandoffRead,
                    (HandoffRead.handoff_id == HandoffMessage.handoff_id)
                    & (HandoffRead.staff_id == staff_id),
                )
                .where(
                    HandoffMessage.handoff_id.in_(ids),
                    HandoffMessage.direction == "in",
                    HandoffMessage.id > func.coalesce(HandoffRead.last_message_id, 0),
                )
                .group_by(HandoffMessage.handoff_id)
            )
            unread = {str(row[0]): int(row[1]) for row in counted}
        threads = []
        for handoff in handoffs:
            assigned, note_enc, closed_at = extra[handoff.id]
            note = (
                self.repo._open(f"handoff.note:{handoff.id}", note_enc)
                if note_enc is not None
                else None
            )
            threads.append(
                Thread(
                    handoff=handoff,
                    assigned_staff_id=assigned,
                    unread=int(unread.get(handoff.id, 0)),
                    waiting_since=waiting_since(handoff),
                    close_note=note,
                    closed_at=_aware(closed_at) if closed_at is not None else None,
                )
            )
        return threads

    def mark_read(self, handoff_id: str, staff_id: int) -> None:
        """Everything in the conversation so far counts as read by this staff member."""
        with self._sessions.begin() as db:
            last = db.scalar(
                select(func.max(HandoffMessage.id)).where(HandoffMessage.handoff_id == handoff_id)
            )
            row = db.get(HandoffRead, (handoff_id, staff_id))
            if row is None:
                db.add(
                    HandoffRead(handoff_id=handoff_id, staff_id=staff_id, last_message_id=last or 0)
                )
            else:
                row.last_message_id = last or 0

    def assign(self, handoff_id: str, staff_id: int | None) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(Handoff).where(Handoff.id == handoff_id).values(assigned_staff_id=staff_id)
            )

    def close(self, handoff_id: str, note: str, now: datetime) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id)
                .values(
                    status="closed",
                    closed_at=now,
                    close_note_enc=self._seal_note(handoff_id, note) if note else None,
                )
            )
