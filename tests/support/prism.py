"""Prism serving Twilio's own OpenAPI spec, and a counting proxy in front of it.

Every outbound request of the tests goes to Prism, which validates it against the spec (an
invalid request gets 422, which the sender turns into `SendRefused`). Prism does not keep
state, so `CountingTwilio` sits in front: it forwards each request to Prism and, for each
create Prism accepted, records it and gives it a unique message id; it answers the Messages
list from what it recorded (after Prism validated the list request too). That is what lets a
test count sends and exercise "was this message already sent?".

Where things are (environment variables override):
* FRONTDOOR_TWILIO_SPEC: the spec; default `../shared/twilio/...` beside the repository if it is
  there, else `/work/shared/twilio/twilio_api_v2010_messages.json`.
* FRONTDOOR_PRISM_BIN: the prism executable; by default the test run installs a pinned Prism
  with npm into its tools cache on first use (`support/tools.py`).
A missing spec or a Prism that cannot be installed fails the tests (never a skip).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from support import tools
from support.live import RestartableServer, free_port

REPO = Path(__file__).resolve().parents[2]
SPEC_NAME = "twilio_api_v2010_messages.json"
DEFAULT_SPEC = Path("/work/shared/twilio") / SPEC_NAME
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token"
SMS_FROM = "+15005550001"
WHATSAPP_FROM = "+15005550002"


CONTENT_SPEC_NAME = "twilio_content_v1.json"


def spec_path(name: str = SPEC_NAME) -> Path:
    """Twilio's Messages spec, or with `name` another spec of the same folder (Content API)."""
    if os.environ.get("FRONTDOOR_TWILIO_SPEC"):
        return Path(os.environ["FRONTDOOR_TWILIO_SPEC"]).with_name(name)
    beside = REPO.parent / "shared" / "twilio" / name
    return beside if beside.is_file() else DEFAULT_SPEC.with_name(name)


class Prism:
    """`prism mock` on a free loopback port, for one test session (`spec`: which of Twilio's
    specs; the Messages API by default)."""

    def __init__(self, spec_name: str = SPEC_NAME) -> None:
        spec = spec_path(spec_name)
        if not spec.is_file():
            message = f"Twilio's spec is not at {spec} (set FRONTDOOR_TWILIO_SPEC)"
            pytest.fail(message, pytrace=False)
        binary, env = tools.or_fail(tools.prism)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(REPO / f".prism-{spec.stem}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [binary, "mock", "-h", "127.0.0.1", "-p", str(self.port), str(spec)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
        deadline = time.monotonic() + 180  # at load ~18 Prism took over 60 s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Prism exited ({self.process.returncode}); see .prism-*.log")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        self.stop()
        pytest.fail("Prism did not start within 180 s; see .prism-*.log")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@dataclass
class Sent:
    sid: str
    form: dict[str, str]
    at: datetime

    @property
    def to(self) -> str:
        return self.form.get("To", "")

    @property
    def body(self) -> str:
        return self.form.get("Body", "")


@dataclass
class CountingTwilio:
    """A proxy to Prism that counts what Prism accepted (run it with `serve`)."""

    prism_url: str
    sent: list[Sent] = field(default_factory=list)
    refused: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    #: Make the next N creates fail with this (status, Twilio code), after Prism validated them.
    fail_next: list[tuple[int, int]] = field(default_factory=list)
    #: Seconds between recording a create and answering it: a worker killed meanwhile never
    #: learns that its message went out (the case "ask Twilio before sending again" is for).
    answer_delay: float = 0.0
    #: How many Messages list requests were answered (workers asking "was it sent?").
    lists: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> FastAPI:
        app = FastAPI()
        client = httpx.AsyncClient(base_url=self.prism_url, timeout=30)

        @app.api_route("/{path:path}", methods=["GET", "POST"])
        async def forward(path: str, request: Request) -> Response:
            body = await request.body()
            skip = {"host", "content-length"}
            headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
            upstream = await client.request(
                request.method, "/" + path, params=request.query_params, content=body,
                headers=headers,
            )
            form = dict(parse_qsl(body.decode(), keep_blank_values=True))
            if upstream.status_code >= 300:
                with self.lock:
                    self.refused.append((upstream.status_code, form))
                return Response(upstream.content, upstream.status_code,
                                media_type="application/json")
            data = upstream.json()
            if request.method == "POST" and path.endswith("/Messages.json"):
                response = self._created(data, form)
                if self.answer_delay:
                    await asyncio.sleep(self.answer_delay)
                return response
            if request.method == "GET" and path.endswith("/Messages.json"):
                return self._listed(data, dict(request.query_params))
            return Response(upstream.content, upstream.status_code, media_type="application/json")

        return app

    def _created(self, data: dict[str, Any], form: dict[str, str]) -> Response:
        with self.lock:
            if self.fail_next:
                status, code = self.fail_next.pop(0)
                error = {"code": code, "message": f"simulated {code}", "status": status}
                return Response(_json(error), status, media_type="application/json")
            now = datetime.now(UTC)
            sent = Sent(sid="SM" + uuid.uuid4().hex, form=form, at=now)
            self.sent.append(sent)
        return Response(_json(self._resource(data, sent)), 201, media_type="application/json")

    def _resource(self, template: dict[str, Any], sent: Sent) -> dict[str, Any]:
        stamp = format_datetime(sent.at.replace(microsecond=0), usegmt=False)
        return {
            **template,
            "sid": sent.sid,
            "to": sent.to,
            "from": sent.form.get("From"),
            "body": sent.body,
            "status": "queued",
            "date_created": stamp,
            "date_sent": stamp,
            "date_updated": stamp,
        }

    def _listed(self, data: dict[str, Any], query: dict[str, str]) -> Response:
        to, sender = query.get("To"), query.get("From")
        after = query.get("DateSent>")
        since = None
        if after:
            since = datetime.fromisoformat(after.replace("Z", "+00:00"))
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
        template = (data.get("messages") or [{}])[0]
        with self.lock:
            self.lists += 1
            found = [
                self._resource(template, s)
                for s in self.sent
                if (to is None or s.to == to)
                and (sender is None or s.form.get("From") == sender)
                and (since is None or s.at >= since.replace(microsecond=0))
            ]
        page = {**data, "messages": found, "next_page_uri": None, "end": len(found)}
        return Response(_json(page), 200, media_type="application/json")

    def count(self, to: str | None = None) -> int:
        with self.lock:
            return sum(1 for s in self.sent if to is None or s.to == to)

    def bodies(self, to: str) -> list[str]:
        with self.lock:
            return [s.body for s in self.sent if s.to == to]


def serve(counter: CountingTwilio) -> RestartableServer:
    server = RestartableServer(counter.app)
    server.start()
    return server


def _json(value: Any) -> bytes:
    import json

    return json.dumps(value, ensure_ascii=False).encode()


def rfc2822(value: str) -> datetime:
    return parsedate_to_datetime(value)
