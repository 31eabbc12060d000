"""The staff web portal: server-rendered pages (Jinja2, no JavaScript needed), phone-sized.

Sign-in is a one-time code sent to the staff member's linked phone through the bot's Sender:
no passwords to leak or reset. Security, each in one place:
* a staff member sees only their shelter: every query takes `staff.shelter_id` from the
  server-side session, never from the request;
* sessions expire (`FRONTDOOR_PORTAL_SESSION_HOURS`) and live server-side; the cookie holds a
  random token whose keyed hash is the database key (HttpOnly, SameSite=Lax, Secure by default);
* every form carries a CSRF token: the session's own token once signed in, and a
  double-submit cookie before (the sign-in forms);
* code attempts are limited per code (`FRONTDOOR_SIGNIN_MAX_ATTEMPTS`), codes per hour per
  staff member and device and per client address, in a way strangers cannot use to lock staff
  out (signin_limits.py); answers never reveal whether a number is linked;
* security headers on every page (security.py);
* sign-ins, failures and every action go to the audit log.
"""

from __future__ import annotations

import csv
import importlib
import io
import secrets
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.contacts import InvalidSender, normalize_phone
from bot.engine.answers import ANSWER_TYPES, Accepted, AnswerContext
from bot.engine.models import Collect
from bot.i18n import country_name, format_day
from bot.languages import BY_CODE, LANGUAGES
from bot.messages import ChannelKind
from bot.outbound import OutboundMessage
from bot.staff import signin_limits
from bot.staff.portal_page import (
    PRE_CSRF_COOKIE,
    SESSION_COOKIE,
    Page,
    page_lang,
    portal_languages,
    render,
    set_cookie,
    staff_service,
)
from bot.staff.portal_session import CheckedForm, SignedIn, SigninForm, to_signin
from bot.staff.repository import PersonView
from bot.staff.status import describe_status

MEMBER_ROWS = 3

Translate = Callable[[str, str, str], Awaitable[str | None]]


def machine_translator() -> Translate | None:
    """`bot.translation.translate` when that module exists (machine translation is optional,
    and returns None when no model for the pair is installed)."""
    try:
        module = importlib.import_module("bot.translation")
    except ImportError:
        return None
    translate: Translate | None = getattr(module, "translate", None)
    return translate


_staff = staff_service
_lang = page_lang
_Page = Page
_render = render
_set_cookie = set_cookie


router = APIRouter(prefix="/staff", include_in_schema=False)


def make_router() -> APIRouter:
    return router


# ---- sign-in -------------------------------------------------------------------------


@router.get("/signin", response_class=HTMLResponse)
async def signin_page(request: Request) -> Response:
    service = _staff(request)
    csrf = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(24)
    lang = _lang(request)
    page = _Page(service, lang, csrf, None)
    notice = page.t("session_expired") if request.query_params.get("expired") else None
    response = _render(request, page, "signin.html", notice=notice)
    _set_cookie(response, service, PRE_CSRF_COOKIE, csrf, 3600)
    _set_cookie(response, service, "fd_lang", lang, 3600 * 24 * 365)
    return response


