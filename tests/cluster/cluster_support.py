"""What the cluster suite's tests and its conftest share."""

from __future__ import annotations

from dataclasses import dataclass

from support.prism import CountingTwilio
from support.processes import BotProcess
from support.redis_cluster import RedisClusterNodes

EVENTS_SECRET = "cluster-suite-events-secret"


@dataclass
class ClusterStack:
    cluster: RedisClusterNodes
    serves: list[BotProcess]
    worker: BotProcess
    counter: CountingTwilio
    prefix: str
    public_url: str
    worker_metrics_url: str
