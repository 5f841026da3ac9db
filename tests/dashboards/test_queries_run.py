"""Every panel's and every template variable's SQL runs on the seeded store, with "All" and with a selection."""

from __future__ import annotations

import pytest

from pharos.dashboards.build import dashboards
from pharos.dashboards.settings import DashboardSettings

_SETTINGS = DashboardSettings.model_construct(**{k: f.default for k, f in DashboardSettings.model_fields.items()})
_MODELS = dashboards(_SETTINGS)
_TARGETS = [(m["uid"], p["title"], t["rawSql"]) for m in _MODELS.values() for p in m["panels"]
            for t in p.get("targets", [])]
_VARIABLES = [(m["uid"], v["name"], v["query"]) for m in _MODELS.values() for v in m["templating"]["list"]
              if v["type"] == "query"]
SELECTION = {"service": ["chat-api"], "environment": ["prod"], "model": ["gpt-4o", "llama-3-8b"],
             "evaluator": ["toxicity"], "trace_id": "trace00"}
ALL = {"service": None, "environment": None, "model": None, "evaluator": None, "trace_id": "trace00"}


def test_every_dashboard_has_panels_with_sql():
    assert set(_MODELS) == {"overview", "models", "gpu", "quality", "sandbox", "trace"}
    assert len(_TARGETS) >= 40
    assert all(sql.strip() for _, _, sql in _TARGETS)


@pytest.mark.parametrize("variables", [ALL, SELECTION], ids=["all", "selection"])
@pytest.mark.parametrize("uid,title,sql", _TARGETS, ids=[f"{u}:{t}" for u, t, _ in _TARGETS])
def test_panel_query_runs(run, uid, title, sql, variables):
    rows = run(sql, **variables)
    assert isinstance(rows, list)
    if uid != "pharos-sandbox" or "regression" not in title:
        assert rows, f"{uid} / {title} returned no rows on the seeded store"


@pytest.mark.parametrize("uid,name,sql", _VARIABLES, ids=[f"{u}:{n}" for u, n, _ in _VARIABLES])
def test_variable_query(run, uid, name, sql):
    values = sorted(row[next(iter(row))] for row in run(sql, **ALL))
    expected = {"service": ["batch-job", "chat-api"], "environment": ["prod", "staging"],
                "model": ["gpt-4o", "llama-3-8b"], "evaluator": ["relevance", "thumbs", "toxicity"]}[name]
    assert values == expected
