"""The Grafana dashboard (deploy/grafana/frontdoor.json) shows what bot/metrics.py exports:
every metric a panel asks for exists, every metric exported has a panel, and every gauge part a
panel reads is one the services report."""

from __future__ import annotations

import json
import re

from bot import metrics
from bot.settings import PROJECT_ROOT

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "frontdoor.json"
SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")


def _expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]


def _family(sample: str) -> str:
    for suffix in SUFFIXES:
        if sample.endswith(suffix):
            return sample[: -len(suffix)]
    return sample


def test_every_panel_reads_an_exported_metric_and_every_metric_has_a_panel() -> None:
    exported = {family.name for family in metrics.REGISTRY.collect()}
    asked = {_family(name) for e in _expressions() for name in re.findall(r"frontdoor_\w+", e)}
    assert asked - exported == set(), "panels ask for metrics nobody exports"
    assert exported - asked == set(), "metrics without a panel"


def test_gauge_parts_on_the_dashboard_are_reported() -> None:
    services = (PROJECT_ROOT / "bot" / "services.py").read_text(encoding="utf-8")
    reported = set(re.findall(r'"([a-z_]+)": float\(|state\["([a-z_]+)"\]', services))
    parts = {name for pair in reported for name in pair if name}
    shown = {p for e in _expressions() for p in re.findall(r'part="([a-z_]+)"', e)}
    assert shown and shown <= parts, shown - parts
    assert parts <= shown, f"gauges without a panel: {parts - shown}"
