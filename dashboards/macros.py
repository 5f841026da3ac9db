"""Expand Grafana's and the ClickHouse plugin's macros the way Grafana does, so the dashboards' SQL can run
anywhere (tests, benchmarks, ``clickhouse-client``).

Order, as in the plugin (v4): the frontend first resolves ``$__conditionalAll(condition, $var)`` (``1=1``
when the variable is "All") and the template variables (``${var:singlequote}``, ``${var}``, ``$var``); the
backend then replaces ``$__timeFilter(col)``, ``$__timeFilter_ms(col)``, ``$__fromTime``, ``$__toTime``
(``_ms`` variants), ``$__timeInterval(col)``, ``$__timeInterval_ms(col)``, ``$__interval_s`` and
``$__dateFilter(col)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

__all__ = ["expand", "ALL"]

ALL = None  # a variable set to ALL (or left out) means "All" selected
_MACRO = re.compile(r"\$__(timeFilter_ms|timeFilter|dateFilter|fromTime_ms|toTime_ms|fromTime|toTime|"
                    r"timeInterval_ms|timeInterval|interval_s)\b")
_VAR = re.compile(r"\$\{(\w+)(?::(\w+))?\}|\$(\w+)")


def _args(sql: str, open_paren: int) -> tuple[list[str], int]:
    """Split the arguments of the call whose ``(`` is at ``open_paren``; return them and the index after ``)``."""
    depth, quote, start, args = 0, "", open_paren + 1, []
    for i in range(open_paren, len(sql)):
        ch = sql[i]
        if quote:
            if ch == quote and sql[i - 1] != "\\":
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                args.append(sql[start:i])
                return args, i + 1
        elif ch == "," and depth == 1:
            args.append(sql[start:i])
            start = i + 1
    raise ValueError(f"unbalanced parentheses after position {open_paren}: {sql[open_paren:open_paren + 60]!r}")


def _conditional_all(sql: str, variables: Mapping[str, Sequence[str] | None]) -> str:
    macro = "$__conditionalAll("
    while (pos := sql.rfind(macro)) != -1:
        args, end = _args(sql, pos + len(macro) - 1)
        if len(args) != 2:
            raise ValueError(f"$__conditionalAll takes 2 arguments: {sql[pos:end]!r}")
        m = _VAR.search(args[1])
        name = m and (m.group(1) or m.group(3))
        phrase = "1=1" if name and variables.get(name) is ALL else args[0]
        sql = sql[:pos] + phrase + sql[end:]
    return sql


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _variables(sql: str, variables: Mapping[str, Sequence[str] | str | None]) -> str:
    def sub(m: re.Match[str]) -> str:
        name, fmt = m.group(1) or m.group(3), m.group(2)
        if name not in variables:
            return m.group(0)
        value = variables[name]
        if value is ALL:
            raise ValueError(f"variable {name} is All outside $__conditionalAll: {sql!r}")
        values = [value] if isinstance(value, str) else list(value)
        if fmt == "singlequote":
            return ",".join(_quote(v) for v in values)
        if fmt not in (None, "raw", "csv"):
            raise ValueError(f"unsupported variable format {fmt!r}")
        return ",".join(values)

    return _VAR.sub(sub, sql)


def _dt(t: datetime) -> str:
    return f"toDateTime({int(t.timestamp())})"


def _dt_ms(t: datetime) -> str:
    return f"fromUnixTimestamp64Milli({int(t.timestamp() * 1000)})"


def _backend(sql: str, start: datetime, end: datetime, interval_s: float) -> str:
    out, pos = [], 0
    for m in _MACRO.finditer(sql):
        if m.start() < pos:
            continue
        name, after = m.group(1), m.end()
        arg = None
        if name in ("timeFilter", "timeFilter_ms", "dateFilter", "timeInterval", "timeInterval_ms"):
            if after >= len(sql) or sql[after] != "(":
                raise ValueError(f"$__{name} needs an argument")
            args, after = _args(sql, after)
            arg = args[0].strip()
        text = {
            "fromTime": lambda: _dt(start), "toTime": lambda: _dt(end),
            "fromTime_ms": lambda: _dt_ms(start), "toTime_ms": lambda: _dt_ms(end),
            "timeFilter": lambda: f"{arg} >= {_dt(start)} AND {arg} <= {_dt(end)}",
            "timeFilter_ms": lambda: f"{arg} >= {_dt_ms(start)} AND {arg} <= {_dt_ms(end)}",
            "dateFilter": lambda: (f"{arg} >= toDate('{start.astimezone(timezone.utc):%Y-%m-%d}') AND "
                                   f"{arg} <= toDate('{end.astimezone(timezone.utc):%Y-%m-%d}')"),
            "timeInterval": lambda: (f"toStartOfInterval(toDateTime({arg}), "
                                     f"INTERVAL {max(int(interval_s), 1)} second)"),
            "timeInterval_ms": lambda: (f"toStartOfInterval(toDateTime64({arg}, 3), "
                                        f"INTERVAL {max(int(interval_s * 1000), 1)} millisecond)"),
            "interval_s": lambda: str(max(int(interval_s), 1)),
        }[name]()
        out += [sql[pos:m.start()], text]
        pos = after
    out.append(sql[pos:])
    return "".join(out)


def expand(sql: str, *, start: datetime, end: datetime, interval_s: float = 60,
           variables: Mapping[str, Sequence[str] | str | None] | None = None) -> str:
    """``sql`` with every macro and template variable replaced; ``variables`` maps a name to its selected
    values, or to :data:`ALL` (None) for "All"."""
    variables = dict(variables or {})
    sql = _conditional_all(sql, variables)
    sql = _variables(sql, variables)
    return _backend(sql, start, end, interval_s)
