"""The deployment artifacts (deploy/) read the way an operator's tools read them: Compose
with its interpolation, the Kubernetes manifests, and the settings the docs list.

Which process a Compose service or a Kubernetes container runs is the image command it
gives (`gateway`, `rasa`, `actions`, `migrate`: deploy/entrypoint.sh).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
SECRET_TEMPLATE = K8S / "secret.template.yaml"
COMPOSE_SCHEMA = Path(__file__).resolve().parent / "schemas" / "compose-spec.json"
COMPOSE_SCHEMA_SHA256 = "d549057ebc2925f39f62799eab0db7b9e2c18b35b6c00595199116da3ed10e64"
PROCESSES = ("gateway", "rasa", "actions")

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}; $$ is a "$".
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
                       r"(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingVariable(Exception):
    """A ${NAME:?…} whose variable is unset or empty: Compose refuses to start."""


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Compose's variable substitution, applied to every string of a parsed file."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        current = env.get(name)
        missing = current is None or (current == "" and op is not None and op.startswith(":"))
        if op in ("?", ":?") and missing:
            raise MissingVariable(f"{name}: {arg}")
        if op in ("-", ":-") and missing:
            return arg
        return current or ""

    return _VARIABLE.sub(substitute, value)


def compose_variables() -> list[tuple[str, str | None]]:
    """Every (variable, operator) compose.yml interpolates, in order of appearance."""
    return [(m.group("name"), m.group("op")) for m in
            _VARIABLE.finditer((DEPLOY / "compose.yml").read_text()) if m.group("name")]


def env_example() -> dict[str, str]:
    """deploy/.env.example as Compose reads a .env file (NAME=value lines)."""
    pairs = (line.split("=", 1) for line in (DEPLOY / ".env.example").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def filled_env() -> dict[str, str]:
    """.env.example with every empty value (the secrets) filled in, as an operator would."""
    return {name: value or f"{name.lower()}-0123456789abcdef"
            for name, value in env_example().items()}


def compose(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    raw = yaml.safe_load((DEPLOY / "compose.yml").read_text())
    return interpolate(raw, filled_env() if env is None else env)


def compose_processes(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services that run the shop image (built from deploy/Dockerfile), by the command they
    give it."""
    return {service["command"][0]: service for service in config["services"].values()
            if (service.get("build") or {}).get("dockerfile") == "deploy/Dockerfile"}


def kubernetes_documents(paths: list[Path] | None = None) -> Iterator[tuple[Path, dict]]:
    for path in paths or sorted(K8S.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                yield path, document


def kustomization() -> dict[str, Any]:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def kubernetes_resources() -> list[dict[str, Any]]:
    """What `kubectl apply -k deploy/k8s` applies."""
    return [document for _, document in kubernetes_documents(
        [K8S / name for name in kustomization()["resources"]])]


def deployments() -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in kubernetes_resources() if d["kind"] == "Deployment"}


def pod_containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    spec = deployment["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def kubernetes_processes() -> dict[str, dict[str, Any]]:
    """The shop image's containers (init containers too), by the command they give it."""
    image = kustomization()["images"][0]["name"]
    return {container["args"][0]: container for deployment in deployments().values()
            for container in pod_containers(deployment) if container["image"] == image}


def container_environment(container: dict[str, Any]) -> set[str]:
    """The variables a container gets: its ConfigMaps' keys and its own `env`."""
    config_maps = {d["metadata"]["name"]: d for d in kubernetes_resources()
                   if d["kind"] == "ConfigMap"}
    names = {entry["name"] for entry in container.get("env", [])}
    for source in container.get("envFrom", []):
        names |= set(config_maps[source["configMapRef"]["name"]]["data"])
    return names


def secret_template() -> dict[str, Any]:
    (_, secret), = kubernetes_documents([SECRET_TEMPLATE])
    return secret


def configuration_table() -> dict[str, set[str]]:
    """docs/production.md "Configuration": each variable and the processes that read it.

    The readers column names gateways, Rasa and action servers; "the process" means each
    of the three; a variable only scripts/production.py reads (its nginx) concerns no
    process.
    """
    text = (ROOT / "docs" / "production.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        readers = cells[-1]
        processes = ({p for p in PROCESSES} if "the process" in readers else
                     {process for process, word in (("gateway", "gateway"), ("rasa", "Rasa"),
                                                    ("actions", "action server"))
                      if word in readers})
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0]):
            table[name] = processes
    return table
