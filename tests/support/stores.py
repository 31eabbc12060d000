"""Test doubles for the stores: a settable clock and the `Backend` view the contract suite uses.

Kept here (not in a conftest) so test modules import them normally, and so other folders can
drive a `MemoryStore` through time with the same `FakeClock`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.store.base import Store
from bot.store.keys import KeyBuilder

#: App secret used by the store tests (any non-empty string works).
CONTRACT_SECRET = "contract-suite-secret"


class FakeClock:
    """A monotonic clock that only moves when told (pass it as ``MemoryStore(clock=...)``)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Backend:
    """One store backend as the contract suite sees it."""

    name: str
    keys: KeyBuilder
    #: Opens another store on the same data (Redis) or clock (memory), with other options
    #: (``lock_timeout=``, ``secret=``).
    open: Callable[..., Store]
    #: Lets `seconds` of store time pass (fake clock for memory, real sleep for Redis).
    advance: Callable[[float], Awaitable[None]]
    #: Every live key, as the backend names it.
    raw_keys: Callable[[], Awaitable[list[str]]]
    opened: list[Store] = field(default_factory=list)

    @property
    def store(self) -> Store:
        """The store opened with default options."""
        return self.opened[0]

    async def close(self) -> None:
        for store in self.opened:
            await store.close()
