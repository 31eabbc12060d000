"""Security headers of the staff portal (OWASP ASVS 14.4), as one ASGI middleware.

The portal is server-rendered and works without JavaScript, so its policy allows no script at
all (not even inline handlers: the language menu has a submit button), its own inline
stylesheet only by hash, forms only to itself, and no framing (clickjacking). Pages of a signed-in
staff member carry personal data: they are not stored by browsers or proxies. HSTS is sent when
the request reached the bot over HTTPS (directly, or through a proxy uvicorn trusts for its
X-Forwarded-Proto), never over plain HTTP where it means nothing.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/staff"
TEMPLATES = Path(__file__).parent / "templates"
HSTS = "max-age=31536000; includeSubDomains"


def _style_hashes() -> list[str]:
    """CSP hashes of the inline <style> blocks of the templates (so no 'unsafe-inline')."""
    found: list[str] = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for block in re.findall(r"<style>(.*?)</style>", template.read_text("utf-8"), re.S):
            digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
            found.append(f"'sha256-{digest}'")
    return found


def content_security_policy() -> str:
    return "; ".join(
        (
            "default-src 'none'",
            "style-src " + " ".join(_style_hashes() or ["'none'"]),
            "img-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        )
    )


class SecurityHeaders:
    """Adds the portal's headers to every response under /staff."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.policy = content_security_policy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = self.policy
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Cache-Control"] = "no-store"
                if https:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)
