"""The job queue: taskiq brokers, one on Redis streams and one in memory, behind `JobQueue`.

Redis (`RedisStreamBroker` of taskiq-redis): a job is XADDed to one stream and read by a
consumer group; it is acknowledged (XACK, then XDEL so the stream stays short) only after its
handler returned. A worker killed mid-job leaves its jobs pending in the group; any worker
claims them again (XAUTOCLAIM) once they have been idle for `worker_reclaim_after_seconds`.
The handlers are idempotent (bot/jobs/sending.py), so a job run twice sends once.

Two changes to taskiq-redis 1.2.4's stream broker, both for durability: it reclaims idle jobs
only right after new jobs arrived (so after a crash, with nothing new coming, they would wait
for ever), and it creates the group at "$" (jobs added before the first worker started would be
skipped). `ReclaimingStreamBroker` reclaims before every read and starts the group at "0".

Memory (taskiq's `InMemoryBroker`): a kicked job runs as a task of the same event loop, for
embedded defaults (`frontdoor serve` without Redis). Nothing survives a restart there, like
the memory store itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AckableMessage, AsyncBroker, BrokerMessage, InMemoryBroker
from taskiq_redis import RedisStreamBroker

from bot.backoff import Outage
from bot.jobs.models import NotifyJob, SendJob
from bot.settings import Settings
from bot.store.client import redis_client

log = logging.getLogger(__name__)

#: How long one read of the job streams waits for a job.
XREAD_BLOCK_SECONDS = 1.0

NOTIFY_TASK = "frontdoor.notify"
SEND_TASK = "frontdoor.send"

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class ReclaimingStreamBroker(RedisStreamBroker):
    """Reads every stream of the broker (one per task kind, so a burst of one kind never
    waits behind the other), reclaims idle jobs before each read, and uses one Redis client
    for all kicks and acks (taskiq-redis builds a client per call, a visible cost at
    hundreds of jobs per second)."""

    def __init__(self, url: str, *args: Any, cluster: bool = False, **kwargs: Any) -> None:
        super().__init__(url, *args, **kwargs)
        self._redis: Redis
        if cluster:
            # Both streams carry one hash tag (`notify_stream`): one XREADGROUP reads both.
            self._redis = redis_client(
                url,
                cluster=True,
                max_connections=self.connection_pool.max_connections,
                command_timeout=max(5.0, 3 * self.block / 1000),
            )
        else:
            self._redis = Redis(connection_pool=self.connection_pool)

    async def _declare_consumer_group(self) -> None:
        """Create the group of each stream at "0" (an existing group is kept as it is)."""
        for stream in self.streams:
            try:
                await self._redis.xgroup_create(
                    stream, self.consumer_group_name, id=self.consumer_id, mkstream=self.mkstream
                )
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    @property
    def streams(self) -> list[str]:
        return [self.queue_name, *self.additional_streams]

    async def kick(self, message: BrokerMessage) -> None:
        stream = message.labels.get("queue_name") or self.queue_name
        await self._redis.xadd(stream, {b"data": message.message})

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        """Jobs, for ever: through a Redis restart too (backoff with jitter, one log line per
        change of state), recreating the consumer group when Redis lost it."""
        outage = Outage("job queue (Redis)", log)
        while True:
            try:
                batch = await self._fetch()
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                await asyncio.sleep(outage.failed(exc))
                continue
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                log.warning("job queue: consumer group missing (Redis lost it): created again")
                try:
                    await self._declare_consumer_group()
                except (RedisConnectionError, RedisTimeoutError, OSError) as again:
                    await asyncio.sleep(outage.failed(again))
                continue
            outage.ok()
            for message in batch:
                yield message

    async def _fetch(self) -> list[AckableMessage]:
        """Jobs idle too long in the group (their worker died), then new ones."""
        batch: list[AckableMessage] = []
        for stream in self.streams:
            claimed: Any = await self._redis.xautoclaim(
                stream,
                self.consumer_group_name,
                self.consumer_name,
                min_idle_time=self.idle_timeout,
                start_id="0-0",
                count=self.unacknowledged_batch_size,
            )
            for msg_id, fields in claimed[1]:
                if fields:  # None for an entry deleted meanwhile
                    log.info("reclaimed job %s from a worker that stopped", msg_id)
                    batch.append(
                        AckableMessage(data=fields[b"data"], ack=self._acker(stream, msg_id))
                    )
        if batch:
            return batch
        fetched: Any = await self._redis.xreadgroup(
            self.consumer_group_name,
            self.consumer_name,
            dict.fromkeys(self.streams, ">"),
            block=self.block,
            count=self.count,
        )
        for stream, messages in fetched or []:
            name = stream.decode() if isinstance(stream, bytes) else str(stream)
            for msg_id, fields in messages:
                batch.append(AckableMessage(data=fields[b"data"], ack=self._acker(name, msg_id)))
        return batch

    def _acker(self, stream: str, msg_id: Any) -> Callable[[], Awaitable[None]]:
        async def ack() -> None:
            pipe = self._redis.pipeline(transaction=False)
            pipe.xack(stream, self.consumer_group_name, msg_id)
            pipe.xdel(stream, msg_id)
            try:
                await pipe.execute()
            except (RedisConnectionError, RedisTimeoutError, OSError):
                # The job is done; unacknowledged, it is reclaimed later and its handler,
                # idempotent, does nothing twice. The listener reports the outage once.
                log.debug("job %s done but not acknowledged (Redis unavailable)", msg_id)

        return ack

    async def mentioning(self, text: str) -> list[str]:
        """Ids of the jobs still in a stream whose payload mentions `text` (a contact digest:
        `frontdoor privacy audit`)."""
        needle = text.encode()
        found: list[str] = []
        for stream in self.streams:
            entries: Any = await self._redis.xrange(stream)
            for msg_id, fields in entries:
                if needle in (fields or {}).get(b"data", b""):
                    ident = msg_id.decode() if isinstance(msg_id, bytes) else str(msg_id)
                    found.append(f"{stream} {ident}")
        return found

    async def drop_mentioning(self, text: str) -> int:
        """Delete the waiting jobs whose payload mentions `text` ("delete my data"); a job a
        worker already holds runs and finds nothing (its acknowledgement is then a no-op)."""
        dropped = 0
        for job in await self.mentioning(text):
            stream, _, msg_id = job.rpartition(" ")
            dropped += int(await self._redis.xdel(stream, msg_id))
        return dropped

    async def queued(self) -> int:
        """Jobs not yet acknowledged, in every stream."""
        return sum([int(await self._redis.xlen(stream)) for stream in self.streams])

    async def lag_seconds(self) -> float:
        """Age of the oldest job not yet done, in every stream (0: none). A job leaves its
        stream when it is acknowledged, so the first entry is the oldest unfinished one; its
        id is the time it was added (ms)."""
        oldest: float | None = None
        for stream in self.streams:
            first: Any = await self._redis.xrange(stream, count=1)
            if first:
                ident = first[0][0]
                text = ident.decode() if isinstance(ident, bytes) else str(ident)
                added = int(text.split("-")[0])
                oldest = added if oldest is None else min(oldest, added)
        return 0.0 if oldest is None else max(0.0, time.time() - oldest / 1000)

    async def shutdown(self) -> None:
        await self._redis.aclose()
        await super().shutdown()


def _streams_prefix(settings: Settings) -> str:
    """On a cluster the streams share a hash tag (one slot), so one read serves both."""
    if settings.redis_cluster:
        return f"{{{settings.redis_key_prefix}:jobs}}"
    return f"{settings.redis_key_prefix}:jobs"


def notify_stream(settings: Settings) -> str:
    return f"{_streams_prefix(settings)}:notify"


def send_stream(settings: Settings) -> str:
    return f"{_streams_prefix(settings)}:send"


def make_broker(settings: Settings) -> AsyncBroker:
    if settings.redis_url is None:
        return InMemoryBroker(max_async_tasks=settings.worker_concurrency)
    return ReclaimingStreamBroker(
        settings.redis_url,
        queue_name=notify_stream(settings),
        additional_streams={send_stream(settings): ">"},
        consumer_group_name="frontdoor",
        consumer_id="0",
        idle_timeout=int(settings.worker_reclaim_after_seconds * 1000),
        xread_block=int(XREAD_BLOCK_SECONDS * 1000),
        xread_count=100,
        unacknowledged_batch_size=100,
        max_connection_pool_size=max(16, settings.worker_concurrency // 4),
        # No read waits for ever: a blocking read answers within `xread_block`, so a socket
        # silent for 5 s longer is dead (an outage the listener reports and retries). Without
        # it a read on a connection that never answers hung the worker, and its shutdown.
        socket_timeout=XREAD_BLOCK_SECONDS + 5.0,
        socket_connect_timeout=2.0,
        cluster=settings.redis_cluster,
    )


class JobQueue:
    """Kick jobs (any process); run them (the worker, once `handle` is set)."""

    def __init__(self, broker: AsyncBroker) -> None:
        self.broker = broker
        self._handlers: dict[str, Handler] = {}
        labels: dict[str, str] = {}
        if isinstance(broker, ReclaimingStreamBroker):
            labels = {"queue_name": broker.streams[1]}
        self._notify = broker.register_task(self._runner(NOTIFY_TASK), task_name=NOTIFY_TASK)
        self._send = broker.register_task(self._runner(SEND_TASK), task_name=SEND_TASK, **labels)

    def _runner(self, name: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
        async def run(payload: dict[str, Any]) -> None:
            handler = self._handlers.get(name)
            if handler is None:
                raise RuntimeError(f"no handler for {name}: this process does not run jobs")
            await handler(payload)

        run.__name__ = name.replace(".", "_")
        return run

    def handle(self, notify: Handler, send: Handler) -> None:
        self._handlers = {NOTIFY_TASK: notify, SEND_TASK: send}

    async def notify(self, job: NotifyJob) -> None:
        await self._notify.kiq(job.model_dump(mode="json"))

    async def send(self, job: SendJob) -> None:
        await self._send.kiq(job.model_dump(mode="json"))

    async def wait_idle(self, poll: float = 0.05, give_up_after: float = 180.0) -> None:
        """Wait until no job is queued or running (jobs kicked by jobs included), for tests
        and a clean shutdown. In memory: the broker's tasks. On Redis: until every stream is
        empty (a job leaves its stream when it is acknowledged), whichever worker runs it.
        A job never acknowledged must not hang the caller: TimeoutError after `give_up_after`
        seconds."""
        async with asyncio.timeout(give_up_after):
            if isinstance(self.broker, InMemoryBroker):
                # Finished tasks leave the set in a done-callback: look at `done()` instead.
                while any(not task.done() for task in self.broker._running_tasks):
                    await self.broker.wait_all()
            elif isinstance(self.broker, ReclaimingStreamBroker):
                while True:  # the workers are other processes: nothing to await but Redis
                    if await self.broker.queued() == 0:
                        return
                    await asyncio.sleep(poll)

    async def traces(self, contact: str) -> list[str]:
        """Jobs waiting for this contact (Redis; the in-memory queue dies with its process)."""
        if isinstance(self.broker, ReclaimingStreamBroker):
            return [f"job queue: {job}" for job in await self.broker.mentioning(contact)]
        return []

    async def forget(self, contact: str) -> int:
        """Drop the jobs still waiting for this contact ("delete my data")."""
        if isinstance(self.broker, ReclaimingStreamBroker):
            return await self.broker.drop_mentioning(contact)
        return 0

    async def start(self) -> None:
        await self.broker.startup()

    async def close(self) -> None:
        await self.broker.shutdown()
