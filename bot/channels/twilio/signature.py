"""X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + every name and value, sorted)).

A direct HMAC (one per request, a few microseconds) in place of twilio's `RequestValidator`,
which builds a validator and computes the HMAC twice, with and without the port. It stays the
oracle: tests/channels/test_twilio_signature.py compares both over a table of payloads.

Exactly as the oracle: names sorted, each name's distinct values sorted; the URL as configured,
and when it fails, the same URL with the default port added or removed (Twilio is not
consistent about it); compared in constant time (`hmac.compare_digest`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

HEADER = "X-Twilio-Signature"
DEFAULT_PORTS = {"https": 443, "http": 80}


def signed_url(public_base_url: str, path: str, query: str) -> str:
    """The URL Twilio signed: the configured public base URL (behind a TLS proxy the request's
    own URL is not it), the path and the query string as they came."""
    url = public_base_url.rstrip("/") + path
    return f"{url}?{query}" if query else url


def compute(token: bytes, url: str, items: Iterable[tuple[str, str]]) -> str:
    """`items`: every (name, value) of the form. Sorted distinct pairs are the oracle's order:
    names sorted, each name's distinct values sorted."""
    signed = url + "".join(name + value for name, value in sorted(set(items)))
    mac = hmac.new(token, signed.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def other_port_form(url: str) -> str | None:
    """The same URL with its default port written out, or without it (None: not a default)."""
    split = urlsplit(url)
    default = DEFAULT_PORTS.get(split.scheme)
    host = split.hostname
    if default is None or host is None:
        return None
    try:
        port = split.port
    except ValueError:
        return None
    # Without a port: add the default one; with one, the oracle drops it (whatever it is).
    netloc = f"{split.netloc}:{default}" if port is None else split.netloc.rsplit(":", 1)[0]
    return urlunsplit(split._replace(netloc=netloc))


def valid(token: bytes, url: str, items: Iterable[tuple[str, str]], signature: str | None) -> bool:
    if not signature:
        return False
    pairs = list(items)
    given = signature.encode("ascii", "replace")
    if hmac.compare_digest(compute(token, url, pairs).encode("ascii"), given):
        return True
    other = other_port_form(url)
    return other is not None and hmac.compare_digest(
        compute(token, other, pairs).encode("ascii"), given
    )
