"""The prologue of every portal handler, as FastAPI dependencies: the signed-in staff member
(from the server-side session, never the request) and the posted form once its CSRF token is
the session's (before sign-in: the double-submit cookie's). A handler names what it needs
(`who: Signed = Depends(signed_in)`, `form: Form = Depends(checked_form)`) and never repeats
the checks; what they refuse (to the sign-in page, or the "form expired" page with 403) is a
`PortalRefusal`, answered by `refusal_response` (registered on the app)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.staff.portal_page import (
    PRE_CSRF_COOKIE,
    SESSION_COOKIE,
    Page,
    page_lang,
    render,
    staff_service,
)
from bot.staff.repository import WebSessionView
from bot.staff.service import StaffService

Form = dict[str, Any]


class PortalRefusal(Exception):
    """A request a dependency answers itself (not signed in, a form without its token)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


async def refusal_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PortalRefusal)
    return exc.response


class Signed:
    """The signed-in staff member's request: service, session and page."""

    def __init__(self, request: Request, service: StaffService, web: WebSessionView) -> None:
        self.request, self.service, self.web = request, service, web
        self.page = Page(service, web.lang, web.csrf_token, web)

    @property
    def lang(self) -> str:
        return self.web.lang

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return render(self.request, self.page, template, status_code, **context)

    def message(self, text: str, back: str, status_code: int = 200) -> HTMLResponse:
        return self.render("message.html", status_code, message=text, back=back)


async def signed(request: Request) -> Signed | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    service = staff_service(request)
    token_hash = service.cipher.code_digest("web-session", token)
    web = await service.db(service.repo.web_session, token_hash, service.clock())
    return Signed(request, service, web) if web is not None else None


def to_signin(expired: bool = True) -> RedirectResponse:
    return RedirectResponse("/staff/signin" + ("?expired=1" if expired else ""), status_code=303)


async def signed_in(request: Request) -> Signed:
    """Dependency: the signed-in staff member, else to the sign-in page ("session expired"
    when the browser had a session)."""
    who = await signed(request)
    if who is None:
        raise PortalRefusal(to_signin(expired=SESSION_COOKIE in request.cookies))
    return who


#: A handler's parameter: the signed-in staff member.
SignedIn = Annotated[Signed, Depends(signed_in)]


async def _refuse_form(request: Request, web: WebSessionView | None) -> PortalRefusal:
    service = staff_service(request)
    lang = web.lang if web is not None else page_lang(request)
    await service.audit("csrf_refused", web.staff if web else None, detail=request.url.path)
    page = Page(service, lang, "", web)
    return PortalRefusal(render(request, page, "message.html", 403, message=page.t("form_expired")))


async def checked_form(request: Request, who: SignedIn) -> Form:
    """Dependency: the posted form of a signed-in staff member, its CSRF token checked."""
    form = dict((await request.form()).multi_items())
    if not hmac.compare_digest(who.web.csrf_token, str(form.get("csrf", ""))):
        raise await _refuse_form(request, who.web)
    return form


async def signin_form(request: Request) -> Form:
    """Dependency: a sign-in form (before any session), checked against the double-submit
    cookie."""
    form = dict((await request.form()).multi_items())
    expected = request.cookies.get(PRE_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, str(form.get("csrf", ""))):
        raise await _refuse_form(request, None)
    return form


#: Handler parameters: the posted form, its CSRF token checked (signed in, or the sign-in).
CheckedForm = Annotated[Form, Depends(checked_form)]
SigninForm = Annotated[Form, Depends(signin_form)]
