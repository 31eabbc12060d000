"""`POST /booking/events`: results from the booking API (allocated, not selected, lapsed,
reminders), verified and kept for the notification work.

The booking API signs the raw body: ``X-Booking-Signature: sha256=<hex HMAC-SHA256(secret,
body)>`` (booking_sandbox/README.md). The signature is checked before the body is parsed. A
delivery is acknowledged only once the event is stored. Events are not deduplicated here: a
claim taken before storing would lose the event if storing failed, so a redelivery (the API
retries when an acknowledgement is lost) is stored again, and the consumer deduplicates on
`event_id` when it notifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, ValidationError

from bot import metrics

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Booking-Signature"
EVENTS_STREAM = "booking-events"


class BookingEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    event_id: str
    type: str
    registration_id: str
    contact_ref: str | None = None
    occurred_at: str
    data: dict[str, Any] = {}


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    return header is not None and hmac.compare_digest(sign(secret, body), header)


def make_router() -> APIRouter:
    router = APIRouter()

    @router.post("/booking/events")
    async def booking_event(request: Request) -> Response:
        services = request.app.state.services
        secret = services.settings.events_secret()
        body = await request.body()
        if not signature_valid(secret, body, request.headers.get(SIGNATURE_HEADER)):
            log.warning("rejected a booking event: missing or invalid %s", SIGNATURE_HEADER)
            return Response("invalid signature", status_code=403, media_type="text/plain")
        try:
            event = BookingEvent.model_validate(json.loads(body))
        except (ValueError, ValidationError):
            return Response("not a booking event", status_code=400, media_type="text/plain")
        # One registration's events in one shard of the log (on a cluster), so in order.
        stream = services.store.log_shard(EVENTS_STREAM, event.registration_id)
        with metrics.timed("booking_event"):
            index = await services.store.log_append(stream, body)
        log.info("booking event %s (%s) stored at %s %d", event.event_id, event.type, stream, index)
        return Response(status_code=204)

    return router
