"""Building blocks of the WhatsApp tests."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from fastapi import FastAPI, Request, Response
from support.prism import ACCOUNT_SID, AUTH_TOKEN, SMS_FROM, WHATSAPP_FROM
from twilio.request_validator import RequestValidator

TOKEN = AUTH_TOKEN
PUBLIC = "https://bot.example.org"


@dataclass
class ContentProxy:
    """Prism on the Content API spec validates every request; Prism keeps no state and
    answers every create with the same example SID, so this proxy gives each created content
    its own SID and answers approval reads from `approvals` (Prism's example, "approved", by
    default). `calls` lists (method, path, JSON body) of what Prism accepted."""

    prism_url: str
    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    refused: list[tuple[int, str, Any]] = field(default_factory=list)
    approvals: dict[str, str] = field(default_factory=dict)
    #: State of a template's approval right after it is submitted.
    default_approval: str = "approved"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> FastAPI:
        app = FastAPI()
        client = httpx.AsyncClient(base_url=self.prism_url, timeout=30)

        @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
        async def forward(path: str, request: Request) -> Response:
            body = await request.body()
            skip = {"host", "content-length"}
            headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
            upstream = await client.request(
                request.method, "/" + path, content=body, headers=headers
            )
            sent: Any = json.loads(body) if body else None
            if upstream.status_code >= 300:
                with self.lock:
                    self.refused.append((upstream.status_code, path, sent))
                return Response(upstream.content, upstream.status_code,
                                media_type="application/json")
            data = upstream.json()
            with self.lock:
                self.calls.append((request.method, "/" + path, sent))
                if request.method == "POST" and path == "v1/Content":
                    data["sid"] = "HX" + uuid.uuid4().hex
                    data["types"], data["language"] = sent["types"], sent["language"]
                elif request.method == "POST" and path.endswith("/ApprovalRequests/whatsapp"):
                    sid = path.split("/")[2]
                    self.approvals.setdefault(sid, self.default_approval)
                    data["status"] = "received"
                elif request.method == "GET" and path.endswith("/ApprovalRequests"):
                    sid = path.split("/")[2]
                    data["sid"] = sid
                    data["whatsapp"]["status"] = self.approvals.get(sid, "unsubmitted")
            return Response(json.dumps(data), upstream.status_code, media_type="application/json")

        return app

    def creates(self) -> list[Any]:
        with self.lock:
            return [b for m, p, b in self.calls if m == "POST" and p == "/v1/Content"]

    def submits(self) -> list[str]:
        with self.lock:
            return [p for m, p, _ in self.calls if m == "POST" and p.endswith("/whatsapp")]


def twilio_settings(messages_url: str, content_url: str, **overrides: Any) -> dict[str, Any]:
    from pydantic import SecretStr

    values: dict[str, Any] = {
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": SecretStr(AUTH_TOKEN),
        "twilio_sms_from": SMS_FROM,
        "twilio_whatsapp_from": WHATSAPP_FROM,
        "twilio_api_base_url": messages_url,
        "twilio_content_base_url": content_url,
        "public_base_url": PUBLIC,
        "send_backoff_seconds": 0.01,
    }
    values.update(overrides)
    return values


def inbound_form(
    phone: str, body: str, sid: str, *, whatsapp: bool = True, extra: dict[str, str] | None = None
) -> bytes:
    sender = f"whatsapp:{phone}" if whatsapp else phone
    to = f"whatsapp:{WHATSAPP_FROM}" if whatsapp else SMS_FROM
    params = {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": to,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
        **(extra or {}),
    }
    if whatsapp:
        params.update({"ProfileName": "Ana", "WaId": phone.lstrip("+"), "MessageType": "text"})
    return urlencode(params).encode()


def signed_post(client: Any, body: bytes, path: str = "/twilio/messages") -> Any:
    params = dict(parse_qsl(body.decode(), keep_blank_values=True))
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }
    return client.post(path, content=body, headers=headers)
