"""`frontdoor serve`'s uvicorn server: says once, when it listens, where the bot is."""

from __future__ import annotations

import socket

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
