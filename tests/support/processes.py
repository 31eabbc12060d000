"""Real bot processes for tests: `frontdoor serve` / `frontdoor worker` in a working directory
of their own, their environment, and signed Twilio webhook requests to send them.

Shared by the fault-injection suite (tests/faults) and the Redis Cluster suite (tests/cluster).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

from support.app import TEST_SECRET
from support.prism import ACCOUNT_SID, AUTH_TOKEN, REPO, SMS_FROM, WHATSAPP_FROM

FRONTDOOR = [sys.executable, "-m", "bot.cli"]


def wait_for(condition: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def kill_now(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL, as a crash would; returns once the process is gone."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def stop_gently(process: subprocess.Popen[bytes], *, timeout: float) -> None:
    """SIGTERM, then SIGKILL if it has not stopped within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


def bot_env(redis_url: str, prefix: str, twilio_url: str, public_url: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")},
        "FRONTDOOR_REDIS_URL": redis_url,
        "FRONTDOOR_REDIS_KEY_PREFIX": prefix,
        "FRONTDOOR_SECRET_KEY": TEST_SECRET,
        "FRONTDOOR_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "FRONTDOOR_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "FRONTDOOR_TWILIO_SMS_FROM": SMS_FROM,
        "FRONTDOOR_TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "FRONTDOOR_TWILIO_API_BASE_URL": twilio_url,
        "FRONTDOOR_PUBLIC_BASE_URL": public_url,
        "FRONTDOOR_WHATSAPP_RATE_PER_SECOND": "80",
        "FRONTDOOR_WORKER_RECLAIM_AFTER_SECONDS": "3",
        "FRONTDOOR_EVENTS_POLL_SECONDS": "0.5",
        "FRONTDOOR_PORTAL_SECURE_COOKIES": "false",
    }


@dataclass
class BotProcess:
    """`frontdoor serve` (with `port`) or `frontdoor worker`, in its own working directory
    (its data directory, and so its spool, is `<cwd>/.frontdoor`)."""

    command: str
    env: dict[str, str]
    cwd: Path
    port: int | None = None
    #: More arguments of the command (e.g. the worker's --metrics-port).
    args: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)
    _log: IO[bytes] | None = None

    def __post_init__(self) -> None:
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.log_path = self.cwd / f"{self.command}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> None:
        args = [*FRONTDOOR, self.command, *self.args]
        if self.port is not None:
            args += ["--port", str(self.port)]
        self._log = open(self.log_path, "ab")  # noqa: SIM115
        env = {**self.env, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            args, env=env, cwd=self.cwd, stdout=self._log, stderr=subprocess.STDOUT
        )
        if self.port is not None:
            assert wait_for(self._live, timeout, 0.2), (
                f"{self.command} did not start: {self.tail()}"
            )

    def _live(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"{self.command} exited: {self.tail()}")
        try:
            return httpx.get(self.url + "/livez", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        kill_now(self.process)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            stop_gently(self.process, timeout=15)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def twilio_form(sender: str, sid: str, text: str, *, whatsapp: bool = True) -> dict[str, str]:
    prefix = "whatsapp:" if whatsapp else ""
    return {
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": prefix + sender,
        "To": prefix + WHATSAPP_FROM,
        "Body": text,
        "NumMedia": "0",
    }


def signed(public_url: str, form: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """Body and headers of a webhook request as Twilio signs it."""
    url = public_url.rstrip("/") + "/twilio/messages"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    return urlencode(form).encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }


_MESSAGE = re.compile(r"<Message>(.*?)</Message>", flags=re.S)


def twiml_replies(twiml: str) -> str:
    import html

    return "\n---\n".join(html.unescape(b) for b in _MESSAGE.findall(twiml))
