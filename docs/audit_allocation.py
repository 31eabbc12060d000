#!/usr/bin/env python3
"""Check a frontdoor daily allocation from its published JSON, with Python's standard library.

    curl -s https://<booking-api>/v1/allocations/2026-03-10/published > day.json
    python3 audit_allocation.py day.json        # or: ... | python3 audit_allocation.py -

Exit status 0: the seed hashes to the commitment, the commitment was made before the request
window closed, and every published request gets exactly the published outcome and slot when
the rule below is run again. 1: the first difference is printed. 2: unreadable input.

This file is independent of frontdoor's own code on purpose (an outside auditor should not have
to trust it); it needs Python 3.9+ and nothing else. The rule ("frontdoor-draw-v1"), per port:

1. capacity = sum of the free places (people) of the offered slots, earliest first;
   budget = floor(longest_waiting_share * capacity).
2. Longest-waiting pass: requests sorted by (registered_on, draw key, position in the list);
   each is placed whole in the first slot with room, while the people placed so far plus its
   size stay within the budget; the pass stops at the first household that does not fit.
3. Draw: every other request, sorted by (draw key, position); each is placed whole in the first
   slot with room; a household larger than every slot's room is skipped; it ends when no place
   is left.
   draw key = SHA-256(seed || UTF-8(port + "\\n" + request id)), compared byte by byte.
4. A household is never split: one slot for all its members, or none.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from datetime import date, datetime
from typing import Any


def draw_key(seed: bytes, port: str, request_id: str) -> bytes:
    return hashlib.sha256(seed + port.encode() + b"\n" + request_id.encode()).digest()


def first_fit(free: list[int], size: int) -> int:
    for index, room in enumerate(free):
        if room >= size:
            return index
    return -1


def allocate(seed: bytes, port: dict[str, Any]) -> tuple[list[str], list[int | None], list[int]]:
    """Outcome and slot of every request, and the order the rule took them in."""
    rows = port["requests"]
    count = len(rows)
    free = [int(slot["free"]) for slot in port["slots"]]
    budget = math.floor(float(port["longest_waiting_share"]) * sum(free))
    keys = [draw_key(seed, port["port"], str(row["id"])) for row in rows]
    registered = [date.fromisoformat(row["registered_on"]) for row in rows]
    sizes = [int(row["household_size"]) for row in rows]
    outcome = ["not_drawn"] * count
    slot: list[int | None] = [None] * count
    longest_order = sorted(range(count), key=lambda i: (registered[i], keys[i], i))
    used = 0
    if budget > 0:
        for index in longest_order:
            if used + sizes[index] > budget:
                break
            chosen = first_fit(free, sizes[index])
            if chosen < 0:
                break
            free[chosen] -= sizes[index]
            outcome[index], slot[index] = "waited_longest", chosen
            used += sizes[index]
    draw_order = sorted(range(count), key=lambda i: (keys[i], i))
    if max(free, default=0) > 0:
        for index in draw_order:
            if outcome[index] != "not_drawn" or sizes[index] > max(free):
                continue
            chosen = first_fit(free, sizes[index])
            free[chosen] -= sizes[index]
            outcome[index], slot[index] = "drawn", chosen
            if max(free) == 0:
                break
    longest_rank = {index: rank for rank, index in enumerate(longest_order)}
    draw_rank = {index: rank for rank, index in enumerate(draw_order)}
    order = sorted(range(count), key=lambda i: (
        (0, longest_rank[i]) if "waited_longest" in (outcome[i], rows[i]["outcome"])
        else (1, draw_rank[i])))
    return outcome, slot, order


def audit(document: dict[str, Any]) -> tuple[bool, str]:
    seed = bytes.fromhex(document["seed"])
    if hashlib.sha256(seed).hexdigest() != document["commitment"]:
        return False, "the seed does not hash to the published commitment"
    committed = datetime.fromisoformat(document["committed_at"])
    closes = datetime.fromisoformat(document["window_closes_at"])
    if committed > closes:
        return False, f"the commitment ({committed}) was made after the window closed ({closes})"
    total = 0
    for port in document["ports"]:
        outcome, slot, order = allocate(seed, port)
        for index in order:
            row = port["requests"][index]
            if (outcome[index], slot[index]) != (row["outcome"], row["slot"]):
                return False, (
                    f"port {port['port']}, request {row['id']} (row {index + 1}): published "
                    f"{row['outcome']} (slot {row['slot']}), the rule gives {outcome[index]} "
                    f"(slot {slot[index]})"
                )
        total += len(port["requests"])
    return True, (f"{document['request_date']}: {total} requests in {len(document['ports'])} "
                  f"ports all get the published outcome; the seed matches the commitment")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write(__doc__ or "")
        return 2
    try:
        if argv[1] == "-":
            text = sys.stdin.read()
        else:
            with open(argv[1], encoding="utf-8") as source:
                text = source.read()
        document = json.loads(text)
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"cannot read {argv[1]}: {exc}\n")
        return 2
    ok, message = audit(document)
    print(("OK: " if ok else "MISMATCH: ") + message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
