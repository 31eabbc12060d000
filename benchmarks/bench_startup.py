"""`frontdoor serve` start-up: from the command to the first `200` from `/healthz`.

Production configuration (Redis store, a remote booking API, so no embedded sandbox), a fresh
data directory each time (the staff database is migrated on the first start), run `--runs`
times; the median is the figure. A bare FastAPI app under uvicorn is measured the same way
as the floor (the interpreter, uvicorn and FastAPI alone).

    .venv/bin/python benchmarks/bench_startup.py [--runs 5] [--workers 1]
    .venv/bin/python benchmarks/bench_startup.py --reference /tmp/main-checkout   # side by side

With ``--reference DIR`` (a checkout of another commit, e.g. ``git archive main | tar -x -C
DIR``), the same `frontdoor serve` from that tree (``PYTHONPATH=DIR python -m bot.cli``) is
timed too, alternated with this one in each round: on a machine shared with other work only
figures of one run compare.

The Redis keys of the runs are under a prefix of their own and deleted afterwards; nothing
else in the Redis is touched.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")

BARE = """
from fastapi import FastAPI
app = FastAPI()
@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _until_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError("no /healthz within the timeout")


def _time(command: list[str], env: dict[str, str], cwd: str, port: int) -> float:
    """Seconds to the first /healthz 200; the CPU the server's processes used (to their
    exit, which follows at once) is added to `CPU`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _until_healthy(port, proc)
        return time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(60)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        CPU_BY_RUN.append(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        )


#: CPU seconds of each timed run's processes, in the order of the runs.
CPU_BY_RUN: list[float] = []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None,
                        help="passed to serve (default: serve's own, the cores in production)")
    parser.add_argument("--reference", type=Path, default=None)
    args = parser.parse_args()
    prefix = f"start{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "FRONTDOOR_REDIS_URL": REDIS_URL,
        "FRONTDOOR_REDIS_KEY_PREFIX": prefix,
        "FRONTDOOR_SECRET_KEY": "benchmark-secret-0123456789abcdef",
        "FRONTDOOR_BOOKING_API_URL": "http://127.0.0.1:9",
        "FRONTDOOR_LOG_LEVEL": "WARNING",
    }
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    bot: list[float] = []
    bare: list[float] = []
    reference: list[float] = []
    bot_cpu: list[float] = []
    bare_cpu: list[float] = []
    reference_cpu: list[float] = []
    more = ["--workers", str(args.workers)] if args.workers else []
    try:
        def run_reference() -> None:
            with tempfile.TemporaryDirectory() as cwd:
                port = _free_port()
                command = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), *more]
                ref_env = {**env, "PYTHONPATH": str(args.reference.resolve())}
                reference.append(_time(command, ref_env, cwd, port))
                reference_cpu.append(CPU_BY_RUN[-1])

        def run_bot() -> None:
            with tempfile.TemporaryDirectory() as cwd:
                port = _free_port()
                command = [str(BIN / "frontdoor"), "serve", "--port", str(port), *more]
                bot.append(_time(command, env, cwd, port))
                bot_cpu.append(CPU_BY_RUN[-1])

        def run_bare() -> None:
            with tempfile.TemporaryDirectory() as cwd:
                Path(cwd, "bare_app.py").write_text(BARE)
                port = _free_port()
                uvicorn = [str(BIN / "uvicorn"), "bare_app:app", "--port", str(port)]
                bare.append(_time(uvicorn, env, cwd, port))
                bare_cpu.append(CPU_BY_RUN[-1])

        for round_number in range(args.runs):
            # Alternated, and the order swapped every round: the load moves meanwhile.
            order = [run_reference, run_bot] if args.reference else [run_bot]
            for run in order if round_number % 2 == 0 else order[::-1]:
                run()
            run_bare()
    finally:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for name in client.scan_iter(match=f"{prefix}:*"):
            client.delete(name)
    print(f"load average: {os.getloadavg()[0]:.2f}")
    rows = [("frontdoor serve", bot, bot_cpu), ("bare uvicorn app", bare, bare_cpu)]
    if reference:
        rows.insert(1, (f"reference serve ({args.reference})", reference, reference_cpu))
    print("(CPU: user + system seconds of the server's processes, start to exit)")
    for name, times, cpu in rows:
        runs = " ".join(f"{t:.2f}" for t in times)
        print(f"{name:28s} CPU median {statistics.median(cpu):.2f} s  "
              f"(runs: {' '.join(f'{c:.2f}' for c in cpu)})")
        print(f"{name:28s} median {statistics.median(times):.2f} s  (runs: {runs})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
