"""Rasa's server the way this project serves it (docs/security.md).

    python -m scripts.rasa_server --model models/x.tar.gz --port 5005

is `rasa run` with the HTTP API behind RASA_AUTH_TOKEN, listening on RASA_INTERFACE
(127.0.0.1 unless set), serving only the channels in credentials.yml (the gateway's).
The token is handed to Rasa inside this process: on the command line (`--auth-token`) any
user of the machine could read it in `ps`.
"""

from __future__ import annotations

import sys

from store.settings import ROOT, get_settings


def rasa_arguments(argv: list[str]) -> list[str]:
    settings = get_settings()
    if not settings.rasa_auth_token:
        raise SystemExit("Rasa server: RASA_AUTH_TOKEN is not set; scripts/env.sh makes one "
                         "for development, docs/security.md says what to set in production")
    return ["run", *argv, "--enable-api", "--auth-token", settings.rasa_auth_token,
            "--interface", settings.rasa_interface,
            "--credentials", str(ROOT / "credentials.yml"),
            "--endpoints", str(ROOT / "endpoints.yml")]


def main(argv: list[str] | None = None) -> None:
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
