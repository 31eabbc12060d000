"""A real Redis Cluster of the test's own: 3 masters with one replica each, on free loopback
ports, in a temporary directory (never the shared 127.0.0.1:6379).

`redis-server --cluster-enabled yes` for six nodes, then `redis-cli --cluster create ...
--cluster-replicas 1`. A short node timeout (1 s) makes a failover take a couple of seconds.
`kill_master_of(key)` kills (SIGKILL) the master of a key's slot after its replica has caught
up, and waits until the replica took over and the cluster says ok again.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

NODE_TIMEOUT_MS = 1000


def command(client: redis.Redis, *args: object) -> Any:
    """A raw command (redis-py leaves `execute_command` untyped)."""
    return client.execute_command(*args)  # type: ignore[no-untyped-call]


def _port_pair_free(port: int) -> bool:
    """The node's port and its cluster bus port (port + 10000) are both free."""
    for candidate in (port, port + 10000):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                return False
    return True


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port < 55000 and port not in ports and _port_pair_free(port):
            ports.append(port)
    return ports


def _wait(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"Redis Cluster: {what} within {timeout:g} s")


@dataclass
class RedisClusterNodes:
    directory: Path
    masters: int = 3
    replicas: int = 1
    ports: list[int] = field(default_factory=list)
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """One live node: redis-py's RedisCluster finds the others."""
        return f"redis://127.0.0.1:{self.live_ports()[0]}/0"

    def live_ports(self) -> list[int]:
        return [p for p in self.ports if p in self.processes]

    def start(self) -> None:
        server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
        assert server and cli, "redis-server and redis-cli are needed (apt install redis-server)"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ports = _free_ports(self.masters * (1 + self.replicas))
        for port in self.ports:
            self._start_node(server, port)
        for port in self.ports:
            _wait(lambda p=port: self._ping(p), 10, f"node {port} did not start")
        subprocess.run(
            [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
             "--cluster-replicas", str(self.replicas), "--cluster-yes"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60,
        )  # fmt: skip
        _wait(self.healthy, 30, "cluster_state did not become ok")

    def _start_node(self, server: str, port: int) -> None:
        node_dir = self.directory / str(port)
        node_dir.mkdir(exist_ok=True)
        self.processes[port] = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(node_dir),
             "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
             "--cluster-node-timeout", str(NODE_TIMEOUT_MS), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def client(self, port: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2, socket_connect_timeout=1)

    def _ping(self, port: int) -> bool:
        try:
            return bool(self.client(port).ping())
        except redis.RedisError:
            return False

    def healthy(self) -> bool:
        """Every live node says cluster_state:ok and every slot has a live master."""
        try:
            for port in self.live_ports():
                info = command(self.client(port), "CLUSTER INFO")  # parsed: a dict
                if info.get("cluster_state") != "ok":
                    return False
            return len(self.master_ports()) == self.masters
        except redis.RedisError:
            return False

    def master_ports(self) -> list[int]:
        return [p for p in self.live_ports() if self._role(p) == "master"]

    def _role(self, port: int) -> str:
        try:
            return str(self.client(port).info("replication")["role"])
        except redis.RedisError:
            return "down"

    def master_of(self, key: str) -> int:
        node = self.client(self.master_ports()[0])
        slot = int(command(node, "CLUSTER KEYSLOT", key))
        for start, end, master, *_replicas in command(node, "CLUSTER SLOTS"):
            if start <= slot <= end:
                return int(master[1])
        raise AssertionError(f"no master serves slot {slot}")

    def kill_master_of(self, key: str) -> tuple[int, int]:
        """SIGKILL the master of `key`'s slot; returns (killed port, new master port)."""
        port = self.master_of(key)
        master = self.client(port)
        command(master, "WAIT", self.replicas, 5000)  # the replica has every write
        self.processes.pop(port).send_signal(signal.SIGKILL)
        _wait(lambda: self.healthy() and self.master_of(key) != port, 30, "no failover")
        return port, self.master_of(key)

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
