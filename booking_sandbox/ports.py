"""The ports of entry that took appointments, with their default capacity and times.

Public reporting: eight ports, 1,450 appointments a day in total from mid-2023. The split per
port is not public; these defaults add up to 1,450 and are settings, not constants.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

HOURLY_TIMES = ("08:00", "09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00")


def parse_hhmm(value: str) -> time:
    """Parse ``HH:MM`` strictly: settings and API both use this one format."""
    hours, _, minutes = value.partition(":")
    if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"expected HH:MM, got {value!r}")
    return time(int(hours), int(minutes))


class PortConfig(BaseModel):
    """One port of entry: capacity is counted in people, split evenly over its times."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    timezone: str
    daily_capacity: int = Field(ge=0)
    appointment_times: tuple[str, ...] = HOURLY_TIMES

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @field_validator("appointment_times")
    @classmethod
    def _valid_times(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("a port needs at least one appointment time")
        for item in value:
            parse_hhmm(item)
        return tuple(sorted(value))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def capacity_per_time(self) -> list[int]:
        """People per appointment time; the remainder goes to the earliest times."""
        count = len(self.appointment_times)
        base, extra = divmod(self.daily_capacity, count)
        return [base + (1 if index < extra else 0) for index in range(count)]


DEFAULT_PORTS: tuple[PortConfig, ...] = (
    PortConfig(id="brownsville", name="Brownsville", timezone="America/Chicago",
               daily_capacity=120),
    PortConfig(id="eagle_pass", name="Eagle Pass", timezone="America/Chicago",
               daily_capacity=100),
    PortConfig(id="hidalgo", name="Hidalgo", timezone="America/Chicago", daily_capacity=150),
    PortConfig(id="laredo", name="Laredo", timezone="America/Chicago", daily_capacity=150),
    PortConfig(id="el_paso", name="El Paso – Paso del Norte", timezone="America/Denver",
               daily_capacity=250),
    PortConfig(id="nogales", name="Nogales", timezone="America/Phoenix", daily_capacity=180),
    PortConfig(id="calexico", name="Calexico", timezone="America/Los_Angeles",
               daily_capacity=100),
    PortConfig(id="san_ysidro", name="San Ysidro", timezone="America/Los_Angeles",
               daily_capacity=400),
)
