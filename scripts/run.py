"""Train if needed, start the whole stack, print where to find it, stop it on Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import time

from scripts.processes import ROOT, assistant_services, start_all, stop_all
from scripts.train import ensure_model


def prepare_database() -> None:
    from actions.orders.models import Order  # noqa: F401  (registers the order tables)
    from actions.orders.seed import seed_demo_orders
    from handoff.db import Base, get_engine, session_scope

    Base.metadata.create_all(get_engine())
    with session_scope() as session:
        added = seed_demo_orders(session)
    if added:
        print(f"==> seeded {added} demo orders (see docs/demo-orders.md)", file=sys.stderr)


def main() -> int:
    model = ensure_model()
    prepare_database()
    services = assistant_services(model, ROOT / "var" / "log")
    start_all(services)
    rasa_url = os.environ.get("RASA_URL", "http://127.0.0.1:5005")
    print(f"\nAssistant running.\n  Rasa API:      {rasa_url}\n"
          f"  Action server: http://127.0.0.1:{os.environ.get('ACTIONS_PORT', '5055')}\n"
          "Press Ctrl-C to stop.\n", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        if sys.stdin.isatty():
            from scripts.chat import main as chat

            chat()
        else:
            while all(s.process and s.process.poll() is None for s in services):
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("\n==> stopping", file=sys.stderr)
        stop_all(services)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
