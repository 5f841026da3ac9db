"""`pharos dashboards push` against a small local HTTP server that answers like Grafana's HTTP API for the
endpoints grafana-client calls (folders, data sources, dashboards, alert-rule provisioning) and records every
request. A boundary test: no real Grafana can run here."""

from __future__ import annotations

import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pharos.cli import main
from pharos.dashboards import push
from pharos.dashboards.alerts import GROUP
from pharos.dashboards.settings import DashboardSettings

TOKEN = "glsa_test_token"


class FakeGrafana:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict | None]] = []
        self.folders: dict[str, dict] = {}
        self.datasources: dict[str, dict] = {}
        self.dashboards: dict[str, dict] = {}
        self.rules: dict[str, dict] = {}
        self.groups: dict[tuple[str, str], dict] = {}
        self.auth_headers: set[str] = set()
        self._ids = iter(range(1, 10_000))

    # -- one handler per endpoint: (status, body) --------------------------------------------------------------
    def handle(self, method: str, path: str, body: dict | None) -> tuple[int, object]:
        routes = [
            ("GET", r"/api/folders/([^/]+)", self.get_folder), ("POST", r"/api/folders", self.create_folder),
            ("PUT", r"/api/folders/([^/]+)", self.update_folder),
            ("GET", r"/api/datasources/uid/([^/]+)", self.get_ds), ("POST", r"/api/datasources", self.create_ds),
            ("PUT", r"/api/datasources/uid/([^/]+)", self.update_ds),
            ("GET", r"/api/dashboards/uid/([^/]+)", self.get_dash), ("POST", r"/api/dashboards/db", self.save_dash),
            ("GET", r"/api/v1/provisioning/alert-rules/([^/]+)", self.get_rule),
            ("POST", r"/api/v1/provisioning/alert-rules", self.create_rule),
            ("PUT", r"/api/v1/provisioning/alert-rules/([^/]+)", self.update_rule),
            ("GET", r"/api/v1/provisioning/folder/([^/]+)/rule-groups/([^/]+)", self.get_group),
            ("PUT", r"/api/v1/provisioning/folder/([^/]+)/rule-groups/([^/]+)", self.put_group),
        ]
        for m, pattern, fn in routes:
            match = re.fullmatch(pattern, path)
            if m == method and match:
                return fn(*match.groups(), body) if body is not None else fn(*match.groups())
        return 404, {"message": "Not found"}

    def get_folder(self, uid):
        return (200, self.folders[uid]) if uid in self.folders else (404, {"message": "folder not found"})

    def create_folder(self, body):
        self.folders[body["uid"]] = {"id": next(self._ids), "uid": body["uid"], "title": body["title"], "version": 1}
        return 200, self.folders[body["uid"]]

    def update_folder(self, uid, body):
        self.folders[uid].update(title=body["title"], version=self.folders[uid]["version"] + 1)
        return 200, self.folders[uid]

    def get_ds(self, uid):
        return (200, self.datasources[uid]) if uid in self.datasources else (404, {"message": "Data source not found"})

    def _store_ds(self, body):
        stored = {k: v for k, v in body.items() if k != "secureJsonData"}
        stored.setdefault("id", next(self._ids))
        stored.update(orgId=1, readOnly=False, basicAuth=False, url="", user="", database="",
                      secureJsonFields={k: True for k in body.get("secureJsonData", {})} or
                      self.datasources.get(body["uid"], {}).get("secureJsonFields", {}))
        self.datasources[body["uid"]] = stored
        return stored

    def create_ds(self, body):
        return 200, {"datasource": self._store_ds(body), "message": "Datasource added"}

    def update_ds(self, uid, body):
        return 200, {"datasource": self._store_ds({**body, "uid": uid}), "message": "Datasource updated"}

    def get_dash(self, uid):
        if uid not in self.dashboards:
            return 404, {"message": "Dashboard not found"}
        return 200, self.dashboards[uid]

    def save_dash(self, body):
        dash = dict(body["dashboard"])
        old = self.dashboards.get(dash["uid"])
        dash["id"] = old["dashboard"]["id"] if old else next(self._ids)
        dash["version"] = old["dashboard"]["version"] + 1 if old else 1
        self.dashboards[dash["uid"]] = {"dashboard": dash, "meta": {"folderUid": body.get("folderUid", ""),
                                                                   "provisioned": False, "version": dash["version"]}}
        return 200, {"status": "success", "uid": dash["uid"], "version": dash["version"]}

    def _store_rule(self, rule):
        stored = json.loads(json.dumps(rule))
        for query in stored["data"]:  # Grafana fills in query defaults when it saves a rule
            query["model"].setdefault("intervalMs", 1000)
            query["model"].setdefault("maxDataPoints", 43200)
        stored.update(id=self.rules.get(rule["uid"], {}).get("id", next(self._ids)), provenance="api",
                      updated="2026-01-01T00:00:00Z")
        self.rules[rule["uid"]] = stored
        key = (rule["folderUID"], rule["ruleGroup"])
        self.groups.setdefault(key, {"title": rule["ruleGroup"], "folderUid": rule["folderUID"], "interval": 60})
        return stored

    def get_rule(self, uid):
        return (200, self.rules[uid]) if uid in self.rules else (404, {"message": "not found"})

    def create_rule(self, body):
        return 201, self._store_rule(body)

    def update_rule(self, uid, body):
        return 200, self._store_rule(body)

    def get_group(self, folder, group):
        if (folder, group) not in self.groups:
            return 404, {"message": "rule group does not exist"}
        rules = [r for r in self.rules.values() if (r["folderUID"], r["ruleGroup"]) == (folder, group)]
        return 200, {**self.groups[(folder, group)], "rules": sorted(rules, key=lambda r: r["id"])}

    def put_group(self, folder, group, body):
        self.groups[(folder, group)]["interval"] = body["interval"]
        keep = {r["uid"] for r in body["rules"]}
        for uid in [u for u, r in self.rules.items() if (r["folderUID"], r["ruleGroup"]) == (folder, group)]:
            if uid not in keep:
                del self.rules[uid]
        return 200, self.get_group(folder, group)[1]

    def writes(self):
        return [(m, p) for m, p, _ in self.requests if m != "GET"]


