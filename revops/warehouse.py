"""Opening the DuckDB warehouse the same way everywhere.

DuckDB locks a database file for the one process that opens it read-write, so
every writer goes through :func:`connect`, which also applies the memory and
thread limits from :class:`~revops.settings.Settings` (peak RSS stays bounded
at scale 10).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from revops.settings import Settings


class WarehouseLockedError(RuntimeError):
    """Another live process holds the warehouse file."""


def _lock_holder(message: str) -> str:
    """``python3.11 (PID 1234)`` out of DuckDB's lock error, when it says so."""
    found = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", message)
    return f"{found.group(1)} (pid {found.group(2)})" if found else "another process"


def connect(
    path: Path | str | None = None,
    *,
    read_only: bool = False,
    settings: Settings | None = None,
) -> duckdb.DuckDBPyConnection:
    settings = settings or Settings.from_env()
    path = Path(path) if path is not None else settings.warehouse
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        raise WarehouseLockedError(
            f"warehouse {path} is in use by {_lock_holder(str(exc))}: DuckDB lets one process "
            "open it at a time. Wait for that run to finish (or stop it), then run again."
        ) from exc
    con.execute(f"set memory_limit = '{checked_size(settings.duckdb_memory_limit)}'")
    con.execute(f"set threads = {int(settings.duckdb_threads)}")
    return con


def checked_size(value: str) -> str:
    """Memory limits come from the environment: allow only '<number><unit>'."""
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value.strip(), re.I):
        raise ValueError(f"REVOPS_DUCKDB_MEMORY_LIMIT must look like '3GB', got {value!r}")
    return value.strip()


# While a source loads, the WAL may grow this far before DuckDB checkpoints.
INGEST_CHECKPOINT_THRESHOLD = "1GB"


@contextmanager
def deferred_checkpoints(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Checkpoint once after a load instead of whenever the WAL passes 16 MB.

    DuckDB's default `checkpoint_threshold` made commits of a few MB each
    rewrite the table's last row groups again and again. Durability does not
    change: every commit is in the WAL, which a restart replays. The setting is
    global to the database, so the previous value is restored afterwards.
    """
    previous = con.execute("select current_setting('checkpoint_threshold')").fetchall()[0][0]
    con.execute(f"set checkpoint_threshold = '{INGEST_CHECKPOINT_THRESHOLD}'")
    try:
        yield
    finally:
        con.execute(f"set checkpoint_threshold = '{checked_size(str(previous))}'")
    con.execute("checkpoint")
