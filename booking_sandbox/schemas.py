"""The JSON shapes of the /v1 API (pydantic), which also make up the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RequestStatus = Literal["pending", "selected", "not_selected"]
AppointmentStatus = Literal["allocated", "confirmed", "lapsed", "cancelled"]
DecisionReason = Literal["waited_longest", "drawn", "not_drawn"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class PersonIn(_Strict):
    full_name: str = Field(min_length=1, max_length=200)
    birth_date: date
    nationality: str = Field(description="ISO 3166-1 alpha-2 country code, e.g. CO.")

    @field_validator("nationality")
    @classmethod
    def _alpha2(cls, value: str) -> str:
        value = value.upper()
        if len(value) != 2 or not value.isascii() or not value.isalpha():
            raise ValueError("nationality must be an ISO 3166-1 alpha-2 code such as CO")
        return value


class MemberIn(PersonIn):
    relationship: str = Field(min_length=1, max_length=40)


class RegistrationIn(_Strict):
    contact_ref: str = Field(
        min_length=1, max_length=255, description="Opaque reference chosen by the bot."
    )
    port: str
    primary: PersonIn
    members: list[MemberIn] = Field(default_factory=list, max_length=100)
    registered_at: datetime | None = Field(
        default=None,
        description="When the person registered (the bot's clock), accepted within "
        "registered_at_grace_hours: a registration replayed after an outage keeps its waiting "
        "time. Default: when it reaches us.",
    )


class RegistrationUpdate(_Strict):
    """A full replacement of the household (PUT); contact_ref may be kept as it was."""

    contact_ref: str | None = Field(default=None, min_length=1, max_length=255)
    port: str
    primary: PersonIn
    members: list[MemberIn] = Field(default_factory=list, max_length=100)


class SlotRequestIn(_Strict):
    port: str
    requested_at: datetime | None = Field(
        default=None,
        description="When the person asked (the bot's clock), accepted within the grace period.",
    )


class Person(BaseModel):
    full_name: str
    birth_date: date
    nationality: str


class Member(Person):
    relationship: str


class Household(BaseModel):
    primary: Person
    members: list[Member]


class RegistrationOut(BaseModel):
    id: str
    status: Literal["registered"]
    contact_ref: str
    port: str
    created_at: datetime
    updated_at: datetime
    registered_at: datetime = Field(description="Waiting time (seniority) counts from it.")
    household_size: int
    household: Household


class RegistrationList(BaseModel):
    registrations: list[RegistrationOut]


class SlotRequestOut(BaseModel):
    id: str
    registration_id: str
    port: str
    request_date: date
    requested_at: datetime
    status: RequestStatus
    reason: DecisionReason | None = None


class AppointmentOut(BaseModel):
    id: str
    registration_id: str
    port: str
    starts_at: datetime = Field(description="In the port's own time zone, with its offset.")
    people: int
    status: AppointmentStatus
    reason: Literal["waited_longest", "drawn"]
    allocated_at: datetime
    confirm_by: datetime
    confirmed_at: datetime | None = None


class RegistrationStatusOut(RegistrationOut):
    latest_request: SlotRequestOut | None
    appointment: AppointmentOut | None


class PortOut(BaseModel):
    id: str
    name: str
    timezone: str
    daily_capacity: int
    appointment_times: list[str]


class PortsOut(BaseModel):
    ports: list[PortOut]


class WindowOut(BaseModel):
    opens: str
    closes: str
    timezone: str
    open_now: bool
    today: date


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


class CommitmentOut(BaseModel):
    request_date: date
    commitment: str = Field(description="SHA-256 (hex) of the day's secret 32-byte seed.")
    committed_at: datetime
    window_closes_at: datetime
    algorithm: str


class ExplanationOut(BaseModel):
    """Why a request got its outcome, in figures the bot words in the person's language."""

    request_id: str
    port: str
    request_date: date
    status: RequestStatus
    reason: DecisionReason | None
    capacity: int = Field(description="Places (people) the port offered that day.")
    places_waited_longest: int
    households_waited_longest: int
    longest_waiting_cutoff_days: int | None = Field(
        description="The longest-waiting places went to households waiting this many days "
        "or more (null: none went to them)."
    )
    places_drawn: int
    households_drawn: int
    households_in_draw: int
    waited_days: int = Field(description="How long this household had waited that day.")
    chance_one_in: int | None = Field(
        description="The household's chance in the draw, about 1 in this (null: nobody was "
        "drawn)."
    )
    verify: str
