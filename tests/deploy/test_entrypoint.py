"""The image's commands, run here as the container runs them: deploy/entrypoint.sh with
`migrate`, `actions`, `rasa` and `gateway`, configured only through the environment, and
deploy/probe.py, which the Compose healthchecks and Rasa's Kubernetes readiness run.

On loopback instead of the container's 0.0.0.0 (UVICORN_HOST, RASA_INTERFACE,
ACTIONS_INTERFACE), with the test model added to the `rasa` command's arguments.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scripts.processes import BIN, Service, free_port, start_all, stop_all
from scripts.widget_client import Widget
from store import db
from store.models import Agent
from tests.deploy.artifacts import DEPLOY, ROOT
from tests.handoff.conftest import postgres_schema

ENTRYPOINT = str(DEPLOY / "entrypoint.sh")
PROBE = str(DEPLOY / "probe.py")
FIRST_ADMIN = "First admin account (shown only this once)"


def image_environment(**settings: str) -> dict[str, str]:
    """What the Dockerfile fixes, on loopback, plus `settings`."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(ROOT), "UVICORN_HOST": "127.0.0.1",
            "RASA_INTERFACE": "127.0.0.1", "ACTIONS_INTERFACE": "127.0.0.1",
            "RASA_TELEMETRY_ENABLED": "false", "SANIC_REGISTER": "false",
            "SANIC_ACCESS_LOG": "false", "TF_CPP_MIN_LOG_LEVEL": "2", **settings}


def run(*command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)


def agents(database_url: str) -> int:
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count(Agent.id))).scalar_one()
    finally:
        engine.dispose()


def test_migrate_brings_the_database_to_head_and_makes_the_first_admin_once(tmp_path):
    url = f"sqlite:///{tmp_path}/shop.db"
    env = image_environment(DATABASE_URL=url)
    first, second = run(ENTRYPOINT, "migrate", env=env), run(ENTRYPOINT, "migrate", env=env)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert FIRST_ADMIN in first.stdout
    assert FIRST_ADMIN not in second.stdout and "accounts exist" in second.stdout
    assert agents(url) == 1


def test_migrate_from_several_pods_at_once_makes_one_admin():
    if not os.environ.get("TEST_POSTGRES_URL"):
        pytest.skip("TEST_POSTGRES_URL is not set (scripts/test starts PostgreSQL)")
    with postgres_schema("migrate") as url:
        env = image_environment(DATABASE_URL=url)
        processes = [subprocess.Popen([ENTRYPOINT, "migrate"], env=env, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for _ in range(3)]
        results = [(p.wait(timeout=180), *p.communicate()) for p in processes]
        assert [code for code, _, _ in results] == [0, 0, 0], [e for _, _, e in results]
        assert sum(FIRST_ADMIN in out for _, out, _ in results) == 1
        assert agents(url) == 1


@pytest.fixture(scope="module")
def image_commands(tmp_path_factory) -> Iterator[dict[str, str]]:
    """actions, rasa and gateway started by the entry point on one SQLite database."""
    from scripts.train import ensure_model

    model = Path(os.environ.get("SHOP_TEST_MODEL") or ensure_model())
    state = tmp_path_factory.mktemp("image")
    ports = {name: str(free_port()) for name in ("GATEWAY_PORT", "RASA_PORT", "ACTIONS_PORT")}
    env = image_environment(
        **ports, DATABASE_URL=f"sqlite:///{state}/shop.db", TRACKER_STORE_DIALECT="sqlite",
        TRACKER_STORE_URL=f"sqlite:///{state}/tracker.db", LOCK_STORE_TYPE="in_memory",
        REDIS_HOST="127.0.0.1", REDIS_PORT="6379",  # endpoints.yml names them either way
        RASA_URL=f"http://127.0.0.1:{ports['RASA_PORT']}",
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{ports['ACTIONS_PORT']}/webhook",
        GATEWAY_CALLBACK_URL=f"http://127.0.0.1:{ports['GATEWAY_PORT']}/rasa/callback",
        **{name: secrets.token_hex(32)
           for name in ("RASA_AUTH_TOKEN", "ACTION_SERVER_SECRET", "CALLBACK_SECRET")})
    assert run(ENTRYPOINT, "migrate", env=env).returncode == 0
    services = [
        Service("action server", [ENTRYPOINT, "actions"],
                f"http://127.0.0.1:{ports['ACTIONS_PORT']}/health", state / "actions.log", env),
        Service("Rasa server", [ENTRYPOINT, "rasa", "--model", str(model)],
                f"http://127.0.0.1:{ports['RASA_PORT']}/version", state / "rasa.log", env),
        Service("gateway", [ENTRYPOINT, "gateway"],
                f"http://127.0.0.1:{ports['GATEWAY_PORT']}/healthz", state / "gateway.log", env),
    ]
    start_all(services, timeout=300)
    try:
        yield env
    finally:
        stop_all(services)


@pytest.mark.parametrize("role", ["actions", "rasa", "gateway"])
def test_each_process_is_ready_by_its_probe(image_commands, role):
    probe = run("python", PROBE, role, env=image_commands)
    assert probe.returncode == 0, probe.stderr


def test_rasa_is_not_ready_to_a_probe_with_the_wrong_token(image_commands):
    wrong = "wrong-" + secrets.token_hex(16)
    probe = run("python", PROBE, "rasa", env={**image_commands, "RASA_AUTH_TOKEN": wrong})
    assert probe.returncode == 1
    assert "HTTP 401" in probe.stderr
    assert wrong not in probe.stdout + probe.stderr


def test_a_probe_of_a_process_that_is_not_there_fails(image_commands):
    probe = run("python", PROBE, "gateway", env={**image_commands,
                                                 "GATEWAY_PORT": str(free_port())})
    assert probe.returncode == 1 and "unreachable" in probe.stderr


async def test_the_three_commands_answer_a_customer(image_commands):
    widget = await Widget.open(f"http://127.0.0.1:{image_commands['GATEWAY_PORT']}", "en-US")
    try:
        await widget.say("How long does shipping to Surabaya take?")
        reply = await widget.bot_says(timeout=120)  # the action server ran the session start
        assert reply["text"]
        assert not any(f.get("sender") == "system" for f in widget.frames)  # no apology
    finally:
        await widget.close()
