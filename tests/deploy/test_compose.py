"""deploy/compose.yml: valid Compose, fails closed without its secrets, publishes only nginx.

Docker cannot run here, so the file is checked as Compose reads it: variables substituted
from deploy/.env.example (secrets filled in), then validated against the Compose
Specification's JSON schema (vendored in tests/deploy/schemas: no download at test time).
"""

from __future__ import annotations

import hashlib
import json

import jsonschema
import pytest

from tests.deploy.artifacts import (
    COMPOSE_SCHEMA,
    COMPOSE_SCHEMA_SHA256,
    DEPLOY,
    MissingVariable,
    compose,
    compose_processes,
    compose_variables,
    env_example,
    filled_env,
)

SECRETS = ("POSTGRES_PASSWORD", "RASA_AUTH_TOKEN", "ACTION_SERVER_SECRET", "CALLBACK_SECRET")
# Optional (the attachment bucket): empty in the example too, but Compose starts without them.
OPTIONAL_SECRETS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


def compose_errors(config: dict) -> list[str]:
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(config)]


def test_the_vendored_schema_is_the_one_noted():
    assert hashlib.sha256(COMPOSE_SCHEMA.read_bytes()).hexdigest() == COMPOSE_SCHEMA_SHA256


def test_compose_file_follows_the_compose_specification():
    assert compose_errors(compose()) == []


def test_the_schema_check_catches_a_mistake():
    config = compose()
    config["services"]["gateway"]["depends_on"]["rasa"]["condition"] = "service_ready"
    config["services"]["rasa"]["enviroment"] = {}
    errors = compose_errors(config)
    assert any("service_ready" in e for e in errors), errors
    assert any("enviroment" in e for e in errors), errors


@pytest.mark.parametrize("secret", SECRETS)
def test_compose_refuses_to_start_without_each_secret(secret):
    with pytest.raises(MissingVariable, match=secret):
        compose({**filled_env(), secret: ""})
    assert {op for name, op in compose_variables() if name == secret} == {":?"}


def test_every_variable_compose_reads_is_in_the_env_example():
    assert {name for name, _ in compose_variables()} <= set(env_example())
    # No value to copy by mistake.
    assert all(env_example()[name] == "" for name in SECRETS + OPTIONAL_SECRETS)


def test_only_nginx_publishes_a_port_and_only_the_public_one():
    published = {name: service["ports"] for name, service in compose()["services"].items()
                 if service.get("ports")}
    assert published == {"nginx": ["8000:8000"]}


def test_one_image_three_processes_each_supervised_with_a_healthcheck():
    config = compose()
    processes = compose_processes(config)
    assert set(processes) == {"gateway", "rasa", "actions", "migrate"}
    assert len({p["image"] for p in processes.values()}) == 1
    for name in ("gateway", "rasa", "actions"):
        service = processes[name]
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"][-2:] == ["/app/deploy/probe.py", name]
        assert int(service["deploy"]["replicas"]) >= 2, name
    assert processes["migrate"]["restart"] == "no"  # runs once per deploy


def test_nothing_starts_before_what_it_needs():
    services = compose()["services"]
    needs = {name: {dependency: condition["condition"]
                    for dependency, condition in service.get("depends_on", {}).items()}
             for name, service in services.items()}
    assert needs["migrate"]["postgres"] == "service_healthy"
    assert needs["gateway"]["migrate"] == "service_completed_successfully"
    assert needs["gateway"]["rasa"] == "service_healthy"
    assert needs["actions"]["migrate"] == "service_completed_successfully"
    assert needs["nginx"]["gateway"] == "service_healthy"


def test_files_the_compose_file_mounts_exist():
    mounts = [volume.split(":")[0] for service in compose()["services"].values()
              for volume in service.get("volumes", []) if volume.startswith("./")]
    assert mounts
    for mount in mounts:
        assert (DEPLOY / mount).is_file(), mount
