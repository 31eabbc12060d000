"""``frontdoor sandbox ...`` (and ``python -m booking_sandbox ...``).

    frontdoor sandbox [serve] [--host 127.0.0.1] [--port 8100]
    frontdoor sandbox allocate --date YYYY-MM-DD [--seed N]

``bot/cli.py`` delegates here with the arguments after ``sandbox``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date

from booking_sandbox.settings import SandboxSettings


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdoor sandbox",
        description="Serve the booking API sandbox (settings: BOOKING_* environment).",
        epilog="Also: frontdoor sandbox allocate --date YYYY-MM-DD [--seed N]",
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
    if argv[:1] == ["serve"]:
        argv = argv[1:]
    return serve(argv)
