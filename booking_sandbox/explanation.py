"""Why one request got its outcome: the day's figures at its port and the household's place.

Built from the run's audit row and the request alone (no scan of the day's requests), so every
"not selected" event can carry it. The chance is the draw's share of households
(``households_drawn / households_in_draw``) said as "about 1 in N".
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy.orm import Session

from booking_sandbox.errors import SandboxError
from booking_sandbox.models import AllocationRun, SlotRequest
from booking_sandbox.publication import verify_command
from booking_sandbox.schemas import ExplanationOut
from booking_sandbox.views import request_out


def explain(db: Session, request: SlotRequest) -> ExplanationOut:
    run = db.get(AllocationRun, (request.request_date, request.port))
    if run is None:
        raise SandboxError(
            409, "not_yet_allocated", "The draw for this request's day has not run yet.",
            request_date=request.request_date.isoformat(),
        )
    view = request_out(request, decided=True)
    in_draw = run.households_requested - run.households_waited_longest
    registered_on = request.registered_at.astimezone(UTC).date()
    cutoff = run.longest_waiting_cutoff
    return ExplanationOut(
        request_id=request.id,
        port=request.port,
        request_date=request.request_date,
        status=view.status,
        reason=view.reason,
        capacity=run.capacity,
        places_waited_longest=run.people_waited_longest,
        households_waited_longest=run.households_waited_longest,
        longest_waiting_cutoff_days=(
            (request.request_date - cutoff).days if cutoff is not None else None
        ),
        places_drawn=run.people_drawn,
        households_drawn=run.households_drawn,
        households_in_draw=in_draw,
        waited_days=max(0, (request.request_date - registered_on).days),
        chance_one_in=round(in_draw / run.households_drawn) if run.households_drawn else None,
        verify=verify_command(request.request_date),
    )


def explain_request(db: Session, request_id: str) -> ExplanationOut:
    request = db.get(SlotRequest, request_id)
    if request is None:
        raise SandboxError(404, "not_found", "No such slot request.")
    return explain(db, request)
