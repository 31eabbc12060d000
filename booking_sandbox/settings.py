"""Sandbox configuration, read from the environment (prefix ``BOOKING_``).

Every domain fact (window, capacity, shares, deadlines) is a setting so the sandbox can mimic
whatever the real booking API does this year. Settings are built by the caller and injected into
``create_app``; nothing reads the environment at import time.
"""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from booking_sandbox.ports import DEFAULT_PORTS, PortConfig, parse_hhmm

DEFAULT_DATABASE_URL = "sqlite:///./.frontdoor/booking_sandbox.sqlite3"


class SandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOOKING_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; postgresql+psycopg://... for PostgreSQL.",
    )
    database_schema: str | None = Field(
        default=None, description="PostgreSQL schema to use (search_path); tests use one each."
    )
    window_opens: str = "12:00"
    window_closes: str = "23:59"
    window_timezone: str = "America/New_York"
    max_household_size: int = Field(default=10, ge=1)
    adult_age: int = Field(default=18, ge=0)
    requested_at_grace_minutes: int = Field(default=60, ge=0)
    requested_at_future_skew_seconds: int = Field(
        default=120, ge=0, description="How far ahead of our clock a client's clock may be."
    )
    registered_at_grace_hours: int = Field(
        default=72,
        ge=0,
        description="How old a client's registered_at (a registration replayed after an "
        "outage) may be; waiting time counts from it.",
    )
    events_webhook_url: str | None = None
    events_secret: str | None = None
    events_retry_base_seconds: float = Field(default=10.0, gt=0)
    events_retry_max_seconds: float = Field(default=3600.0, gt=0)
    events_max_attempts: int = Field(default=20, ge=1)
    events_batch_size: int = Field(default=200, ge=1)
    events_timeout_seconds: float = Field(default=5.0, gt=0)
    not_selected_batch_size: int = Field(
        default=50_000, ge=1, description="not_selected events queued per run per tick."
    )
    allocation_time: str = "12:00"
    allocation_catch_up_days: int = Field(
        default=7, ge=0, description="A sandbox that was down still runs days this far back."
    )
    longest_waiting_share: float = Field(default=0.6, ge=0.0, le=1.0)
    seed: int | None = Field(default=None, description="Fixed seed for the draw (tests, demos).")
    lead_days_min: int = Field(default=14, ge=0)
    lead_days_max: int = Field(default=21, ge=0)
    confirm_within_hours: float = Field(default=23.0, gt=0)
    confirm_reminder_hours_before: float = Field(
        default=6.0, ge=0, description="Remind this long before the confirm deadline."
    )
    appointment_reminder_hours_before: float = Field(
        default=48.0, ge=0, description="Remind this long before a confirmed appointment."
    )
    scheduler_enabled: bool = Field(
        default=True, description="Run allocation, lapses, reminders and event delivery."
    )
    scheduler_interval_seconds: float = Field(default=30.0, gt=0)
    ports: tuple[PortConfig, ...] = DEFAULT_PORTS

    @field_validator("window_opens", "window_closes", "allocation_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        parse_hhmm(value)
        return value

    @field_validator("window_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SandboxSettings:
        if self.lead_days_min > self.lead_days_max:
            raise ValueError("lead_days_min must not exceed lead_days_max")
        ids = [port.id for port in self.ports]
        if len(set(ids)) != len(ids):
            raise ValueError("port ids must be unique")
        return self

    @property
    def window_zone(self) -> ZoneInfo:
        return ZoneInfo(self.window_timezone)

    @property
    def opens_at(self) -> time:
        return parse_hhmm(self.window_opens)

    @property
    def closes_at(self) -> time:
        return parse_hhmm(self.window_closes)

    @property
    def allocation_at(self) -> time:
        return parse_hhmm(self.allocation_time)

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.requested_at_grace_minutes)

    @property
    def registration_grace(self) -> timedelta:
        return timedelta(hours=self.registered_at_grace_hours)

    @property
    def future_skew(self) -> timedelta:
        return timedelta(seconds=self.requested_at_future_skew_seconds)

    @property
    def confirm_within(self) -> timedelta:
        return timedelta(hours=self.confirm_within_hours)

    def port(self, port_id: str) -> PortConfig | None:
        return next((port for port in self.ports if port.id == port_id), None)
