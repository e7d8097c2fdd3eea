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

Labels come from the source registry: every asset says ``<source> / <table>`` first (the
graph shows only a key's last part, and three sources have a ``campaign_stats``), carries
its source as a kind, and is owned by and tagged with the source's domain.

Progress: the step first logs how many files it will read, then numbers each file's
outcome line, ``[3/12 files read] google_ads/...: loaded 40 of 40 rows ...``; `revops run`
turns those lines into a progress bar. The digest of the files the step listed is
materialization metadata, so the landing sensor knows what ingest has already seen.
"""

import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

import dagster as dg

from ingest.runner import raw_table_of
from orchestration.resources import RevopsSettings
from orchestration.sensors import LANDING_DIGEST, digest, fingerprints_of
from revops.sources import BY_NAME, SOURCES, Source

#: Units of the progress lines the ingest and dbt steps log (see :func:`progress_prefix`).
FILES_READ, DBT_NODES = "files read", "dbt nodes"
PROGRESS_PATTERN = re.compile(r"^\[(\d+)/(\d+) (files read|dbt nodes)\] ")


def progress_prefix(done: int, total: int, unit: str) -> str:
    """``[3/12 files read]``: how a step's log line says how far it is."""
    return f"[{done}/{total} {unit}]"


def owner_of(domain: str) -> str:
    """The owning team of a business domain: ``marketing`` -> ``team:marketing``."""
    return f"team:{domain}"


def domain_tags(domain: str) -> dict[str, str]:
    return {"domain": domain}


def asset_label(source: Source, table: str) -> str:
    """``google_ads / campaign_stats``: the source first, as the asset key reads."""
    return f"{source.name} / {table}"


def ingest_asset_keys() -> list[dg.AssetKey]:
    return [dg.AssetKey([s.name, t]) for s in SOURCES for t in s.tables]


def failures_by_table(
    source: str, failures: list[tuple[str, str]]
) -> dict[str, list[tuple[str, str]]]:
    """Attach each failed file to the raw table it would have loaded.

    CRM files map by their object (ingest.runner.raw_table_of); a file that maps to no table
    is shown on every table of its source rather than hidden.
    """
    tables = BY_NAME[source].tables
    result: dict[str, list[tuple[str, str]]] = {t: [] for t in tables}
    for path, error in failures:
        table = raw_table_of(source, path)
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


def failures_text(failures: list[tuple[str, str]]) -> str:
    """Every failed file's error, whole and in plain text, one file per line."""
    return "\n".join(
        error if error.startswith(f"{path}:") else f"{path}: {error}" for path, error in failures
    )


class FileProgress(logging.LoggerAdapter):
    """The step's log for ``ingest_source``: numbers each file's outcome line.

    Ingest logs exactly one outcome per file it reads (loaded, skipped as a duplicate, or
    ``failed: <path>: <why>``); each gets ``[n/total files read]`` in front.
    """

    def __init__(self, log: Any, todo: Iterable[str]) -> None:
        super().__init__(log, {})
        self.todo = set(todo)
        self.total = len(self.todo)
        self.done: set[str] = set()
        self.unnamed = 0

    @property
    def count(self) -> int:
        return min(self.total, len(self.done) + self.unnamed)

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        text = str(msg) % args if args else str(msg)
        failed = text.startswith("failed: ")
        path = text.removeprefix("failed: ").split(": ", 1)[0]
        if path in self.todo and path not in self.done:
            self.done.add(path)
        elif failed and path not in self.done:
            self.unnamed += 1
        else:
            self.logger.log(level, text, **kwargs)
            return
        self.logger.log(level, f"{progress_prefix(self.count, self.total, FILES_READ)} {text}")


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
            owners=[owner_of(registered.domain)],
            tags={**domain_tags(registered.domain), "source": source},
            kinds={"python", "duckdb", source},
            description=(
                f"{asset_label(registered, table)}: raw `{registered.raw_table(table)}`, "
                f"{label}. Every landing file of `{registered.folder}/` loaded once, with "
                "its lineage (file, checksum, row number, load time). Bad rows go to "
                "`raw.rejected_rows`, every file to `raw.ingest_log`."
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
                f"{asset_label(registered, table)}: warning: every {label} file in the landing "
                "zone could be read. A failed file (missing required column, empty or corrupt "
                "file) is skipped while the other files load, so its days or records are "
                "missing from the marts until a fixed file is dropped. The result names the "
                "file and the error."
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
        import duckdb

        from ingest.landing import list_files, unchanged_since_last_run, unknown_folders
        from ingest.runner import ingest_source

        settings = revops.settings()
        for folder in unknown_folders(settings.landing_dir):
            context.log.warning(
                f"landing folder {folder}/ is no source's; {label} files belong in "
                f"{registered.folder}/"
            )
        with revops.connect() as con:
            files = list_files(settings.landing_dir, source)
            try:
                unchanged = unchanged_since_last_run(con, files)
            except duckdb.CatalogException:  # a new warehouse: no ingest_log yet
                unchanged = set()
            todo = [f.rel_path for f in files if f.rel_path not in unchanged]
            context.log.info(
                f"{progress_prefix(0, len(todo), FILES_READ)} {source}: {len(todo)} of "
                f"{len(files)} file(s) to read, {len(unchanged)} unchanged since the last run"
            )
            result = ingest_source(
                con, settings.landing_dir, source, log=FileProgress(context.log, todo)
            )
            counts = {t: _row_count(con, registered.raw_table(t)) for t in tables}
            version = _data_version(con, source)
        context.log.info(
            f"{source}: {result.files_loaded} file(s) loaded, {result.files_skipped} skipped as "
            f"duplicates, {result.files_failed} failed; {result.rows_loaded} rows loaded, "
            f"{result.rows_rejected} rejected"
        )
        shared = {
            **_source_metadata(result),
            "landing_files": dg.MetadataValue.int(len(files)),
            LANDING_DIGEST: dg.MetadataValue.text(digest(fingerprints_of(files))),
        }
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
            errors = failures_text(failed)
            yield dg.AssetCheckResult(
                asset_key=[source, table],
                check_name="no_failed_files",
                passed=not failed,
                severity=dg.AssetCheckSeverity.WARN,
                description=(
                    f"{len(failed)} file(s) could not be loaded:\n{errors}" if failed else None
                ),
                metadata={
                    "failed_files": dg.MetadataValue.int(len(failed)),
                    "errors": dg.MetadataValue.text(errors or "none"),
                },
            )

    return _ingest


def build_ingest_assets() -> list[dg.AssetsDefinition]:
    return [build_ingest_asset(source.name) for source in SOURCES]
