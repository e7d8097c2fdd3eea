"""What the published marts were built from, so that a run with nothing new does nothing.

A run's expensive part (dbt build, GX suites, publish) depends on two inputs only: the raw
data and the code that turns it into marts. Both get a fingerprint:

- a **source fingerprint** per source, from ``raw.ingest_log``: how many files were loaded,
  how many rows, and when the last one finished. Raw tables only change through a loaded
  file, so any new or re-delivered file changes it;
- a **code fingerprint**: a hash of every file dbt parses (models, macros, seeds, tests,
  ``dbt_project.yml`` with its vars, the profile) plus the GX suite definitions and the
  settings they take.

The dbt step records both in ``ops.build_state`` after a successful build; the publish step
marks that row published. When a run finds the raw data and the code exactly as they were
at the last publish of a complete build, it skips the dbt build, and so the mart checks and
the publish, which have nothing new to look at. A build that was blocked before publishing
is not a published state, so the next run builds (and checks) again. ``ops`` lives in the
warehouse, next to the data it describes: a new warehouse starts without it and builds.

When only some sources changed, the dbt step may leave alone the nodes none of them
reaches (:mod:`orchestration.dbt_selection`). That is sound only if those nodes' tables
were built by the current code from the current raw data. Raw data only grows (a source's
fingerprint never returns to an old value), so an unchanged source was not loaded since
the publish; code can return to an old version, so every dbt build *attempt* is recorded
in ``ops.build_attempts`` before it starts, and narrowing requires the published build's
own attempt on record and no attempt since the publish with other code (a reverted
experiment that failed half-way, say).

This module never imports dagster.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

SCHEMA = "ops"
TABLE = f"{SCHEMA}.build_state"
ATTEMPTS = f"{SCHEMA}.build_attempts"


@dataclass(frozen=True)
class BuildState:
    """The inputs of a build: the code's fingerprint and one fingerprint per loaded source."""

    code: str
    sources: Mapping[str, str] = field(default_factory=dict)

    def changed_sources(self, other: BuildState | None) -> list[str]:
        """Sources whose data differs from ``other`` (every source when there is no other)."""
        if other is None:
            return sorted(self.sources)
        names = set(self.sources) | set(other.sources)
        return sorted(n for n in names if self.sources.get(n) != other.sources.get(n))


def code_fingerprint(
    file_sets: Iterable[tuple[Path, Iterable[Path]]], settings: Mapping[str, Any]
) -> str:
    """sha256 over each file's path (relative to its set's root) and content, and ``settings``.

    Paths are relative so that a checkout in another folder has the same fingerprint.
    """
    digest = hashlib.sha256()
    for root, files in file_sets:
        for path in sorted(files):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    digest.update(json.dumps(dict(settings), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def source_fingerprints(con: Any) -> dict[str, str]:
    """One fingerprint per source that has loaded files; empty before the first ingest."""
    try:
        rows = con.execute(
            """
            select source, count(*), coalesce(sum(rows_loaded), 0), max(finished_at)
            from raw.ingest_log
            where status = 'loaded'
            group by source
            """
        ).fetchall()
    except duckdb.CatalogException:  # no raw.ingest_log yet: nothing was ever loaded
        return {}
    return {
        str(source): f"{files} files, {rows} rows, last {finished.isoformat()}"
        for source, files, rows, finished in rows
    }


def current_state(con: Any, code: str) -> BuildState:
    return BuildState(code=code, sources=source_fingerprints(con))


def _utcnow() -> datetime:
    """Naive UTC, like every timestamp of the warehouse (DECISIONLOG.md)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _ensure_tables(con: Any) -> None:
    """Schema ``ops`` with its two tables (a new warehouse has neither)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"""
        create table if not exists {TABLE} (
            run_id varchar not null,
            built_at timestamp not null,  -- UTC
            code_fingerprint varchar not null,
            source_fingerprints varchar not null,
            complete boolean not null,
            published_at timestamp
        )
        """
    )
    con.execute(
        f"""
        create table if not exists {ATTEMPTS} (
            run_id varchar not null,
            started_at timestamp not null,  -- UTC
            code_fingerprint varchar not null
        )
        """
    )


def record_attempt(con: Any, run_id: str, code: str) -> None:
    """Before dbt starts: this run builds with ``code`` (whether or not it then succeeds)."""
    _ensure_tables(con)
    con.execute(f"insert into {ATTEMPTS} values (?, ?, ?)", [run_id, _utcnow(), code])


def record_build(con: Any, run_id: str, state: BuildState, *, complete: bool) -> None:
    """After a successful dbt build: what it was built from; ``complete``: every model built."""
    _ensure_tables(con)
    con.execute(
        f"insert into {TABLE} values (?, ?, ?, ?, ?, null)",
        [run_id, _utcnow(), state.code, json.dumps(dict(state.sources), sort_keys=True), complete],
    )


def mark_published(con: Any, run_id: str) -> bool:
    """After publish: the builds of ``run_id`` are what serving now holds. False if none."""
    _ensure_tables(con)
    rows = con.execute(
        f"update {TABLE} set published_at = ? "
        "where run_id = ? and published_at is null returning run_id",
        [_utcnow(), run_id],
    ).fetchall()
    return bool(rows)


@dataclass(frozen=True)
class PublishedBuild:
    run_id: str
    built_at: Any
    published_at: Any
    state: BuildState


def last_published(con: Any) -> PublishedBuild | None:
    """The newest complete build that was published, or None (new warehouse, or never)."""
    try:
        row = con.execute(
            f"""
            select run_id, built_at, published_at, code_fingerprint, source_fingerprints
            from {TABLE}
            where complete and published_at is not null
            order by published_at desc
            limit 1
            """
        ).fetchone()
    except duckdb.CatalogException:  # no ops.build_state yet
        return None
    if row is None:
        return None
    run_id, built_at, published_at, code, sources = row
    return PublishedBuild(
        run_id=run_id,
        built_at=built_at,
        published_at=published_at,
        state=BuildState(code=code, sources=json.loads(sources)),
    )


def sources_to_rebuild(con: Any, state: BuildState, published: PublishedBuild | None) -> list[str]:
    """The sources whose new data a build must carry through, when it may skip the rest.

    Empty means "build everything": nothing was published yet, the published build's own
    attempt is not on record, the code differs from the published build's, another code was
    built since (its tables may linger), or no source changed (a forced or repeated build).
    """
    if published is None or published.state.code != state.code:
        return []
    try:
        other_code, own_attempt = con.execute(
            f"""
            select
                count(*) filter (where started_at >= ? and code_fingerprint <> ?),
                count(*) filter (where run_id = ?)
            from {ATTEMPTS}
            """,
            [published.built_at, state.code, published.run_id],
        ).fetchone()
    except duckdb.CatalogException:  # no attempt was ever recorded here
        return []
    # Published before attempts were recorded (an older warehouse): its history is unknown.
    if other_code or not own_attempt:
        return []
    return state.changed_sources(published.state)
