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
from typing import Any

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


def key_order(keys: npt.NDArray[Any]) -> IntArray:
    """``np.argsort(keys, kind="stable")``, faster for ``draw.draw_keys``' 32-byte keys.

    Sorting 32-byte strings is slow (about 1 s for a million); their first 8 bytes read as a
    big-endian integer sort the same way unless two keys share them, which for SHA-256 keys
    is about one day in 10^7 at a million requests: then the full keys are sorted."""
    if keys.dtype != np.dtype("S32") or len(keys) < 2:
        return np.argsort(keys, kind="stable").astype(np.int64)
    words = np.ascontiguousarray(keys).view(">u8").reshape(-1, 4)
    order = np.argsort(words[:, 0], kind="stable")
    if np.any(np.diff(words[order, 0]) == 0):
        # lexsort's last key is the primary one: bytes 0-7, then 8-15, ...
        order = np.lexsort((words[:, 3], words[:, 2], words[:, 1], words[:, 0]))
    return order.astype(np.int64)


def _longest_waiting_first(
    registered: npt.NDArray[Any], rank: IntArray, budget: int
) -> IntArray:
    """The first ``budget + 1`` requests by registration day, then draw rank: as many as the
    longest-waiting pass can look at (each household it takes has at least one person, so it
    stops at the next one at the latest). ``np.lexsort((rank, registered))`` cut short."""
    count = len(rank)
    if registered.dtype.kind not in "iu" or count <= budget + 1:
        return np.lexsort((rank, registered))[: budget + 1].astype(np.int64)
    days = registered.astype(np.int64) - int(registered.min())
    if int(days.max()) >= np.iinfo(np.int64).max // count - 1:
        return np.lexsort((rank, registered))[: budget + 1].astype(np.int64)
    order_key = days * count + rank  # distinct: the rank is
    first = np.argpartition(order_key, budget)[: budget + 1]
    return first[np.argsort(order_key[first])].astype(np.int64)


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

    # Every request's place in the draw: the keys are sorted once, then compared as ranks
    # (a stable sort, so tied keys keep input order, as a sort by the keys themselves would).
    draw_order = key_order(keys)
    rank = np.empty(count, dtype=np.int64)
    rank[draw_order] = np.arange(count, dtype=np.int64)

    used_longest = 0
    if budget > 0 and count:
        for index in _longest_waiting_first(registered, rank, budget).tolist():
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
        for index in draw_order[reason[draw_order] == NOT_DRAWN].tolist():
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
