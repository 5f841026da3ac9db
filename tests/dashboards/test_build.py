"""The committed JSON/YAML is exactly what `pharos dashboards build` writes, and it decodes with the
foundation SDK's models."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from pharos.cli import main
from pharos.dashboards import build
from pharos.dashboards.panels import to_json
from pharos.dashboards.query import ClickHouseQuery, register


@pytest.fixture
def clean_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith("PHAROS_"):
            monkeypatch.delenv(key)


def committed_files():
    return sorted(str(p.relative_to(build.PACKAGE_DIR)) for sub in ("json", "provisioning")
                  for p in (build.PACKAGE_DIR / sub).rglob("*") if p.is_file())


def test_build_is_byte_for_byte(tmp_path, clean_env, capsys):
    assert main(["dashboards", "build", "--out", str(tmp_path)]) == 0
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == committed_files()
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (build.PACKAGE_DIR / rel).read_bytes(), rel
    assert main(["dashboards", "build", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip().endswith(f"0 file(s) changed under {tmp_path}")
    assert main(["dashboards", "build", "--check"]) == 0  # the committed files are current


def test_check_reports_stale_files(tmp_path, clean_env, capsys):
    assert main(["dashboards", "build", "--out", str(tmp_path)]) == 0
    (tmp_path / "json/overview.json").write_text("{}")
    assert main(["dashboards", "build", "--out", str(tmp_path), "--check"]) == 1
    assert "json/overview.json" in capsys.readouterr().out


def test_settings_flow_into_files(tmp_path, clean_env):
    assert main(["dashboards", "build", "--out", str(tmp_path), "--alert-error-rate", "0.2",
                 "--datasource-uid", "ch2"]) == 0
    rules = yaml.safe_load((tmp_path / "provisioning/alerting/pharos.yaml").read_text())["groups"][0]["rules"]
    rule = next(r for r in rules if r["uid"] == "pharos-error-rate")
    assert rule["data"][1]["model"]["conditions"][0]["evaluator"]["params"] == [0.2]
    assert rule["data"][0]["datasourceUid"] == "ch2"


@pytest.mark.parametrize("name", build.DASHBOARD_MODULES)
def test_json_decodes_with_sdk_models(name):
    from grafana_foundation_sdk.models.dashboard import Dashboard

    register()
    raw = json.loads((build.PACKAGE_DIR / f"json/{name}.json").read_text())
    decoded = Dashboard.from_json(raw)
    assert decoded.uid == raw["uid"] and decoded.title.startswith("Pharos / ")
    targets = [t for p in decoded.panels if getattr(p, "targets", None) for t in p.targets]
    assert targets and all(isinstance(t, ClickHouseQuery) for t in targets)
    assert json.loads(to_json(decoded)) == raw  # nothing lost in the round trip
    names = [v.name for v in decoded.templating.list_val]
    assert names[0] == "datasource"


def test_provisioning_files():
    ds = yaml.safe_load((build.PACKAGE_DIR / "provisioning/datasources/pharos.yaml").read_text())
    server, embedded = ds["datasources"]
    assert server["type"] == embedded["type"] == "grafana-clickhouse-datasource"
    assert (server["jsonData"]["protocol"], embedded["jsonData"]["protocol"]) == ("native", "http")
    assert embedded["jsonData"]["port"] == 8123
    assert server["jsonData"]["traces"]["otelEnabled"] is True
    assert server["secureJsonData"]["password"] == "$PHAROS_CLICKHOUSE_PASSWORD"  # no secret in the repo
    provider = yaml.safe_load((build.PACKAGE_DIR / "provisioning/dashboards/pharos.yaml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards/pharos"
    group = yaml.safe_load((build.PACKAGE_DIR / "provisioning/alerting/pharos.yaml").read_text())["groups"][0]
    assert group["folder"] == "Pharos" and len(group["rules"]) == 7


def test_trace_links_point_at_trace_dashboard():
    for name in ("overview", "quality"):
        text = (build.PACKAGE_DIR / f"json/{name}.json").read_text()
        assert "/d/pharos-trace/pharos-trace?var-trace_id=${__value.raw}" in text


def test_installed_package_data_lists_generated_files():
    """Every generated dashboard, provisioning and deploy file is matched by the package data of its folder, and the
    folder is a package of the distribution (so a wheel install has it)."""
    import fnmatch
    import tomllib

    config = tomllib.loads((build.PACKAGE_DIR.parent / "pyproject.toml").read_text())["tool"]["setuptools"]
    generated = [p for folder in ("json", "provisioning", "deploy")
                 for p in (build.PACKAGE_DIR / folder).rglob("*") if p.is_file()]
    assert len(generated) >= 8
    for path in generated:
        rel = path.parent.relative_to(build.PACKAGE_DIR)
        package = ".".join(["pharos", "dashboards", *rel.parts])
        assert package in config["packages"], path
        assert any(fnmatch.fnmatch(path.name, pattern) for pattern in config["package-data"][package]), path
