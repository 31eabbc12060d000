"""The allocation rule for one port and one request day, pure and in memory (numpy).

Inputs are columns (household sizes, registration days, draw keys) and the free places per
appointment slot; nothing here touches the database, so the rule can be tested on 10,000
households and benchmarked on 1,000,000 requests on its own. It is a deterministic function of
those inputs: the randomness is all in the draw keys (``draw.py``: SHA-256 keyed by the day's
published seed), so anyone with the published run can re-derive every decision
(``publication.py``, ``docs/audit_allocation.py``).

The rule:
1. ``budget`` is the sum of free places (people, not households) over the offered slots.
2. Up to ``floor(share * budget)`` places go to the households registered longest, in order
   of registration day (earliest first; households registered the same day in draw-key
   order), stopping at the first household that does not fit whole.
3. Every other request is taken in ascending draw-key order (a uniform random permutation);
   households are placed in that order wherever they fit whole, until no place is left.
   Arrival time within the window plays no part, and a household's size does not change its
   place in the draw (only whether it still fits once places are few).
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
    registered_on: npt.ArrayLike,
    free_places: npt.ArrayLike,
    longest_waiting_share: float,
    draw_keys: npt.ArrayLike,
) -> PortAllocation:
    """Decide every request of one port for one day (see the module docstring for the rule).

    ``sizes[i]``, ``registered_on[i]`` (a day number, e.g. a date's ordinal) and
    ``draw_keys[i]`` (anything sortable: ``draw.draw_keys`` bytes, or floats in tests; ties
    keep input order) describe request ``i``. ``free_places[k]`` is the free places in slot
    ``k``.
    """
    size_array = np.asarray(sizes, dtype=np.int64)
    registered = np.asarray(registered_on)
    keys = np.asarray(draw_keys)
    remaining = [int(free) for free in np.asarray(free_places, dtype=np.int64).tolist()]
    count = len(size_array)
    if len(registered) != count or len(keys) != count:
        raise ValueError("sizes, registered_on and draw_keys must have the same length")
    if count and int(size_array.min()) < 1:
        raise ValueError("a household has at least one person")
    slot = np.full(count, -1, dtype=np.int64)
    reason = np.zeros(count, dtype=np.int8)
    capacity = sum(remaining)
    budget = math.floor(longest_waiting_share * capacity)
    size_list: list[int] = size_array.tolist()

    used_longest = 0
    if budget > 0 and count:
        for index in np.lexsort((keys, registered)).tolist():
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
        for index in pool[np.argsort(keys[pool], kind="stable")].tolist():
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
