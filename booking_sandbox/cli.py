"""``frontdoor sandbox ...`` (and ``python -m booking_sandbox ...``).

    frontdoor sandbox [serve] [--host 127.0.0.1] [--port 8100]
    frontdoor sandbox allocate --date YYYY-MM-DD [--seed N]
    frontdoor sandbox verify --date YYYY-MM-DD [--from FILE]

``bot/cli.py`` delegates here with the arguments after ``sandbox``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

from booking_sandbox.settings import SandboxSettings


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdoor sandbox",
        description="Serve the booking API sandbox (settings: BOOKING_* environment).",
        epilog="Also: frontdoor sandbox allocate --date YYYY-MM-DD [--seed N]; "
        "frontdoor sandbox verify --date YYYY-MM-DD [--from FILE]",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--log-level", default="info")
    return parser


def _allocate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdoor sandbox allocate",
        description="Run the allocation for one request day now (a no-op if it already ran).",
    )
    parser.add_argument("--date", required=True, type=date.fromisoformat,
                        help="request day, YYYY-MM-DD")
    parser.add_argument("--seed", type=int, default=None,
                        help="fixed seed for the random draw (default: BOOKING_SEED or random)")
    return parser


def _verify_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdoor sandbox verify",
        description="Re-derive a request day's allocation from its publication (the seed, the "
        "slots and the pseudonymous requests) and compare it with what was allocated. Exit 0: "
        "it matches; 1: the first difference is printed; 2: nothing to verify.",
    )
    parser.add_argument("--date", required=True, type=date.fromisoformat,
                        help="request day, YYYY-MM-DD")
    parser.add_argument("--from", dest="source", type=Path, default=None,
                        help="the published JSON (GET /v1/allocations/{date}/published); "
                        "default: read the sandbox's own database (BOOKING_* settings)")
    return parser


def verify_command(argv: list[str]) -> int:
    from booking_sandbox.errors import SandboxError
    from booking_sandbox.publication import published, verify

    args = _verify_parser().parse_args(argv)
    if args.source is not None:
        document = json.loads(args.source.read_text(encoding="utf-8"))
    else:
        from booking_sandbox.app import build_context

        context = build_context(SandboxSettings())
        try:
            with context.factory() as db:
                document = published(db, context.settings, args.date)
        except SandboxError as exc:
            sys.stderr.write(f"nothing to verify for {args.date}: {exc.message}\n")
            return 2
        finally:
            context.engine.dispose()
    if document.get("request_date") != args.date.isoformat():
        sys.stderr.write(
            f"the document is for {document.get('request_date')}, not {args.date}\n"
        )
        return 2
    verdict = verify(document)
    if verdict.ok:
        sys.stdout.write(f"OK: {verdict.message}\n")
        return 0
    sys.stdout.write(f"MISMATCH: {verdict.message}\n")
    return 1


def serve(argv: list[str]) -> int:
    import uvicorn

    from booking_sandbox.app import create_app

    args = _serve_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper())
    app = create_app(SandboxSettings())
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


def allocate_command(argv: list[str]) -> int:
    from booking_sandbox.allocator import allocate
    from booking_sandbox.app import build_context

    args = _allocate_parser().parse_args(argv)
    context = build_context(SandboxSettings())
    try:
        summaries = allocate(context.factory, context.settings, args.date, context.now(),
                             seed=args.seed)
    finally:
        context.engine.dispose()
    json.dump([summary.as_json() for summary in summaries], sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def run(argv: list[str]) -> int:
    """Entry point; returns the process exit code."""
    if argv[:1] == ["allocate"]:
        return allocate_command(argv[1:])
    if argv[:1] == ["verify"]:
        return verify_command(argv[1:])
    if argv[:1] == ["serve"]:
        argv = argv[1:]
    return serve(argv)
