"""The bot's HTTP service: `create_app(settings)` wires everything in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import httpx
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse

from bot import metrics
from bot.booking.events import make_router as booking_events_router
from bot.booking.report_page import make_router as report_page_router
from bot.channels.twilio import make_router as twilio_router
from bot.channels.voice_call import make_router as voice_call_router
from bot.conversation import utcnow
from bot.limits import RequestLimits
from bot.services import open_services
from bot.settings import Settings
from bot.speech.routes import make_router as media_router
from bot.staff.portal import make_router as staff_portal_router
from bot.staff.portal_family import make_router as staff_family_router
from bot.staff.portal_inbox import make_router as staff_inbox_router
from bot.staff.portal_session import PortalRefusal, refusal_response
from bot.staff.portal_today import make_router as staff_today_router
from bot.staff.portal_translations import make_router as staff_translations_router
from bot.staff.security import SecurityHeaders
from bot.store.base import StoreError
from bot.understanding import LazyParser
from nlu.http import make_router as nlu_router

log = logging.getLogger(__name__)

#: Seconds after start-up when what start-up loaded is frozen out of the collector's passes.
FREEZE_AFTER = 1.0


def _freeze() -> None:
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    booking_transport: httpx.AsyncBaseTransport | None = None,
    data_dir: Path = Path(".frontdoor"),
) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.twilio_auth_token is None:
            log.warning(
                "FRONTDOOR_TWILIO_AUTH_TOKEN is not set: Twilio requests are NOT verified. "
                "Anyone can post messages to this bot. Set it before exposing the bot."
            )
        if settings.uses_development_key:
            log.warning("FRONTDOOR_SECRET_KEY is not set: using the development key.")
        async with open_services(
            settings,
            clock=clock,
            booking_transport=booking_transport,
            data_dir=data_dir,
            parser=parser,
        ) as services:
            app.state.services = services
            # Everything loaded at start-up (NLU model, language-id tables, catalogs) lives as
            # long as the process: keep it out of the garbage collector's full passes, which
            # otherwise stall every conversation for tens of milliseconds now and then. Done
            # just after start-up, not before it: the full pass was a tenth of the time to
            # the first /healthz.
            freezing = asyncio.get_running_loop().call_later(FREEZE_AFTER, _freeze)
            try:
                yield
            finally:
                freezing.cancel()

    app = FastAPI(title="frontdoor", version="0.1.0", lifespan=lifespan)
    parser = LazyParser(settings.nlu_backend, settings.rasa_url)
    app.include_router(twilio_router())
    app.include_router(voice_call_router())  # the phone line (issue 20)
    # Rasa's NLU HTTP API, so tools written for a Rasa server work against the bot.
    app.include_router(nlu_router(parser))
    app.include_router(booking_events_router())
    app.include_router(report_page_router())  # the public daily report (issue 18)
    # The inbox, today and family pages first: their /staff/inbox pages replace the portal's.
    app.include_router(staff_inbox_router())
    app.include_router(staff_today_router())
    app.include_router(staff_translations_router())
    app.include_router(staff_family_router())
    app.include_router(staff_portal_router())
    # What the portal's dependencies answer themselves (sign-in page, expired form).
    app.add_exception_handler(PortalRefusal, refusal_response)
    app.include_router(media_router())
    if settings.simulator_enabled:  # embedded defaults, or FRONTDOOR_SIMULATOR=true
        # Imported only then: production (no simulator) does not pay for it at start-up.
        from bot.simulator.routes import make_router as simulator_router

        app.include_router(simulator_router())
    app.add_middleware(SecurityHeaders)  # the portal's CSP, HSTS behind https... (security.py)

    app.add_middleware(RequestLimits)

    @app.get("/metrics", include_in_schema=False)
    async def metrics_page() -> Response:
        """Prometheus metrics (bot/metrics.py): counts and timings, no personal data."""
        return Response(await metrics.render(), media_type=metrics.CONTENT_TYPE_LATEST)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """Readiness: 503 and one line saying why while the store does not answer (messages
        are then kept in the spool, bot/spool.py)."""
        try:
            await app.state.services.store.ping()
        except StoreError as exc:
            return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "spooled": app.state.services.intake.spooled()})

    @app.get("/livez")
    async def livez() -> dict[str, str]:
        """Liveness: the process answers (restart it only when this fails)."""
        return {"status": "ok"}

    return app
