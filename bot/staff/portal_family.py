"""The portal's family page (issue 19): the members, the registration, the requests staff made
and their outcomes (the booking API's status, and for a request not chosen the explanation in
the words the family is told), the results received; give up the appointment, and delete the
family's data when they ask."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.client import BookingRejected, BookingUnavailable
from bot.booking.explanation import not_selected_step, why_values
from bot.engine.display import display_values
from bot.household import format_names
from bot.i18n import country_name, format_day
from bot.staff import portal
from bot.staff.models import HouseholdRequest
from bot.staff.portal_inbox import shelter_clock
from bot.staff.portal_session import CheckedForm, Signed, SignedIn
from bot.staff.repository import HouseholdView, RequestView, StaffRepository
from bot.staff.service import HouseholdStatus
from bot.staff.status import describe_status
from bot.staff.texts import Texts

#: Staff messages (flows/staff.messages.yaml) for giving up, and the portal's for deleting.
GAVE_UP = "give_up_ok"
GIVE_UP_FAILED = ("give_up_no_appointment", "give_up_not_registered", "give_up_unavailable")
DELETE_FAILED = ("family_delete_unasked", "family_delete_unavailable")


def requests_of(repo: StaffRepository, household_id: str) -> list[RequestView]:
    """The daily requests staff made for one family, newest first."""
    with Session(repo.engine) as db:
        rows = db.scalars(
            select(HouseholdRequest)
            .where(HouseholdRequest.household_id == household_id)
            .order_by(HouseholdRequest.request_date.desc())
        )
        return [
            RequestView(r.household_id, r.request_date, r.port, r.status, r.requested_at)
            for r in rows
        ]


async def explanation_text(
    who: Signed, household: HouseholdView, request_id: str, values: dict[str, str]
) -> str | None:
    """Why a request was not chosen, as the family's status answer says it (flows/status.yaml),
    in the staff member's language; None when the booking API cannot say now."""
    service = who.service
    try:
        explanation = await service.booking.explanation(request_id)
    except (BookingUnavailable, BookingRejected):
        return None
    values = {**values, **why_values(explanation.model_dump())}
    services = who.request.app.state.services
    flowset = services.conversations.engine.flowset
    msgid = flowset.step("status", not_selected_step(values)).say
    ports = await portal._port_names(who.request)
    catalogs = service.texts.catalogs
    shown = display_values(values, {}, who.lang, ports, catalogs)
    shown["household"] = format_names(household.names, who.lang)
    return Texts(catalogs, {"why": msgid})(who.lang, "why", **shown)


router = APIRouter(prefix="/staff", include_in_schema=False)


def make_router() -> APIRouter:
    return router


@router.get("/family/{household_id}", response_class=HTMLResponse)
async def family(request: Request, household_id: str, who: SignedIn) -> Response:
    service, staff, lang = who.service, who.web.staff, who.lang
    household = await service.db(service.repo.household, staff.shelter_id, household_id)
    if household is None:
        return who.message(who.page.t("nothing_yet"), "/staff/", 404)
    ports = await portal._port_names(request)
    status = None
    if household.registration_id:
        try:
            status = await service.booking.status(household.registration_id)
        except (BookingUnavailable, BookingRejected):
            status = None
    row = HouseholdStatus(household, status)
    why = None
    latest = status.latest_request if status is not None else None
    if latest is not None and latest.status == "not_selected" and row.appointment is None:
        why = await explanation_text(
            who,
            household,
            latest.id,
            {"request_port": latest.port, "request_date": latest.request_date.isoformat()},
        )
    clock = await shelter_clock(who)
    results = [
        (clock.at(n.at), service.result_text(lang, n.purpose, n.household, n.values, ports))
        for n in await service.notices(staff)
        if n.household.id == household.id
    ]
    done = request.query_params.get("done")
    await service.audit("household_viewed", staff, household.id)
    context: dict[str, Any] = {
        "household": household,
        "status_text": describe_status(service.texts, lang, status, ports),
        "appointment": row.appointment,
        "why": why,
        "requests": await service.db(requests_of, service.repo, household.id),
        "results": results,
        "ports": ports,
        "clock": clock,
        "born": lambda iso: format_day(lang, date.fromisoformat(iso)),
        "day": lambda value: format_day(lang, value),
        "country": lambda code: country_name(code, lang),
        "relationships": portal._relationships(request),
        "language_name": portal._language_name,
        "notice": (
            who.page.st(done)
            if done == GAVE_UP
            else who.page.t(done)
            if done == "family_edited"
            else None
        ),
        "error": (
            who.page.st(done)
            if done in GIVE_UP_FAILED
            else who.page.t(done)
            if done in DELETE_FAILED
            else None
        ),
    }
    return who.render("family.html", **context)


