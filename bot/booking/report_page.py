"""`GET /reports/{date}` on the bot: the booking API's public daily report (issue 18), passed
through, so the staff portal can link to it where staff can open it (the embedded sandbox
listens on a loopback port only). The page holds no personal data and needs no sign-in; the
date is checked before anything is asked, and only that one path is ever requested."""

from __future__ import annotations

from datetime import date

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

#: The report draws its plots when asked (matplotlib): slower than an API call, and a person
#: (not a webhook) waits for it.
REPORT_TIMEOUT_SECONDS = 30.0


def make_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/reports/{request_date}")
    async def report(request: Request, request_date: str) -> Response:
        try:
            day = date.fromisoformat(request_date)
        except ValueError:
            return PlainTextResponse("not a date (YYYY-MM-DD)", status_code=404)
        services = request.app.state.services
        timeout = max(services.settings.booking_timeout_seconds, REPORT_TIMEOUT_SECONDS)
        try:
            async with httpx.AsyncClient(timeout=timeout) as client:
                answer = await client.get(f"{services.booking_url}/reports/{day.isoformat()}")
        except httpx.HTTPError:
            return PlainTextResponse("the booking system is not answering", status_code=503)
        if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
            return PlainTextResponse("no report for that day", status_code=404)
        return HTMLResponse(answer.text)

    return router