@router.post("/signin", response_class=HTMLResponse)
async def signin_send(request: Request, form: SigninForm) -> Response:
    service = _staff(request)
    lang = _lang(request)
    csrf = request.cookies.get(PRE_CSRF_COOKIE, "")
    page = _Page(service, lang, csrf, None)
    try:
        phone = normalize_phone(str(form.get("phone", "")))
    except InvalidSender:
        return _render(request, page, "signin.html", error=page.t("signin_wrong"))
    staff = await service.db(service.repo.staff_by_digest, service.digest(phone))
    minutes = service.settings.signin_code_minutes
    now = service.clock()
    hour_ago = now - timedelta(hours=1)
    client = signin_limits.client_hash(service.cipher, request)
    from_client = await service.db(service.repo.codes_from_client, client, hour_ago)
    if from_client >= service.settings.signin_codes_per_address:
        await service.audit("signin_code_refused_address", staff)
        return _render(request, page, "signin.html", error=page.t("signin_too_many"))
    challenge = signin_limits.new_challenge()
    if staff is not None:
        secret = service.settings.secret_key.get_secret_value()
        device = signin_limits.device_hash(service.cipher, secret, request, staff.id)
        # A known device has a budget of its own: strangers cannot use it up.
        recent = await service.db(service.repo.codes_since, staff.id, hour_ago, device)
        if recent >= service.settings.signin_codes_per_hour:
            await service.audit("signin_code_refused_rate", staff)
            return _render(request, page, "signin.html", error=page.t("signin_too_many"))
        code = f"{secrets.randbelow(10**6):06d}"
        await service.db(
            service.repo.add_signin_code,
            staff.id,
            service.cipher.code_digest("signin", code),
            now,
            now + timedelta(minutes=minutes),
            challenge_hash=service.cipher.code_digest("signin-challenge", challenge),
            client_hash=client,
            device_hash=device,
        )
        body = service.texts(staff.lang, "signin_code", code=code, minutes=minutes)
        channel = ChannelKind(staff.channel)
        await service.send(
            OutboundMessage(staff.contact_digest, staff.phone, channel, body), staff.lang
        )
        await service.audit("signin_code_sent", staff)
    # The same answer whether or not the number is linked: no way to probe for staff.
    response = _render(
        request, page, "code.html", phone=phone, notice=page.t("signin_sent", minutes=minutes)
    )
    _set_cookie(response, service, signin_limits.CHALLENGE_COOKIE, challenge, minutes * 60)
    return response


@router.post("/signin/code", response_class=HTMLResponse)
async def signin_code(request: Request, form: SigninForm) -> Response:
    service = _staff(request)
    lang = _lang(request)
    page = _Page(service, lang, request.cookies.get(PRE_CSRF_COOKIE, ""), None)
    phone = str(form.get("phone", ""))
    try:
        staff = await service.db(
            service.repo.staff_by_digest, service.digest(normalize_phone(phone))
        )
    except InvalidSender:
        staff = None
    verdict = "wrong"
    challenge = signin_limits.challenge_hash(service.cipher, request)
    if staff is not None and challenge is None:
        verdict = "expired"  # this browser asked for no code (or its cookie expired)
    elif staff is not None and challenge is not None:
        verdict = await service.db(
            service.repo.check_signin_code,
            staff.id,
            service.cipher.code_digest("signin", str(form.get("code", ""))),
            service.clock(),
            service.settings.signin_max_attempts,
            challenge,
        )
    if staff is None or verdict != "ok":
        await service.audit(f"signin_{verdict}", staff)
        return _render(request, page, "code.html", phone=phone, error=page.t(f"signin_{verdict}"))
    token = secrets.token_urlsafe(32)
    now = service.clock()
    hours = service.settings.portal_session_hours
    await service.db(
        service.repo.add_web_session,
        service.cipher.code_digest("web-session", token),
        staff.id,
        secrets.token_urlsafe(24),
        lang,
        now,
        now + timedelta(hours=hours),
    )
    await service.audit("signin", staff)
    response = RedirectResponse("/staff/", status_code=303)
    _set_cookie(response, service, SESSION_COOKIE, token, hours * 3600)
    response.delete_cookie(signin_limits.CHALLENGE_COOKIE, path="/staff")
    secret = service.settings.secret_key.get_secret_value()
    if signin_limits.device_hash(service.cipher, secret, request, staff.id) is None:
        _set_cookie(
            response,
            service,
            signin_limits.DEVICE_COOKIE,
            signin_limits.new_device_cookie(secret, staff.id),
            signin_limits.DEVICE_DAYS * 86400,
        )
    return response


@router.post("/signout")
async def signout(request: Request, who: SignedIn, _: CheckedForm) -> Response:
    web, service = who.web, who.service
    token = request.cookies.get(SESSION_COOKIE, "")
    await service.db(
        service.repo.delete_web_session, service.cipher.code_digest("web-session", token)
    )
    await service.audit("signout", web.staff)
    response = to_signin(expired=False)
    response.delete_cookie(SESSION_COOKIE, path="/staff")
    return response


@router.post("/lang")
async def set_language(request: Request, who: SignedIn, form: CheckedForm) -> Response:
    lang = str(form.get("lang", ""))
    service = _staff(request)
    if lang in portal_languages():
        token = request.cookies.get(SESSION_COOKIE, "")
        await service.db(
            service.repo.set_web_lang, service.cipher.code_digest("web-session", token), lang
        )
    target = str(form.get("next") or "")
    if not target.startswith("/staff/") or "//" in target or "\\" in target:
        target = "/staff/"  # never a redirect off the portal
    return RedirectResponse(target, status_code=303)


