"""`frontdoor privacy audit --phone +E164`: every place where a trace of one contact remains.

It looks everywhere "delete my data" erases (bot/erasure.py), each with its own full look
rather than the indexes the erasure uses, so a record the erasure missed is found:

- store: every key of the contact (conversation, erasure record), the outbox and erasure sets;
- ledger: opt-out and daily sets, message and send records (bot/jobs/ledger.py), and jobs
  still waiting in the queue for the contact;
- booking-events log: records about the contact's reference or registrations;
- staff database: handoffs, households of this number, staff link, invites;
- booking API: a registration under the contact's reference, or by a known id.

Exit status: 0 only when every place was looked at and none holds a trace; 1 when traces were
found; 2 when a place could not be looked at (then nothing is proven). The phone number is
turned into the contact key at once and never printed or logged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.booking.client import BookingError, BookingNotFound
from bot.booking.events import EVENTS_STREAM
from bot.services import Services, open_services
from bot.settings import Settings
from bot.store.base import StoreError

#: Records of the events log read per step.
_BATCH = 500
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@dataclass
class Audit:
    """What was found, and what could not be looked at."""

    traces: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.traces and not self.unchecked

    @property
    def exit_code(self) -> int:
        return 2 if self.unchecked else 1 if self.traces else 0


async def audit_contact(services: Services, phone: str) -> Audit:
    key = services.conversations.key_for(phone)
    digest = key.digest
    result = Audit()
    registration_ids: set[str] = set()
    try:
        result.traces += await services.store.traces(key)
        session = await services.store.load(key)
        if session is not None and session.registration_id:
            registration_ids.add(session.registration_id)
        raw = await services.store.load_erasure(key)
        if raw is not None:
            registration_ids.update(json.loads(raw).get("registration_ids") or [])
        result.traces += await _events(services, digest, registration_ids)
    except StoreError as exc:
        result.unchecked.append(f"store: {exc}")
    try:
        result.traces += await services.outbound.ledger.traces(digest)
        result.traces += await services.outbound.queue.traces(digest)
    except Exception as exc:  # the ledger's and the queue's Redis errors are not translated
        result.unchecked.append(f"ledger: {type(exc).__name__}: {exc}")
    if services.staff is not None:
        try:
            result.traces += await services.staff.db(services.staff.repo.traces, digest)
        except Exception as exc:
            result.unchecked.append(f"staff database: {type(exc).__name__}: {exc}")
    booking = services.conversations.booking
    try:
        found = await booking.find_registration(digest)
        if found is not None:
            result.traces.append(f"booking API: registration {found.id} (contact reference)")
            registration_ids.discard(found.id)
        for registration_id in sorted(registration_ids):
            try:
                await booking.status(registration_id)
            except BookingNotFound:
                continue
            result.traces.append(f"booking API: registration {registration_id}")
    except BookingError as exc:
        result.unchecked.append(f"booking API: {exc}")
    return result


async def _events(services: Services, digest: str, registration_ids: set[str]) -> list[str]:
    found: list[str] = []
    for stream in services.store.log_shards(EVENTS_STREAM):
        found += await _events_in(services, stream, digest, registration_ids)
    return found


async def _events_in(
    services: Services, stream: str, digest: str, registration_ids: set[str]
) -> list[str]:
    store = services.store
    found: list[str] = []
    start = await store.log_first(stream)
    while True:
        records = await store.log_read(stream, start, _BATCH)
        for offset, record in enumerate(records):
            if not record:
                continue
            try:
                event = json.loads(record)
            except ValueError:
                continue
            if isinstance(event, dict) and (
                event.get("contact_ref") == digest
                or event.get("registration_id") in registration_ids
            ):
                found.append(f"{stream} log: record {start + offset}")
        if len(records) < _BATCH:
            return found
        start += len(records)


def _e164(text: str) -> str:
    """The number exactly as Twilio sends it (the contact key is made from that string)."""
    if not _E164.fullmatch(text):
        raise argparse.ArgumentTypeError("write the number in +E.164 form, e.g. +50937001234")
    return text


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="frontdoor privacy", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    audit = sub.add_parser("audit", help="list every trace of one contact; 0 when there is none")
    audit.add_argument("--phone", required=True, type=_e164, help="the number, +E.164")
    audit.add_argument("--data-dir", type=Path, default=Path(".frontdoor"))
    args = parser.parse_args(list(argv))
    settings = Settings()
    if not settings.redis_url:
        print(
            "frontdoor privacy audit: FRONTDOOR_REDIS_URL is not set; the embedded store lives "
            "inside `frontdoor serve` and cannot be audited from outside",
            file=sys.stderr,
        )
        return 2

    async def main() -> Audit:
        async with open_services(
            settings, data_dir=args.data_dir, background=False, role="audit"
        ) as services:
            return await audit_contact(services, args.phone)

    result = asyncio.run(main())
    for line in result.traces:
        print(f"trace: {line}")
    for line in result.unchecked:
        print(f"not checked: {line}")
    if result.clean:
        print("no trace of this contact")
    return result.exit_code
