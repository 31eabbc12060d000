"""The booking-events log is trimmed once its only consumer (the worker feed) has queued the
jobs, and records blanked by "delete my data" are skipped (issue 13): the log does not keep
everyone's events for ever, and a cursor survives both."""

from __future__ import annotations

import json
from pathlib import Path

from support.app import Clock, make_settings

from bot.booking.events import EVENTS_STREAM
from bot.services import open_services


def _event(index: int, contact: str) -> bytes:
    return json.dumps(
        {
            "event_id": f"evt_not_selected_{index}",
            "type": "not_selected",
            "registration_id": f"reg_{index}",
            "contact_ref": contact,
            "occurred_at": "2026-03-14T18:30:00Z",
            "data": {},
        }
    ).encode()


async def test_the_feed_trims_what_it_queued_and_skips_purged_records(
    tmp_path: Path, clock: Clock
) -> None:
    settings = make_settings()
    async with open_services(
        settings, clock=clock, data_dir=tmp_path, background=False, role="worker"
    ) as services:
        assert services.worker is not None
        store = services.store
        for index, contact in enumerate(("a" * 32, "b" * 32, "c" * 32)):
            await store.log_append(EVENTS_STREAM, _event(index, contact))
        assert await store.log_purge(EVENTS_STREAM, lambda r: b'"bbbb' in r) == 1
        assert await services.worker.feed_events_once() == 2  # the purged one is skipped
        assert await store.log_first(EVENTS_STREAM) == 3
        assert await store.log_read(EVENTS_STREAM, 0, 100) == []
        # The next event gets the next index and is read once.
        assert await store.log_append(EVENTS_STREAM, _event(3, "d" * 32)) == 3
        assert await services.worker.feed_events_once() == 1
        assert await services.worker.feed_events_once() == 0
        assert await store.log_first(EVENTS_STREAM) == 4
