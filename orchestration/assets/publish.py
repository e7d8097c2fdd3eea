"""The publish asset: the marts, copied atomically to the serving database for BI.

It depends on every mart, so Dagster starts it only after the marts and their
blocking checks succeeded in the run: a blocking failure skips it and the last
good serving database stays in place. The copy itself is
:func:`serving.publish.publish_marts` (pure, no Dagster).

After the copy it writes the HTML funnel report (:func:`serving.report.write_report`) from
the new serving file and links it in the materialization's metadata. A report that cannot be
written is logged and shown in the metadata, but does not fail the step: the marts are
already published, and BI reads them whatever became of the page.
"""

from collections.abc import Sequence
from pathlib import Path

import dagster as dg
from pydantic import Field

from orchestration.assets.dbt import DbtPaths, get_dbt_project
from orchestration.resources import DEFAULT_OWNER, RevopsSettings

PUBLISH_KEY = dg.AssetKey(["serving", "marts"])
#: The publish step (op) name, for run config.
PUBLISH_STEP = "serving__marts"


class PublishConfig(dg.Config):
    """Run config of the publish step (launchpad, `revops run --force`)."""

    full_copy: bool = Field(
        default=False,
        description=(
            "Copy every mart into an empty file instead of bringing a copy of the current "
            "serving file up to date (after editing the serving file by hand, say)."
        ),
    )


def build_publish_asset(mart_keys: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISH_KEY,
        deps=list(mart_keys),
        group_name="serving",
        owners=[DEFAULT_OWNER],
        kinds={"duckdb"},
        description=(
            "The marts as BI tools read them: schema `marts` of the warehouse copied into a new "
            "DuckDB file (storage version readable by DuckDB 1.x clients) that replaces "
            "`REVOPS_SERVING` in one atomic rename. Readers see the old marts or the new ones, "
            "never a mix. The new file starts as a copy of the current one and only changed "
            "marts (or, for daily marts, changed days) are rewritten. Runs only when every "
            "blocking check upstream passed. Also writes the self-contained HTML funnel report "
            "(`REVOPS_REPORT`, default `data/report.html`), linked in the metadata."
        ),
    )
    def publish_marts(
        context: dg.AssetExecutionContext, revops: RevopsSettings, config: PublishConfig
    ) -> dg.MaterializeResult:
        from serving.publish import publish_marts as publish

        settings = revops.settings()
        result = publish(
            settings.warehouse,
            settings.serving,
            storage_version=settings.serving_storage_version,
            memory_limit=settings.duckdb_memory_limit,
            threads=settings.duckdb_threads,
            reuse_serving=not config.full_copy,
        )
        # What was published becomes the dbt state the next build compares with. A build of a
        # subset (a per-source job) measures no freshness, so it leaves no state to keep.
        paths = DbtPaths.for_settings(settings)
        if (paths.run / "sources.json").is_file():
            paths.save_published_state(get_dbt_project().project_dir)
        context.log.info(
            f"published {len(result.row_counts)} marts to {result.serving_path} "
            f"(storage {result.storage_version}): "
            + ", ".join(f"{table} {how}" for table, how in result.changes.items())
        )
        return dg.MaterializeResult(
            metadata={
                "serving_path": dg.MetadataValue.path(str(result.serving_path.resolve())),
                "storage_version": result.storage_version,
                "tables": dg.MetadataValue.int(len(result.row_counts)),
                "row_counts": dg.MetadataValue.json(result.row_counts),
                "changes": dg.MetadataValue.json(result.changes),
                **_write_report(context, settings.serving, settings.report),
            }
        )

    return publish_marts


def _write_report(
    context: dg.AssetExecutionContext, serving: Path, report: Path
) -> dict[str, dg.MetadataValue]:
    """Write the HTML report of what was just published; its metadata, or why it failed."""
    from serving.report import write_report

    try:
        written = write_report(serving, report, run_id=context.run_id)
    except Exception as exc:  # noqa: BLE001 - the marts are published; the page is a by-product
        context.log.error(f"the HTML report {report} was not written: {exc!r}")
        return {"report_error": dg.MetadataValue.text(f"{type(exc).__name__}: {exc}")}
    path = written.path.resolve()
    context.log.info(f"report: {path}")
    metadata: dict[str, dg.MetadataValue] = {
        "report": dg.MetadataValue.url(path.as_uri()),
        "report_path": dg.MetadataValue.path(str(path)),
        "report_as_of": dg.MetadataValue.text(
            f"{written.as_of:%Y-%m-%d %H:%M} UTC" if written.as_of else "unknown"
        ),
    }
    if written.missing:
        metadata["report_not_available"] = dg.MetadataValue.json(written.missing)
    return metadata
