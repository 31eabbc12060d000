"""The pure allocation rule (``booking_sandbox.allocation``): labelled cases and properties."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from scipy.stats import chi2_contingency, kstest

from booking_sandbox.allocation import DRAWN, NOT_DRAWN, WAITED_LONGEST, allocate_port


def keys(count: int, seed: int = 1) -> npt.NDArray[np.float64]:
    """Draw keys for ``count`` requests (any sortable values; the sandbox uses SHA-256)."""
    return np.random.default_rng(seed).random(count)


@pytest.mark.parametrize(
    ("sizes", "registered", "free", "share", "reasons"),
    [
        pytest.param([], [], [10], 0.6, [], id="nobody asked"),
        pytest.param([2, 2], [1, 2], [0, 0], 0.6, [NOT_DRAWN, NOT_DRAWN], id="no capacity"),
        pytest.param([3, 1, 2], [3, 1, 2], [6], 1.0, [WAITED_LONGEST] * 3,
                     id="all to the longest waiting"),
        pytest.param([4, 1], [1, 2], [4], 1.0, [WAITED_LONGEST, NOT_DRAWN],
                     id="longest waiting in order, full"),
        pytest.param([5, 1], [1, 2], [4], 1.0, [NOT_DRAWN, DRAWN],
                     id="longest-waiting phase stops at the first misfit; the rest is drawn"),
        pytest.param([5, 1], [1, 2], [4], 0.0, [NOT_DRAWN, DRAWN],
                     id="draw skips a household too big to fit whole"),
        pytest.param([3, 3], [1, 2], [2, 2, 2], 0.0, [NOT_DRAWN, NOT_DRAWN],
                     id="never split across slots"),
    ],
)
def test_labelled_cases(
    sizes: list[int], registered: list[int], free: list[int], share: float, reasons: list[int]
) -> None:
    result = allocate_port(sizes, registered, free, share, keys(len(sizes)))
    assert result.reason.tolist() == reasons
    assert ((result.slot >= 0) == (result.reason != NOT_DRAWN)).all()


def test_slots_filled_earliest_first_and_never_over() -> None:
    sizes = np.array([2, 3, 1, 4, 2, 2])
    result = allocate_port(sizes, np.arange(6), [5, 5, 5], 0.0, keys(6))
    used = np.zeros(3, dtype=int)
    for index in np.flatnonzero(result.slot >= 0):
        used[result.slot[index]] += sizes[index]
    assert (used <= 5).all()
    assert used.sum() == sizes[result.slot >= 0].sum() == 14
    assert used[0] == used[1] == 5


def test_same_seed_same_draw_other_seed_other_draw() -> None:
    sizes = np.ones(1000, dtype=int)
    first = allocate_port(sizes, np.zeros(1000), [100], 0.0, keys(1000, 5))
    again = allocate_port(sizes, np.zeros(1000), [100], 0.0, keys(1000, 5))
    other = allocate_port(sizes, np.zeros(1000), [100], 0.0, keys(1000, 6))
    assert (first.reason == again.reason).all()
    assert (first.reason != other.reason).any()


def test_rejects_inconsistent_input() -> None:
    with pytest.raises(ValueError, match="the same length"):
        allocate_port([1, 2], [1], [5], 0.5, keys(2))
    with pytest.raises(ValueError, match="at least one person"):
        allocate_port([0], [1], [5], 0.5, keys(1))


def test_arrival_p_values_are_uniform_across_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    """If arrival mattered, p-values over many simulated days would pile up near zero."""
    p_values = []
    for seed in range(30):
        generator = np.random.default_rng(seed)
        count = 10_000
        sizes = generator.integers(1, 9, size=count)
        arrival = generator.uniform(0, 1, size=count)
        registered = generator.uniform(0, 365, size=count)
        result = allocate_port(sizes, registered.astype(int), [1250] * 8, 0.6,
                               generator.random(count))
        selected = result.reason != NOT_DRAWN
        decile = np.minimum((arrival * 10).astype(int), 9)
        table = [[np.sum(selected & (decile == d)), np.sum(~selected & (decile == d))]
                 for d in range(10)]
        p_values.append(chi2_contingency(table).pvalue)
    uniformity = kstest(p_values, "uniform")
    with capsys.disabled():
        print(f"\n[fairness] arrival-decile chi-square over 30 seeds x 10,000 households: "
              f"min p={min(p_values):.3f}, median p={np.median(p_values):.3f}, "
              f"{sum(p < 0.05 for p in p_values)}/30 below 0.05; "
              f"KS test against uniform p={uniformity.pvalue:.3f}")
    assert uniformity.pvalue > 0.01


def test_draw_is_uniform_over_positions() -> None:
    """Every request position has the same chance in the draw (no order effect at all)."""
    hits = np.zeros(100)
    for seed in range(2000):
        result = allocate_port(np.ones(100, dtype=int), np.zeros(100), [10], 0.0,
                               keys(100, seed))
        hits += result.reason == DRAWN
    expected = 2000 * 10 / 100
    chi2 = float(((hits - expected) ** 2 / expected).sum())
    assert chi2 < 150  # df = 99; the 0.001 critical value is about 148
