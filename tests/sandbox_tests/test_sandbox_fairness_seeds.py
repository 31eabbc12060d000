"""Fairness over many simulated days, on the pure rule and the real draw keys (issue 18).

One seed's p-value says little: under "it does not matter", p-values are uniform, so one day
in twenty gives p < 0.05. Here each test simulates 200 days (seeds), computes the chi-square
p-value of the outcome against the attribute each day, and requires the 200 p-values to look
uniform (Kolmogorov-Smirnov). The attributes are made as unhelpful to the rule as possible:
request ids are numbered in arrival order (so any structure of the draw keys in the ids would
show), and languages and channels have their own arrival hours.

Also: household size changes outcomes only as the documented rule says (the numpy rule equals
the independent standard-library auditor's, docs/audit_allocation.py, and the draw order does
not depend on size), and no household is ever split over 1,000,000 simulated requests.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from scipy.stats import chi2_contingency, kstest

from booking_sandbox.allocation import DRAWN, NOT_DRAWN, WAITED_LONGEST, allocate_port
from booking_sandbox.draw import draw_keys

SEEDS = 200
HOUSEHOLDS = 3000
HOURS = 12  # the window, 12:00-23:59
LANGUAGES = ("es", "ht", "pt", "en", "quc", "mam", "kjb")
CHANNELS = ("sms", "whatsapp", "staff")
FREE = [60] * 8  # 480 places for about 13,500 people: most are not chosen
AUDITOR = Path(__file__).resolve().parents[2] / "docs" / "audit_allocation.py"

Int = npt.NDArray[np.int64]


def _day(seed: int) -> dict[str, Any]:
    """One simulated day at one port, decided by the real rule with real SHA-256 draw keys."""
    generator = np.random.default_rng(seed)
    hour = np.sort(generator.integers(0, HOURS, size=HOUSEHOLDS))
    # Ids in arrival order: the first to ask has the smallest id.
    ids = [f"req_{index:032x}" for index in range(HOUSEHOLDS)]
    sizes = generator.integers(1, 9, size=HOUSEHOLDS)
    registered = generator.integers(0, 365, size=HOUSEHOLDS)
    # Some languages and channels ask early, others late (as real groups do).
    language = (hour * len(LANGUAGES) // HOURS + generator.integers(0, 2, HOUSEHOLDS)) % len(
        LANGUAGES)
    channel = (hour * len(CHANNELS) // HOURS) % len(CHANNELS)
    day_seed = hashlib.sha256(f"fairness-{seed}".encode()).digest()
    keys = draw_keys(day_seed, "border", ids)
    result = allocate_port(sizes, registered, FREE, 0.6, keys)
    return {"hour": hour, "sizes": sizes, "registered": registered, "language": language,
            "channel": channel, "keys": keys, "reason": result.reason, "slot": result.slot,
            "ids": ids, "seed": day_seed}


@pytest.fixture(scope="module")
def days() -> list[dict[str, Any]]:
    return [_day(seed) for seed in range(SEEDS)]


def _p_value(groups: Int, outcome: npt.NDArray[np.bool_], mask: npt.NDArray[np.bool_]) -> float:
    values = np.unique(groups[mask])
    table = [[int(np.sum(outcome & mask & (groups == g))),
              int(np.sum(~outcome & mask & (groups == g)))] for g in values]
    return float(chi2_contingency(table).pvalue)


def _uniform(name: str, p_values: list[float], capsys: pytest.CaptureFixture[str]) -> None:
    ks = kstest(p_values, "uniform")
    below = sum(p < 0.05 for p in p_values)
    with capsys.disabled():
        print(f"\n[fairness] {name} over {SEEDS} seeds x {HOUSEHOLDS} households: "
              f"median p={np.median(p_values):.3f}, {below}/{SEEDS} below 0.05, "
              f"KS against uniform p={ks.pvalue:.3f}")
    assert ks.pvalue > 0.01, (name, ks)
    assert below <= 0.05 * SEEDS + 3 * (0.05 * 0.95 * SEEDS) ** 0.5  # about 5%, not more


Attribute = Callable[[dict[str, Any]], Int]


@pytest.mark.parametrize(
    ("name", "attribute"),
    [
        pytest.param("arrival hour", lambda day: day["hour"], id="hour"),
        pytest.param("language", lambda day: day["language"], id="language"),
        pytest.param("channel", lambda day: day["channel"], id="channel"),
    ],
)
def test_the_draw_does_not_depend_on(
    name: str, attribute: Attribute, days: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Among the households in the draw, being drawn is independent of the attribute."""
    p_values = []
    for day in days:
        in_draw = day["reason"] != WAITED_LONGEST
        p_values.append(_p_value(attribute(day), day["reason"] == DRAWN, in_draw))
    _uniform(f"{name} (draw)", p_values, capsys)


