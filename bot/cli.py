"""The `frontdoor` command: serve, worker, chat, sandbox, nlu, i18n."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from pydantic import ValidationError

if TYPE_CHECKING:
    from bot.settings import Settings


def _settings(**updates: object) -> Settings:
    """Settings from the environment; an invalid variable ends the program with one line per
    variable (its name, what is wrong, a valid example) and exit status 2."""
    from pydantic_settings import SettingsError

    from bot.settings import Settings, config_error_lines

    try:
        settings = Settings()
    except ValidationError as exc:
        _config_exit(config_error_lines(exc))
    except SettingsError as exc:  # a value pydantic-settings could not even decode (JSON)
        _config_exit(config_error_lines(exc))
    return settings.model_copy(update=updates) if updates else settings


def _config_exit(lines: list[str]) -> NoReturn:
    for line in lines:
        print(f"frontdoor: {line}", file=sys.stderr)
    raise SystemExit(2)


def _preflight(settings: Settings) -> None:
    """Refuse to start on a configuration that is set but unusable, with a clear message
    (uvicorn would print a traceback instead). Never fall back to something else silently."""
    from bot.store.base import StoreUnavailable
    from bot.store.factory import open_store

    if settings.redis_url and settings.uses_development_key:
        _config_exit(
            [
                "FRONTDOOR_REDIS_URL is set but FRONTDOOR_SECRET_KEY is not: a persistent store "
                "needs your own secret key (it keys phone hashes and encrypts data at rest); for "
                "example FRONTDOOR_SECRET_KEY=$(openssl rand -hex 32)"
            ]
        )

    async def check() -> None:
        store = await open_store(settings)
        await store.close()

    try:
        asyncio.run(check())
    except StoreUnavailable as exc:
        _config_exit([f"cannot start: {exc}. Start Redis or unset FRONTDOOR_REDIS_URL."])


def _serve(args: argparse.Namespace) -> int:
    settings = _settings(console_outbound=True)  # before the heavy imports: errors come fast
    # Where people (and the embedded sandbox's event webhook) reach this server.
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104
    local_url = f"http://{host}:{args.port}"
    updates: dict[str, object] = {"console_outbound": True}
    if "self_url" not in settings.model_fields_set:
        updates["self_url"] = local_url
    if "portal_secure_cookies" not in settings.model_fields_set and _loopback(args.host):
        # Served on this machine over plain http: a Secure cookie would never come back, and
        # nobody could sign in to the portal.
        updates["portal_secure_cookies"] = False
    settings = settings.model_copy(update=updates)
    workers = _workers(args.workers, settings)
    _preflight(settings)
    from bot.serving import migrate_once

    migrate_once(settings, DATA_DIR)  # before any worker starts: they find it done
    import uvicorn

    from bot.limits import SERVER_HEADER_BUFFER
    from bot.server import ReadyServer, ready_line, serve_workers

    # JSON logs: uvicorn must not install its own text handlers (bot/logs.py's root handler
    # formats its records too).
    own_logging: dict[str, Any] = {"log_config": None} if _log_format() == "json" else {}

    def config(app: Any, **more: Any) -> uvicorn.Config:
        return uvicorn.Config(
            app,
            host=args.host,
            port=args.port,
            log_level=settings.log_level.lower(),
            access_log=args.access_log,
            loop="uvloop",
            # h11, not httptools: httptools buffers request heads of any size (8 MB accepted);
            # h11 refuses a head over this bound before buffering more (bot/limits.py).
            http="h11",
            h11_max_incomplete_event_size=SERVER_HEADER_BUFFER,
            **own_logging,
            **more,
        )

    if _log_format() == "json":  # uvicorn's loggers through the root handler (bot/logs.py)
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logging.getLogger(name).handlers.clear()
            logging.getLogger(name).propagate = True
    if workers > 1:
        # Each worker builds the app from the environment (bot/serving.py): the settings
        # decided here travel as FRONTDOOR_ variables.
        for name, value in updates.items():
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            os.environ[f"FRONTDOOR_{name.upper()}"] = shown
        # One /metrics for all of them: each worker writes its counters to files in this
        # directory, any worker's scrape adds them up (bot/metrics.py).
        from bot.metrics import prepare_multiprocess

        prepare_multiprocess(DATA_DIR / "metrics")
        many = config("bot.serving:worker_app", factory=True, workers=workers)
        return serve_workers(many, ready=ready_line(local_url), probe=local_url + "/livez")
    from bot.app import create_app

    app = create_app(settings, data_dir=DATA_DIR)
    server = ReadyServer(config(app), ready=ready_line(local_url))
    server.run()
    return 0 if server.started else 1


#: The data directory of `frontdoor serve` (spool, staff database, embedded sandbox, media).
DATA_DIR = Path(".frontdoor")


def _workers(asked: int | None, settings: Settings) -> int:
    """--workers, or the number of cores in production (Redis and a booking API configured),
    else 1. Several workers need both: the in-memory store is one process's own, and each
    worker would embed a sandbox of its own."""
    production = settings.redis_url is not None and settings.booking_api_url is not None
    if asked is None:
        return (os.cpu_count() or 1) if production else 1
    if asked > 1 and settings.redis_url is None:
        _config_exit(
            [
                f"--workers {asked} needs FRONTDOOR_REDIS_URL (the in-memory store is one "
                "process's own: the workers would not share conversations), for example "
                "FRONTDOOR_REDIS_URL=redis://127.0.0.1:6379/0, or --workers 1"
            ]
        )
    if asked > 1 and settings.booking_api_url is None:
        _config_exit(
            [
                f"--workers {asked} needs FRONTDOOR_BOOKING_API_URL (each worker would run "
                "an embedded booking sandbox of its own), for example "
                "FRONTDOOR_BOOKING_API_URL=http://127.0.0.1:8100, or --workers 1"
            ]
        )
    return asked


def _log_format() -> str:
    """FRONTDOOR_LOG_FORMAT (text or json), read before the settings: logging comes first."""
    return "json" if os.environ.get("FRONTDOOR_LOG_FORMAT", "").lower() == "json" else "text"


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def _port(text: str) -> int:
    """argparse type of --port: a TCP port, with an example when it is not one."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a TCP port (1-65535), for example --port 8000"
        )
    return port