@pytest.fixture
def grafana():
    fake = FakeGrafana()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            fake.auth_headers.add(self.headers.get("Authorization", ""))
            fake.requests.append((self.command, self.path, body))
            status, payload = fake.handle(self.command, self.path.split("?")[0], body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def env(monkeypatch, grafana):
    for key in list(os.environ):
        if key.startswith("PHAROS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PHAROS_GRAFANA_TOKEN", TOKEN)
    monkeypatch.setenv("PHAROS_DATASOURCE_PASSWORD", "s3cret")


def test_first_push_creates_everything_second_changes_nothing(grafana, env, capsys, caplog):
    assert main(["dashboards", "push", "--grafana-url", grafana.url]) == 0
    out = capsys.readouterr().out
    writes = grafana.writes()
    assert writes[:2] == [("POST", "/api/folders"), ("POST", "/api/datasources")]
    assert writes.count(("POST", "/api/dashboards/db")) == 6
    assert writes.count(("POST", "/api/v1/provisioning/alert-rules")) == 7
    assert ("PUT", f"/api/v1/provisioning/folder/pharos/rule-groups/{GROUP}") not in writes  # already 1m
    assert "folder pharos: created" in out and "dashboard pharos-overview: created" in out
    assert "15 change(s), 0 unchanged" in out  # folder, data source, 6 dashboards, 7 rules
    assert grafana.auth_headers == {f"Bearer {TOKEN}"}

    # What Grafana now holds is what Pharos meant to write.
    ds = grafana.datasources["pharos-clickhouse"]
    assert ds["type"] == "grafana-clickhouse-datasource" and ds["jsonData"]["host"] == "clickhouse"
    assert ds["secureJsonFields"] == {"password": True}
    create_ds = next(b for m, p, b in grafana.requests if (m, p) == ("POST", "/api/datasources"))
    assert create_ds["secureJsonData"] == {"password": "s3cret"}
    dash = grafana.dashboards["pharos-overview"]
    assert dash["meta"]["folderUid"] == "pharos" and dash["dashboard"]["title"] == "Pharos / Overview"
    rule = grafana.rules["pharos-error-rate"]
    assert rule["folderUID"] == "pharos" and rule["ruleGroup"] == GROUP
    assert rule["data"][0]["model"]["rawSql"].startswith("SELECT service, error_rate")
    assert grafana.groups[("pharos", GROUP)]["interval"] == 60

    grafana.requests.clear()
    assert main(["dashboards", "push", "--grafana-url", grafana.url]) == 0
    out = capsys.readouterr().out
    assert grafana.writes() == []
    assert "0 change(s), 15 unchanged" in out
    assert "s3cret" not in out and TOKEN not in out and "s3cret" not in caplog.text and TOKEN not in caplog.text


def test_push_updates_only_what_changed(grafana, env, capsys):
    assert main(["dashboards", "push", "--grafana-url", grafana.url]) == 0
    grafana.dashboards["pharos-gpu"]["dashboard"]["title"] = "edited by hand"
    grafana.rules["pharos-no-data"]["for"] = "1h"
    grafana.requests.clear()
    capsys.readouterr()
    assert main(["dashboards", "push", "--grafana-url", grafana.url, "--alert-latency-p95-seconds", "3"]) == 0
    out = capsys.readouterr().out
    assert sorted(grafana.writes()) == sorted([
        ("POST", "/api/dashboards/db"),  # GPU restored
        ("PUT", "/api/v1/provisioning/alert-rules/pharos-no-data"),
        ("PUT", "/api/v1/provisioning/alert-rules/pharos-latency-p95"),  # new threshold
        # the overview's stat thresholds follow the latency threshold too
        ("POST", "/api/dashboards/db"),
    ])
    assert "dashboard pharos-gpu: updated" in out and "alert rule pharos-latency-p95: updated" in out
    params = grafana.rules["pharos-latency-p95"]["data"][1]["model"]["conditions"][0]["evaluator"]["params"]
    assert params == [3.0]


def test_group_interval_and_stale_rules(grafana, env, capsys):
    assert main(["dashboards", "push", "--grafana-url", grafana.url]) == 0
    stale = {**grafana.rules["pharos-no-data"], "uid": "pharos-retired", "id": 999}
    grafana.rules["pharos-retired"] = stale
    grafana.requests.clear()
    capsys.readouterr()
    assert main(["dashboards", "push", "--grafana-url", grafana.url, "--alert-interval", "30s"]) == 0
    assert grafana.writes() == [("PUT", f"/api/v1/provisioning/folder/pharos/rule-groups/{GROUP}")]
    out = capsys.readouterr().out
    assert "alert group pharos-oncall: updated" in out and "alert rule pharos-retired: deleted" in out
    assert grafana.groups[("pharos", GROUP)]["interval"] == 30 and "pharos-retired" not in grafana.rules


def test_dry_run_writes_nothing(grafana, env, capsys):
    assert main(["dashboards", "push", "--grafana-url", grafana.url, "--dry-run"]) == 0
    assert grafana.writes() == []
    assert "folder pharos: would be created" in capsys.readouterr().out


def test_unreachable_grafana_is_a_clean_error(env, capsys):
    assert main(["dashboards", "push", "--grafana-url", "http://127.0.0.1:9"]) == 1
    assert "cannot reach Grafana" in capsys.readouterr().err


def test_refused_request_is_a_clean_error(grafana, env, capsys, monkeypatch):
    monkeypatch.setattr(grafana, "create_folder", lambda body: (403, {"message": "Permission denied"}))
    assert main(["dashboards", "push", "--grafana-url", grafana.url]) == 1
    assert "403" in capsys.readouterr().err


def test_settings_hide_secrets():
    s = DashboardSettings(grafana_token="glsa_x", datasource_password="pw")
    assert "glsa_x" not in repr(s) and "pw'" not in repr(s)
    assert push.contains({"a": 1, "b": [{"c": 2, "d": 3}]}, {"b": [{"c": 2}]})
    assert not push.contains({"b": [{"c": 2}, {"c": 3}]}, {"b": [{"c": 2}]})
