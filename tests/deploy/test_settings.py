"""The deployment artifacts and the settings list cannot drift apart.

- Every variable the artifacts give a process is one something reads: store/settings.py
  (the settings object), endpoints.yml / credentials.yml (Rasa), deploy/entrypoint.sh
  (the ports), or a named library. A misspelt or retired variable fails here.
- Every variable of docs/production.md's "Configuration" table reaches each process the
  table says reads it, in Compose and in Kubernetes; and each secret reaches only those
  (docs/security.md: a process holds only the secrets it uses).
"""

from __future__ import annotations

import re

import pytest

from tests.deploy.artifacts import (
    DEPLOY,
    ROOT,
    compose,
    compose_processes,
    configuration_table,
    container_environment,
    kubernetes_documents,
    kubernetes_processes,
    secret_template,
)

# Read by a library, not by our settings: who reads it.
LIBRARY_VARIABLES = {
    "UVICORN_HOST": "uvicorn: where the gateway listens",
    "RASA_TELEMETRY_ENABLED": "Rasa",
    "SANIC_REGISTER": "Sanic",
    "SANIC_ACCESS_LOG": "Sanic (Rasa's server)",
    "TF_CPP_MIN_LOG_LEVEL": "TensorFlow",
    "PYTHONPATH": "Python",
    "AWS_ACCESS_KEY_ID": "boto3 (attachment bucket)",
    "AWS_SECRET_ACCESS_KEY": "boto3 (attachment bucket)",
    "PYTHONDONTWRITEBYTECODE": "Python",
    "PYTHONUNBUFFERED": "Python",
    "HOME": "everything",
    "PIP_NO_CACHE_DIR": "pip (image build)",
    "PIP_DISABLE_PIP_VERSION_CHECK": "pip (image build)",
}


def variables_read() -> set[str]:
    settings = (ROOT / "store" / "settings.py").read_text()
    read = set(re.findall(r"env(?:iron)?(?:\.get\(|\[)\s*\"([A-Z][A-Z0-9_]*)\"", settings))
    for name in ("endpoints.yml", "credentials.yml"):
        read |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", (ROOT / name).read_text()))
    read |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (DEPLOY / "entrypoint.sh").read_text()))
    return read | set(LIBRARY_VARIABLES)


def test_the_settings_are_found_where_they_are_read():
    read = variables_read()
    assert {"DATABASE_URL", "RASA_AUTH_TOKEN", "TRACKER_STORE_URL", "GATEWAY_PORT"} <= read


def dockerfile_variables() -> set[str]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    return {name for line in text.splitlines() if line.startswith("ENV ")
            for name in re.findall(r"([A-Z][A-Z0-9_]*)=", line)}


def compose_environment() -> dict[str, set[str]]:
    return {process: set(service["environment"])
            for process, service in compose_processes(compose()).items()}


def kubernetes_environment() -> dict[str, set[str]]:
    return {process: container_environment(container)
            for process, container in kubernetes_processes().items()}


def test_every_variable_the_artifacts_set_is_read_by_something():
    set_by = {"deploy/Dockerfile": dockerfile_variables()}
    for process, names in compose_environment().items():
        set_by[f"compose {process}"] = names
    for process, names in kubernetes_environment().items():
        set_by[f"kubernetes {process}"] = names
    for path, document in kubernetes_documents():
        if document["kind"] in ("ConfigMap", "Secret"):
            set_by[path.name] = set(document.get("data") or document.get("stringData"))
    read = variables_read()
    assert {where: sorted(names - read) for where, names in set_by.items()
            if names - read} == {}


def test_the_table_lists_the_production_settings():
    table = configuration_table()
    assert table["DATABASE_URL"] == {"gateway", "actions"}
    assert table["RASA_AUTH_TOKEN"] == {"rasa", "gateway"}
    assert table["GATEWAY_PORT"] == {"gateway", "rasa", "actions"}


@pytest.mark.parametrize("deployment", ["compose", "kubernetes"])
def test_every_production_setting_reaches_the_processes_that_read_it(deployment):
    environment = (compose_environment() if deployment == "compose"
                   else kubernetes_environment())
    missing = {f"{name} for {process}" for name, readers in configuration_table().items()
               for process in readers if name not in environment[process]}
    assert sorted(missing) == []
    assert "DATABASE_URL" in environment["migrate"]


@pytest.mark.parametrize("deployment", ["compose", "kubernetes"])
def test_each_secret_reaches_only_the_processes_that_use_it(deployment):
    environment = (compose_environment() if deployment == "compose"
                   else kubernetes_environment())
    table = configuration_table()
    secrets = set(secret_template()["stringData"])
    assert secrets == {"RASA_AUTH_TOKEN", "ACTION_SERVER_SECRET", "CALLBACK_SECRET",
                       "DATABASE_URL", "TRACKER_STORE_URL", "AWS_ACCESS_KEY_ID",
                       "AWS_SECRET_ACCESS_KEY"}
    for secret in secrets:
        holders = {process for process, names in environment.items() if secret in names}
        allowed = table[secret] | ({"migrate"} if secret == "DATABASE_URL" else set())
        assert holders == allowed, secret
