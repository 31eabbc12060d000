"""Contact keys: a keyed hash of the phone number, the only identity the store and logs see.

HMAC-SHA256 (not a plain hash) because phone numbers are few enough to enumerate: without the
secret key a leaked store dump cannot be turned back into numbers.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import phonenumbers


class InvalidSender(ValueError):
    """The sender address is not a phone number we can answer."""


@dataclass(frozen=True, slots=True)
class ContactKey:
    """Opaque, stable identity of one phone number (hex digest, 32 chars)."""

    digest: str

    def __str__(self) -> str:
        return self.digest


def normalize_phone(raw: str) -> str:
    """Return the E.164 form of a sender address (``+52...``), dropping any channel prefix."""
    value = raw.strip()
    if ":" in value:
        value = value.split(":", 1)[1]
    value = value.replace(" ", "")
    if not value.startswith("+"):
        value = "+" + value
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidSender("not a phone number") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidSender("not a possible phone number")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def contact_key(secret: str, phone_e164: str) -> ContactKey:
    mac = hmac.new(secret.encode(), phone_e164.encode(), hashlib.sha256)
    return ContactKey(mac.hexdigest()[:32])
