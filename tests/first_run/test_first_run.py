"""A newcomer's first run, with the real `frontdoor` command in its own process and nothing
configured: it says where it is, signing in to the staff portal works without a Twilio account
(the code is printed on the console), and a configuration mistake is one line, exit status 2."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.live import free_port

FRONTDOOR = str(Path(sys.executable).with_name("frontdoor"))
STAFF_PHONE = "+526641234567"


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")}
    return {**env, **extra}


class Console:
    """`frontdoor serve` with its stdout read line by line in a thread."""

    def __init__(self, cwd: Path, port: int) -> None:
        self.process = subprocess.Popen(
            [FRONTDOOR, "serve", "--port", str(port)],
            cwd=cwd,
            env=_clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.process.poll() is None, "\n".join(self.seen)
                continue
            self.seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.seen))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[Console, str]]:
    port = free_port()
    served = Console(tmp_path, port)
    try:
        yield served, f"http://127.0.0.1:{port}"
    finally:
        served.stop()


def test_ready_line_and_portal_sign_in_without_twilio(
    console: tuple[Console, str], tmp_path: Path
) -> None:
    served, url = console
    ready = served.wait_for(r"^frontdoor ready on (\S+) — webhook /twilio/messages, staff portal")
    assert ready.group(1) == url
    # uvicorn's own lines are there too (the embedded sandbox no longer silences them).
    assert any("Application startup complete" in line for line in served.seen)

    invite = subprocess.run(
        [FRONTDOOR, "staff", "invite", "--shelter", "Casa del Migrante", "--phone", STAFF_PHONE],
        cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    code = re.search(r"Invite code for Casa del Migrante: (\S+)", invite.stdout)
    assert code, invite.stdout
    with httpx.Client(base_url=url, timeout=30) as http:
        linked = http.post("/twilio/messages", data={
            "MessageSid": "SM" + "1" * 32, "From": STAFF_PHONE, "To": "+15005550001",
            "Body": code.group(1), "NumMedia": "0",
        })  # fmt: skip
        assert linked.status_code == 200, linked.text
        assert http.get("/staff/signin").status_code == 200
        csrf = http.cookies["fd_csrf"]
        sent = http.post("/staff/signin", data={"phone": STAFF_PHONE, "csrf": csrf})
        assert sent.status_code == 200, sent.text
        # The code reaches the console, marked as not sent, with the contact's key (no phone).
        head = served.wait_for(r"NOT SENT \(no Twilio account\): sms to contact [0-9a-f]{12}")
        assert STAFF_PHONE not in head.string
        signin = served.wait_for(r"\b(\d{6})\b")
        signed = http.post(
            "/staff/signin/code",
            data={"phone": STAFF_PHONE, "code": signin.group(1), "csrf": csrf},
            follow_redirects=True,
        )
        assert signed.status_code == 200
        assert str(signed.url).endswith("/staff/"), signed.url
        assert "Casa del Migrante" in signed.text


@pytest.mark.parametrize(
    ("args", "env", "names"),
    [
        (["serve", "--port", "99999"], {}, "--port"),
        (["serve"], {"FRONTDOOR_SESSION_TTL_DAYS": "abc"}, "FRONTDOOR_SESSION_TTL_DAYS=abc"),
        (["serve"], {"FRONTDOOR_WHATSAPP_TEMPLATES": "{allocated"}, "FRONTDOOR_WHATSAPP_TEMPLATES"),
        (["worker"], {"FRONTDOOR_SMS_RATE_PER_SECOND": "-1"}, "FRONTDOOR_SMS_RATE_PER_SECOND=-1"),
        (["staff", "invite", "--shelter", "Casa", "--phone", "6641234567"], {}, "+526641234567"),
        (["worker"], {}, "FRONTDOOR_REDIS_URL=redis://"),
        (["serve"], {"FRONTDOOR_REDIS_URL": "redis://127.0.0.1:9/0"}, "FRONTDOOR_SECRET_KEY="),
        (
            ["serve"],
            {"FRONTDOOR_REDIS_URL": "redis://127.0.0.1:9/0", "FRONTDOOR_SECRET_KEY": "k" * 32},
            "Start Redis or unset FRONTDOOR_REDIS_URL",
        ),
        (["serve", "--workers", "2"], {}, "FRONTDOOR_REDIS_URL=redis://"),
        (["serve", "--workers", "none"], {}, "--workers"),
    ],
    ids=[
        "port", "ttl", "templates-json", "worker-rate", "invite-without-country-code",
        "worker-without-redis", "redis-without-secret", "redis-down", "workers-without-redis",
        "workers-not-a-number",
    ],
)
def test_a_configuration_mistake_is_one_line(
    args: list[str], env: dict[str, str], names: str, tmp_path: Path
) -> None:
    # It must not hang (`--port 99999` once did): a run that takes a minute fails here.
    # How fast it answers is not timed in a test (the machine may be loaded).
    done = subprocess.run(
        [FRONTDOOR, *args], cwd=tmp_path, env=_clean_env(**env),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert names in lines[0], lines[0]
    assert "example" in lines[0] or "Start Redis" in lines[0], lines[0]
