"""The "not selected" notice the worker sends to Twilio carries the household's explanation
(issue 18): the figures come with the booking event (`data.explanation`), the wording fits
them, and without figures the plain notice is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from jobs_support import add_contact, worker_services
from support.app import Clock
from support.prism import CountingTwilio

from bot.booking.events import BookingEvent
from bot.jobs.notify import job_for_event

PHONE = "+5215522223333"


def _event(explanation: dict[str, object] | None) -> BookingEvent:
    data: dict[str, object] = {
        "reason": "not_drawn",
        "request": {"id": "req_1", "port": "el_paso", "request_date": "2026-03-13",
                    "status": "not_selected", "reason": "not_drawn"},
    }
    if explanation is not None:
        data["explanation"] = explanation
    return BookingEvent(event_id="evt_not_selected_req_1", type="not_selected",
                        registration_id="reg_test", contact_ref="placeholder",
                        occurred_at="2026-03-14T16:05:00Z", data=data)


EXPLAINED = {
    "capacity": 250, "places_waited_longest": 150, "households_waited_longest": 61,
    "longest_waiting_cutoff_days": 19, "places_drawn": 100, "households_drawn": 84,
    "households_in_draw": 2310, "waited_days": 12, "chance_one_in": 27,
}


@pytest.mark.parametrize(
    ("explanation", "expected", "absent"),
    [
        pytest.param(EXPLAINED, ["Por qué: ", "250 lugares", "150 para quienes esperaban"
                                 " 19 días o más", "100 sorteados entre 2,310 familias",
                                 "12 días", "cerca de 1 en 27"], [], id="explained"),
        pytest.param({**EXPLAINED, "places_waited_longest": 0, "households_waited_longest": 0,
                      "longest_waiting_cutoff_days": None, "places_drawn": 250},
                     ["250 lugares, todos sorteados entre 2,310 familias", "cerca de 1 en 27"],
                     ["19 días"], id="all drawn"),
        pytest.param({**EXPLAINED, "places_drawn": 0, "households_drawn": 0,
                      "chance_one_in": None},
                     ["todos para familias que esperaban 19 días o más", "12 días esperando"],
                     ["1 en"], id="none drawn"),
        pytest.param(None, ["no fue elegida esta vez", "La hora en que pide"], ["Por qué"],
                     id="no figures"),
    ],
)
async def test_not_selected_notice_says_why(
    explanation: dict[str, object] | None, expected: list[str], absent: list[str],
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock,
) -> None:
    counter, url = twilio
    async with worker_services(url, tmp_path, clock) as services:
        key = await add_contact(services, PHONE, lang="es")
        job = job_for_event(_event(explanation).model_copy(update={"contact_ref": key.digest}))
        assert job is not None and services.worker is not None
        await services.worker.notify(job)
        await services.outbound.queue.wait_idle()
        body = next(message.body for message in counter.sent if "elegida" in message.body)
    assert all(part in body for part in expected), body
    assert not any(part in body for part in absent), body
