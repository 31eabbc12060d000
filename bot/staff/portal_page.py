"""What every portal page is made of: the staff service of the app, the page's language, the
texts and CSRF token a template gets (`Page`), rendering, and the portal's cookies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from bot.languages import BY_CODE, LANGUAGES, REQUIRED_LANGUAGES
from bot.staff.repository import WebSessionView
from bot.staff.service import StaffService

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
SESSION_COOKIE = "fd_staff"
PRE_CSRF_COOKIE = "fd_csrf"
def portal_languages() -> list[str]:
    """The languages the portal is shown in: the packs whose catalogs are complete and
    reviewed (`required: true`), in menu order."""
    return [lang.code for lang in LANGUAGES if lang.code in REQUIRED_LANGUAGES]


def staff_service(request: Request) -> StaffService:
    service: StaffService | None = request.app.state.services.staff
    assert service is not None
    return service


def page_lang(request: Request, fallback: str = "es") -> str:
    wanted = request.query_params.get("lang") or request.cookies.get("fd_lang") or fallback
    return wanted if wanted in portal_languages() else fallback


class Page:
    """What every template gets: the texts in the page's language, the CSRF token."""

    def __init__(self, service: StaffService, lang: str, csrf: str, web: WebSessionView | None):
        self.service, self.lang, self.csrf, self.web = service, lang, csrf, web

    def t(self, key: str, **values: Any) -> str:
        return self.service.portal_texts(self.lang, key, **values)

    def st(self, key: str, **values: Any) -> str:
        return self.service.texts(self.lang, key, **values)

    def gettext(self, msgid: str) -> str:
        """A flow's message (relationship labels...) in the page's language."""
        return self.service.texts.catalogs.gettext(self.lang, msgid)


def render(
    request: Request, page: Page, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    languages = [(code, BY_CODE[code].own_name) for code in portal_languages()]
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"p": page, "languages": languages, **context},
        status_code=status_code,
    )


def set_cookie(
    response: Response, service: StaffService, name: str, value: str, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/staff",
        httponly=True,
        samesite="lax",
        secure=service.settings.portal_secure_cookies,
    )
