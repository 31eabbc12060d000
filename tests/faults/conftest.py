"""The fault-injection suite's shared stack and its table.

One stack per run (starting `frontdoor serve` costs seconds): a Redis of its own with AOF
(appendfsync always), Prism behind a counting proxy (what the bot sends on its own), one
`frontdoor serve` and one `frontdoor worker`. Scenarios use contacts of their own. At the end
the table of every scenario (sent / answered / lost / duplicated) is printed and written to
test-artifacts/faults.md (benchmarks/README.md keeps the latest).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults_support import ROWS, RedisServer, Stack, table
from support.live import free_port
from support.prism import REPO, CountingTwilio, Prism, serve
from support.processes import BotProcess, bot_env
from support.redis import delete_prefix, unique_prefix


@pytest.fixture(scope="session")
def fault_prism() -> Iterator[Prism]:
    server = Prism()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def stack(fault_prism: Prism, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("faults")
    counter = CountingTwilio(fault_prism.url)
    twilio = serve(counter)
    redis = RedisServer(root / "redis", aof=True)
    redis.start()
    prefix = unique_prefix()
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    env = bot_env(redis.url, prefix, twilio.url, public)
    web = BotProcess("serve", env, root / "serve", port=port)
    worker = BotProcess("worker", env, root / "worker")
    try:
        web.start()
        worker.start()
        yield Stack(redis, web, worker, counter, twilio.url, prefix, public)
    finally:
        web.stop()
        worker.stop()
        if redis.answers():
            asyncio.run(delete_prefix(redis.url, prefix))
        redis.stop()
        twilio.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not ROWS:
        return
    text = table(ROWS)
    terminalreporter.write_sep("=", "fault injection: sent / answered / lost / duplicated")
    terminalreporter.write_line(text)
    out = Path(REPO) / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "faults.md").write_text(text + "\n", encoding="utf-8")
