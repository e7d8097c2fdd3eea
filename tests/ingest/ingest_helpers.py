"""Query helpers shared by the ingest tests (imported as a plain module)."""

from __future__ import annotations

import hashlib

import duckdb

T0 = 1_793_750_400  # 2026-11-03 00:00 UTC, a fixed mtime so ordering is explicit


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def log_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return rows(
        con,
        "select file_path, status, rows_read, rows_loaded, rows_rejected, error "
        "from raw.ingest_log order by started_at, file_path",
    )


def raw_fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every raw table."""
    tables = [
        r[0]
        for r in rows(
            con, "select table_name from information_schema.tables where table_schema = 'raw'"
        )
    ]
    result = {}
    for table in sorted(tables):
        count, digest = rows(
            con,
            f'select count(*), coalesce(sum(hash(t)), 0)::varchar from raw."{table}" as t',
        )[0]
        result[table] = (count, hashlib.sha256(digest.encode()).hexdigest())
    return result
