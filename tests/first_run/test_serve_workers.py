"""`frontdoor serve --workers 2` on a fresh data directory: the staff database is migrated
once, before the workers start (two workers each migrating a fresh database raced:
``table audit_log already exists``), and both workers serve."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
from support.live import free_port
from support.redis import delete_prefix, redis_url_or_fail, unique_prefix
from test_first_run import _clean_env

FRONTDOOR = str(Path(sys.executable).with_name("frontdoor"))


def test_two_workers_start_on_a_fresh_data_directory(tmp_path: Path) -> None:
    redis_url, prefix, port = redis_url_or_fail(), unique_prefix(), free_port()
    env = _clean_env(
        FRONTDOOR_REDIS_URL=redis_url,
        FRONTDOOR_REDIS_KEY_PREFIX=prefix,
        FRONTDOOR_SECRET_KEY="workers-test-secret-0123456789abcdef",
        FRONTDOOR_BOOKING_API_URL="http://127.0.0.1:9",  # not called to start
    )
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [FRONTDOOR, "serve", "--port", str(port), "--workers", "2"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        def started(text: str) -> bool:  # the parent prints "ready" after both workers
            return text.count("startup complete") >= 2 and "frontdoor ready on" in text

        while time.monotonic() < deadline and not started(log.read_text()):
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        text = log.read_text()
        assert text.count("Application startup complete") == 2, text
        assert "already exists" not in text and "Traceback" not in text, text
        assert "frontdoor ready on" in text, text
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for _ in range(40):  # new connections: the kernel spreads them over both workers
                with httpx.Client(base_url=client.base_url, timeout=10) as fresh:
                    answer = fresh.get("/healthz")
                    assert answer.status_code == 200, answer.text
        staff_db = tmp_path / ".frontdoor" / "staff.sqlite3"
        with sqlite3.connect(staff_db) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        assert {"audit_log", "staff_alembic_version"} <= tables
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        import asyncio

        asyncio.run(delete_prefix(redis_url, prefix))


def test_two_servers_started_at_once_on_one_fresh_data_directory(tmp_path: Path) -> None:
    """The same race without uvicorn's supervisor in between: two `frontdoor serve` started
    at the same instant on one fresh data directory (as two workers of a process manager)
    both come up; the file lock lets one migrate while the other waits."""
    redis_url, prefix = redis_url_or_fail(), unique_prefix()
    env = _clean_env(
        FRONTDOOR_REDIS_URL=redis_url,
        FRONTDOOR_REDIS_KEY_PREFIX=prefix,
        FRONTDOOR_SECRET_KEY="workers-test-secret-0123456789abcdef",
        FRONTDOOR_BOOKING_API_URL="http://127.0.0.1:9",
    )
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"serve-{n}.log" for n in range(2)]
    processes = []
    for port, log in zip(ports, logs, strict=True):
        with log.open("w") as out:
            command = [FRONTDOOR, "serve", "--port", str(port), "--workers", "1"]
            processes.append(
                subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=out)
            )
    try:
        for port, log, process in zip(ports, logs, processes, strict=True):
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and "frontdoor ready" not in log.read_text():
                assert process.poll() is None, log.read_text()
                time.sleep(0.2)
            assert "already exists" not in log.read_text(), log.read_text()
            answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            assert answer.status_code == 200, log.read_text()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        import asyncio

        asyncio.run(delete_prefix(redis_url, prefix))
