"""The action server as we run it: rasa-sdk's app behind a shared secret, on loopback.

rasa-sdk 3.6 has no authentication of its own and listens on 0.0.0.0 with CORS open to
every origin, so anyone who could reach it could run any action with a made-up tracker
(an order's status without verification, an address change on someone else's order).
Here every call but /health must carry `Authorization: Bearer <ACTION_SERVER_SECRET>`
(Rasa sends it: endpoints.yml), checked before any action runs; it listens on
ACTIONS_INTERFACE (127.0.0.1 unless set) and allows no cross-origin callers.

    python -m actions.server --port 5055
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from store.settings import get_settings

logger = logging.getLogger("actions.server")  # also when run as __main__
OPEN_PATHS = ("/health",)  # the health check carries no secret and runs nothing


def refusal(request: Request, secret: str) -> HTTPResponse | None:
    """401 without credentials, 403 with wrong ones, None when the call may go on."""
    if request.path in OPEN_PATHS:
        return None
    provided = request.headers.get("authorization", "")
    if not provided:
        status, reason = 401, "no credentials"
    elif not hmac.compare_digest(provided.encode(), f"Bearer {secret}".encode()):
        status, reason = 403, "wrong credentials"
    else:
        return None
    # Never the provided value itself: it may be a near miss of the real secret.
    logger.warning("refused %s %s from %s: %s", request.method, request.path, request.ip,
                   reason)
    return response.json({"error": "not authorised"}, status=status)


def create_guarded_app(secret: str, actions_package: str = "actions") -> Sanic:
    if not secret:
        raise ValueError("ACTION_SERVER_SECRET is not set; scripts/env.sh makes one for "
                         "development, docs/security.md says what to set in production")
    app = create_app(actions_package, cors_origins=None)

    @app.middleware("request")
    async def require_secret(request: Request) -> HTTPResponse | None:
        return refusal(request, secret)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m actions.server", description=__doc__)
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions", help="package with the actions")
    args = parser.parse_args(argv)
    settings = get_settings()
    utils.configure_colored_logging(logging.INFO)
    utils.update_sanic_log_level()
    try:
        app = create_guarded_app(settings.action_server_secret, args.actions)
    except ValueError as error:
        raise SystemExit(f"action server: {error}") from None
    logger.info("action server on http://%s:%s", settings.actions_interface, args.port)
    app.run(settings.actions_interface, args.port, access_log=False,
            workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
