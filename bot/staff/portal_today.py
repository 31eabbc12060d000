"""The portal's "today" page for a shelter (issue 19): what needs doing first. Who waits for a
person and for how long; appointments to confirm before their deadline (confirmed here for the
family); households whose request for today is still to make; results the bot could not deliver
to a family (no phone of their own: staff must tell them). Times on the shelter's clock."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.staff import portal
from bot.staff.portal_inbox import shelter_clock, thread_rows, threads_of
from bot.staff.portal_session import CheckedForm, SignedIn
from bot.staff.status import describe_status

#: Results shown as "not delivered": the last two days' (older ones are in the inbox).
RESULTS_FOR = timedelta(days=2)


router = APIRouter(prefix="/staff", include_in_schema=False)


def make_router() -> APIRouter:
    return router


@router.get("/today", response_class=HTMLResponse)
async def today(request: Request, who: SignedIn) -> Response:
    service, staff, lang = who.service, who.web.staff, who.lang
    now = service.clock()
    clock = await shelter_clock(who)
    waiting = await service.db(threads_of(request).threads, staff.shelter_id, staff.id, "waiting")
    ports = await portal._port_names(request)
    statuses = await service.statuses(staff)
    requested = await service.requests_today(staff)
    to_confirm = []
    to_request = []
    for row in statuses:
        appointment = row.appointment
        if appointment is not None and appointment.status == "allocated":
            deadline = appointment.confirm_by
            left = None
            if deadline is not None:
                left = _left(deadline - now)
            to_confirm.append(
                {
                    "household": row.household,
                    "status": describe_status(service.texts, lang, row.status, ports),
                    "deadline": deadline,
                    "left": left,
                    "late": deadline is not None and deadline <= now,
                }
            )
        elif (
            appointment is None
            and row.household.registration_id
            and row.household.id not in requested
        ):
            to_request.append(row.household)
    to_confirm.sort(key=lambda r: (r["deadline"] is None, r["deadline"] or now))
    undelivered = [
        (n, clock.at(n.at), service.result_text(lang, n.purpose, n.household, n.values, ports))
        for n in await service.notices(staff)
        if now - n.at <= RESULTS_FOR
    ]
    report_day = (clock.now - timedelta(days=1)).date().isoformat()
    confirmed = request.query_params.get("confirmed")
    notice = None
    if confirmed:
        outcome = request.query_params.get("outcome", "")
        household = await service.db(service.repo.household, staff.shelter_id, confirmed)
        if outcome == "ok" and household is not None:
            notice = who.page.t("confirm_done", name=household.primary.full_name)
        elif outcome in CONFIRM_OUTCOMES:
            notice = who.page.st(f"confirm_{outcome}")
    await service.audit(
        "today_viewed",
        staff,
        detail=f"{len(waiting)} waiting, {len(to_confirm)} to confirm, "
        f"{len(to_request)} to request, {len(undelivered)} results",
    )
    return who.render(
        "today.html",
        notice=notice,
        clock=clock,
        waiting=await thread_rows(who, waiting, clock),
        to_confirm=to_confirm,
        to_request=to_request,
        undelivered=undelivered,
        report_day=report_day,
        ports=ports,
    )


@router.post("/today/confirm/{household_id}")
async def confirm(request: Request, household_id: str, who: SignedIn, _: CheckedForm) -> Response:
    """Confirm a family's appointment for them, then back to the today page."""
    outcome = await who.service.confirm_for(who.web.staff, household_id)
    return RedirectResponse(
        f"/staff/today?confirmed={household_id[:36]}&outcome={outcome}", status_code=303
    )


#: What `StaffService.confirm_for` answers besides ok (each has a `staff.confirm_*` message).
CONFIRM_OUTCOMES = ("too_late", "no_appointment", "not_registered", "unavailable")


def _left(delta: timedelta) -> str | None:
    if delta <= timedelta(0):
        return None
    minutes = int(delta / timedelta(minutes=1))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
