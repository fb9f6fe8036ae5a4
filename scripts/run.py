"""Train if needed, start the whole stack, print where to find it, stop it on Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import time

from handoff.config import VAR_DIR
from scripts.processes import start_all, stop_all
from scripts.stack import prepare_database, stack_services
from scripts.train import ensure_model


def _stop(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    model = ensure_model()
    credentials = prepare_database()
    log_dir = VAR_DIR / "log"
    services = stack_services(model, log_dir)
    start_all(services)
    gateway = f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}"
    print(f"""
Toko Nusa assistant is running (Ctrl-C stops everything).
  Demo store with the chat widget  {gateway}/
  Agent inbox                      {gateway}/inbox
  Ops transcripts                  {gateway}/ops
  Ops dashboard                    {gateway}/ops/dashboard
  API docs (OpenAPI)               {gateway}/docs
  Rasa server                      {os.environ.get('RASA_URL', 'http://127.0.0.1:5005')}
  Logs                             {log_dir}
""", flush=True)
    if credentials:
        username, password = credentials
        print(f"First admin account (shown only this once): {username} / {password}\n",
              flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        if sys.stdin.isatty() and os.environ.get("SHOP_TERMINAL_CHAT", "1") == "1":
            from scripts.chat import main as chat

            chat()
        while all(s.process and s.process.poll() is None for s in services):
            time.sleep(1)
        print(f"==> a process stopped; see {log_dir}", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        print("\n==> stopping", file=sys.stderr)
        stop_all(services)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
