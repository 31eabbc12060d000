"""Token buckets in process memory: the memory store's flood control, and the web process's
first filter in front of the store's (a flood is mostly dropped here, without any I/O).

The same rule as the Redis script in bot/store/redis.py: `burst` tokens, refilled at
`per_second`; a message takes one; the first one without a token is answered once (WARN),
every further one without a token is dropped (DROP); the person is told again only after the
bucket was full again (a new flood), not each time a token comes back during the same one.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.store.base import Flood

#: Buckets kept at most (the idle ones are full again and can be forgotten).
MAX_BUCKETS = 100_000


class TokenBuckets:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float, bool]] = {}  # tokens, at, warned

    def take(self, name: str, burst: int, per_second: float) -> Flood:
        now = self._clock()
        tokens, at, warned = self._buckets.get(name, (float(burst), now, False))
        tokens = min(float(burst), tokens + (now - at) * per_second)
        if tokens >= burst:
            warned = False  # full again: the flood is over, the next one is told again
        if tokens >= 1:
            tokens, verdict = tokens - 1, Flood.OK
        elif warned:
            verdict = Flood.DROP
        else:
            warned, verdict = True, Flood.WARN
        self._buckets[name] = (tokens, now, warned)
        if len(self._buckets) > MAX_BUCKETS:
            self._forget_full(now, burst, per_second)
        return verdict

    def forget(self, name: str) -> None:
        self._buckets.pop(name, None)

    def _forget_full(self, now: float, burst: int, per_second: float) -> None:
        refill = burst / per_second
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < refill}
