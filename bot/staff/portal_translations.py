"""The portal's translation review (issue 15): staff who speak a draft language (K'iche', Mam,
Q'anjob'al: drafted without a native speaker) correct a message and mark it reviewed, in place.

The text is written to the language's catalog (`translations/<code>/LC_MESSAGES/frontdoor.po`,
the fuzzy mark removed, "reviewed by staff #N (shelter) at <time>" as a translator comment),
audited, and shown to the next person writing in that language at once (`Catalogs.review`; other
processes read it at their next start). A text must keep the message's placeholders and never
ask for a carrier keyword (bot/i18n/checks.py, the rules every catalog passes).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.i18n import Catalogs
from bot.i18n.checks import keyword_problem, placeholder_problem
from bot.languages import BY_CODE, LANGUAGES, Language
from bot.staff.portal_session import CheckedForm, Signed, SignedIn

#: Messages per page (a catalog has a few hundred).
PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    msgid: str
    text: str
    shown: str
    state: str
    note: str | None


def message_key(msgid: str) -> str:
    """A message's id in forms and anchors (the msgid itself is long English text)."""
    return hashlib.sha256(msgid.encode()).hexdigest()[:16]


def reviewable() -> list[Language]:
    """The languages whose catalogs may hold drafts: every pack that is not required."""
    return [lang for lang in LANGUAGES if not lang.required]


def entries(catalogs: Catalogs, lang: str) -> list[Entry]:
    catalog = catalogs.catalog(lang)
    found: list[Entry] = []
    for message in catalog or ():
        if not message.id:
            continue
        msgid = str(message.id)
        text = str(message.string or "")
        state = "missing" if not text else ("draft" if message.fuzzy else "reviewed")
        found.append(Entry(message_key(msgid), msgid, text, catalogs.gettext(lang, msgid),
                           state, catalogs.reviewed_note(lang, msgid)))
    return found


def make_router() -> APIRouter:
    router = APIRouter(prefix="/staff", include_in_schema=False)

    def catalogs_of(who: Signed) -> Catalogs:
        return who.service.texts.catalogs

    @router.get("/translations", response_class=HTMLResponse)
    async def languages(request: Request, who: SignedIn) -> Response:
        catalogs = catalogs_of(who)
        rows = []
        for language in reviewable():
            found = entries(catalogs, language.code)
            rows.append({
                "language": language,
                "reviewed": sum(e.state == "reviewed" for e in found),
                "draft": sum(e.state == "draft" for e in found),
                "missing": sum(e.state == "missing" for e in found),
            })
        return who.render("translations.html", rows=rows)

    @router.get("/translations/{lang}", response_class=HTMLResponse)
    async def messages(request: Request, lang: str, who: SignedIn) -> Response:
        language = BY_CODE.get(lang)
        if language is None or language.required:
            return who.message(who.page.t("translations_unknown"), "/staff/translations", 404)
        show_all = request.query_params.get("show") == "all"
        query = request.query_params.get("q", "").strip()[:100]
        found = [e for e in entries(catalogs_of(who), lang) if show_all or e.state != "reviewed"]
        if query:
            wanted = query.casefold()
            found = [e for e in found
                     if wanted in e.msgid.casefold() or wanted in e.shown.casefold()]
        try:
            page = max(0, int(request.query_params.get("page", "0")))
        except ValueError:
            page = 0
        shown = found[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        saved = request.query_params.get("saved")
        return who.render(
            "translation_messages.html",
            language=language,
            fallback=BY_CODE.get(language.fallback or "es"),
            entries=shown,
            show_all=show_all,
            query=query,
            page_number=page,
            more=len(found) > (page + 1) * PAGE_SIZE,
            total=len(found),
            saved=saved,
            refused=request.query_params.get("refused"),
        )

    @router.post("/translations/{lang}")
    async def review(request: Request, lang: str, who: SignedIn, form: CheckedForm) -> Response:
        language = BY_CODE.get(lang)
        if language is None or language.required:
            return who.message(who.page.t("translations_unknown"), "/staff/translations", 404)
        catalogs = catalogs_of(who)
        key = str(form.get("key", ""))
        text = str(form.get("text", "")).replace("\r\n", "\n").strip()
        found = next((e for e in entries(catalogs, lang) if e.key == key), None)
        if found is None:
            return who.message(who.page.t("translations_unknown"), f"/staff/translations/{lang}",
                               404)
        back = f"/staff/translations/{lang}?page={form.get('page', '0')}"
        if form.get("show") == "all":
            back += "&show=all"
        if form.get("q"):
            back += "&" + urlencode({"q": str(form["q"])[:100]})
        problem = (placeholder_problem(found.msgid, text) or keyword_problem(text)
                   if text else "empty")
        if problem is not None:
            return RedirectResponse(f"{back}&refused={key}#m-{key}", status_code=303)
        staff = who.web.staff
        at = who.service.clock().strftime("%Y-%m-%dT%H:%MZ")
        catalogs.review(lang, found.msgid, text,
                        f"reviewed by staff #{staff.id} ({staff.shelter_name}) at {at}")
        await who.service.audit("translation_reviewed", staff,
                                detail=f"{lang} message {key} (was {found.state})")
        return RedirectResponse(f"{back}&saved={key}#m-{key}", status_code=303)

    return router
