"""The console in headless Chromium against a real `pharos serve` fed by the SDK (see conftest.py)."""

from __future__ import annotations

import math

import pytest

LLM_CALL = "GenAIOperationName IN ('chat', 'text_completion', 'generate_content', 'embeddings')"

PAGES = {"overview": "/", "calls": "/calls", "evaluations": "/evaluations", "runs": "/runs"}


def store_one(server, sql: str, params: dict | None = None):
    return server.sql_client().query(sql, parameters=params or {}).result_rows[0]


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_without_console_errors(tab, name):
    tab.go(PAGES[name])
    tab.page.wait_for_selector("main h1")
    tab.shot(name)
    assert tab.errors == []


def test_detail_report_and_compare_pages_load(tab, console_server):
    seed = console_server.seed
    tab.go(f"/calls/{seed['agent']['trace_id']}")
    tab.shot("call-detail")
    if seed.get("runs"):
        tab.go("/runs/eval-b")
        assert tab.page.locator("#report tbody tr").count() == 2
        tab.shot("run-report")
        tab.go("/runs/compare?a=load-a&b=load-b")
        row = tab.page.locator("#compare tr", has_text="RequestThroughput")
        assert "+25.0%" in row.inner_text()
        tab.go("/runs/compare?a=eval-a&b=eval-b")
        assert "lower in B" in tab.page.locator("#compare").inner_text()
        tab.shot("run-compare")
    assert tab.errors == []


def test_overview_numbers_match_store(tab, console_server):
    tab.go("/?range=24h&refresh=0")
    where = f"Timestamp >= now64() - INTERVAL 1 DAY AND {LLM_CALL}"
    calls, errors, tin, tout, cost = store_one(
        console_server, f"SELECT count(), countIf(StatusCode = 'Error'), sum(GenAIInputTokens), "
                        f"sum(GenAIOutputTokens), sum(GenAICostUsd) FROM otel_traces WHERE {where}")

    def shown(key):
        return tab.page.get_attribute(f'[data-metric="{key}"]', "data-value")

    assert int(shown("calls")) == calls == 17
    assert int(shown("errors")) == errors == 1
    assert int(shown("input_tokens")) == tin
    assert int(shown("output_tokens")) == tout
    assert math.isclose(float(shown("cost_usd")), cost, rel_tol=1e-9)
    # the per-model table agrees too
    n = store_one(console_server, f"SELECT count() FROM otel_traces WHERE {where} AND GenAIRequestModel = 'llama-3-8b'")[0]
    assert tab.page.locator("#models tr", has_text="llama-3-8b").locator("td").nth(1).inner_text() == str(n)
    # filtering by service narrows the headline numbers
    tab.go("/?range=24h&refresh=0&service=search-bot")
    assert int(shown("calls")) == 5
    assert tab.errors == []


def shown_total(tab) -> int:
    return int(tab.page.get_attribute("#calls-total", "data-total"))


def test_filters_narrow_the_list(tab, console_server):
    count = lambda cond: store_one(console_server, f"SELECT count() FROM otel_traces WHERE {LLM_CALL} AND {cond}")[0]  # noqa: E731
    tab.go("/calls?range=24h")
    everything = shown_total(tab)
    assert everything == count("1") == 17
    assert tab.page.locator("#calls tbody tr").count() == 17
    # choose a service in the filter bar (a select submits the form at once)
    with tab.page.expect_navigation():
        tab.page.select_option('select[name="service"]', "search-bot")
    assert "service=search-bot" in tab.page.url
    assert shown_total(tab) == count("ServiceName = 'search-bot'") == 5
    services = tab.page.locator("#calls tbody tr td:nth-child(2)").all_inner_texts()
    assert set(services) == {"search-bot"}
    tab.shot("calls-filtered")
    # status and model, from the URL (shareable)
    tab.go("/calls?range=24h&status=error")
    assert shown_total(tab) == count("StatusCode = 'Error'") == 1
    tab.go("/calls?range=24h&model=gpt-4o-mini")
    assert shown_total(tab) == count("GenAIRequestModel = 'gpt-4o-mini'")
    # full-text search over captured content
    tab.go("/calls?range=24h")
    tab.page.fill('input[name="q"]', "NEEDLE-kiwi")
    with tab.page.expect_navigation():
        tab.page.click("form.filters button[type=submit]")
    assert shown_total(tab) == 1
    assert tab.page.locator("#calls tbody tr").get_attribute("data-trace") == console_server.seed["needle"][0]
    # flagged by an evaluator
    tab.go("/calls?range=24h&flagged=any")
    assert shown_total(tab) == 2
    tab.go("/calls?range=24h&flagged=pii")
    assert shown_total(tab) == 1
    assert tab.errors == []


