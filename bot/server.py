"""`frontdoor serve`'s uvicorn server: says once, when it listens, where the bot is."""

from __future__ import annotations

import socket
import threading
import urllib.request

import uvicorn


def ready_line(url: str) -> str:
    return f"frontdoor ready on {url} — webhook /twilio/messages, staff portal /staff/"


class ReadyServer(uvicorn.Server):
    """uvicorn's server, printing `ready_line` on stdout once it accepts connections."""

    def __init__(self, config: uvicorn.Config, *, ready: str) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            print(self._ready, flush=True)


def serve_workers(config: uvicorn.Config, *, ready: str, probe: str) -> int:
    """`config.workers` processes on one socket (uvicorn's supervisor restarts a dead one);
    `ready` is printed once, when `probe` first answers."""
    from uvicorn.supervisors import Multiprocess

    done = threading.Event()

    def announce() -> None:
        while not done.is_set():
            try:
                with urllib.request.urlopen(probe, timeout=1) as answer:  # noqa: S310 (ours)
                    if answer.status == 200:
                        print(ready, flush=True)
                        return
            except OSError:
                pass
            done.wait(0.02)

    sock = config.bind_socket()
    watcher = threading.Thread(target=announce, name="ready-line", daemon=True)
    watcher.start()
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        done.set()
        sock.close()
    return 0
