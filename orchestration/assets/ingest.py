"""Ingest assets: one multi-asset per landing source, producing its raw tables.

The asset keys are the dbt source keys (``[source, table]``), so dbt's staging
models hang directly under the ingest step in one lineage graph. The parsing
lives in ``ingest/`` (pure Python, no Dagster); this module only calls
``ingest.runner.ingest_source`` and turns its :class:`SourceResult` into
metadata a data engineer reads in the UI: files loaded, skipped and failed,
rows loaded and rejected, newest data date.

Each source is its own step, so a source whose step crashes does not stop the
other sources. A failed *file* is not a crash: it is a
warning, reported by the ``no_failed_files`` check on the tables of that
source.
"""

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

import dagster as dg

from orchestration.resources import DEFAULT_OWNER, RevopsSettings
from revops.sources import BY_NAME, SOURCES


def ingest_asset_keys() -> list[dg.AssetKey]:
    return [dg.AssetKey([s.name, t]) for s in SOURCES for t in s.tables]


def salesforce_table_of(file_path: str) -> str | None:
    """``salesforce/2026-11-02/OpportunityHistory.csv`` -> ``opportunity_history``."""
    stem = PurePosixPath(file_path).stem
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in stem).lstrip("_")
    return snake if snake in BY_NAME["salesforce"].tables else None


def failures_by_table(
    source: str, failures: list[tuple[str, str]]
) -> dict[str, list[tuple[str, str]]]:
    """Attach each failed file to the raw table it would have loaded.

    Salesforce files map by object name; a file that maps to no table is shown
    on every table of its source rather than hidden.
    """
    tables = BY_NAME[source].tables
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


def _data_version(con: Any, source: str) -> dg.DataVersion:
    """Raw tables change only through a loaded file: the loaded files are their version."""
    files, last = con.execute(
        "select count(*), max(finished_at) from raw.ingest_log "
        "where source = ? and status = 'loaded'",
        [source],
    ).fetchall()[0]
    return dg.DataVersion(f"{files} files, last {last.isoformat() if last else 'never'}")


def _row_count(con: Any, table: str) -> int | None:
    try:
        return int(con.execute(f"select count(*) from {table}").fetchall()[0][0])
    except Exception:  # the table appears with the first file of its kind
        return None


def build_ingest_asset(source: str) -> dg.AssetsDefinition:
    """One step per source: load new landing files of ``source`` into its raw tables."""
    registered = BY_NAME[source]
    tables = registered.tables
    label = registered.label
    specs = [
        dg.AssetSpec(
            key=[source, table],
            group_name="ingest",
            owners=[DEFAULT_OWNER],
            kinds={"python", "duckdb"},
            description=(
                f"Raw `{registered.raw_table(table)}`: {label}, every landing file of "
                f"`{registered.folder}/` loaded once, with its lineage (file, checksum, "
                "row number, load time). Bad rows go to `raw.rejected_rows`, every file to "
                "`raw.ingest_log`."
            ),
            metadata={"dagster/table_name": registered.raw_table(table)},
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
        description=f"Load new {label} files from the landing zone into raw.",
    )
    def _ingest(context: dg.AssetExecutionContext, revops: RevopsSettings) -> Iterator[Any]:
        from ingest.landing import unknown_folders
        from ingest.runner import ingest_source

        settings = revops.settings()
        for folder in unknown_folders(settings.landing_dir):
            context.log.warning(
                f"landing folder {folder}/ is no source's; {label} files belong in "
                f"{registered.folder}/"
            )
        with revops.connect() as con:
            result = ingest_source(con, settings.landing_dir, source, log=context.log)
            counts = {t: _row_count(con, registered.raw_table(t)) for t in tables}
            version = _data_version(con, source)
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
            yield dg.MaterializeResult(
                asset_key=[source, table], metadata=metadata, data_version=version
            )
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
    return [build_ingest_asset(source.name) for source in SOURCES]
