"""Health probe of the container's own process: exit 0 when it is ready, 1 when not.

    python deploy/probe.py gateway|rasa|actions

The Compose healthchecks use it for all three (the image has no curl); Kubernetes uses it
only for Rasa's readiness. Rasa's /status is the one health endpoint that shows the model
is loaded, and it wants RASA_AUTH_TOKEN as `?token=` (the only way Rasa 3.6 takes a plain
token), which an httpGet probe cannot take from a Secret; here it comes from the
environment and never appears in a manifest or a process list.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

from store.settings import get_settings

# role: (port variable, default port, path)
CHECKS = {
    "gateway": ("GATEWAY_PORT", "8000", "/healthz"),
    "rasa": ("RASA_PORT", "5005", "/status"),
    "actions": ("ACTIONS_PORT", "5055", "/health"),
}
TIMEOUT_SECONDS = 5


def probe_url(role: str) -> str:
    variable, default, path = CHECKS[role]
    url = f"http://127.0.0.1:{os.environ.get(variable) or default}{path}"
    if role == "rasa":
        url += f"?token={get_settings().rasa_auth_token}"
    return url


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in CHECKS:
        print(f"usage: probe.py {'|'.join(CHECKS)}", file=sys.stderr)
        return 2
    try:
        with urllib.request.urlopen(probe_url(argv[0]), timeout=TIMEOUT_SECONDS):
            return 0
    except urllib.error.HTTPError as error:  # the URL (with the token) is never printed
        print(f"{argv[0]} answered HTTP {error.code}", file=sys.stderr)
    except (urllib.error.URLError, OSError) as error:
        print(f"{argv[0]} unreachable: {getattr(error, 'reason', error)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
