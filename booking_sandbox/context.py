"""What every request handler needs, built once per app (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import Engine

from booking_sandbox.clock import Clock, as_utc
from booking_sandbox.db import SessionFactory
from booking_sandbox.settings import SandboxSettings


@dataclass(frozen=True)
class SandboxContext:
    settings: SandboxSettings
    engine: Engine
    factory: SessionFactory
    clock: Clock

    def now(self) -> datetime:
        return as_utc(self.clock())


def get_context(request: Request) -> SandboxContext:
    context = request.app.state.sandbox
    assert isinstance(context, SandboxContext)
    return context
