"""A read-only ClickHouse HTTP interface over the store (port 8123 by default).

It speaks enough of ClickHouse's HTTP protocol for ``clickhouse_connect.get_client(host=..., port=8123)``,
``curl 'http://localhost:8123/?query=SELECT+1'`` and Grafana's ClickHouse plugin (HTTP protocol):
the query comes from the ``query`` parameter and/or the body (``param_<name>`` parameters fill
``{name:Type}`` placeholders), the result in its ``FORMAT`` clause
or ``default_format`` (TabSeparated otherwise), credentials from ``X-ClickHouse-User``/``-Key``
headers, HTTP basic auth or ``user``/``password`` parameters.

Every query runs on a connection set to ``readonly = 1`` with a time, memory and result-size
limit; ClickHouse itself refuses writes, DDL and any ``SETTINGS``/``SET`` that would change the
limits. Before that, the endpoint reads the statement's AST (ClickHouse's own parser) and refuses
anything but a read (SELECT, SHOW, DESCRIBE, EXISTS, EXPLAIN), table functions outside
:data:`ALLOWED_TABLE_FUNCTIONS` and functions that read files or reach hosts (:data:`FORBIDDEN_FUNCTIONS`).
Only one statement per request is accepted. Writes go through the collector.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
import threading

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool

__all__ = ["create_sql_app", "split_statements", "reader_settings", "table_functions", "functions", "refusal",
           "ALLOWED_TABLE_FUNCTIONS", "FORBIDDEN_FUNCTIONS"]

# Table functions that only compute (everything else reaches files, URLs, hosts, processes or the
# server's Python objects, and is refused even where ClickHouse's readonly mode would let it run).
ALLOWED_TABLE_FUNCTIONS = frozenset({"numbers", "numbers_mt", "zeros", "zeros_mt", "values", "null",
                                     "generateRandom", "generate_series", "generateSeries", "view"})

# Ordinary functions that reach outside the query: file contents, model files, other hosts.
FORBIDDEN_FUNCTIONS = frozenset({"file", "catboostevaluate", "modelevaluate", "hascolumnintable"})

_TRAILING_FORMAT = re.compile(r"\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$", re.IGNORECASE)
_RESULT_QUERY = re.compile(r"^\s*(\(|SELECT\b|WITH\b|SHOW\b|DESC\b|DESCRIBE\b|EXISTS\b|EXPLAIN\b)", re.IGNORECASE)


def reader_settings(max_execution_seconds: float, max_result_rows: int, max_memory_bytes: int) -> dict:
    """Session settings of the reader connection; ``readonly`` last, since it freezes the others."""
    return {
        "max_execution_time": max_execution_seconds,
        "max_result_rows": max_result_rows,
        "result_overflow_mode": "throw",
        "max_memory_usage": max_memory_bytes,
        # FINAL merges rows within a partition only. Correct here because a rewrite of a row keeps its partition:
        # `scores` is partitioned by the score's Timestamp, and an evaluator's rewrite carries the span's time, the
        # SDK's retries the time it recorded the feedback. (A client that retries a score without timestamp_ns
        # across midnight UTC could see it twice until the next merge.) Makes the quality panels' FINAL ~4x cheaper.
        "do_not_merge_across_partitions_select_final": 1,
        "readonly": 1,
    }


def split_statements(sql: str) -> list[str]:
    """Split on ``;`` outside quotes and comments; empty statements are dropped."""
    statements, current, i, n = [], [], 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"`":
            j = i + 1
            while j < n and sql[j] != c:
                j += 2 if sql[j] == "\\" else 1
            current.append(sql[i:j + 1])
            i = j + 1
        elif sql.startswith("--", i) or c == "#":
            j = sql.find("\n", i)
            i = n if j < 0 else j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == ";":
            statements.append("".join(current))
            current = []
            i += 1
        else:
            current.append(c)
            i += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


def table_functions(explain_ast: str) -> list[str]:
    """Names of the table functions in the output of ``EXPLAIN AST`` (ClickHouse's own parser)."""
    names, lines = [], explain_ast.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.strip().startswith("TableExpression"):
            child = lines[i + 1].strip()
            if child.startswith("Function "):
                names.append(child.split()[1])
    return names


def functions(explain_ast: str) -> set[str]:
    """Lower-cased names of every function (ordinary or table) in the output of ``EXPLAIN AST``."""
    return {line.split()[1].lower() for line in explain_ast.splitlines()
            if line.strip().startswith("Function ") and len(line.split()) > 1}


# Kinds of statement (the root of ClickHouse's AST) that only read.
_READ_STATEMENTS = re.compile(r"^(SelectWithUnionQuery|SelectIntersectExceptQuery|Explain|DescribeQuery|Exists\w*|"
                              r"ShowTables|ShowColumns|ShowCreate\w*)\b")


def refusal(explain_ast: str) -> str | None:
    """Why a statement may not run on the endpoint (None when it may), from its ``EXPLAIN AST``."""
    root = explain_ast.lstrip().split(" ", 1)[0].split("\n", 1)[0]
    if not _READ_STATEMENTS.match(root):
        return (f"Code: 164. Only reads (SELECT, SHOW TABLES/COLUMNS/CREATE, DESCRIBE, EXISTS, EXPLAIN) run on the "
                f"read-only SQL endpoint; this statement is a {root or 'nothing'}: writes, DDL, SET, SYSTEM, "
                f"GRANT and the like are refused (readonly). (READONLY)")
    forbidden = [f for f in table_functions(explain_ast) if f not in ALLOWED_TABLE_FUNCTIONS]
    if forbidden:
        return (f"Code: 164. Table function {forbidden[0]}() is not allowed on the read-only SQL "
                f"endpoint (allowed: {', '.join(sorted(ALLOWED_TABLE_FUNCTIONS))}). (READONLY)")
    reaching = sorted(functions(explain_ast) & FORBIDDEN_FUNCTIONS)
    if reaching:
        return (f"Code: 164. Function {reaching[0]}() is not allowed on the read-only SQL endpoint: it reads "
                f"files or reaches other hosts. (READONLY)")
    return None


class _Readers:
    """A small pool of read-only connections (each query holds one for its duration)."""

    def __init__(self, factory, size: int = 4):
        self._factory, self._free, self._lock = factory, [], threading.Lock()
        self._sem = threading.BoundedSemaphore(size)

    def run(self, sql: str, parameters: dict[str, str]) -> bytes:
        why = refusal(self._query(f"EXPLAIN AST {sql}", parameters).decode(errors="replace"))
        if why:
            raise PermissionError(why)
        return self._query(sql, parameters)

    def _query(self, sql: str, parameters: dict[str, str]) -> bytes:
        with self._sem:
            with self._lock:
                client = self._free.pop() if self._free else self._factory()
            try:
                return client.raw_query(sql, parameters=parameters or None)
            finally:
                with self._lock:
                    self._free.append(client)


def _credentials(request: Request) -> tuple[str | None, str | None]:
    h, p = request.headers, request.query_params
    if "x-clickhouse-user" in h:
        return h.get("x-clickhouse-user"), h.get("x-clickhouse-key", "")
    auth = h.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            return user, password
        except (ValueError, UnicodeDecodeError):
            return None, None
    return p.get("user"), p.get("password")


def _text(status: int, message: str) -> Response:
    return Response(message.rstrip("\n") + "\n", status_code=status, media_type="text/plain; charset=UTF-8",
                    headers={"X-ClickHouse-Exception-Code": str(status)})


_ESCAPE = re.compile(r"\\(.)", re.S)
_ESCAPES = {"b": "\b", "f": "\f", "r": "\r", "n": "\n", "t": "\t", "0": "\0"}
_PARAM_DECL = re.compile(r"\{\s*(\w+)\s*:\s*((?:Array|Tuple|Map)\b[^}]*)\}")


def typed_parameters(sql: str, raw: dict[str, str]) -> dict[str, object]:
    """``param_<name>`` values arrive in ClickHouse's escaped text format and the client below quotes
    values itself, so each is turned back into the value it stands for: a placeholder declaring an
    Array/Tuple/Map (``{ids:Array(String)}``, sent as ``['a','b']``) becomes that Python value, anything
    else the unescaped string (``x\\'y`` -> ``x'y``)."""
    import ast

    out: dict[str, object] = {name: _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), value)
                              for name, value in raw.items()}
    for name, _type in _PARAM_DECL.findall(sql):
        if name in raw:
            try:
                out[name] = ast.literal_eval(raw[name].replace("NULL", "None"))
            except (ValueError, SyntaxError):
                raise ValueError(f"Code: 457. Value {raw[name][:100]!r} cannot be parsed as {_type} for query "
                                 f"parameter '{name}' (BAD_QUERY_PARAMETER)") from None
    return out


