"""Production layout on one machine: N of each process behind nginx, PostgreSQL and Redis.

    nginx :GATEWAY_PORT ─► gateway 1..N ─┐  (live updates fanned out through Redis)
    nginx :RASA_PORT    ─► Rasa 1..N    ─┤  tracker store: PostgreSQL, lock store: Redis
    nginx :ACTIONS_PORT ─► actions 1..N ─┘  shop database: PostgreSQL
    nginx :CALLBACK_PORT ─► gateway 1..N, /rasa/callback only (Rasa's side)

Only GATEWAY_PORT is the public side; it never passes /rasa/ (Rasa's signed callbacks come
in on CALLBACK_PORT) nor /metrics (scraped on each gateway's own port). Rasa, the action
servers and the callback are internal: every call carries its secret (docs/security.md).

Every process is configured through environment variables only (the same code as the
single-machine default); docs/production.md maps this layout onto separate machines.
`production_stack()` starts it for tests and benchmarks, `scripts/start-production` for
people. PostgreSQL and Redis must already run: their URLs come in as arguments.
supervisord runs the processes (scripts/supervision.py): one that exits is started again
while the others keep serving, and the layout stops only when asked.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scripts.processes import Service, free_port
from scripts.stack import internal_secrets, shop_environment, stack_services
from scripts.supervision import (
    SupervisedService,
    Supervisor,
    start_supervisord,
    wait_all_healthy,
)
from store.settings import get_settings

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PUBLIC = ("GATEWAY_PORT", "RASA_PORT", "ACTIONS_PORT")
UPSTREAMS = {"GATEWAY_PORT": "gateways", "RASA_PORT": "rasa", "ACTIONS_PORT": "actions"}
NGINX_TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass(frozen=True)
class Ports:
    """The load balancer's ports, each instance's own, and the internal callback port."""

    public: dict[str, int]
    instances: list[dict[str, int]]
    callback: int

    @classmethod
    def fixed(cls, instances: int, env: dict[str, str]) -> Ports:
        """Ports from the environment (8000, 5005, 5055; CALLBACK_PORT 8001); instance k on
        +100+k."""
        public = {name: int(env.get(name, default))
                  for name, default in zip(PUBLIC, ("8000", "5005", "5055"), strict=True)}
        return cls(public, [{name: port + 100 + k for name, port in public.items()}
                            for k in range(instances)],
                   int(env.get("CALLBACK_PORT") or public["GATEWAY_PORT"] + 1))

    @classmethod
    def free(cls, instances: int) -> Ports:
        return cls({name: free_port() for name in PUBLIC},
                   [{name: free_port() for name in PUBLIC} for _ in range(instances)],
                   free_port())


def nginx_config(ports: Ports, state: Path) -> str:
    def upstream(name: str) -> str:
        servers = "".join(
            # A refused or dead instance is skipped for 2 s; requests go to the others.
            f"    server 127.0.0.1:{p[name]} max_fails=1 fail_timeout=2s;\n"
            for p in ports.instances)
        return f"  upstream {UPSTREAMS[name]} {{\n{servers}    keepalive 64;\n  }}\n"

    def proxy(upstream: str, extra: str = "") -> str:
        return f"""      proxy_pass http://{upstream};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      # Overwritten, not appended: a client cannot pose as someone else.
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;  # a dead machine is given up on quickly
{extra}"""

    def server(port: int, locations: str) -> str:
        return f"  server {{\n    listen 127.0.0.1:{port};\n{locations}  }}\n"

    # WebSockets upgrades pass through; plain requests reuse kept-alive upstream connections.
    gateway_extra = """      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;  # WebSockets and the inbox's event stream stay open
      proxy_buffering off;    # server-sent events must not wait in a buffer
