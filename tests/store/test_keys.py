"""Key layout: hash-tagged per contact, prefixable, and never carrying a phone number."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.contacts import ContactKey, contact_key
from bot.store.keys import KeyBuilder

KEY = contact_key("keys-secret", "+5216641234567")


@pytest.mark.parametrize(
    ("label", "build", "expected"),
    [
        ("session", lambda k: k.session(KEY), f"fd:{{{KEY.digest}}}:session"),
        ("lock", lambda k: k.lock(KEY), f"fd:{{{KEY.digest}}}:lock"),
        ("claim", lambda k: k.claim("twilio", "SM123"), "fd:claim:twilio:SM123"),
        ("pattern", lambda k: k.contact_pattern(KEY), f"fd:{{{KEY.digest}}}:*"),
    ],
)
def test_default_layout(label: str, build: Callable[[KeyBuilder], str], expected: str) -> None:
    assert build(KeyBuilder()) == expected, label


def test_prefix_is_configurable() -> None:
    assert KeyBuilder("fdtest-1").session(KEY).startswith("fdtest-1:{")


@pytest.mark.parametrize(
    "prefix", ["", "a:b", "{x}", "x" * 40], ids=["empty", "colon", "brace", "long"]
)
def test_bad_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        KeyBuilder(prefix)


def test_contact_key_that_is_not_a_digest_is_refused() -> None:
    with pytest.raises(ValueError, match="digest") as caught:
        KeyBuilder().session(ContactKey("+5216641234567"))
    assert "5216641234567" not in str(caught.value)


def test_data_keys_cover_the_session() -> None:
    assert KeyBuilder().session(KEY) in KeyBuilder().data_keys(KEY)
