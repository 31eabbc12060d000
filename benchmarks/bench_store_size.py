"""Redis memory of one conversation, at the main menu and once registered with a household.

A whole conversation (language, consent, registration with a family member, confirmation,
today's request) goes through the real webhook (`POST /twilio/messages`, in process, the
embedded sandbox as booking API) on a Redis store with a key prefix of its own; after each
milestone every key of the run is measured with ``MEMORY USAGE`` (the contact's keys and the
message-id claims; the lock keys are gone once the message is handled).

    .venv/bin/python benchmarks/bench_store_size.py [--redis-url redis://127.0.0.1:6379/0]

Only keys under the run's own prefix are read, and they are deleted at the end: safe on a
shared Redis.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import redis
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import Settings

PHONE = "+5216649876543"
#: (what is sent, the milestone reached after it, if any)
TURNS: list[tuple[str, str | None]] = [
    ("hola", None),
    ("1", None),
    ("si", "main menu"),
    ("1", None),
    ("Ana Lucía Martínez Gómez", None),
    ("12/05/1988", None),
    ("hondureña", None),
    ("5", None),
    ("si", None),
    ("Carlos Alberto Reyes Paz", None),
    ("03/09/1985", None),
    ("1", None),
    ("Honduras", None),
    ("4", None),
    ("1", "registered (household of 2)"),
    ("2", "today's request made"),
]


def _measure(client: redis.Redis, prefix: str) -> tuple[int, dict[str, int]]:
    sizes: dict[str, int] = {}
    for name in client.scan_iter(match=f"{prefix}:*", count=1000):
        text = name.decode()
        kind = re.sub(r"\{[0-9a-f]+\}", "{contact}", text.removeprefix(prefix + ":"))
        kind = re.sub(r":[0-9a-f]{16,}$", ":<id>", kind)
        sizes[kind] = sizes.get(kind, 0) + int(client.memory_usage(name, samples=0) or 0)
    return sum(sizes.values()), sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()
    prefix = f"size{uuid.uuid4().hex[:8]}"
    inspector = redis.Redis.from_url(args.redis_url)
    settings = Settings(
        redis_url=args.redis_url,
        redis_key_prefix=prefix,
        secret_key=SecretStr("benchmark-secret"),
        flood_burst=10_000,
        log_level="WARNING",
    )
    try:
        with (
            tempfile.TemporaryDirectory() as data,
            TestClient(create_app(settings, data_dir=Path(data))) as http,
        ):
            for n, (text, milestone) in enumerate(TURNS):
                form = {
                    "MessageSid": f"SM{n:032d}",
                    "From": PHONE,
                    "To": "+16195550100",
                    "Body": text,
                    "NumMedia": "0",
                }
                response = http.post(
                    "/twilio/messages",
                    content=urlencode(form),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                assert response.status_code == 200, response.text
                if milestone:
                    time.sleep(0.05)
                    total, parts = _measure(inspector, prefix)
                    detail = ", ".join(f"{k} {v} B" for k, v in sorted(parts.items()))
                    print(f"{milestone:30s} {total:6d} B  ({detail})")
    finally:
        for name in inspector.scan_iter(match=f"{prefix}:*", count=1000):
            inspector.delete(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
