"""The public daily report of a request day: per port, who asked, who got a place and why,
and whether any group fared differently (``GET /v1/reports/allocations/{date}``, and the
page ``/reports/{date}``: no sign-in, no personal data).

Per port: capacity, households and people that asked, the longest-waiting share (places,
households, cut-off wait), the draw (places, households drawn among how many), and the
selection rate by nationality group (the primary applicant's), household size and hour of the
request (window time), each with its chi-square test of independence. A group with fewer
than ``MIN_CELL`` households asking, selected or not selected is suppressed (shown as "<10",
left out of its test and plot) so no one can be picked out. Language and channel are not
known to the booking API (the bot does not send them), so they are not reported here.

Plots are matplotlib (Agg backend) bar charts, embedded as inline SVG.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from scipy.stats import chi2_contingency
from sqlalchemy import select
from sqlalchemy.orm import Session

from booking_sandbox.errors import SandboxError
from booking_sandbox.models import AllocationRun, Registration, SlotRequest
from booking_sandbox.publication import verify_command
from booking_sandbox.settings import SandboxSettings

MIN_CELL = 10
BREAKDOWNS = ("nationality", "household_size", "hour")


def _breakdown(rows: list[tuple[str, bool]]) -> dict[str, Any]:
    """Selection by group; a group is suppressed when it, its selected or its not-selected
    households are fewer than MIN_CELL (any of them could single people out)."""
    asked: Counter[str] = Counter(group for group, _ in rows)
    chosen: Counter[str] = Counter(group for group, selected in rows if selected)
    groups: list[dict[str, Any]] = []
    shown: list[list[int]] = []
    for group in sorted(asked, key=lambda g: (len(g), g)):
        if min(asked[group], chosen[group], asked[group] - chosen[group]) < MIN_CELL:
            groups.append({"group": group, "households": f"<{MIN_CELL}", "selected": None,
                           "rate": None, "suppressed": True})
            continue
        rate = chosen[group] / asked[group]
        groups.append({"group": group, "households": asked[group],
                       "selected": chosen[group], "rate": round(rate, 4), "suppressed": False})
        shown.append([chosen[group], asked[group] - chosen[group]])
    p_value = None
    usable = [row for row in shown if sum(row) > 0]
    if len(usable) >= 2 and sum(r[0] for r in usable) > 0 and sum(r[1] for r in usable) > 0:
        p_value = round(float(chi2_contingency(usable).pvalue), 4)
    return {"groups": groups, "chi_square_p": p_value}


def allocation_report(db: Session, settings: SandboxSettings, request_date: date) -> dict[str, Any]:
    runs = {run.port: run for run in db.scalars(
        select(AllocationRun).where(AllocationRun.request_date == request_date))}
    if not runs:
        raise SandboxError(404, "not_found", "No allocation ran for this request day.")
    zone = settings.window_zone
    ports = []
    for port in settings.ports:
        run = runs.get(port.id)
        if run is None:
            continue
        rows = db.execute(
            select(SlotRequest.status, SlotRequest.household_size, SlotRequest.requested_at,
                   Registration.household)
            .join(Registration, Registration.id == SlotRequest.registration_id)
            .where(SlotRequest.request_date == request_date, SlotRequest.port == port.id)
        ).all()
        by: dict[str, list[tuple[str, bool]]] = {name: [] for name in BREAKDOWNS}
        for status, size, requested_at, household in rows:
            selected = status == "selected"
            nationality = str(((household or {}).get("primary") or {}).get("nationality", "?"))
            by["nationality"].append((nationality, selected))
            by["household_size"].append((str(size), selected))
            by["hour"].append((f"{requested_at.astimezone(zone).hour:02d}:00", selected))
        cutoff = run.longest_waiting_cutoff
        ports.append({
            "port": port.id, "name": port.name, "capacity": run.capacity,
            "households_requested": run.households_requested,
            "people_requested": run.people_requested,
            "longest_waiting_share": run.longest_waiting_share,
            "places_waited_longest": run.people_waited_longest,
            "households_waited_longest": run.households_waited_longest,
            "longest_waiting_cutoff_days": (request_date - cutoff).days if cutoff else None,
            "places_drawn": run.people_drawn, "households_drawn": run.households_drawn,
            "households_in_draw": run.households_requested - run.households_waited_longest,
            "by": {name: _breakdown(values) for name, values in by.items()},
        })
    return {"request_date": request_date.isoformat(), "min_cell": MIN_CELL,
            "verify": verify_command(request_date),
            "published": f"/v1/allocations/{request_date.isoformat()}/published",
            "generated_for": "public", "ports": ports,
            "timezone": settings.window_timezone}


def bar_chart_svg(title: str, breakdown: dict[str, Any]) -> str:
    """Selection rate per (unsuppressed) group, as an inline SVG document."""
    groups = [g for g in breakdown["groups"] if not g["suppressed"]]
    figure, axes = plt.subplots(figsize=(6, 2.6))
    try:
        axes.bar([g["group"] for g in groups], [100 * g["rate"] for g in groups],
                 color="#1f5f8b")
        axes.set_ylabel("selected (%)")
        axes.set_title(title)
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
    finally:
        plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]
