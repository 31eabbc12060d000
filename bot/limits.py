"""Limits before work: oversized requests are refused before the application reads them.

* Body: a declared ``Content-Length`` over `MAX_BODY_BYTES` is answered 413 at once, before a
  byte of the body is read; a chunked body is read here as it arrives and refused (413) as
  soon as it passes the bound (at most the bound is ever held). Twilio's largest webhook
  (1,600 characters of text plus fields) is a few KiB; 64 KiB leaves room for every form.
* Headers: more than `MAX_HEADER_BYTES` in total is answered 431. The server itself refuses
  anything far beyond that before it is buffered (uvicorn's h11 parser with
  ``h11_max_incomplete_event_size``, see `SERVER_HEADER_BUFFER`; answered 400 by uvicorn).

An ASGI middleware (not a FastAPI dependency): it runs before routing and before any body is
received, for every route, the portal and the booking-events webhook included.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024
MAX_HEADER_BYTES = 16 * 1024
#: What uvicorn may buffer for one request head (request line + headers) at most.
SERVER_HEADER_BUFFER = 64 * 1024


class RequestLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int = MAX_BODY_BYTES,
        max_headers: int = MAX_HEADER_BYTES,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_headers = max_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        if sum(len(name) + len(value) + 4 for name, value in headers) > self.max_headers:
            await _refuse(send, 431, b"request headers too large")
            return
        for name, value in headers:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _refuse(send, 400, b"invalid content-length")
                    return
                if declared > self.max_body:
                    await _refuse(send, 413, b"request body too large")
                    return
        if any(name == b"content-length" for name, _ in headers):
            await self.app(scope, receive, send)  # the server stops at the declared length
            return
        # No length declared (chunked): read it here, up to the bound, then hand it on.
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay(b"", receive, message), send)
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > self.max_body:
                await _refuse(send, 413, b"request body too large")
                return
        await self.app(scope, _replay(bytes(body), receive, None), send)


def _replay(body: bytes, receive: Receive, pending: Message | None) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if pending is not None:
                return pending
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _refuse(send: Send, status: int, text: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(text)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": text})
