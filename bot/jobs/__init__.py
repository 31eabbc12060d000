"""Outbound work: notifications, reminders and SMS fallbacks, through a job queue on Redis.

Why taskiq + taskiq-redis (and not the others), as measured on this project's dependencies:

* arq: the obvious asyncio choice, but arq >= 0.26 requires redis-py < 6 and this project is on
  redis-py 8 (the store, its lock and its blocking pool). arq 0.25 (2023) still installs, but it
  is the old line of a library whose author has put it in maintenance mode: pinning new code to
  it buys a dead end.
* saq: asyncio and maintained, but its Redis extra pins redis < 8.
* rq: installs with redis-py 8, but it is synchronous (a fork or a thread per job): every send
  would be an `asyncio.run` around the async Twilio client, far from 400 messages/s on 2 cores.
* taskiq 0.13 + taskiq-redis 1.2: asyncio-native, maintained, requires redis-py >= 8. Its
  `RedisStreamBroker` uses a consumer group with explicit acknowledgement (a job killed mid-way
  stays pending and is claimed again), and taskiq has an `InMemoryBroker` with the same task
  API, which is what embedded defaults need (no Redis: the queue runs inside `frontdoor serve`).
  Two durability gaps of taskiq-redis are closed in queue.py (reclaim when idle; group from 0).

The queue gives at-least-once delivery; exactly-once sending comes from the handlers: per-part
states and leases in the ledger (ledger.py), and asking Twilio before re-sending a message whose
answer was lost (sending.py). Modules: models (job payloads), queue (brokers), ledger (job
state, delivery records, opt-outs, rate limits), notify (event -> messages in the person's
language, WhatsApp window, templates), sending (rate limit, retries, fallback), worker (wiring,
booking-events feed, daily reminder).
"""
