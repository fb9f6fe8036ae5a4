"""The image's `migrate` command: the shop database to head, then the first admin account.

Run once per deploy before the gateways start (Compose: the `migrate` service; Kubernetes:
the gateway pods' init container). Safe to run from several places at once: migrations take
turns (store.migrate), and of two runs that both find no account, one creates the admin
and the other is told it exists. No demo orders: a real store imports its own
(docs/orders-csv.md). The admin's password is printed once, here; read it in this
command's log and change it.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from handoff.auth.accounts import ensure_first_admin
from store.db import session_scope
from store.migrate import upgrade_to_head


def main() -> int:
    print(f"shop database at revision {upgrade_to_head()}", flush=True)
    try:
        with session_scope() as session:
            credentials = ensure_first_admin(session)
    except IntegrityError:  # another instance created it at the same moment
        credentials = None
    if credentials:
        username, password = credentials
        print(f"First admin account (shown only this once): {username} / {password}",
              flush=True)
    else:
        print("accounts exist; no admin created", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
