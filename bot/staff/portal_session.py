"""What every page module of the portal after sign-in starts with: the signed-in staff member
(from the server-side session, never the request), the page object, and the posted form once its
CSRF token is the session's. The same rules as `bot.staff.portal`'s own pages (it owns sign-in);
kept here so the inbox, today and family modules share one prologue."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.staff.portal import SESSION_COOKIE, _Page, _render, _staff
from bot.staff.repository import WebSessionView
from bot.staff.service import StaffService


class Signed:
    """The signed-in staff member's request: service, session and page."""

    def __init__(self, request: Request, service: StaffService, web: WebSessionView) -> None:
        self.request, self.service, self.web = request, service, web
        self.page = _Page(service, web.lang, web.csrf_token, web)

    @property
    def lang(self) -> str:
        return self.web.lang

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return _render(self.request, self.page, template, status_code, **context)

    def message(self, text: str, back: str, status_code: int = 200) -> HTMLResponse:
        return self.render("message.html", status_code, message=text, back=back)


async def signed(request: Request) -> Signed | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    service = _staff(request)
    token_hash = service.cipher.code_digest("web-session", token)
    web = await service.db(service.repo.web_session, token_hash, service.clock())
    return Signed(request, service, web) if web is not None else None


def to_signin() -> RedirectResponse:
    return RedirectResponse("/staff/signin?expired=1", status_code=303)


async def posted(who: Signed) -> tuple[dict[str, Any], HTMLResponse | None]:
    """The posted form, or the refusal page when its CSRF token is not the session's."""
    form = dict((await who.request.form()).multi_items())
    sent = str(form.get("csrf", ""))
    if not hmac.compare_digest(who.web.csrf_token, sent):
        await who.service.audit("csrf_refused", who.web.staff, detail=who.request.url.path)
        refused = _Page(who.service, who.lang, "", who.web)
        return form, _render(
            who.request, refused, "message.html", 403, message=refused.t("form_expired")
        )
    return form, None
