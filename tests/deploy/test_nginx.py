"""deploy/nginx.conf routes as docs/security.md says, run by a real nginx.

The file is served as it is, but for what only Docker provides: its service names become
stand-in upstreams on loopback (small HTTP servers that answer with what they received),
its ports free loopback ports, and `resolve` (nginx 1.27.3+, Docker's DNS) is left out
since this machine's nginx is older and there is no DNS for the names here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from scripts.processes import free_port, wait_for_url
from scripts.production import NGINX, NGINX_TEMP_KINDS
from tests.deploy.artifacts import DEPLOY

LISTENERS = (8000, 8001, 5005, 5055)


class Echo(BaseHTTPRequestHandler):
    """Answers every request with what it received: which upstream, path, headers."""

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        body = json.dumps({"upstream": self.server.name, "path": self.path,  # type: ignore[attr-defined]
                           "headers": {k.lower(): v for k, v in self.headers.items()}})
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = _answer

    def log_message(self, *_: object) -> None:
        pass


def local_config(text: str, listen: dict[int, int], upstreams: dict[str, int],
                 state: Path) -> str:
    text = re.sub(r"listen (\d+);", lambda m: f"listen 127.0.0.1:{listen[int(m[1])]};", text)
    text = re.sub(r"server (\w+):\d+ resolve", lambda m: f"server 127.0.0.1:{upstreams[m[1]]}",
                  text)
    temp = "".join(f"  {kind}_temp_path {state}/{kind};\n" for kind in NGINX_TEMP_KINDS)
    user = "user root root;\n" if os.geteuid() == 0 else ""
    head = f"{user}pid {state}/nginx.pid;\nerror_log {state}/error.log warn;\n"
    return head + text.replace("http {\n", "http {\n" + temp, 1)


@pytest.fixture(scope="module")
def nginx(tmp_path_factory) -> Iterator[dict[int, str]]:
    """The public and internal listeners of deploy/nginx.conf, by their port there."""
    if not Path(NGINX).exists():
        pytest.skip("nginx is missing (scripts/test installs it)")
    state = tmp_path_factory.mktemp("nginx")
    servers = {}
    for name in ("gateway", "rasa", "actions"):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
        server.name = name  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[name] = server
    listen = {port: free_port() for port in LISTENERS}
    config = state / "nginx.conf"
    config.write_text(local_config((DEPLOY / "nginx.conf").read_text(), listen,
                                   {n: s.server_address[1] for n, s in servers.items()}, state))
    process = subprocess.Popen([NGINX, "-p", str(state), "-c", str(config),
                                "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        assert wait_for_url(f"http://127.0.0.1:{listen[8001]}/", 15), \
            (state / "error.log").read_text() if (state / "error.log").exists() else ""
        yield {port: f"http://127.0.0.1:{local}" for port, local in listen.items()}
    finally:
        process.terminate()
        process.wait(timeout=10)
        for server in servers.values():
            server.shutdown()


def fetch(url: str, method: str = "GET", **kwargs) -> tuple[int, dict]:
    response = httpx.request(method, url, timeout=10, **kwargs)
    is_json = response.headers.get("content-type") == "application/json"
    return response.status_code, response.json() if is_json else {}


@pytest.mark.parametrize("path", ["/", "/ws/chat", "/api/v1/metrics", "/healthz", "/inbox"])
def test_public_side_reaches_the_gateways(nginx, path):
    status, seen = fetch(nginx[8000] + path)
    assert (status, seen["upstream"], seen["path"]) == (200, "gateway", path)


@pytest.mark.parametrize("method,path", [("POST", "/rasa/callback"), ("GET", "/rasa/"),
                                         ("GET", "/metrics"), ("GET", "/metrics/x")])
def test_public_side_never_passes_rasas_callback_or_the_metrics(nginx, method, path):
    assert fetch(nginx[8000] + path, method) == (404, {})


def test_public_side_overwrites_forwarded_for_and_passes_websocket_upgrades(nginx):
    _, seen = fetch(nginx[8000] + "/ws/chat", headers={
        "X-Forwarded-For": "203.0.113.9", "Upgrade": "websocket", "Connection": "Upgrade"})
    headers = seen["headers"]
    assert headers["x-forwarded-for"] == "127.0.0.1"  # nobody can pose as someone else
    assert (headers["upgrade"], headers["connection"]) == ("websocket", "upgrade")


def test_callback_listener_passes_only_the_callback(nginx):
    status, seen = fetch(nginx[8001] + "/rasa/callback", "POST", content=b"{}")
    assert (status, seen["upstream"]) == (200, "gateway")
    assert fetch(nginx[8001] + "/healthz") == (404, {})
    assert fetch(nginx[8001] + "/api/v1/handoffs") == (404, {})


def test_internal_listeners_reach_rasa_and_the_action_servers(nginx):
    token = "token-that-must-not-be-logged-" + os.urandom(8).hex()
    status, seen = fetch(f"{nginx[5005]}/webhooks/gateway/webhook?token={token}", "POST",
                         content=b"{}")
    assert (status, seen["upstream"]) == (200, "rasa")
    assert seen["path"].endswith(token)
    status, seen = fetch(nginx[5055] + "/webhook", "POST", content=b"{}")
    assert (status, seen["upstream"]) == (200, "actions")
    # Access logs are off: Rasa's token travels in the query string.
    for log in (Path("/var/log/nginx/access.log"),):
        assert not log.exists() or token not in log.read_text(errors="replace")
