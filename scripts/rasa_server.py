"""Rasa's server the way this project serves it (docs/security.md).

    python -m scripts.rasa_server --model models/x.tar.gz --port 5005

is `rasa run` with the HTTP API behind RASA_AUTH_TOKEN, listening on RASA_INTERFACE
(127.0.0.1 unless set), serving only the channels in credentials.yml (the gateway's).
The token is handed to Rasa inside this process: on the command line (`--auth-token`) any
user of the machine could read it in `ps`.

Warm start: the server opens its port only after the loaded model has parsed a first
message and predicted a first action (`warmed_up`). Both cost seconds the first time
(TensorFlow builds its graphs), and without it the first customers after a start or an
automatic restart paid them. So anything that answers on the port (`/version`, which the
load balancer and the readiness probes use) is ready to serve at full speed.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from store.settings import ROOT, get_settings

logger = logging.getLogger("scripts.rasa_server")
# One of each language, the way customers open: the first parse and prediction of each
# run TensorFlow's graph building, which is what makes a cold first answer slow.
WARM_UP_MESSAGES = ("halo kak, pesanan saya belum sampai", "hi, I want to talk to a person")


def rasa_arguments(argv: list[str]) -> list[str]:
    settings = get_settings()
    if not settings.rasa_auth_token:
        raise SystemExit("Rasa server: RASA_AUTH_TOKEN is not set; scripts/env.sh makes one "
                         "for development, docs/security.md says what to set in production")
    return ["run", *argv, "--enable-api", "--auth-token", settings.rasa_auth_token,
            "--interface", settings.rasa_interface,
            "--credentials", str(ROOT / "credentials.yml"),
            "--endpoints", str(ROOT / "endpoints.yml")]


async def warm_up(agent: Any) -> float:
    """Parse and predict once per warm-up message on a throwaway in-memory tracker (the
    tracker store is not touched); returns the seconds it took."""
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    started = time.perf_counter()
    for text in WARM_UP_MESSAGES:
        parsed = await agent.parse_message(text)
        tracker = DialogueStateTracker.from_events(
            "warm-up", [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"],
                                                                     parsed["entities"],
                                                                     parsed)],
            slots=agent.domain.slots, domain=agent.domain)
        agent.predict_next_with_tracker(tracker)
    return time.perf_counter() - started


def _load_then_warm_up() -> None:
    """Make Rasa's before-server-start step (loading the model) also warm it up."""
    import rasa.core.run

    load = rasa.core.run.load_agent_on_start

    async def load_and_warm_up(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        # Sanic's logging set-up disables the loggers it finds and leaves ours at WARNING.
        logger.disabled = False
        logger.setLevel(logging.INFO)
        logger.info("model warmed up in %.1f s; opening the port", await warm_up(agent))
        return agent

    rasa.core.run.load_agent_on_start = load_and_warm_up


def main(argv: list[str] | None = None) -> None:
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:] if argv is None else argv)]
    _load_then_warm_up()
    rasa_main()


if __name__ == "__main__":
    main()