def create_sql_app(reader_factory, user: str | None = None, password: str | None = None,
                   database: str = "otel", closed: str | None = None) -> FastAPI:
    """The endpoint's app; ``user`` None = open, unless ``closed`` says why every query is refused."""
    readers = _Readers(reader_factory)
    app = FastAPI(title="Pharos SQL (read-only)", docs_url=None, redoc_url=None, openapi_url=None)

    def authorized(request: Request) -> bool:
        if closed:
            return False
        if user is None:
            return True
        got_user, got_password = _credentials(request)
        return (got_user is not None and hmac.compare_digest(got_user, user)
                and hmac.compare_digest(got_password or "", password or ""))

    @app.get("/ping")
    async def ping() -> Response:
        return Response("Ok.\n", media_type="text/plain")

    @app.api_route("/", methods=["GET", "POST"])
    async def query(request: Request) -> Response:
        params = request.query_params
        body = (await request.body()).decode("utf-8", errors="replace") if request.method == "POST" else ""
        sql = "\n".join(part for part in (params.get("query", ""), body) if part.strip())
        if not sql.strip():
            return Response("Ok.\n", media_type="text/plain")
        if not authorized(request):
            return _text(401, f"Code: 516. {closed or 'Authentication failed: wrong user name or password.'} "
                              "(AUTHENTICATION_FAILED)")
        statements = split_statements(sql)
        if len(statements) != 1:
            return _text(400, "Code: 62. Exactly one statement per request is allowed (SYNTAX_ERROR)")
        statement = statements[0]
        match = _TRAILING_FORMAT.search(statement)
        fmt = match.group(1) if match else params.get("default_format", "TabSeparated")
        if not match and _RESULT_QUERY.match(statement):
            statement = f"{statement}\nFORMAT {fmt}"
        try:
            query_params = typed_parameters(statement, {k[6:]: v for k, v in params.items() if k.startswith("param_")})
            data = await run_in_threadpool(readers.run, statement, query_params)
        except Exception as exc:  # ClickHouse's own message: READONLY, TIMEOUT_EXCEEDED, syntax, ...
            message = str(exc)
            status = 403 if "READONLY" in message or "readonly" in message else 400
            return _text(status, message)
        headers = {"X-ClickHouse-Format": fmt, "X-ClickHouse-Timezone": "UTC",
                   "X-ClickHouse-Query-Id": params.get("query_id") or secrets.token_hex(8),
                   "X-ClickHouse-Summary": '{"read_rows":"0","read_bytes":"0","written_rows":"0",'
                                           '"written_bytes":"0","total_rows_to_read":"0","result_rows":"0"}'}
        return Response(data, media_type="text/plain; charset=UTF-8" if "JSON" not in fmt else "application/json",
                        headers=headers)

    return app
