"""Fixtures shared by the bot's tests: settings, a fixed clock, and a running app."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.app import Clock, make_settings
from support.redis_cluster import RedisClusterNodes

from bot.app import create_app
from nlu import packs

#: The only reasons a test may skip: markers a user opts in to (`pytest -m rasa`).
OPT_IN_MARKERS = ("rasa", "translate")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A skip is a failure, unless the test carries an opt-in marker: a newcomer's run that
    skips because a tool or a service is missing looks green and tests nothing."""
    report = yield
    if report.skipped and not any(item.get_closest_marker(m) for m in OPT_IN_MARKERS):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped without an opt-in marker (a skip is a failure here): {reason}"
    return report


@pytest.fixture(autouse=True)
def _project_packs() -> Iterator[None]:
    """A test that reads language packs from its own folder (a made-up language) leaves the
    project's packs in place for the next test."""
    yield
    if packs.packs_dir() != packs.DEFAULT_DIR:
        packs.use_packs_dir(packs.DEFAULT_DIR)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-golden",
        action="store_true",
        help="rewrite golden conversation files with what the bot says now (review the diff)",
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


AppFactory = Callable[..., Any]


@pytest.fixture
def running_app(tmp_path: Path, clock: Clock) -> Callable[..., Any]:
    """`with running_app(**settings) as client:` a TestClient with the lifespan running."""

    @contextmanager
    def start(**overrides: Any) -> Iterator[TestClient]:
        app = create_app(make_settings(**overrides), clock=clock, data_dir=tmp_path / "data")
        with TestClient(app, base_url="http://testserver") as client:
            yield client

    return start


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterNodes]:
    """A real 3-master Redis Cluster (one replica each) for the run, started on first use
    (tests/support/redis_cluster.py). Tests that kill nodes start a cluster of their own."""
    nodes = RedisClusterNodes(tmp_path_factory.mktemp("redis-cluster"))
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.stop()
