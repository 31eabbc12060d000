"""The booking API's JSON, as the bot reads it (`/v1`, see booking_sandbox/README.md)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class _Lenient(BaseModel):
    # The API may add fields; the bot must keep working when it does.
    model_config = ConfigDict(extra="ignore")


class Port(_Lenient):
    id: str
    name: str
    timezone: str


class Window(_Lenient):
    opens: str
    closes: str
    timezone: str
    open_now: bool


class Person(_Lenient):
    full_name: str
    birth_date: date
    nationality: str
    relationship: str | None = None


class Household(_Lenient):
    primary: Person
    members: list[Person] = []


class Registration(_Lenient):
    id: str
    status: str
    port: str | None = None
    contact_ref: str | None = None
    created_at: datetime | None = None
    #: When the person registered (waiting time counts from it), as the bot sent it.
    registered_at: datetime | None = None
    household: Household | None = None


class SlotRequest(_Lenient):
    id: str
    port: str
    request_date: date
    status: str


class Appointment(_Lenient):
    id: str
    port: str
    starts_at: datetime
    status: str
    confirm_by: datetime | None = None
    reason: str | None = None


class Explanation(_Lenient):
    """`GET /v1/slot-requests/{id}/explanation`: why a request got its outcome, in figures."""

    capacity: int
    places_waited_longest: int
    households_waited_longest: int
    longest_waiting_cutoff_days: int | None = None
    places_drawn: int
    households_drawn: int
    households_in_draw: int
    waited_days: int
    chance_one_in: int | None = None


class Status(_Lenient):
    id: str
    status: str
    port: str | None = None
    latest_request: SlotRequest | None = None
    appointment: Appointment | None = None
