"""Start the stack's processes, wait until each answers, stop them all together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store.private_files import private_file

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    log: Path
    env: dict[str, str] | None = field(default=None, repr=False)
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        handle = private_file(self.log).open("ab")  # logs may quote customers: owner only
        # Own process group, so stopping also ends the workers it spawns.
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True, env=self.env,
        )

    def wait_healthy(self, timeout: float) -> None:
        def exited() -> None:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; "
                                   f"see {self.log}")

        if not wait_for_url(self.health_url, timeout, check=exited):
            raise RuntimeError(f"{self.name} did not answer {self.health_url} in "
                               f"{timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def wait_for_url(url: str, timeout: float, check: Callable[[], None] = lambda: None) -> bool:
    """True once `url` answers below 500; False after `timeout`. `check` may raise to stop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check()
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return True
        except urllib.error.HTTPError as error:  # an answer all the same (401: Rasa's /status)
            if error.code < 500:
                return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    return False


def start_all(services: list[Service], timeout: float = 240) -> None:
    try:
        # One after the other: the gateway opens only once Rasa can answer, so an early
        # customer is served by the bot rather than queued as "assistant unavailable".
        for service in services:
            print(f"==> starting {service.name} (log: {service.log})", file=sys.stderr)
            service.start()
            service.wait_healthy(timeout)
    except BaseException:
        stop_all(services)
        raise


def stop_all(services: list[Service]) -> None:
    for service in reversed(services):
        service.stop()
