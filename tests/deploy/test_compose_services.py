"""docker-compose.yml runs in production: staff and sandbox data in PostgreSQL with a volume
(not a SQLite file per replica), Redis with AOF and a volume, the worker's metrics on a port
Prometheus scrapes, and the booking sandbox's database created on the first start.
(`docker-compose config -q` itself runs in CI: .ci/run.)"""

from __future__ import annotations

from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    return services


def test_postgres_and_redis_keep_their_data_in_volumes() -> None:
    services = _services()
    postgres, redis = services["postgres"], services["redis"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "healthcheck" in postgres
    assert any(v.endswith(":/data") for v in redis["volumes"])
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"


def test_bot_worker_and_sandbox_use_postgres() -> None:
    services = _services()
    for name in ("bot", "worker"):
        environment = services[name]["environment"]
        assert environment["FRONTDOOR_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/frontdoor" in environment["FRONTDOOR_DATABASE_URL"]
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    sandbox = services["sandbox"]["environment"]["BOOKING_DATABASE_URL"]
    assert sandbox.startswith("postgresql+psycopg://")
    assert sandbox.endswith("@postgres:5432/booking")
    init = PROJECT_ROOT / "deploy" / "postgres" / "initdb" / "10-booking.sql"
    assert "CREATE DATABASE booking" in init.read_text(encoding="utf-8")


def test_prometheus_scrapes_the_bot_and_the_worker_port() -> None:
    services = _services()
    worker = services["worker"]["command"]
    port = worker[worker.index("--metrics-port") + 1]
    assert worker[worker.index("--metrics-host") + 1] == "0.0.0.0"
    scrape = yaml.safe_load((PROJECT_ROOT / "deploy" / "prometheus.yml").read_text())
    targets = {t for job in scrape["scrape_configs"] for c in job["static_configs"]
               for t in c["targets"]}  # fmt: skip
    assert targets == {"bot:8000", f"worker:{port}"}