def test_all_selections_do_not_depend_on_arrival_when_waiting_does_not(
    days: list[dict[str, Any]], capsys: pytest.CaptureFixture[str],
) -> None:
    """The test that once gave p = 0.037: arrival deciles against every selection (longest
    waiting and drawn). Here arrival and waiting are independent, so it must be uniform too."""
    p_values = []
    for day in days:
        everyone = np.ones(HOUSEHOLDS, dtype=bool)
        p_values.append(_p_value(day["hour"], day["reason"] != NOT_DRAWN, everyone))
    _uniform("arrival hour (all selections)", p_values, capsys)


def test_when_long_waiters_ask_early_only_the_longest_waiting_pass_shows_it() -> None:
    """If households that waited longest also ask earlier, the all-selections test finds an
    arrival effect (the longest-waiting pass, through waiting), while the draw stays flat."""
    overall, draw_only = [], []
    for seed in range(20):
        generator = np.random.default_rng(1000 + seed)
        registered = generator.integers(0, 365, size=HOUSEHOLDS)
        hour = np.minimum(registered * HOURS // 365 + generator.integers(0, 3, HOUSEHOLDS),
                          HOURS - 1)
        ids = [f"req_{index:032x}" for index in range(HOUSEHOLDS)]
        keys = draw_keys(hashlib.sha256(f"early-{seed}".encode()).digest(), "border", ids)
        reason = allocate_port(generator.integers(1, 9, HOUSEHOLDS), registered, FREE, 0.6,
                               keys).reason
        everyone = np.ones(HOUSEHOLDS, dtype=bool)
        overall.append(_p_value(hour, reason != NOT_DRAWN, everyone))
        draw_only.append(_p_value(hour, reason == DRAWN, reason != WAITED_LONGEST))
    assert max(overall) < 1e-6
    assert kstest(draw_only, "uniform").pvalue > 0.01


def test_size_does_not_change_the_place_in_the_draw(
    days: list[dict[str, Any]], capsys: pytest.CaptureFixture[str],
) -> None:
    """Draw-key rank (in fifths) is independent of household size."""
    p_values = []
    for day in days:
        rank = np.empty(HOUSEHOLDS, dtype=np.int64)
        rank[np.argsort(day["keys"], kind="stable")] = np.arange(HOUSEHOLDS)
        fifth = rank * 5 // HOUSEHOLDS
        sizes = day["sizes"]
        table = [[int(np.sum((fifth == f) & (sizes == s))) for s in range(1, 9)]
                 for f in range(5)]
        p_values.append(float(chi2_contingency(table).pvalue))
    _uniform("household size vs draw order", p_values, capsys)


def _auditor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_allocation", AUDITOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_size_matters_only_as_the_documented_rule_says(days: list[dict[str, Any]]) -> None:
    """Every outcome is the documented rule's, as the auditor (written from the rule's text,
    standard library only) computes it: a household is passed over only when it does not fit."""
    from datetime import date

    auditor = _auditor()
    names = {NOT_DRAWN: "not_drawn", WAITED_LONGEST: "waited_longest", DRAWN: "drawn"}
    for day in days[:20]:
        base = date(2025, 1, 1).toordinal()
        port = {
            "port": "border", "longest_waiting_share": 0.6,
            "slots": [{"free": room} for room in FREE],
            "requests": [{"id": day["ids"][i], "household_size": int(day["sizes"][i]),
                          "registered_on": date.fromordinal(base + int(day["registered"][i]))
                          .isoformat(), "outcome": "", "slot": None}
                         for i in range(HOUSEHOLDS)],
        }
        outcome, slot, _order = auditor.allocate(day["seed"], port)
        assert outcome == [names[int(code)] for code in day["reason"]]
        assert slot == [int(s) if s >= 0 else None for s in day["slot"]]


def test_no_household_is_split_in_a_million_requests() -> None:
    """1,000,000 requests over eight ports, households of 1-10: each selected household has
    exactly one slot holding all its people, and no slot holds more than it had free."""
    generator = np.random.default_rng(2026)
    total = 0
    for port in range(8):
        count = 125_000
        sizes = generator.integers(1, 11, size=count)
        free = generator.integers(5, 60, size=64)
        ids = [f"req_{port}_{index:030x}" for index in range(count)]
        keys = draw_keys(bytes(32), f"port{port}", ids)
        result = allocate_port(sizes, generator.integers(0, 365, size=count), free, 0.6, keys)
        chosen = result.slot >= 0
        assert ((result.reason != NOT_DRAWN) == chosen).all()
        used = np.bincount(result.slot[chosen], weights=sizes[chosen], minlength=len(free))
        assert (used <= free).all()
        assert int(used.sum()) == result.people_waited_longest + result.people_drawn
        total += count
    assert total == 1_000_000
