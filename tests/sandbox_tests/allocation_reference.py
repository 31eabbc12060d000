"""The allocation rule as first written (argsort of the draw keys, lexsort for the
longest-waiting pass): the oracle ``allocation.allocate_port`` is compared against
(``test_sandbox_allocation_oracle.py``). Not used by the sandbox."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from booking_sandbox.allocation import (
    DRAWN,
    NOT_DRAWN,
    WAITED_LONGEST,
    PortAllocation,
    _first_fit,
)


def allocate_port_reference(
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
