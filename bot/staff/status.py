"""One household's booking state in words, for every staff view (staff mode, the portal): an
appointment says whether it is confirmed and, if not, until when it can be."""

from __future__ import annotations

from typing import Any

from bot.i18n import format_day, format_moment
from bot.ports import local_moment


def describe_status(t: Any, lang: str, status: Any, ports: Any) -> str:
    """One household's state in words (shared with the portal): an appointment says whether
    it is confirmed and, if not, until when it can be."""
    if status is None:
        return str(t(lang, "status_unknown"))
    appointment = status.appointment
    if appointment is not None and appointment.status in {"allocated", "confirmed"}:
        # As the applicant is told (bot/engine/display.py): the time the booking API gives,
        # which is the port's local time; the deadline in the same time zone.
        starts = local_moment(appointment.starts_at, appointment.port)
        values = {
            "when": format_moment(lang, starts),
            "port": ports.get(appointment.port, appointment.port),
        }
        if appointment.status == "confirmed":
            return str(t(lang, "status_confirmed", **values))
        deadline = appointment.confirm_by
        local = deadline.astimezone(starts.tzinfo) if deadline else None
        by = format_moment(lang, local) if local else "-"
        return str(t(lang, "status_unconfirmed", confirm_by=by, **values))
    request = status.latest_request
    if request is None:
        return str(t(lang, "status_none"))
    if request.status == "not_selected":
        return str(t(lang, "status_not_selected", date=format_day(lang, request.request_date)))
    return str(t(lang, "status_pending", date=format_day(lang, request.request_date)))
