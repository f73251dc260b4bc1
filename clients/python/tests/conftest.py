"""Starts the real registry for the tests: `creditregistry serve --dev` on a
free port with a fresh data directory, once per test session. It signs a
checkpoint every second and seals the check log into a segment at each, so
segment files can be exported and verified while the tests run.

The binary is $CREDITREGISTRY_BIN, else target/debug/creditregistry of this
repository (build it with `cargo build`). If it cannot start, every test
that needs it fails; none is skipped.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

CLIENT_DIR = Path(__file__).resolve().parent.parent  # clients/python
REPO_ROOT = CLIENT_DIR.parent.parent
sys.path.insert(0, str(CLIENT_DIR))

import creditregistry  # noqa: E402

DEFAULT_BIN = REPO_ROOT / "target" / "debug" / "creditregistry"
START_TIMEOUT = 60.0
SERVING_LINE = re.compile(r"creditregistry serving gRPC on (\S+)")

AUTHORITY = "example:sh-pudong-amr"


@dataclass
class Server:
    binary: Path
    data_dir: Path
    address: str = ""
    process: Optional[subprocess.Popen] = None
    log: Path = field(default=Path())

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env["CREDITREGISTRY_DATA_DIR"] = str(self.data_dir)
        env["CREDITREGISTRY_CHECKPOINT_INTERVAL"] = "1"
        env["CREDITREGISTRY_SEGMENT_HOURS"] = "0"
        env.setdefault("RUST_LOG", "warn")
        return env

    def token(self, role: str, *, authority: Optional[str] = None, subject: str = "pytest") -> str:
        """A JWT from `creditregistry token`, signed with this server's dev key."""
        command: List[str] = [str(self.binary), "token", "--role", role, "--subject", subject]
        if authority:
            command += ["--authority", authority]
        done = subprocess.run(command, env=self.env(), capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or not done.stdout.strip():
            pytest.fail(f"{' '.join(command)} failed (exit {done.returncode}): {done.stderr}")
        return done.stdout.strip()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _start(server: Server) -> None:
    if not server.binary.is_file():
        pytest.fail(
            f"registry binary not found at {server.binary}: build it with `cargo build` "
            "in the repository root, or set CREDITREGISTRY_BIN"
        )
    stdout = server.data_dir / "stdout.log"
    server.log = server.data_dir / "server.log"
    with open(stdout, "wb") as out, open(server.log, "wb") as err:
        server.process = subprocess.Popen(
            [str(server.binary), "serve", "--dev", "--listen", "127.0.0.1:0"],
            cwd=server.data_dir,
            env=server.env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while not server.address:
        match = SERVING_LINE.search(stdout.read_text(errors="replace"))
        if match:
            server.address = match.group(1)
        elif server.process.poll() is not None:
            pytest.fail(
                f"the registry exited with {server.process.returncode} before serving:\n"
                f"{server.log_tail()}"
            )
        elif time.monotonic() > deadline:
            pytest.fail(f"the registry did not start within {START_TIMEOUT:.0f}s:\n{server.log_tail()}")
        else:
            time.sleep(0.05)

    # Wait for the health service to say SERVING (no token needed).
    with grpc.insecure_channel(server.address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                answer = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            if server.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the registry at {server.address} never reported SERVING:\n{server.log_tail()}")
            time.sleep(0.1)


def _stop(server: Server) -> None:
    process = server.process
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    binary = Path(os.environ.get("CREDITREGISTRY_BIN") or DEFAULT_BIN).resolve()
    server = Server(binary=binary, data_dir=tmp_path_factory.mktemp("creditregistry-data"))
    try:
        _start(server)
        yield server
    finally:
        _stop(server)


@pytest.fixture(scope="session")
def enforcement_token(server: Server) -> str:
    return server.token("enforcement", authority=AUTHORITY, subject="pytest-officer")


@pytest.fixture(scope="session")
def procurement_token(server: Server) -> str:
    return server.token("procurement", subject="pytest-buyer")


@pytest.fixture(scope="session")
def auditor_token(server: Server) -> str:
    return server.token("auditor", subject="pytest-auditor")


@pytest.fixture
def officer(server: Server, enforcement_token: str):
    """A client acting for enforcement authority example:sh-pudong-amr."""
    with creditregistry.connect(server.address, enforcement_token) as client:
        yield client


@pytest.fixture
def buyer(server: Server, procurement_token: str):
    """A client acting for a procurement platform."""
    with creditregistry.connect(server.address, procurement_token) as client:
        yield client


@pytest.fixture
def auditor(server: Server, auditor_token: str):
    """A client acting for an auditor."""
    with creditregistry.connect(server.address, auditor_token) as client:
        yield client


@pytest.fixture
def anonymous(server: Server):
    """A client that sends no token."""
    with creditregistry.connect(server.address) as client:
        yield client