def test_detail_shows_span_tree_and_scores(tab, console_server):
    agent = console_server.seed["agent"]
    tab.go(f"/calls/{agent['trace_id']}?span={agent['llm_span']}")
    spans = store_one(console_server, "SELECT count() FROM otel_traces WHERE TraceId = {t:String}",
                      {"t": agent["trace_id"]})[0]
    rows = tab.page.locator("#span-tree tbody tr")
    assert rows.count() == spans == 4
    assert rows.nth(0).get_attribute("data-span") == agent["root_span"]
    assert "invoke_agent shopper" in rows.nth(0).inner_text()
    tool_row = tab.page.locator(f'#span-tree tr[data-span="{agent["tool_span"]}"]')
    assert "execute_tool search_catalog" in tool_row.inner_text()
    # the chat: system, user and assistant turns
    chat = tab.page.locator("#chat").inner_text()
    assert "Summarise the catalog hits" in chat and "Three brown oxfords in stock." in chat
    assert "You are a helpful shop assistant." in chat
    # scores with their explanations
    table = tab.page.locator("#score-table").inner_text()
    assert "relevance" in table and "0.91" in table and "The answer addresses the catalog hits." in table
    assert "pii" in table and "flagged" in table and "Contains an e-mail address." in table
    assert tab.errors == []


def test_adding_a_human_score_stores_it(tab, console_server):
    tid, sid = console_server.seed["needle"]
    tab.go(f"/calls/{tid}?span={sid}")
    tab.page.fill('#score-form input[name="name"]', "human_review")
    tab.page.fill('#score-form input[name="value"]', "0.25")
    tab.page.fill('#score-form input[name="label"]', "needs-review")
    tab.page.fill('#score-form textarea[name="explanation"]', "Socks <b>are</b> out of stock.")
    with tab.page.expect_navigation():
        tab.page.click('#score-form button[type=submit]:not([name])')
    assert tab.page.locator("#score-added").is_visible()
    rows = console_server.sql_client().query(
        "SELECT SpanId, Value, Label, Explanation, Source FROM scores FINAL WHERE TraceId = {t:String} "
        "AND Name = 'human_review'", parameters={"t": tid}).result_rows
    assert rows == [(sid, 0.25, "needs-review", "Socks <b>are</b> out of stock.", "human")]
    assert "Socks <b>are</b> out of stock." in tab.page.locator("#score-table").inner_text()
    # the quick "flag" button: a label without a value
    with tab.page.expect_navigation():
        tab.page.click('#score-form button[value="flagged"]')
    n = store_one(console_server, "SELECT count() FROM scores FINAL WHERE TraceId = {t:String} AND Source = 'human' "
                                  "AND Label = 'flagged' AND isNaN(Value)", {"t": tid})[0]
    assert n == 1
    tab.shot("call-scored")
    # a bad value is refused with a message, nothing stored
    tab.page.fill('#score-form input[name="value"]', "nan")
    with tab.page.expect_navigation():
        tab.page.click('#score-form button[type=submit]:not([name])')
    assert "finite" in tab.page.locator("#score-error").inner_text()
    assert tab.errors == [] or all("400" in e for e in tab.errors)


def test_script_in_a_prompt_renders_as_text(tab, console_server):
    from seed_calls import XSS

    tid, sid = console_server.seed["xss"]
    tab.go(f"/calls/{tid}?span={sid}")
    assert XSS in tab.page.locator("#chat").inner_text()
    assert XSS in tab.page.locator("#score-table").inner_text()  # the evaluator's explanation quotes it
    assert tab.page.evaluate("window.__pharos_xss") is None
    assert tab.page.evaluate("document.querySelectorAll('script').length") == 1  # console.js only
    assert tab.page.evaluate("document.querySelectorAll('#chat img, #chat script').length") == 0
    tab.shot("call-xss")
    tab.go("/calls?range=24h&q=pharos_xss")
    assert "<script>window.__pharos_xss = 1</script>" in tab.page.locator("#calls tbody").inner_text()
    assert tab.page.evaluate("window.__pharos_xss") is None
    tab.go("/evaluations?range=24h")
    assert "Looks like markup injection" in tab.page.locator("#flagged").inner_text()
    assert tab.page.evaluate("window.__pharos_xss") is None
    assert tab.errors == []


def test_evaluations_page_matches_store(tab, console_server):
    tab.go("/evaluations?range=24h")
    kinds = console_server.sql_client().query(
        "SELECT Name, uniqExact(TraceId, SpanId) FROM scores FINAL WHERE Label = 'flagged' AND Source != 'human' "
        "GROUP BY Name ORDER BY Name").result_rows
    for name, n in kinds:
        row = tab.page.locator(f'#flag-kinds tr[data-kind="{name}"]')
        assert row.locator("td").nth(1).inner_text() == str(n)
    health = tab.page.locator("#health").inner_text()
    assert "relevance" in health and "prompt_injection" in health
    assert tab.errors == []
