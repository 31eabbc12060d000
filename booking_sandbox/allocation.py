"""The allocation rule for one port and one request day, pure and in memory (numpy).

Inputs are columns (household sizes, registration times) and the free places per appointment
slot; nothing here touches the database, so the rule can be tested on 10,000 households and
benchmarked on 1,000,000 requests on its own.

The rule:
1. ``budget`` is the sum of free places (people, not households) over the offered slots.
2. Up to ``floor(share * budget)`` places go to the households registered longest, in order
   of registration, stopping at the first household that does not fit whole.
3. Every other request takes part in one uniform random permutation; households are placed in
   that order wherever they fit whole, until no place is left. Arrival time within the window
   plays no part, and a household's size does not change its place in the draw.
4. A household gets one slot (one date and time) for all its members, or nothing: never split.
Slots are tried in order (earliest date and time first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

NOT_DRAWN = 0
WAITED_LONGEST = 1
DRAWN = 2
REASON_NAMES = {NOT_DRAWN: "not_drawn", WAITED_LONGEST: "waited_longest", DRAWN: "drawn"}

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PortAllocation:
    """Per-request decisions (``slot`` is -1 when none) and the figures for the audit row."""

    slot: IntArray
    reason: npt.NDArray[np.int8]
    capacity: int
    longest_waiting_budget: int
    people_waited_longest: int
    people_drawn: int

    @property
    def households_waited_longest(self) -> int:
        return int(np.count_nonzero(self.reason == WAITED_LONGEST))

    @property
    def households_drawn(self) -> int:
        return int(np.count_nonzero(self.reason == DRAWN))


def _first_fit(remaining: list[int], size: int) -> int:
    for index, free in enumerate(remaining):
        if free >= size:
            return index
    return -1


def allocate_port(
    sizes: npt.ArrayLike,
    registered_at: npt.ArrayLike,
    free_places: npt.ArrayLike,
    longest_waiting_share: float,
    rng: np.random.Generator,
) -> PortAllocation:
    """Decide every request of one port for one day (see the module docstring for the rule).

    ``sizes[i]`` and ``registered_at[i]`` describe request ``i`` (any sortable number for the
    time; ties keep input order). ``free_places[k]`` is the free places in slot ``k``.
    """
    size_array = np.asarray(sizes, dtype=np.int64)
    registered = np.asarray(registered_at)
    remaining = [int(free) for free in np.asarray(free_places, dtype=np.int64).tolist()]
    count = len(size_array)
    if len(registered) != count:
        raise ValueError("sizes and registered_at must have the same length")
    if count and int(size_array.min()) < 1:
        raise ValueError("a household has at least one person")
    slot = np.full(count, -1, dtype=np.int64)
    reason = np.zeros(count, dtype=np.int8)
    capacity = sum(remaining)
    budget = math.floor(longest_waiting_share * capacity)
    size_list: list[int] = size_array.tolist()

    used_longest = 0
    if budget > 0 and count:
        for index in np.argsort(registered, kind="stable").tolist():
            size = size_list[index]
            if used_longest + size > budget:
                break
            chosen = _first_fit(remaining, size)
            if chosen < 0:
                break
            remaining[chosen] -= size
            slot[index] = chosen
            reason[index] = WAITED_LONGEST
            used_longest += size

    used_drawn = 0
    largest_free = max(remaining, default=0)
    if largest_free > 0 and count:
        pool = np.flatnonzero(reason == NOT_DRAWN)
        for index in rng.permutation(pool).tolist():
            size = size_list[index]
            if size > largest_free:
                continue
            chosen = _first_fit(remaining, size)
            remaining[chosen] -= size
            slot[index] = chosen
            reason[index] = DRAWN
            used_drawn += size
            largest_free = max(remaining)
            if largest_free == 0:
                break

    return PortAllocation(
        slot=slot,
        reason=reason,
        capacity=capacity,
        longest_waiting_budget=budget,
        people_waited_longest=used_longest,
        people_drawn=used_drawn,
    )
