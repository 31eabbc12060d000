"""``create_app``: the sandbox as an ASGI app, embeddable in the bot or served alone.

Migrations run here, before the app exists, so a misconfigured database stops start-up with
its own error instead of failing the first request.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from booking_sandbox import migrations
from booking_sandbox.clock import Clock, system_clock
from booking_sandbox.context import SandboxContext
from booking_sandbox.db import make_engine, make_session_factory
from booking_sandbox.errors import install_error_handlers
from booking_sandbox.routes import router
from booking_sandbox.settings import SandboxSettings

log = logging.getLogger(__name__)


def build_context(settings: SandboxSettings, clock: Clock | None = None) -> SandboxContext:
    """Engine, migrated schema and session factory for ``settings`` (also used by the CLI)."""
    engine = make_engine(settings)
    migrations.upgrade(engine)
    return SandboxContext(
        settings=settings,
        engine=engine,
        factory=make_session_factory(engine),
        clock=clock or system_clock,
    )


def create_app(
    settings: SandboxSettings | None = None,
    *,
    clock: Clock | None = None,
    webhook_transport: httpx.BaseTransport | None = None,
) -> FastAPI:
    """Build the sandbox app. ``clock`` and ``webhook_transport`` are for tests and demos."""
    settings = settings or SandboxSettings()
    context = build_context(settings, clock)
    if settings.events_webhook_url and not settings.events_secret:
        log.warning("BOOKING_EVENTS_SECRET is not set: webhook events will be sent UNSIGNED")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from booking_sandbox.scheduler import Scheduler

        scheduler = Scheduler(context, transport=webhook_transport)
        if settings.scheduler_enabled:
            scheduler.start()
        try:
            yield
        finally:
            await scheduler.stop()
            context.engine.dispose()

    app = FastAPI(
        title="frontdoor booking sandbox",
        version="1",
        description="Reference booking API for frontdoor: households, daily slot requests, "
        "a fair daily allocation, and signed webhook events.",
        lifespan=lifespan,
    )
    app.state.sandbox = context
    install_error_handlers(app)
    app.include_router(router)

    @app.get("/reports/{request_date}", include_in_schema=False, response_class=HTMLResponse)
    def report_page(request_date: date) -> HTMLResponse:
        """The public daily report as a page (no sign-in, no personal data)."""
        from booking_sandbox.report import allocation_report
        from booking_sandbox.report_page import render_report

        with context.factory() as db:
            report = allocation_report(db, settings, request_date)
        return HTMLResponse(render_report(report))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
