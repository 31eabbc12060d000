"""The portal's inbox as conversations (issue 19): one thread per person with their name, language
and channel, the last message as a preview, how long they have waited, the urgent and
interpreter flags and an unread badge; filters (open, waiting, mine, closed); a thread page with
the messages, reply (canned replies in the person's language, machine translation where a model
is installed), assign to me and close with a note. Times are the shelter's local time, labelled.

Mounted before `bot.staff.portal`'s router, whose own /staff/inbox pages these replace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.contacts import ContactKey
from bot.languages import BY_CODE
from bot.staff import portal
from bot.staff.chat import HANDOFF_SLOT
from bot.staff.portal_session import CheckedForm, PortalRefusal, Signed, SignedIn
from bot.staff.portal_views import Clock, display_name, duration, shelter_zone
from bot.staff.repository import HandoffView
from bot.staff.threads import VIEWS, Thread, ThreadRepository, View

#: Canned replies (flows/portal.messages.yaml `canned_*`), sent in the person's language.
CANNED = ("canned_soon", "canned_desk", "canned_call", "canned_menu")
#: Channels by their own names (brands: the same in every language, so not in the catalogs).
CHANNELS = {"sms": "SMS", "whatsapp": "WhatsApp"}
#: Longest close note kept (a line or two for the next colleague, not a case file).
NOTE_LIMIT = 500


def threads_of(request: Request) -> ThreadRepository:
    state = request.app.state
    repo: ThreadRepository | None = getattr(state, "staff_threads", None)
    service = request.app.state.services.staff
    if repo is None or repo.repo is not service.repo:
        repo = state.staff_threads = ThreadRepository(service.repo)
    return repo


async def shelter_clock(who: Signed) -> Clock:
    households = await who.service.households(who.web.staff)
    return Clock(shelter_zone(households), who.service.clock())


def language_name(code: str) -> str:
    return BY_CODE[code].own_name if code in BY_CODE else code


async def thread_rows(who: Signed, threads: list[Thread], clock: Clock) -> list[dict[str, object]]:
    """What the inbox and the today page show of each conversation."""
    now = who.service.clock()
    rows = []
    for thread in threads:
        handoff = thread.handoff
        last = handoff.messages[-1].at if handoff.messages else handoff.opened_at
        preview = thread.last_in or ""
        rows.append(
            {
                "thread": thread,
                "handoff": handoff,
                "name": await display_name(who, handoff),
                "preview": preview if len(preview) <= 90 else preview[:89] + "…",
                "last_at": clock.at(last),
                "waiting": duration(thread.waiting_since, now) if thread.waiting_since else None,
                "mine": thread.assigned_staff_id == who.web.staff.id,
                "channel": CHANNELS.get(handoff.channel, handoff.channel),
            }
        )
    return rows


async def own_handoff(who: Signed, handoff_id: str) -> HandoffView | None:
    """A handoff of the staff member's shelter (None: another shelter's, or none)."""
    return await who.service.db(who.service.repo.handoff, who.web.staff.shelter_id, handoff_id)


async def shelter_handoff(handoff_id: str, who: SignedIn) -> HandoffView:
    """Dependency: the path's handoff, of the staff member's shelter (else a 404 page)."""
    handoff = await own_handoff(who, handoff_id)
    if handoff is None:
        raise PortalRefusal(who.message(who.page.t("nothing_yet"), "/staff/inbox", 404))
    return handoff


ShelterHandoff = Annotated[HandoffView, Depends(shelter_handoff)]


async def release(request: Request, contact_digest: str, handoff_id: str) -> None:
    """The person's conversation leaves the closed handoff: what they write next goes to the
    bot again (at the main menu, where the handoff left them), not into a closed thread."""
    services = request.app.state.services
    key = ContactKey(contact_digest)
    async with services.store.lock(key):
        session = await services.store.load(key)
        if session is not None and session.slots.get(HANDOFF_SLOT) == handoff_id:
            session.slots.pop(HANDOFF_SLOT)
            await services.store.save(key, session, services.settings.session_ttl)


router = APIRouter(prefix="/staff", include_in_schema=False)


def make_router() -> APIRouter:
    return router


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, who: SignedIn) -> Response:
    wanted = request.query_params.get("view", "open")
    view: View = next((v for v in VIEWS if v == wanted), "open")
    service, staff = who.service, who.web.staff
    threads = await service.db(threads_of(request).threads, staff.shelter_id, staff.id, view)
    clock = await shelter_clock(who)
    ports = await portal._port_names(request)
    results = [
        (
            n,
            clock.at(n.at),
            service.result_text(who.lang, n.purpose, n.household, n.values, ports),
        )
        for n in await service.notices(staff)
    ]
    await service.audit("inbox_viewed", staff, detail=f"{view}, {len(threads)} threads")
    return who.render(
        "inbox_threads.html",
        view=view,
        views=VIEWS,
        rows=await thread_rows(who, threads, clock),
        results=results,
        clock=clock,
        language_name=language_name,
    )


async def render_thread(
    who: Signed, handoff_id: str, draft: str = "", draft_original: str | None = None
) -> HTMLResponse:
    service, staff = who.service, who.web.staff
    thread = await service.db(
        threads_of(who.request).thread, staff.shelter_id, staff.id, handoff_id
    )
    if thread is None:
        return who.message(who.page.t("nothing_yet"), "/staff/inbox", 404)
    handoff = thread.handoff
    translated: dict[int, str] = {}
    translate = portal.machine_translator()
    if translate is not None and handoff.lang != who.lang:
        for index, message in enumerate(handoff.messages):
            if message.direction == "in":
                text = await translate(message.body, handoff.lang, who.lang)
                if text:
                    translated[index] = text
    await service.db(threads_of(who.request).mark_read, handoff.id, staff.id)
    clock = await shelter_clock(who)
    [row] = await thread_rows(who, [thread], clock)
    canned = [(key, service.portal_texts(handoff.lang, key)) for key in CANNED]
    return who.render(
        "thread.html",
        row=row,
        thread=thread,
        handoff=handoff,
        translated=translated,
        clock=clock,
        language_name=language_name,
        can_translate=translate is not None and handoff.lang != who.lang,
        draft=draft,
        draft_original=draft_original,
        canned=canned,
    )


@router.get("/inbox/{handoff_id}", response_class=HTMLResponse)
async def thread_page(request: Request, handoff_id: str, who: SignedIn) -> Response:
    await who.service.audit("handoff_viewed", who.web.staff, detail=f"handoff {handoff_id[:36]}")
    return await render_thread(who, handoff_id)


@router.post("/inbox/{handoff_id}/reply", response_class=HTMLResponse)
async def reply(request: Request, handoff_id: str, who: SignedIn, form: CheckedForm) -> Response:
    service, staff = who.service, who.web.staff
    text = str(form.get("text", ""))
    action = str(form.get("action", "send"))
    if action in CANNED:
        # A canned reply in the person's language, in the box to check and send.
        handoff = await service.db(service.repo.handoff, staff.shelter_id, handoff_id)
        if handoff is None:
            return who.message(who.page.t("nothing_yet"), "/staff/inbox", 404)
        return await render_thread(
            who, handoff_id, draft=service.portal_texts(handoff.lang, action)
        )
    if action == "translate":
        handoff = await service.db(service.repo.handoff, staff.shelter_id, handoff_id)
        translate = portal.machine_translator()
        result = None
        if handoff is not None and translate is not None and text.strip():
            result = await translate(text, who.lang, handoff.lang)
        return await render_thread(
            who, handoff_id, draft=result or text, draft_original=text if result else None
        )
    await service.reply(staff, handoff_id, text)
    return RedirectResponse(f"/staff/inbox/{handoff_id}?sent=1", status_code=303)


@router.post("/inbox/{handoff_id}/assign")
async def assign(
    request: Request, who: SignedIn, handoff: ShelterHandoff, form: CheckedForm
) -> Response:
    service, staff = who.service, who.web.staff
    to_me = form.get("to") != "nobody"
    await service.db(threads_of(request).assign, handoff.id, staff.id if to_me else None)
    await service.audit(
        "handoff_assigned" if to_me else "handoff_unassigned",
        staff,
        detail=f"handoff {handoff.id}",
    )
    return RedirectResponse(f"/staff/inbox/{handoff.id}", status_code=303)


@router.post("/inbox/{handoff_id}/close")
async def close(
    request: Request, who: SignedIn, handoff: ShelterHandoff, form: CheckedForm
) -> Response:
    service, staff = who.service, who.web.staff
    note = str(form.get("note", "")).strip()[:NOTE_LIMIT]
    await service.db(threads_of(request).close, handoff.id, note, service.clock())
    await release(request, handoff.contact_digest, handoff.id)
    await service.audit(
        "handoff_closed",
        staff,
        detail=f"handoff {handoff.id}" + (", with a note" if note else ""),
    )
    return RedirectResponse("/staff/inbox?closed=1", status_code=303)