"""
    # The largest upload the gateways take (a video); each path's own limit is theirs.
    upload_mb = math.ceil(get_settings().attachments.upload_max_bytes / 2**20) + 1
    gateway_extra += f"      client_max_body_size {upload_mb}m;\n"
    keepalive = "      proxy_set_header Connection \"\";\n"
    # Rasa sends the whole tracker to the action server: big bodies, kept in memory.
    internal = (keepalive + "      proxy_read_timeout 120s;\n"
                "      client_max_body_size 16m;\n      client_body_buffer_size 1m;\n")
    public_gateway = (
        f"    location / {{\n{proxy('gateways', gateway_extra)}    }}\n"
        # Rasa's callback is internal: from the public side it does not exist; neither
        # do the gateways' metrics (Prometheus scrapes each gateway's own port).
        "    location ^~ /rasa/ {\n      return 404;\n    }\n"
        "    location = /metrics {\n      return 404;\n    }\n")
    callback = (f"    location = /rasa/callback {{\n{proxy('gateways', keepalive)}    }}\n"
                "    location / {\n      return 404;\n    }\n")

    def internal_only(name: str) -> str:
        return f"    location / {{\n{proxy(UPSTREAMS[name], internal)}    }}\n"

    temp = "".join(f"  {kind}_temp_path {state}/tmp/{kind};\n" for kind in NGINX_TEMP_KINDS)
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return f"""# Generated by scripts/production.py; edits are overwritten at the next start.
{user}worker_processes 1;
pid {state}/nginx.pid;
error_log {state}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;  # Rasa's token is in its query strings
{temp}  map $http_upgrade $connection_upgrade {{ default upgrade; '' ''; }}
{upstream("GATEWAY_PORT")}{upstream("RASA_PORT")}{upstream("ACTIONS_PORT")}\
{server(ports.public["GATEWAY_PORT"], public_gateway)}\
{server(ports.callback, callback)}\
{server(ports.public["RASA_PORT"], internal_only("RASA_PORT"))}\
{server(ports.public["ACTIONS_PORT"], internal_only("ACTIONS_PORT"))}}}
"""


def nginx_service(ports: Ports, state: Path) -> Service:
    state.mkdir(parents=True, exist_ok=True)
    for kind in NGINX_TEMP_KINDS:
        (state / "tmp" / kind).mkdir(parents=True, exist_ok=True)
    config = state / "nginx.conf"
    config.write_text(nginx_config(ports, state))
    return Service("nginx", [NGINX, "-p", str(state), "-c", str(config), "-g", "daemon off;"],
                   f"http://127.0.0.1:{ports.public['GATEWAY_PORT']}/healthz",
                   state / "nginx.log")


@dataclass
class ProductionStack:
    gateway_url: str  # nginx in front of the gateways: what customers and agents use
    rasa_url: str
    env: dict[str, str]
    ports: Ports
    services: dict[str, SupervisedService] = field(repr=False)
    supervisor: Supervisor = field(repr=False)

    def instance_url(self, k: int) -> str:
        return f"http://127.0.0.1:{self.ports.instances[k]['GATEWAY_PORT']}"

    def service(self, name: str) -> SupervisedService:
        """By name: "gateway 1", "Rasa server 2", "action server 1", "nginx"."""
        return self.services[name]


def layout_env(ports: Ports, database_url: str, tracker_url: str, redis_url: str,
               ) -> dict[str, str]:
    """What every process shares: the public (load-balanced) addresses and the stores."""
    redis_host, redis_port = redis_url.split("//", 1)[1].split("/", 1)[0].split(":")
    public = ports.public
    return {
        "DATABASE_URL": database_url,
        "TRACKER_STORE_DIALECT": "postgresql",
        "TRACKER_STORE_URL": tracker_url,
        "LOCK_STORE_TYPE": "redis",
        "REDIS_HOST": redis_host,
        "REDIS_PORT": redis_port,
        "REDIS_URL": redis_url,
        "LIVE_FANOUT": "redis",
        "RASA_URL": f"http://127.0.0.1:{public['RASA_PORT']}",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{public['ACTIONS_PORT']}/webhook",
        "GATEWAY_CALLBACK_URL": f"http://127.0.0.1:{ports.callback}/rasa/callback",
        "LOG_FORMAT": "json",
    }


def layout_services(model: Path, ports: Ports, env: dict[str, str], state: Path,
                    ) -> dict[str, Service]:
    """Action servers, Rasa servers, gateways (instance k listens on its own ports), nginx."""
    services: dict[str, Service] = {"nginx": nginx_service(ports, state / "nginx")}
    for k, own in enumerate(ports.instances, start=1):
        instance_env = {**env, **{name: str(port) for name, port in own.items()}}
        for service in stack_services(model, state / "log" / str(k), instance_env):
            service.name = f"{service.name} {k}"
            services[service.name] = service
    return services


def start_order(services: dict[str, Service]) -> list[Service]:
    """Action servers first, then Rasa, then the gateways, then the load balancer."""
    kinds = ("action server", "Rasa server", "gateway", "nginx")
    return sorted(services.values(),
                  key=lambda s: next(i for i, kind in enumerate(kinds) if s.name.startswith(kind)))


@contextlib.contextmanager
def production_stack(
    instances: int, state: Path, *, model: Path, database_url: str, tracker_url: str,
    redis_url: str, ports: Ports | None = None, extra_env: dict[str, str] | None = None,
) -> Iterator[ProductionStack]:
    """Start the layout under supervisord (the shop database must be migrated and seeded);
    wait until every process answers; stop it all after.

    While it runs, os.environ holds the layout's internal secrets, so this process's own
    calls to Rasa (the tests', the benchmarks') carry the token.
    """
    ports = ports or Ports.free(instances)
    secrets = internal_secrets(os.environ)
    env = {**os.environ, **layout_env(ports, database_url, tracker_url, redis_url),
           **secrets, **(extra_env or {})}
    ordered = start_order(layout_services(model, ports, env, state))
    with shop_environment(secrets):
        supervisor = start_supervisord(ordered, env, state / "supervisor")
        try:
            supervised = {s.name: SupervisedService(s, supervisor) for s in ordered}
            wait_all_healthy(list(supervised.values()), timeout=300)
            yield ProductionStack(f"http://127.0.0.1:{ports.public['GATEWAY_PORT']}",
                                  env["RASA_URL"], env, ports, supervised, supervisor)
        finally:
            supervisor.shutdown()
