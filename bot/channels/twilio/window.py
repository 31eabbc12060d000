"""WhatsApp's customer-care window: free-form messages only within 24 hours of the person's
last message; outside it, only approved templates are delivered (else error 63016)."""

from __future__ import annotations

from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)


def in_window(last_inbound_at: datetime | None, now: datetime, window: timedelta = WINDOW) -> bool:
    """May free text (and session-only interactive content) be sent now?"""
    return last_inbound_at is not None and now - last_inbound_at < window
