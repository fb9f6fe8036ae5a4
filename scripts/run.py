"""Train if needed, start the whole stack, print where to find it, stop it on Ctrl-C.

`--instances N` starts the production layout instead (scripts/start-production):
N of each process behind nginx, on PostgreSQL and Redis (see scripts/production.py), under
supervisord: a process that exits is started again, and it runs until stopped (Ctrl-C,
SIGTERM, or `supervisorctl -c var/production/supervisor/supervisord.conf shutdown`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from scripts.processes import start_all, stop_all
from scripts.stack import prepare_database, stack_services
from scripts.train import ensure_model
from store.settings import VAR_DIR


def _stop(*_: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def single_stack(model: Path, log_dir: Path) -> Iterator[Callable[[], bool]]:
    """Yields whether all three processes still run (one stopping stops the stack)."""
    services = stack_services(model, log_dir)
    start_all(services)
    try:
        yield lambda: all(s.process and s.process.poll() is None for s in services)
    finally:
        print("\n==> stopping", file=sys.stderr)
        stop_all(services)


@contextlib.contextmanager
def production_layout(model: Path, instances: int) -> Iterator[Callable[[], bool]]:
    """Yields whether supervisord still runs (it restarts whatever else stops)."""
    from scripts.production import Ports, production_stack

    with production_stack(
        instances, VAR_DIR, model=model, database_url=os.environ["DATABASE_URL"],
        tracker_url=os.environ["TRACKER_STORE_URL"], redis_url=os.environ["REDIS_URL"],
        ports=Ports.fixed(instances, dict(os.environ)),
    ) as stack:
        print(f"==> supervised: .venv/bin/supervisorctl -c {stack.supervisor.config} status",
              file=sys.stderr)
        try:
            yield stack.supervisor.running
        finally:
            print("\n==> stopping", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=0,
                        help="production layout with this many of each process (needs "
                             "PostgreSQL and Redis; use scripts/start-production)")
    args = parser.parse_args(argv)
    model = ensure_model()
    credentials = prepare_database()
    log_dir = VAR_DIR / "log"
    layout = (production_layout(model, args.instances) if args.instances
              else single_stack(model, log_dir))
    signal.signal(signal.SIGTERM, _stop)
    with layout as running:
        gateway = f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}"
        mode = (f"production layout: {args.instances} of each process behind nginx"
                if args.instances else "single machine")
        print(f"""
Toko Nusa assistant is running ({mode}; Ctrl-C stops everything).
  Demo store with the chat widget  {gateway}/
  Agent inbox                      {gateway}/inbox
  Ops transcripts                  {gateway}/ops
  Ops dashboard                    {gateway}/ops/dashboard
  Accounts (admin)                 {gateway}/admin
  API docs (OpenAPI)               {gateway}/docs
  Rasa server                      {os.environ.get('RASA_URL', 'http://127.0.0.1:5005')}
  Logs                             {log_dir}
""", flush=True)
        if credentials:
            username, password = credentials
            print(f"First admin account (shown only this once): {username} / {password}\n",
                  flush=True)
        try:
            if sys.stdin.isatty() and os.environ.get("SHOP_TERMINAL_CHAT", "1") == "1":
                from scripts.chat import main as chat

                chat()
            while running():
                time.sleep(1)
            print(f"==> stopped; see {log_dir}", file=sys.stderr)
        except KeyboardInterrupt:
            pass
        finally:
            # Stopping takes seconds: a second Ctrl-C must not leave processes running.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