def _count(text: str) -> int:
    """argparse type of --workers: a positive number of processes."""
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of workers (1-64), for example --workers 2"
        )
    return int(text)


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line (and exit status 2), not the usage text plus the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _chat(args: argparse.Namespace) -> int:
    from bot.channels.console import chat
    from bot.messages import ChannelKind
    from bot.services import open_services

    settings = _settings()

    async def main() -> None:
        async with open_services(settings) as services:
            channel = ChannelKind.WHATSAPP if args.whatsapp else ChannelKind.SMS
            await chat(services, sender=args.sender, channel=channel)

    asyncio.run(main())
    return 0


def _worker(args: argparse.Namespace) -> int:
    """Run outbound jobs (notifications, reminders, SMS fallbacks) from the Redis queue."""
    settings = _settings(console_outbound=True)  # before the heavy imports: errors come fast
    from bot.services import open_services

    if not settings.redis_url:
        _config_exit(
            [
                "worker: FRONTDOOR_REDIS_URL is not set. On embedded defaults the worker runs "
                "inside `frontdoor serve`; a separate worker needs the shared Redis queue, for "
                "example FRONTDOOR_REDIS_URL=redis://127.0.0.1:6379/0"
            ]
        )
    _preflight(settings)
    from bot.serving import migrate_once

    # The staff database, once for every process (an advisory lock on PostgreSQL): a worker
    # and a `frontdoor serve` starting together on a fresh database do not both migrate it.
    migrate_once(settings, DATA_DIR)

    async def main() -> None:
        async with open_services(settings, role="worker") as services:
            assert services.worker is not None
            if args.metrics_port:
                from bot import metrics

                # Kept referenced for the worker's life (the page runs as long as it does).
                page = asyncio.create_task(metrics.serve(args.metrics_host, args.metrics_port))
                services.worker.outbound.tasks.append(page)
            logging.getLogger(__name__).info("frontdoor worker: running outbound jobs")
            await services.worker.consume()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="frontdoor", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the bot's HTTP service (Twilio webhooks)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument(
        "--workers",
        type=_count,
        default=None,
        help="processes serving (default: the number of cores when FRONTDOOR_REDIS_URL and "
        "FRONTDOOR_BOOKING_API_URL are set, else 1)",
    )
    serve.add_argument(
        "--access-log", action="store_true", help="log every request (off: ~30%% throughput)"
    )
    serve.set_defaults(func=_serve)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal, as a phone would")
    chat.add_argument("--whatsapp", action="store_true", help="render as WhatsApp (default SMS)")
    chat.add_argument("--from", dest="sender", default="+15005550006", help="sender number")
    chat.set_defaults(func=_chat)

    worker = sub.add_parser("worker", help="run outbound jobs from the Redis queue")
    worker.add_argument(
        "--metrics-port", type=_port, default=None, help="serve Prometheus /metrics on this port"
    )
    worker.add_argument("--metrics-host", default="127.0.0.1")
    worker.set_defaults(func=_worker)

    for name, help_text in (
        ("sandbox", "run the booking API sandbox, allocate a day, or verify its draw"),
        ("nlu", "parse, evaluate and export the language understanding model"),
        ("i18n", "translations: extract, update, compile, report"),
        ("translate", "machine translation models for the staff inbox: install, list"),
        ("staff", "shelter staff: invite a phone, read the audit log"),
        ("privacy", "privacy audit: every trace of one contact (exit 0 when none)"),
        ("whatsapp", "WhatsApp buttons, lists and templates: sync with Twilio, status"),
    ):
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


_DELEGATES = {
    "sandbox": "booking_sandbox.cli",
    "nlu": "nlu.cli",
    "i18n": "bot.i18n.tools.cli",
    "translate": "bot.translation",
    "staff": "bot.staff.cli",
    "privacy": "bot.privacy",
    "whatsapp": "bot.channels.twilio.content_cli",
}


def configure_logging(chatting: bool = False) -> None:
    from bot import logs

    # A chat is a conversation on screen: only problems are worth interrupting it for.
    logs.configure(logging.WARNING if chatting else logging.INFO, _log_format())
    # Alembic announces every plugin at INFO when the embedded sandbox migrates: noise.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The twilio library logs every request's headers at INFO; taskiq every job it starts.
    logging.getLogger("twilio").setLevel(logging.WARNING)
    logging.getLogger("taskiq").setLevel(logging.WARNING)
    # httpx logs every booking API call at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    chatting = bool(args_list) and args_list[0] == "chat"
    configure_logging(chatting)
    if args_list and args_list[0] in _DELEGATES:
        import importlib

        return int(importlib.import_module(_DELEGATES[args_list[0]]).run(args_list[1:]))
    args = build_parser().parse_args(args_list)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
