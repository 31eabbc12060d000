"""The simulator's people: fictional numbers, one per browser, never sent to a carrier.

+1 555 is not an area code anyone is given (NANP reserves 555 for fiction), so a number in it
can only be the simulator's. The number is derived from the browser's random token with the
secret key: a restart keeps a browser's conversation, and the token says nothing by itself.
"""

from __future__ import annotations

import hmac

PREFIX = "+1555"


def is_simulated(phone: str) -> bool:
    return phone.startswith(PREFIX)


def phone_for(secret: str, token: str) -> str:
    digest = hmac.new(secret.encode(), b"simulator:" + token.encode(), "sha256").digest()
    return PREFIX + str(int.from_bytes(digest[:8], "big") % 10_000_000).zfill(7)
