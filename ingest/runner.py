"""The ingest API that Dagster (and scripts) call: one source at a time.

``ingest_source`` never raises for a bad file: each file's outcome goes to
``raw.ingest_log`` and into :class:`SourceResult`. Files unchanged since the
last run (same path, size and mtime as logged) are not even opened, so a run
costs what is new, not everything that ever landed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

import duckdb

from ingest.lake import BOOKKEEPING, sync_lake
from ingest.landing import list_files, unchanged_since_last_run
from ingest.loader import (
    RAW,
    FileOutcome,
    Parser,
    ensure_bookkeeping,
    ingest_files,
    raw_columns,
)
from ingest.parsers import ads, ga4, google_ads, hubspot, linkedin_ads, meta_ads, salesforce
from revops.settings import Settings
from revops.sources import BY_NAME, SOURCE_NAMES, SOURCES
from revops.warehouse import deferred_checkpoints

PARSERS: dict[str, Parser] = {
    "google_ads": google_ads.PARSER,
    "meta_ads": meta_ads.PARSER,
    "linkedin_ads": linkedin_ads.PARSER,
    "ga4": ga4.PARSER,
    "salesforce": salesforce.PARSER,
    "hubspot": hubspot.PARSER,
}


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Every raw table of every source of revops.sources.SOURCES, with the typed columns dbt
    reads, empty when nothing was delivered (a company may start with some sources only), plus the
    bookkeeping tables. Existing tables only gain the columns they lack; one catalog query
    when nothing is missing."""
    ensure_bookkeeping(con)
    existing = raw_columns(con)
    for source in SOURCES:
        if source.name == "salesforce":
            salesforce.ensure_object_tables(con, source.tables, existing)
        elif source.name == "hubspot":
            hubspot.ensure_tables(con, source.tables, existing)
        elif source.name == "ga4":
            ga4.ensure_table(con, existing)
        elif source.name in _AD_FORMATS:
            ads.ensure_table(con, _AD_FORMATS[source.name], existing)
        else:
            raise ValueError(f"ingest has no raw tables for source {source.name!r}")


def raw_table_of(source: str, file_path: str) -> str | None:
    """The raw table (without ``<source>__``) a landing file of a CRM source loads into:
    ``salesforce/2026-11-02/OpportunityHistory.csv`` -> ``opportunity_history``,
    ``hubspot/2026-11-23/hubspot-crm-exports-all-deals-2026-11-23.csv`` -> ``deals``; the one
    table of a single-table source; None for a file that names no table of its source."""
    tables = BY_NAME[source].tables
    name = PurePosixPath(file_path).name
    if source == "salesforce":
        found = salesforce.OBJECT_FILE.match(name)
        table = salesforce.table_name(found.group(1)).split("__", 1)[1] if found else None
        return table if table in tables else None
    if source == "hubspot":
        objects = hubspot.objects_in_name(name)
        return objects[0] if objects else None
    return tables[0] if len(tables) == 1 else None


_AD_FORMATS = {
    "google_ads": google_ads.FORMAT,
    "meta_ads": meta_ads.FORMAT,
    "linkedin_ads": linkedin_ads.FORMAT,
}


@dataclass
class SourceResult:
    source: str
    files_seen: int = 0
    files_loaded: int = 0
    files_skipped: int = 0  # skipped_duplicate in this run
    files_failed: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    newest_data_date: date | None = None  # over everything loaded for the source, not only this run
    tables: list[str] = field(default_factory=list)  # raw table names without schema
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file_path, error)
    files_unchanged: int = 0  # seen but not read: unchanged since the last run

    def add(self, outcome: FileOutcome) -> None:
        if outcome.status == "loaded":
            self.files_loaded += 1
            self.rows_read += outcome.rows_read
            self.rows_loaded += outcome.rows_loaded
            self.rows_rejected += outcome.rows_rejected
        elif outcome.status == "skipped_duplicate":
            self.files_skipped += 1
        else:
            self.files_failed += 1
            self.failures.append((outcome.file_path, outcome.error or ""))


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    source: str,
    log: logging.Logger | None = None,
    lake_dir: Path | None = None,
) -> SourceResult:
    """Load every new or changed landing file of one source into the raw schema.

    With a raw lake (``lake_dir``; by default the settings' lake when ``REVOPS_ENGINE`` reads
    it, i.e. spark) the source's raw tables and the bookkeeping are then written to it as
    Parquet (ingest/lake.py), also when no file changed, so a run killed before its lake was
    written is finished by the next one."""
    if source not in PARSERS:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCE_NAMES)}")
    log = log or logging.getLogger(__name__)
    ensure_raw_tables(con)
    files = list_files(Path(landing_dir), source)
    unchanged = unchanged_since_last_run(con, files)
    result = SourceResult(source=source, files_seen=len(files), files_unchanged=len(unchanged))
    todo = [file for file in files if file.rel_path not in unchanged]
    if todo:
        with deferred_checkpoints(con):
            for outcome in ingest_files(con, source, todo, PARSERS[source], log):
                result.add(outcome)
    result.newest_data_date = con.execute(
        f"select max(newest_data_date) from {RAW}.ingest_log "
        "where source = ? and status = 'loaded'",
        [source],
    ).fetchall()[0][0]
    result.tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and starts_with(table_name, ?) order by table_name",
            [RAW, f"{source}__"],
        ).fetchall()
    ]
    if lake_dir is None:
        settings = Settings.from_env()
        lake_dir = settings.lake_dir if settings.writes_lake else None
    if lake_dir is not None:
        sync_lake(con, lake_dir, [*result.tables, *BOOKKEEPING], log)
    log.info(
        "%s: %d files seen, %d loaded, %d skipped, %d failed, %d unchanged; rows %d read, "
        "%d loaded, %d rejected",
        source,
        result.files_seen,
        result.files_loaded,
        result.files_skipped,
        result.files_failed,
        result.files_unchanged,
        result.rows_read,
        result.rows_loaded,
        result.rows_rejected,
    )
    return result


def ingest_all(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    log: logging.Logger | None = None,
    lake_dir: Path | None = None,
) -> dict[str, SourceResult]:
    """Every source in turn, for scripts and benchmarks (Dagster runs sources separately)."""
    return {
        source: ingest_source(con, landing_dir, source, log, lake_dir) for source in SOURCE_NAMES
    }
