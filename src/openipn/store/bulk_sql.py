"""Multi-row INSERT statements for the consumers' batched writes (SQLite and PostgreSQL).

The SQLite driver releases the GIL for every statement step: each row of an executemany and
each row a RETURNING fetches. While the listener thread is busy, taking the GIL back can cost
up to a switch interval, so a step per row made each written row cost tens of µs under load.
Here up to `PAGE` rows go as one ``INSERT … VALUES (…), (…)`` statement: one step. Values are
converted by the columns' own SQLAlchemy types, exactly as SQLAlchemy would bind them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table

PAGE = 500  # rows per statement: ≤ 6,000 parameters, within SQLite's and PostgreSQL's limits
_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _converters(connection: Connection, table: Table, columns: Sequence[str]) -> list[Any]:
    """Each column's bind processor for this dialect (None: the driver takes the value as is)."""
    dialect = connection.dialect
    return [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    suffix: Callable[[Connection], str] = lambda _connection: "",
) -> None:
    """Insert rows (all with the same keys) in pages of multi-row statements, plus ``suffix``."""
    if not rows:
        return
    columns = list(rows[0])
    marker = _MARKERS.get(connection.dialect.paramstyle)
    if marker is None:
        raise ValueError(f"unsupported DB-API parameter style {connection.dialect.paramstyle!r}")
    quote = connection.dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) VALUES "
    tuple_sql = "(" + ", ".join([marker] * len(columns)) + ")"
    converters = _converters(connection, table, columns)
    tail = suffix(connection)
    for start in range(0, len(rows), PAGE):
        page = rows[start : start + PAGE]
        values: list[Any] = []
        for row in page:
            values.extend(
                row[c] if convert is None else convert(row[c])
                for c, convert in zip(columns, converters, strict=True)
            )
        sql = head + ", ".join([tuple_sql] * len(page)) + tail
        connection.exec_driver_sql(sql, tuple(values))
