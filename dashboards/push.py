"""``pharos dashboards push``: create or update the folder, the ClickHouse data source, the dashboards and the
alert rules in a running Grafana through its HTTP API (grafana-client), and say what changed.

Idempotent: each object is read first and written only when it differs from what Pharos would write, so a
second push changes nothing. "Differs" means a field Pharos sets has another value; fields Grafana adds
(ids, versions, query defaults) are ignored. The data source password is sent when the data source is created,
or when Grafana reports none stored; it cannot be read back, so rotate it by setting it again in Grafana.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pharos.dashboards.settings import DashboardSettings

__all__ = ["PushError", "Report", "push", "connect"]

log = logging.getLogger(__name__)


class PushError(Exception):
    """Grafana could not be reached or refused a request."""


@dataclass
class Report:
    dry_run: bool = False
    actions: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, name, created|updated|unchanged|...)

    def add(self, kind: str, name: str, action: str) -> None:
        self.actions.append((kind, name, action))
        log.info("%s %s: %s", kind, name, action)

    @property
    def changed(self) -> int:
        return sum(action != "unchanged" for _, _, action in self.actions)

    def lines(self) -> list[str]:
        prefix = "would be " if self.dry_run else ""
        out = [f"{kind} {name}: {prefix if action != 'unchanged' else ''}{action}" for kind, name, action in self.actions]
        out.append(f"{self.changed} change(s), {len(self.actions) - self.changed} unchanged"
                   + (" (dry run: nothing written)" if self.dry_run else ""))
        return out


def contains(actual: Any, desired: Any) -> bool:
    """Whether ``actual`` holds everything ``desired`` says (dicts: a superset, recursively; lists: same length,
    element by element; numbers by value)."""
    if isinstance(desired, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in desired.items())
    if isinstance(desired, list):
        return (isinstance(actual, list) and len(actual) == len(desired)
                and all(contains(a, d) for a, d in zip(actual, desired)))
    return actual == desired


def connect(settings: DashboardSettings) -> Any:
    from grafana_client import GrafanaApi

    credential: Any = settings.grafana_token
    if credential and ":" in credential and not credential.startswith("glsa_"):
        user, _, password = credential.partition(":")
        credential = (user, password)
    return GrafanaApi.from_url(settings.grafana_url, credential=credential, timeout=15.0)


def _get(call: Any, *args: Any) -> Any | None:
    """The object, or None when Grafana answers 404."""
    from grafana_client.client import GrafanaClientError

    try:
        return call(*args)
    except GrafanaClientError as exc:
        if exc.status_code == 404:
            return None
        raise


def push(settings: DashboardSettings, *, dry_run: bool = False, api: Any = None) -> Report:
    from grafana_client.client import GrafanaException

    api = api or connect(settings)
    report = Report(dry_run=dry_run)
    try:
        _folder(api, settings, report)
        _datasource(api, settings, report)
        _dashboards(api, settings, report)
        _alert_rules(api, settings, report)
    except GrafanaException as exc:
        raise PushError(f"Grafana at {settings.grafana_url} answered {exc.status_code}: {exc.message}") from exc
    except OSError as exc:  # connection refused, DNS, TLS
        raise PushError(f"cannot reach Grafana at {settings.grafana_url}: {exc}") from exc
    except Exception as exc:  # niquests' connection errors are not OSErrors
        if type(exc).__module__.startswith(("niquests", "urllib3")):
            raise PushError(f"cannot reach Grafana at {settings.grafana_url}: {exc}") from exc
        raise
    return report


def _folder(api: Any, s: DashboardSettings, report: Report) -> None:
    existing = _get(api.folder.get_folder, s.grafana_folder_uid)
    name = s.grafana_folder_uid
    if existing is None:
        if not report.dry_run:
            api.folder.create_folder(s.grafana_folder, uid=s.grafana_folder_uid)
        report.add("folder", name, "created")
    elif existing.get("title") != s.grafana_folder:
        if not report.dry_run:
            api.folder.update_folder(s.grafana_folder_uid, title=s.grafana_folder, overwrite=True)
        report.add("folder", name, "updated")
    else:
        report.add("folder", name, "unchanged")


def _datasource(api: Any, s: DashboardSettings, report: Report) -> None:
    from pharos.dashboards.provisioning import datasource

    desired = datasource(s)
    existing = _get(api.datasource.get_datasource_by_uid, s.datasource_uid)
    name = s.datasource_uid
    if existing is None:
        if not report.dry_run:
            api.datasource.create_datasource(datasource(s, password=s.datasource_password))
        report.add("datasource", name, "created")
        return
    missing_secret = s.datasource_password is not None and not existing.get("secureJsonFields", {}).get("password")
    if contains(existing, desired) and not missing_secret:
        report.add("datasource", name, "unchanged")
        return
    if not report.dry_run:
        body = {**existing, **desired, "jsonData": {**existing.get("jsonData", {}), **desired["jsonData"]}}
        body.pop("secureJsonFields", None)
        if s.datasource_password is not None:
            body["secureJsonData"] = {"password": s.datasource_password}
        api.datasource.update_datasource_by_uid(s.datasource_uid, body)
    report.add("datasource", name, "updated")


def _dashboards(api: Any, s: DashboardSettings, report: Report) -> None:
    from pharos.dashboards.build import dashboards

    for model in dashboards(s).values():
        uid = model["uid"]
        existing = _get(api.dashboard.get_dashboard, uid)
        if existing is not None and contains(existing.get("dashboard"), model) \
                and existing.get("meta", {}).get("folderUid") == s.grafana_folder_uid:
            report.add("dashboard", uid, "unchanged")
            continue
        if not report.dry_run:
            api.dashboard.update_dashboard({"dashboard": {**model, "id": None}, "folderUid": s.grafana_folder_uid,
                                            "overwrite": True, "message": "pharos dashboards push"})
        report.add("dashboard", uid, "created" if existing is None else "updated")


def _alert_rules(api: Any, s: DashboardSettings, report: Report) -> None:
    from pharos.dashboards.alerts import GROUP, _seconds, rules

    desired = rules(s)
    for rule in desired:
        existing = _get(api.alertingprovisioning.get_alertrule, rule["uid"])
        if existing is not None and contains(existing, rule):
            report.add("alert rule", rule["uid"], "unchanged")
            continue
        if not report.dry_run:
            if existing is None:
                api.alertingprovisioning.create_alertrule(rule)
            else:
                api.alertingprovisioning.update_alertrule(rule["uid"], rule)
        report.add("alert rule", rule["uid"], "created" if existing is None else "updated")
    if report.dry_run:
        return
    # The group: its evaluation interval, and no rule of ours left behind that Pharos no longer defines.
    group = _get(api.alertingprovisioning.get_rule_group, s.grafana_folder_uid, GROUP) or {}
    ours = {rule["uid"] for rule in desired}
    kept = [rule for rule in group.get("rules", []) if rule.get("uid") in ours]
    removed = sorted(rule.get("uid", "?") for rule in group.get("rules", []) if rule.get("uid") not in ours)
    interval = _seconds(s.alert_interval)
    if group and (group.get("interval") != interval or removed):
        api.alertingprovisioning.update_rule_group(s.grafana_folder_uid, GROUP,
                                                   {**group, "interval": interval, "rules": kept})
        report.add("alert group", GROUP, "updated")
        for uid in removed:
            report.add("alert rule", uid, "deleted")
