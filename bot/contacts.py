"""Contact keys: a keyed hash of the phone number, the only identity the store and logs see.

HMAC-SHA256 (not a plain hash) because phone numbers are few enough to enumerate: without the
secret key a leaked store dump cannot be turned back into numbers.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
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


_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SEPARATORS = re.compile(r"[\s().\-]")
_CHANNEL_PREFIXES = ("whatsapp:", "sms:", "tel:")


def normalize_phone(raw: str) -> str:
    """Return the E.164 form of a sender address (``+52...``), dropping a channel prefix.

    Numbers phonenumbers calls impossible are still accepted when they are well-formed E.164:
    carriers deliver them (WhatsApp still sends Mexican mobiles as +521 plus ten digits), and
    refusing a real person's message is worse than an odd-looking number.
    """
    value = raw.strip()
    for prefix in _CHANNEL_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
    value = _SEPARATORS.sub("", value)
    if not value.startswith("+"):
        value = "+" + value
    if not _E164.match(value):
        raise InvalidSender("not an E.164 phone number")
    return canonical_e164(value)


@functools.lru_cache(maxsize=50_000)
def canonical_e164(value: str) -> str:
    """phonenumbers' E.164 form of a well-formed ``+digits`` (itself when phonenumbers cannot
    parse it or calls it impossible). Cached: people write many messages from one number, and
    phonenumbers takes ~11 µs a call (`slow_canonical_e164` is the uncached oracle)."""
    return slow_canonical_e164(value)


def slow_canonical_e164(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if phonenumbers.is_possible_number(parsed):
        return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    return value


def contact_key(secret: str, phone_e164: str) -> ContactKey:
    mac = hmac.new(secret.encode(), phone_e164.encode(), hashlib.sha256)
    return ContactKey(mac.hexdigest()[:32])


#: Channels whose people are reached by phone number: one number is one person, whichever
#: of them they write on (SMS, WhatsApp, a call share one conversation).
PHONE_CHANNELS = frozenset({"sms", "whatsapp", "voice", "tel"})


@dataclass(frozen=True, slots=True)
class Address:
    """Who a message is from, as `channel:id` (`tel:+50937123456`, `telegram:81234567`).

    A channel without phone numbers fits with its own scheme; the phone channels all use
    `tel:` with the E.164 number, so a person keeps one conversation across SMS, WhatsApp and
    calls."""

    scheme: str
    id: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.id}"

    @classmethod
    def parse(cls, raw: str) -> Address:
        scheme, sep, ident = raw.strip().partition(":")
        if not sep or not scheme or not ident:
            raise InvalidSender("an address is channel:id")
        scheme = scheme.lower()
        if scheme in PHONE_CHANNELS:
            return cls("tel", normalize_phone(ident))
        return cls(scheme, ident)


def address_key(secret: str, address: Address) -> ContactKey:
    """The keyed hash of an address. A phone address hashes exactly as `contact_key` of its
    number, so every key stored before addresses existed is the same key (no migration);
    other schemes hash the whole `channel:id`, so two channels' ids never collide."""
    if address.scheme == "tel":
        return contact_key(secret, address.id)
    mac = hmac.new(secret.encode(), str(address).encode(), hashlib.sha256)
    return ContactKey(mac.hexdigest()[:32])
