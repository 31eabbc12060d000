"""One dependency's availability, seen by a loop that keeps trying: exponential backoff with
jitter, and a log line when the state changes (down, back up), never one per attempt.

A worker that lost Redis used to log the same error 3,743 times in 52 s; with `Outage` it logs
"unavailable" once, "available again after N s" once, and waits 0.1, 0.2, 0.4 ... up to `cap`
seconds (each drawn between half and all of that, so many workers do not retry in step).
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field


@dataclass
class Outage:
    what: str
    log: logging.Logger
    base: float = 0.1
    cap: float = 5.0
    down_since: float | None = None
    attempts: int = 0
    _rng: random.Random = field(default_factory=random.Random)

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def failed(self, exc: BaseException) -> float:
        """Record a failed attempt; returns how long to wait before the next one."""
        if self.down_since is None:
            self.down_since = time.monotonic()
            self.log.warning(
                "%s unavailable (%s: %s); retrying with backoff, quietly until it is back",
                self.what,
                type(exc).__name__,
                exc,
            )
        self.attempts += 1
        delay = min(self.cap, self.base * 2 ** min(self.attempts - 1, 30))
        return self._rng.uniform(delay / 2, delay)

    def ok(self) -> None:
        """Record a successful attempt (logs once when it ends an outage)."""
        if self.down_since is not None:
            self.log.warning(
                "%s available again after %.1f s (%d attempts)",
                self.what,
                time.monotonic() - self.down_since,
                self.attempts,
            )
        self.down_since = None
        self.attempts = 0
