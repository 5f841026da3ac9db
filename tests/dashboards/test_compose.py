"""docker-compose.yml: valid for Debian's docker-compose (`config -q`), and the services, versions, health checks,
profiles and mounts the deployment needs. No Docker engine runs here, so nothing is started."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pharos.dashboards.build import PACKAGE_DIR
from pharos.dashboards.query import PLUGIN_VERSION

ROOT = PACKAGE_DIR.parent
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


@pytest.mark.parametrize("profile", [[], ["--profile", "gpu"]], ids=["default", "gpu"])
def test_docker_compose_config(profile):
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose not installed (apt-get install -y docker-compose) - cannot validate the file")
    result = subprocess.run([binary, "-f", str(COMPOSE), *profile, "config", "-q"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr


def test_services_versions_and_health(compose):
    services = compose["services"]
    assert set(services) == {"clickhouse", "pharos", "evaluator", "otel-collector", "grafana", "vllm"}
    for name, service in services.items():
        if "image" in service:
            tag = service["image"].rsplit(":", 1)[1]
            assert tag and tag != "latest", f"{name} is not pinned"
    for name in ("clickhouse", "pharos", "grafana", "vllm"):
        assert services[name]["healthcheck"]["test"], name
    assert services["vllm"]["profiles"] == ["gpu"]
    assert all("profiles" not in s for n, s in services.items() if n != "vllm")
    assert services["grafana"]["image"].startswith("grafana/grafana:11.6.")  # the foundation SDK's schema
    assert services["grafana"]["environment"]["GF_INSTALL_PLUGINS"] == f"grafana-clickhouse-datasource {PLUGIN_VERSION}"
    assert services["pharos"]["depends_on"]["clickhouse"]["condition"] == "service_healthy"
    assert services["pharos"]["build"]["dockerfile"] == "dashboards/Dockerfile"
    assert services["evaluator"]["command"] == ["evaluate", "--follow"]
    assert "clickhouse:8123" in services["pharos"]["environment"]["PHAROS_CLICKHOUSE_URL"]
    assert set(compose["volumes"]) >= {"clickhouse-data", "grafana-data", "pharos-data"}


def test_mounted_files_exist(compose):
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
    assert (ROOT / "dashboards/Dockerfile").exists()


def test_collector_config_exports_to_clickhouse():
    config = yaml.safe_load((PACKAGE_DIR / "deploy/otel-collector.yaml").read_text())
    exporter = config["exporters"]["clickhouse"]
    assert exporter["database"] == "otel" and exporter["traces_table_name"] == "otel_traces"
    assert exporter["endpoint"].startswith("tcp://clickhouse:9000")
    for pipeline in ("traces", "metrics"):
        assert config["service"]["pipelines"][pipeline]["exporters"] == ["clickhouse"]
