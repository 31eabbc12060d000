"""The daily request window: which request day a moment belongs to, if any.

The window is local to one time zone (US Eastern by default) and the close minute is inclusive
("until 23:59" means until 23:59:59). A window that closes before it opens wraps past midnight
and belongs to the day it opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from booking_sandbox.settings import SandboxSettings


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


@dataclass(frozen=True)
class Window:
    opens: time
    closes: time
    settings: SandboxSettings

    @classmethod
    def from_settings(cls, settings: SandboxSettings) -> Window:
        return cls(settings.opens_at, settings.closes_at, settings)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.settings.window_zone)

    def today(self, moment: datetime) -> date:
        return self.local(moment).date()

    def request_day(self, moment: datetime) -> date | None:
        """The request day ``moment`` counts for, or None when the window is closed."""
        local = self.local(moment)
        minute_of_day = local.hour * 60 + local.minute
        opens, closes = _minutes(self.opens), _minutes(self.closes)
        if opens <= closes:
            return local.date() if opens <= minute_of_day <= closes else None
        if minute_of_day >= opens:
            return local.date()
        if minute_of_day <= closes:
            return local.date() - timedelta(days=1)
        return None

    def as_json(self) -> dict[str, str]:
        return {
            "opens": self.settings.window_opens,
            "closes": self.settings.window_closes,
            "timezone": self.settings.window_timezone,
        }
