"""Portal sign-in limits that a stranger cannot turn against staff (OWASP ASVS 2.2.1).

A stranger who knows a staff phone number must not be able to use up that person's codes or
tries. Three things make that so, all used by the sign-in handlers in portal.py:

* **Challenge**: asking for a code sets a random challenge cookie; the code is stored bound to
  its keyed hash and only that browser can enter it. A stranger's wrong tries count against the
  codes the stranger asked for, never against the code the staff member is typing, and a new
  code replaces only the codes of the same browser.
* **Known devices**: after a sign-in the browser keeps a device cookie (a random id and an
  HMAC binding it to the staff member, nothing stored). Codes asked from a known device have
  their own hourly budget, so strangers using up the phone's budget for unknown browsers
  (`FRONTDOOR_SIGNIN_CODES_PER_HOUR`) never lock staff out on their usual phone or computer.
* **Client address**: codes per client address per hour, over every number
  (`FRONTDOOR_SIGNIN_CODES_PER_ADDRESS`), so one client cannot spray codes at many staff.
  Behind a reverse proxy, run uvicorn with proxy headers so the address is the client's.

Each code still has `FRONTDOOR_SIGNIN_MAX_ATTEMPTS` tries. Nothing here stores an address or a
cookie in clear: only keyed hashes (bot/staff/crypto.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from bot.staff.crypto import FieldCipher

CHALLENGE_COOKIE = "fd_challenge"
DEVICE_COOKIE = "fd_device"
#: How long a browser stays a known device after a sign-in.
DEVICE_DAYS = 180


def new_challenge() -> str:
    return secrets.token_urlsafe(24)


def challenge_hash(cipher: FieldCipher, request: Request) -> str | None:
    token = request.cookies.get(CHALLENGE_COOKIE)
    return cipher.code_digest("signin-challenge", token) if token else None


def client_hash(cipher: FieldCipher, request: Request) -> str:
    address = request.client.host if request.client is not None else "unknown"
    return cipher.code_digest("signin-client", address)


def _device_mac(secret: str, staff_id: int, device_id: str) -> str:
    message = f"device:{staff_id}:{device_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def new_device_cookie(secret: str, staff_id: int) -> str:
    device_id = secrets.token_urlsafe(16)
    return f"{staff_id}.{device_id}.{_device_mac(secret, staff_id, device_id)}"


def device_hash(cipher: FieldCipher, secret: str, request: Request, staff_id: int) -> str | None:
    """The keyed hash of this browser's device id when it is a known device of `staff_id`."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    owner, _, rest = value.partition(".")
    device_id, _, mac = rest.partition(".")
    if owner != str(staff_id) or not device_id:
        return None
    if not hmac.compare_digest(mac, _device_mac(secret, staff_id, device_id)):
        return None
    return cipher.code_digest("signin-device", device_id)
