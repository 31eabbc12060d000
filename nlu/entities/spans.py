"""The common shape of an extracted entity, before it becomes a Rasa entity dict."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Found", "drop_overlaps"]


@dataclass(frozen=True, slots=True)
class Found:
    """An entity found in text: ``start``/``end`` index the original (unfolded) text."""

    entity: str
    value: str | int
    start: int
    end: int


def drop_overlaps(found: list[Found]) -> list[Found]:
    """Keep the longest of overlapping matches (a whole date beats the digits inside it)."""
    kept: list[Found] = []
    for f in sorted(found, key=lambda f: (-(f.end - f.start), f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)