@router.post("/family/{household_id}/give_up")
async def give_up(request: Request, household_id: str, who: SignedIn, _: CheckedForm) -> Response:
    outcome = await who.service.give_up_for(who.web.staff, household_id)
    done = f"give_up_{outcome}"
    return RedirectResponse(f"/staff/family/{household_id[:36]}?done={done}", 303)


@router.post("/family/{household_id}/delete", response_class=HTMLResponse)
async def delete(request: Request, household_id: str, who: SignedIn, form: CheckedForm) -> Response:
    if form.get("asked") != "yes":
        return RedirectResponse(
            f"/staff/family/{household_id[:36]}?done=family_delete_unasked", 303
        )
    household = await who.service.db(
        who.service.repo.household, who.web.staff.shelter_id, household_id
    )
    outcome = await who.service.delete_household_for(who.web.staff, household_id)
    if outcome == "ok" and household is not None:
        text = who.page.t("family_deleted", name=household.primary.full_name)
        return who.message(text, "/staff/")
    if outcome == "not_found":
        return who.message(who.page.t("nothing_yet"), "/staff/", 404)
    return RedirectResponse(f"/staff/family/{household_id[:36]}?done=family_delete_{outcome}", 303)


def edit_form(household: HouseholdView, lang: str) -> dict[str, str]:
    """The family as the registration form shows it (dates day/month/year, countries by
    name in the page's language: what the answer types read back)."""

    def day(iso: str) -> str:
        return date.fromisoformat(iso).strftime("%d/%m/%Y")

    form = {
        "name": household.primary.full_name,
        "birth_date": day(household.primary.birth_date),
        "nationality": country_name(household.primary.nationality, lang),
        "port": household.port,
    }
    for row, member in enumerate(household.members):
        form[f"m{row}_name"] = member.full_name
        form[f"m{row}_birth_date"] = day(member.birth_date)
        form[f"m{row}_nationality"] = country_name(member.nationality, lang)
        form[f"m{row}_relationship"] = member.relationship or ""
    return form


async def render_edit(
    who: Signed,
    household: HouseholdView,
    form: dict[str, Any],
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return who.render(
        "family_edit.html",
        status_code,
        household=household,
        error=error,
        form=form,
        ports=await portal._port_names(who.request),
        relationships=portal._relationships(who.request),
        member_rows=range(portal.MEMBER_ROWS),
    )


@router.get("/family/{household_id}/edit", response_class=HTMLResponse)
async def edit_page(request: Request, household_id: str, who: SignedIn) -> Response:
    household = await who.service.db(
        who.service.repo.household, who.web.staff.shelter_id, household_id
    )
    if household is None:
        return who.message(who.page.t("nothing_yet"), "/staff/", 404)
    if len(household.members) > portal.MEMBER_ROWS:
        return who.message(who.page.t("family_edit_too_many"), f"/staff/family/{household.id}")
    return await render_edit(who, household, edit_form(household, who.lang))


@router.post("/family/{household_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, household_id: str, who: SignedIn, form: CheckedForm) -> Response:
    """The same reading as registration (the flows' answer types), then the booking API."""
    service = who.service
    household = await service.db(service.repo.household, who.web.staff.shelter_id, household_id)
    if household is None:
        return who.message(who.page.t("nothing_yet"), "/staff/", 404)
    # Language and phone are not edited here: the form reads them as they are.
    form = {**form, "language": household.lang, "phone": household.applicant_phone or ""}
    parsed = portal._parse_household(
        form,
        who.lang,
        service.clock().date(),
        await portal._port_names(request),
        set(portal._relationships(request)),
    )
    if parsed is None:
        return await render_edit(who, household, form, who.page.t("invalid_form"), 422)
    primary, members, port, _lang, _phone = parsed
    outcome = await service.update_household_for(
        who.web.staff, household.id, primary=primary, members=members, port=port
    )
    if outcome != "ok":
        return await render_edit(who, household, form, who.page.t(f"family_edit_{outcome}"), 422)
    return RedirectResponse(f"/staff/family/{household.id}?done=family_edited", 303)
