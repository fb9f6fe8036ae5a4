"""deploy/k8s: valid Kubernetes objects, probes where the brief and Rasa need them, only the
public paths on the Ingress, and selectors that select something.

No cluster here: each object is validated against the Kubernetes 1.28 schemas that the
kubernetes-validate package ships (strict: an unknown field is an error).
"""

from __future__ import annotations

import kubernetes_validate
import pytest

from handoff.app import create_app
from tests.deploy.artifacts import (
    K8S,
    SECRET_TEMPLATE,
    deployments,
    kubernetes_documents,
    kubernetes_processes,
    kubernetes_resources,
    kustomization,
    pod_containers,
    secret_template,
)

KUBERNETES_VERSION = "1.28"
# Gateway paths that must never be reachable from the public side (docs/security.md).
INTERNAL_PATHS = ("/rasa/callback", "/metrics")


def document_id(item: tuple) -> str:
    path, document = item
    return f"{path.name}:{document['kind']}/{document['metadata']['name']}"


# Every object, the Secret template's too; kustomization.yaml is kustomize's, not one.
OBJECTS = [item for item in kubernetes_documents() if item[1]["kind"] != "Kustomization"]


@pytest.mark.parametrize("item", OBJECTS, ids=document_id)
def test_every_object_follows_the_kubernetes_schema(item):
    _, document = item
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_catches_a_mistake():
    gateway = deployments()["gateway"]
    container = gateway["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")  # a typo
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(gateway, KUBERNETES_VERSION, strict=True)


def test_kustomization_applies_every_manifest_but_the_secret_template():
    files = {path.name for path in K8S.glob("*.yaml")}
    assert set(kustomization()["resources"]) == files - {"kustomization.yaml",
                                                         SECRET_TEMPLATE.name}


def test_one_image_three_processes_and_the_migration():
    assert set(kubernetes_processes()) == {"gateway", "rasa", "actions", "migrate"}
    init = deployments()["gateway"]["spec"]["template"]["spec"]["initContainers"]
    assert [c["args"] for c in init] == [["migrate"]]


def probe(container: dict, kind: str) -> dict:
    assert kind in container, f"{container['name']} has no {kind}"
    return container[kind]


def test_gateway_probes_its_healthz():
    gateway = kubernetes_processes()["gateway"]
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert probe(gateway, kind)["httpGet"]["path"] == "/healthz"


def test_rasa_is_ready_only_when_its_status_answers_with_the_token():
    rasa = kubernetes_processes()["rasa"]
    # /status needs ?token=; the probe command reads it from the pod's environment.
    assert probe(rasa, "readinessProbe")["exec"]["command"][-2:] == ["/app/deploy/probe.py",
                                                                    "rasa"]
    assert "RASA_AUTH_TOKEN" in {entry["name"] for entry in rasa["env"]}
    for kind in ("livenessProbe", "startupProbe"):
        assert probe(rasa, kind)["httpGet"]["path"] == "/version"  # needs no token


def test_action_servers_probe_their_open_health_path():
    actions = kubernetes_processes()["actions"]
    for kind in ("readinessProbe", "livenessProbe"):
        assert probe(actions, kind)["httpGet"]["path"] == "/health"


def test_pods_run_as_a_user_and_secrets_come_only_from_the_secret():
    secret_keys = set(secret_template()["stringData"])
    for name, deployment in deployments().items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        for container in pod_containers(deployment):
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            for entry in container.get("env", []):
                if entry["name"] in secret_keys:
                    reference = entry["valueFrom"]["secretKeyRef"]
                    assert (reference["name"], reference["key"]) == ("shop-secrets",
                                                                     entry["name"])
    assert set(secret_template()["stringData"].values()) == {""}  # a template, no values


def test_services_and_network_policies_select_pods_that_exist():
    pods = [d["spec"]["template"] for d in deployments().values()]

    def selects(selector: dict) -> list[dict]:
        return [pod for pod in pods
                if selector.items() <= pod["metadata"]["labels"].items()]

    for resource in kubernetes_resources():
        if resource["kind"] == "Service":
            (pod,) = selects(resource["spec"]["selector"])
            port_names = {p["name"] for c in pod["spec"]["containers"] for p in c["ports"]}
            for port in resource["spec"]["ports"]:
                assert port["targetPort"] in port_names, resource["metadata"]["name"]
        if resource["kind"] == "NetworkPolicy":
            assert selects(resource["spec"]["podSelector"]["matchLabels"])
            for rule in resource["spec"]["ingress"]:
                for source in rule["from"]:
                    if "podSelector" in source:
                        assert selects(source["podSelector"]["matchLabels"])


def ingress_matches(path: str) -> bool:
    """Whether any rule of the Ingress routes `path` (Kubernetes' Exact/Prefix rules)."""
    (ingress,) = [r for r in kubernetes_resources() if r["kind"] == "Ingress"]
    for rule in ingress["spec"]["rules"]:
        for entry in rule["http"]["paths"]:
            prefix = entry["path"]
            if entry["pathType"] == "Exact" and path == prefix:
                return True
            if entry["pathType"] == "Prefix" and (
                    prefix == "/" or path == prefix or path.startswith(prefix.rstrip("/") + "/")):
                return True
    return False


def gateway_paths() -> set[str]:
    """Every path the gateway serves, parameters filled in."""
    paths = {getattr(route, "path", "") for route in create_app().routes}
    return {path.replace("{", "").replace("}", "") for path in paths if path}


def is_internal(path: str) -> bool:
    return any(path == internal or path.startswith(internal.rstrip("/") + "/")
               or path.startswith("/rasa/") for internal in INTERNAL_PATHS)


def test_ingress_routes_every_public_path_of_the_gateway():
    public = {path for path in gateway_paths() if not is_internal(path)}
    assert "/ws/chat" in public and "/api/v1/handoffs" in public
    assert sorted(path for path in public if not ingress_matches(path)) == []


def test_ingress_never_routes_rasas_callback_or_the_metrics():
    internal = {path for path in gateway_paths() if is_internal(path)} | set(INTERNAL_PATHS)
    assert "/rasa/callback" in internal
    assert sorted(path for path in internal | {"/rasa/anything", "/metrics/x"}
                  if ingress_matches(path)) == []