# ---- households and requests ---------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def households(request: Request, who: SignedIn) -> Response:
    web, service = who.web, who.service
    rows = await service.households(web.staff)
    requested = await service.requests_today(web.staff)
    await service.audit("households_viewed", web.staff, detail=f"{len(rows)} households")
    return who.render(
        "households.html",
        households=rows,
        requested=requested,
        born=lambda iso: format_day(web.lang, date.fromisoformat(iso)),
        country=lambda code: country_name(code, web.lang),
        port=await _port_names(request),
        relationships=_relationships(request),
    )


@router.post("/requests", response_class=HTMLResponse)
async def make_requests(request: Request, who: SignedIn, _: CheckedForm) -> Response:
    web, service = who.web, who.service
    ids = [str(v) for k, v in (await request.form()).multi_items() if k == "household"]
    results = await service.request_today(web.staff, ids)
    return who.render("requests.html", results=results, rows=None)


@router.get("/requests", response_class=HTMLResponse)
async def todays_requests(request: Request, who: SignedIn) -> Response:
    web, service = who.web, who.service
    requested = await service.requests_today(web.staff)
    rows = [h for h in await service.households(web.staff) if h.id in requested]
    return who.render("requests.html", results=None, rows=rows)


@router.get("/appointments", response_class=HTMLResponse)
async def appointments(request: Request, who: SignedIn) -> Response:
    web, service = who.web, who.service
    ports = await _port_names(request)
    rows = [
        (
            row.household,
            describe_status(service.texts, web.lang, row.status, ports),
            row.appointment,
        )
        for row in await service.statuses(web.staff)
    ]
    return who.render("appointments.html", rows=rows)


@router.post("/appointments/{household_id}/{what}", response_class=HTMLResponse)
async def appointment_action(
    request: Request, household_id: str, what: str, who: SignedIn, _: CheckedForm
) -> Response:
    """Confirm a family's appointment, or give it up, on their behalf."""
    web, service, page = who.web, who.service, who.page
    if what == "confirm":
        outcome = await service.confirm_for(web.staff, household_id)
    elif what == "give_up":
        outcome = await service.give_up_for(web.staff, household_id)
    else:
        return who.render("message.html", 404, message=page.t("nothing_yet"))
    household = await service.db(service.repo.household, web.staff.shelter_id, household_id)
    if outcome == "ok" and household is not None:
        message = page.t(f"{what}_done", name=household.primary.full_name)
    else:
        message = page.st(f"{what}_{outcome}")
    return who.render("message.html", message=message, back="/staff/appointments")


@router.get("/households/new", response_class=HTMLResponse)
async def new_household(request: Request, who: SignedIn) -> Response:
    return who.render("new.html", **await _form_context(request, {}))


@router.post("/households/new", response_class=HTMLResponse)
async def register_household(request: Request, who: SignedIn, form: CheckedForm) -> Response:
    web, service, page = who.web, who.service, who.page
    parsed = _parse_household(
        form,
        web.lang,
        service.clock().date(),
        await _port_names(request),
        set(_relationships(request)),
    )
    if parsed is None:
        return who.render(
            "new.html",
            422,
            error=page.t("invalid_form"),
            **await _form_context(request, form),
        )
    primary, members, port, lang, phone = parsed
    household, outcome = await service.register_household(
        web.staff,
        primary=primary,
        members=members,
        port=port,
        lang=lang,
        applicant_phone=phone,
        consented=form.get("consent") == "yes",
    )
    if household is None:
        return who.render(
            "new.html",
            422,
            error=page.st(f"register_{outcome}"),
            **await _form_context(request, form),
        )
    notice = page.t(
        "registered",
        name=household.primary.full_name,
        registration_id=household.registration_id or "",
    )
    return who.render("message.html", message=notice, back="/staff/")


