"""Ingest assets: one multi-asset per landing source, producing its raw tables.

The asset keys are the dbt source keys (``[source, table]``), so dbt's staging
models hang directly under the ingest step in one lineage graph. The parsing
lives in ``ingest/`` (pure Python, no Dagster); this module only calls
``ingest.runner.ingest_source`` and turns its :class:`SourceResult` into
metadata a data engineer reads in the UI: files loaded, skipped and failed,
rows loaded and rejected, newest data date.

Each source is its own step, so a source whose step crashes does not stop the
other sources. A failed *file* is not a crash: SPEC section 5 makes it a
warning, reported by the ``no_failed_files`` check on the tables of that
source.
"""

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

import dagster as dg

from orchestration.resources import DEFAULT_OWNER, DUCKDB_POOL, RevopsSettings

#: Raw tables per source (docs/ARCHITECTURE.md, "Raw layer"); raw table = ``raw.<source>__<table>``.
SOURCE_TABLES: dict[str, tuple[str, ...]] = {
    "google_ads": ("campaign_stats",),
    "meta_ads": ("campaign_stats",),
    "linkedin_ads": ("campaign_stats",),
    "ga4": ("events",),
    "salesforce": (
        "lead",
        "contact",
        "account",
        "opportunity",
        "opportunity_history",
        "campaign",
        "campaign_member",
        "task",
        "user",
    ),
}

#: Landing folder of each source (SPEC section 1): GA4 files arrive in ``web/``.
LANDING_FOLDERS: dict[str, str] = {
    "google_ads": "google_ads",
    "meta_ads": "meta_ads",
    "linkedin_ads": "linkedin_ads",
    "ga4": "web",
    "salesforce": "salesforce",
}

_SOURCE_LABELS = {
    "google_ads": "Google Ads campaign report (daily)",
    "meta_ads": "Meta Ads Manager campaign export (daily)",
    "linkedin_ads": "LinkedIn Campaign Manager campaign performance export (daily)",
    "ga4": "GA4 BigQuery event export",
    "salesforce": "Salesforce weekly export",
}


def raw_table(source: str, table: str) -> str:
    return f"raw.{source}__{table}"


def ingest_asset_keys() -> list[dg.AssetKey]:
    return [dg.AssetKey([s, t]) for s, tables in SOURCE_TABLES.items() for t in tables]


def salesforce_table_of(file_path: str) -> str | None:
    """``salesforce/2026-11-02/OpportunityHistory.csv`` -> ``opportunity_history``."""
    stem = PurePosixPath(file_path).stem
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in stem).lstrip("_")
    return snake if snake in SOURCE_TABLES["salesforce"] else None


def failures_by_table(
    source: str, failures: list[tuple[str, str]]
) -> dict[str, list[tuple[str, str]]]:
    """Attach each failed file to the raw table it would have loaded.

    Salesforce files map by object name; a file that maps to no table is shown
    on every table of its source rather than hidden.
    """
    tables = SOURCE_TABLES[source]
    result: dict[str, list[tuple[str, str]]] = {t: [] for t in tables}
    for path, error in failures:
        table = salesforce_table_of(path) if source == "salesforce" else tables[0]
        for target in [table] if table else tables:
            result[target].append((path, error))
    return result


def _source_metadata(result: Any) -> dict[str, Any]:
    newest = result.newest_data_date
    return {
        "files_seen": dg.MetadataValue.int(int(result.files_seen)),
        "files_loaded": dg.MetadataValue.int(int(result.files_loaded)),
        "files_skipped_duplicate": dg.MetadataValue.int(int(result.files_skipped)),
        "files_unchanged": dg.MetadataValue.int(int(getattr(result, "files_unchanged", 0))),
        "files_failed": dg.MetadataValue.int(int(result.files_failed)),
        "rows_read": dg.MetadataValue.int(int(result.rows_read)),
        "rows_loaded": dg.MetadataValue.int(int(result.rows_loaded)),
        "rows_rejected": dg.MetadataValue.int(int(result.rows_rejected)),
        "newest_data_date": dg.MetadataValue.text(newest.isoformat() if newest else "none"),
    }


def _failures_markdown(failures: list[tuple[str, str]], limit: int = 20) -> str:
    lines = ["| file | error |", "|---|---|"]
    for path, error in failures[:limit]:
        lines.append(f"| `{path}` | {error.replace('|', '/').replace(chr(10), ' ')} |")
    if len(failures) > limit:
        lines.append(f"| ... | {len(failures) - limit} more in raw.ingest_log |")
    return "\n".join(lines)


def _row_count(con: Any, table: str) -> int | None:
    try:
        return int(con.execute(f"select count(*) from {table}").fetchall()[0][0])
    except Exception:  # the table appears with the first file of its kind
        return None


def build_ingest_asset(source: str) -> dg.AssetsDefinition:
    """One step per source: load new landing files of ``source`` into its raw tables."""
    tables = SOURCE_TABLES[source]
    label = _SOURCE_LABELS[source]
    specs = [
        dg.AssetSpec(
            key=[source, table],
            group_name="ingest",
            owners=[DEFAULT_OWNER],
            kinds={"python", "duckdb"},
            description=(
                f"Raw `{raw_table(source, table)}`: {label}, every landing file of "
                f"`{LANDING_FOLDERS[source]}/` loaded once, with its lineage (file, checksum, "
                "row number, load time). Bad rows go to `raw.rejected_rows`, every file to "
                "`raw.ingest_log`."
            ),
            metadata={"dagster/table_name": raw_table(source, table)},
        )
        for table in tables
    ]
    check_specs = [
        dg.AssetCheckSpec(
            name="no_failed_files",
            asset=[source, table],
            description=(
                f"Warning: every {label} file in the landing zone could be read. A failed file "
                "(missing required column, empty or corrupt file) is skipped while the other "
                "files load, so its days or records are missing from the marts until a fixed "
                "file is dropped. The metadata names the file and the error."
            ),
        )
        for table in tables
    ]

    @dg.multi_asset(
        name=f"ingest_{source}",
        specs=specs,
        check_specs=check_specs,
        pool=DUCKDB_POOL,
        description=f"Load new {label} files from the landing zone into raw.",
    )
    def _ingest(context: dg.AssetExecutionContext, revops: RevopsSettings) -> Iterator[Any]:
        from ingest.runner import ingest_source

        settings = revops.settings()
        with revops.connect() as con:
            result = ingest_source(con, settings.landing_dir, source, log=context.log)
            counts = {t: _row_count(con, raw_table(source, t)) for t in tables}
        context.log.info(
            f"{source}: {result.files_loaded} file(s) loaded, {result.files_skipped} skipped as "
            f"duplicates, {result.files_failed} failed; {result.rows_loaded} rows loaded, "
            f"{result.rows_rejected} rejected"
        )
        shared = _source_metadata(result)
        per_table = failures_by_table(source, list(result.failures))
        for table in tables:
            metadata = dict(shared)
            if counts[table] is not None:
                metadata["dagster/row_count"] = dg.MetadataValue.int(counts[table])
            yield dg.MaterializeResult(asset_key=[source, table], metadata=metadata)
        for table in tables:
            failed = per_table[table]
            yield dg.AssetCheckResult(
                asset_key=[source, table],
                check_name="no_failed_files",
                passed=not failed,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "failed_files": dg.MetadataValue.int(len(failed)),
                    "failures": dg.MetadataValue.md(
                        _failures_markdown(failed) if failed else "none"
                    ),
                },
            )

    return _ingest


def build_ingest_assets() -> list[dg.AssetsDefinition]:
    return [build_ingest_asset(source) for source in SOURCE_TABLES]