@router.get("/export.csv")
async def export_roster(request: Request, who: SignedIn) -> Response:
    web, service = who.web, who.service
    rows = await service.households(web.staff)
    requested = await service.requests_today(web.staff)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "household",
            "registration",
            "role",
            "full_name",
            "birth_date",
            "nationality",
            "relationship",
            "port",
            "language",
            "applicant_phone",
            "consent_at",
            "requested_today",
        ]
    )
    for h in rows:
        for role, person in [("primary", h.primary), *(("member", m) for m in h.members)]:
            writer.writerow(
                [
                    h.id,
                    h.registration_id or "",
                    role,
                    _csv_safe(person.full_name),
                    person.birth_date,
                    person.nationality,
                    person.relationship or "",
                    h.port,
                    h.lang,
                    h.applicant_phone or "",
                    h.consent_at.isoformat(),
                    "yes" if h.id in requested else "no",
                ]
            )
    await service.audit("roster_exported", web.staff, detail=f"{len(rows)} households")
    safe = "".join(ch if ch.isalnum() else "-" for ch in web.staff.shelter_name).strip("-")
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="roster-{safe or "shelter"}.csv"'},
    )


async def _port_names(request: Request) -> dict[str, str]:
    ports: dict[str, str] = await request.app.state.services.conversations.ports.names()
    return ports


def _language_name(code: str) -> str:
    return BY_CODE[code].own_name if code in BY_CODE else code


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: never from a name."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


async def _form_context(request: Request, form: dict[str, Any]) -> dict[str, Any]:
    return {
        "form": form,
        "ports": await _port_names(request),
        "all_languages": [(lang.code, lang.own_name) for lang in LANGUAGES],
        "relationships": _relationships(request),
        "member_rows": range(MEMBER_ROWS),
    }


def _answer(kind: str, text: str, lang: str, today: date, **parameters: Any) -> Any:
    """A form field read by the flows' own answer type (`parameters`: the step's, e.g.
    `past=True` for a date of birth), None when the type refuses it."""
    collect = Collect(slot="_portal", type=kind, **parameters)
    result = ANSWER_TYPES[kind].parse(text, None, AnswerContext(lang, today, collect))
    return result.value if isinstance(result, Accepted) else None


def _relationships(request: Request) -> dict[str, str]:
    """Relationship id -> label msgid: the household flow's list (the one place for it)."""
    flowset = request.app.state.services.conversations.engine.flowset
    return {option.id: option.label for option in flowset.relationships}


def _person(
    form: dict[str, Any],
    prefix: str,
    lang: str,
    today: date,
    relationships: set[str],
    nationality: str | None = None,
) -> PersonView | None:
    name = _answer("name", str(form.get(f"{prefix}name", "")), lang, today)
    born = _answer("date", str(form.get(f"{prefix}birth_date", "")), lang, today, past=True)
    country = nationality or _answer(
        "country", str(form.get(f"{prefix}nationality", "")), lang, today
    )
    if not name or not born or not country:
        return None
    relationship = str(form.get(f"{prefix}relationship", "")) or None
    if relationship is not None and relationship not in relationships:
        return None
    return PersonView(str(name), str(born), str(country), relationship)


def _parse_household(
    form: dict[str, Any], lang: str, today: date, ports: dict[str, str], relationships: set[str]
) -> tuple[PersonView, list[PersonView], str, str, str | None] | None:
    primary = _person(form, "", lang, today, relationships)
    if primary is None:
        return None
    members: list[PersonView] = []
    for row in range(MEMBER_ROWS):
        prefix = f"m{row}_"
        if not str(form.get(f"{prefix}name", "")).strip():
            continue
        # Each member's own nationality (a family may mix them); blank: the primary's.
        own = str(form.get(f"{prefix}nationality", "")).strip()
        fixed = None if own else primary.nationality
        member = _person(form, prefix, lang, today, relationships, nationality=fixed)
        if member is None:
            return None
        members.append(member)
    port = str(form.get("port", ""))
    applicant_lang = str(form.get("language", ""))
    if port not in ports or applicant_lang not in BY_CODE:
        return None
    raw_phone = str(form.get("phone", "")).strip()
    phone: str | None = None
    if raw_phone:  # blank: no phone of their own (results to the staff phone)
        phone = _answer("phone", raw_phone, lang, today)
        if phone is None:
            return None
    return primary, members, port, applicant_lang, phone
