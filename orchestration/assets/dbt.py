"""dbt models as Dagster assets, dbt tests as asset checks.

The manifest is prepared once (``dbt parse``) by :func:`prepare_dbt_manifest`,
which `revops run`, `make ui` and the test fixtures call, and never at import:
parsing costs seconds, and a code server imports the definitions often. The
Definitions only fall back to parsing when no manifest exists at all, so a
fresh clone still loads in the UI.

``dbt build`` runs in one step and is streamed, so each model is a
materialization and each test an asset check as soon as dbt reports it; tests
with ``severity: error`` are blocking checks, ``warn`` ones warnings. The step
counts the nodes dbt has finished against the nodes it selected and logs
``[40/120 dbt nodes]`` (`revops run` shows it as a progress bar). A failing test's
result carries its failing-row count and up to 10 failing rows' keys, read from the
``audit`` table dbt stored them in.

What a build selects is dbt's own state comparison. After every publish, the
manifest and ``dbt source freshness`` results of the published build are kept as
dbt *state* next to the warehouse. The next run measures source freshness again and
builds only ``source_status:fresher+`` (what new raw data reaches),
``state:modified+`` (what changed code reaches) and the marts (publish copies
all of them). With no fresher source and no modified node, nothing is built.
"""

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import yaml
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets
from pydantic import Field

from orchestration.assets.ingest import DBT_NODES, progress_prefix
from orchestration.dbt_cli import dbt_executable
from orchestration.resources import RevopsSettings
from orchestration.translator import RevopsDbtTranslator
from revops.engine import dbt_environment
from revops.settings import Settings
from revops.sources import SOURCE_NAMES

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Folders and files whose change makes the manifest stale.
_DBT_SOURCE_DIRS = ("models", "macros", "seeds", "snapshots", "tests", "analyses")
_DBT_SOURCE_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")


def dbt_project_dir() -> Path:
    """``REVOPS_DBT_PROJECT_DIR`` (tests point it at a copy) or the repo's ``dbt_project/``."""
    return Path(os.environ.get("REVOPS_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project").resolve()


def dbt_target_path() -> Path:
    """``REVOPS_DBT_TARGET_PATH``: tests use a temp dir so they never clobber dbt_project/target."""
    return Path(os.environ.get("REVOPS_DBT_TARGET_PATH") or "target")


@cache
def _project(project_dir: Path, target_path: Path) -> DbtProject:
    return DbtProject(project_dir=project_dir, target_path=target_path)


def get_dbt_project() -> DbtProject:
    return _project(dbt_project_dir(), dbt_target_path())


def dbt_project_files(root: Path) -> list[Path]:
    """Every file dbt parses: what makes the manifest stale, and part of the code fingerprint."""
    files = [root / name for name in _DBT_SOURCE_FILES if (root / name).is_file()]
    for folder in _DBT_SOURCE_DIRS:
        if (root / folder).is_dir():
            files.extend(p for p in (root / folder).rglob("*") if p.is_file())
    return files


def check_severity_var(project: DbtProject) -> dict[str, Any]:
    """The dbt var ``check_severity`` of the project (check name -> severity), for the checks
    that are not dbt tests."""
    settings = yaml.safe_load((Path(project.project_dir) / "dbt_project.yml").read_text())
    return dict((settings.get("vars") or {}).get("check_severity") or {})


def manifest_adapter(manifest: Path) -> str | None:
    """The adapter a manifest was parsed for (``duckdb``, ``spark``), from its first bytes:
    dbt writes ``metadata`` first, so the whole file is never read."""
    with open(manifest, encoding="utf-8") as fh:
        head = fh.read(4096)
    found = re.search(r'"adapter_type":\s*"(\w+)"', head)
    return found.group(1) if found else None


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing, was parsed for the other engine, or is older than
    any file dbt parses."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    if manifest_adapter(manifest) != Settings.from_env().engine:
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in dbt_project_files(project.project_dir))


def prepare_dbt_manifest(*, force: bool = False) -> Path:
    """Run ``dbt parse`` when the manifest is missing or stale; return its path.

    A stat walk over the dbt project is milliseconds; the parse runs only when a
    model, macro, seed or config changed since the last one.
    """
    project = get_dbt_project()
    if force or manifest_is_stale(project):
        target = project.project_dir / project.target_path
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                # A partial parse has been seen to drop a singular test's description,
                # which is what the UI shows a RevOps reader: parse whole (it is rare).
                "--no-partial-parse",
                "--project-dir",
                str(project.project_dir),
                "--profiles-dir",
                str(project.profiles_dir),
                "--target-path",
                str(target),
            ],
            check=True,
            cwd=project.project_dir,
        )
    return project.manifest_path


#: How the dbt step's log line on what it builds starts; `revops run` prints that line.
BUILD_REASON_PREFIX = "building "

#: The yaml selector (dbt_project/selectors.yml) of a build after a published one.
CHANGED_SELECTOR = "changed_since_publish"


class DbtBuildConfig(dg.Config):
    """Run config of the dbt step (launchpad, `revops run --force`)."""

    force: bool = Field(
        default=False,
        description=(
            "Build and check every model, even when no source has new data and no code "
            "changed since the last publish (after editing the warehouse by hand, say)."
        ),
    )


@dataclass(frozen=True)
class DbtPaths:
    """dbt's folders for one warehouse: two warehouses never share a target or log folder.

    ``run`` is the target (and log) folder of every dbt invocation against the warehouse;
    it keeps dbt's partial parse between runs. ``published`` holds the dbt state of the
    last published build: its ``manifest.json`` and ``sources.json``, and the
    ``dbt_project.yml`` it was built with (dbt's state comparison does not see vars).
    """

    STATE_FILES = ("manifest.json", "sources.json", "dbt_project.yml")

    run: Path
    published: Path

    @classmethod
    def for_warehouse(cls, warehouse: Path) -> "DbtPaths":
        root = warehouse.resolve().parent / f"{warehouse.name}.dbt"
        return cls(run=root / "target", published=root / "published")

    @classmethod
    def for_settings(cls, settings: Settings) -> "DbtPaths":
        """The DuckDB warehouse's folders, or on Spark folders inside its Spark folder: each
        engine compares with its own last published build (a switch of engine builds all)."""
        if settings.engine != "spark":
            return cls.for_warehouse(settings.warehouse)
        root = settings.spark_dir.resolve() / "dbt"
        return cls(run=root / "target", published=root / "published")

    def has_published_state(self) -> bool:
        return all((self.published / name).is_file() for name in self.STATE_FILES)

    def save_published_state(self, project_dir: Path) -> None:
        """After a publish: this build's manifest and freshness become the state to compare."""
        staging = self.published.with_name(self.published.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in self.STATE_FILES:
            source = project_dir if name == "dbt_project.yml" else self.run
            shutil.copy2(source / name, staging / name)
        old = self.published.with_name(self.published.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.published.exists():
            self.published.rename(old)
        staging.rename(self.published)
        shutil.rmtree(old, ignore_errors=True)

    def forget_published_state(self) -> None:
        shutil.rmtree(self.published, ignore_errors=True)


def max_loaded_at_by_source(sources_json: Path) -> dict[str, str | None]:
    """``dbt source freshness`` results: the newest ``_loaded_at`` of every raw table."""
    results = json.loads(sources_json.read_text(encoding="utf-8")).get("results", [])
    return {r["unique_id"]: r.get("max_loaded_at") for r in results}


def dbt_problems(run_results: dict[str, Any], checked_tests: set[str | None]) -> list[str]:
    """dbt nodes that failed in a way no asset check reports: model/seed errors, unattached tests.

    A failing test that is an asset check is reported (and blocks) as that check, so it is
    not repeated here.
    """
    problems = []
    for node in run_results.get("results", []):
        status = node.get("status")
        unique_id = node.get("unique_id", "?")
        if status == "error" or (status == "fail" and unique_id not in checked_tests):
            message = " ".join((node.get("message") or status).split())
            problems.append(f"{unique_id} ({status}): {message}")
    return problems


#: Columns that name a record a person can look up and fix, in the order they are shown.
KEY_COLUMNS = (
    "lead_id",
    "opportunity_id",
    "owner_id",
    "campaign_key",
    "session_key",
    "date_day",
    "_source_file",
    "_row_number",
    "file_path",
    "row_number",
)
#: Failing rows named per check.
FAILING_ROWS_SHOWN = 10


def with_failing_rows(
    con: Any, manifest: dict[str, Any], result: dg.AssetCheckResult
) -> dg.AssetCheckResult:
    """``result`` with up to 10 failing rows' keys, read from the table dbt stored them in.

    Every data test stores its failing rows (``store_failures``); the manifest gives the
    table. The keys go into the metadata and the description, so the person who must fix
    the CRM record knows which one.
    """
    unique_id = str((result.metadata.get("unique_id") or dg.MetadataValue.text("")).value)
    node = manifest.get("nodes", {}).get(unique_id, {})
    relation = node.get("relation_name")
    if not relation:
        return result
    # dbt's generic unique test stores the tested value as `unique_field`: name its column.
    tested = ((node.get("test_metadata") or {}).get("kwargs") or {}).get("column_name")
    try:
        cursor = con.execute(f"select * from {relation} limit {FAILING_ROWS_SHOWN}")
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    except Exception as exc:  # a stored-failures table that is not there names nothing
        return dg.AssetCheckResult(
            **_fields(result),
            metadata={**result.metadata, "failing_rows_error": str(exc).splitlines()[0]},
        )
    label = {"unique_field": tested} if tested else {}
    shown = [c for c in KEY_COLUMNS if c in names] or names[:4]
    keys = [", ".join(f"{label.get(c, c)} {row[names.index(c)]}" for c in shown) for row in rows]
    table = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    table += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    count = result.metadata.get("dagster_dbt/failed_row_count")
    failing = int(count.value) if count is not None else len(rows)
    return dg.AssetCheckResult(
        **_fields(result),
        description=f"{failing} failing row(s); first {len(keys)}: " + "; ".join(keys),
        metadata={
            **result.metadata,
            # The same names as the GX checks' metadata: count, keys, a sample, where the rest is.
            "failing_rows": dg.MetadataValue.int(failing),
            "failing_keys": dg.MetadataValue.text("; ".join(keys)),
            "failing_rows_sample": dg.MetadataValue.md("\n".join(table)),
            "failing_rows_table": dg.MetadataValue.text(relation),
        },
    )


class NodeProgress:
    """Counts the dbt nodes a build has finished, out of the nodes it selected, and logs it.

    dbt says how many nodes it selected (``ConcurrencyLine``, then ``total`` on every node
    line) and reports each node's end as a numbered result event (``LogModelResult``,
    ``LogTestResult``, ``LogNodeNoOpResult``..., or ``SkippingDetails`` for a node skipped
    after an upstream failure). The step logs ``[40/120 dbt nodes]`` at
    most once a second and at the end, for `revops run`'s progress bar.
    """

    def __init__(self, log: Any, *, every_seconds: float = 1.0) -> None:
        self.log = log
        self.every = every_seconds
        self.total = 0
        self.done = 0
        self._logged = (-1, 0.0)

    def observe(self, raw_event: dict[str, Any]) -> None:
        info, data = raw_event.get("info", {}), raw_event.get("data", {})
        name = info.get("name")
        if name == "ConcurrencyLine":
            self.total = int(data.get("node_count") or self.total)
        elif "index" in data and (name.endswith("Result") or name == "SkippingDetails"):
            self.total = max(self.total, int(data.get("total") or 0))
            self.done += 1
            node = (data.get("node_info") or {}).get("unique_id", "")
            status = data.get("status") or (data.get("node_info") or {}).get("node_status", "")
            self._emit(f"{node} {status}".strip())

    def _emit(self, what: str, *, force: bool = False) -> None:
        now = time.monotonic()
        due = force or now - self._logged[1] >= self.every
        if self.total and due and self._logged[0] != self.done:
            self.log.debug(f"{progress_prefix(self.done, self.total, DBT_NODES)} {what}")
            self._logged = (self.done, now)

    def finish(self) -> None:
        self._emit("dbt build done", force=True)


def _fields(result: dg.AssetCheckResult) -> dict[str, Any]:
    return {
        "asset_key": result.asset_key,
        "check_name": result.check_name,
        "passed": result.passed,
        "severity": result.severity,
    }


def _whole_graph(context: dg.AssetExecutionContext) -> bool:
    """A run of every dbt asset and check (not a per-source job's subset)."""
    return set(context.selected_asset_keys) == set(context.assets_def.keys) and set(
        context.selected_asset_check_keys
    ) == set(context.assets_def.check_keys)


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    """The one ``@dbt_assets`` over the whole project (seeds, models, tests)."""

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=RevopsDbtTranslator(),
        name="dbt_build",
    )
    def _dbt_build(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        revops: RevopsSettings,
        config: DbtBuildConfig,
    ) -> Iterator[object]:
        # dbt runs with the project folder as working directory, so the profile's paths
        # (the warehouse; on Spark its lake and Spark folder) must be absolute or dbt would
        # build a second warehouse inside dbt_project/. The subprocess inherits them.
        settings = revops.settings()
        os.environ.update(dbt_environment(settings))
        paths = DbtPaths.for_settings(settings)
        whole = _whole_graph(context)
        # A sources.json left by an earlier run must never stand for this one's freshness.
        (paths.run / "sources.json").unlink(missing_ok=True)
        if whole:
            # The newest _loaded_at of every raw table: kept as dbt state at publish.
            dbt.cli(["source", "freshness"], target_path=paths.run, raise_on_error=False).wait()
        else:
            # A subset build stands for no state: the next whole build builds everything.
            paths.forget_published_state()
        args = ["build", "--exclude-resource-type", "unit_test"]
        if config.force:
            reason = "forced"
        elif not whole:
            reason = "the assets this job selects"
        elif not paths.has_published_state():
            reason = "no published build yet"
        elif not settings.serving.exists():
            reason = f"no serving database at {settings.serving}"
        elif not (paths.run / "sources.json").is_file():
            reason = "dbt could not measure source freshness (see its log)"
        elif (paths.published / "dbt_project.yml").read_bytes() != (
            Path(project.project_dir) / "dbt_project.yml"
        ).read_bytes():
            # Vars (the SLA, field names, severities...) are not part of dbt's state comparison.
            reason = "dbt_project.yml changed since the last publish (its vars may have)"
        else:
            fresher = _fresher_sources(paths)
            modified = [] if fresher else _modified_nodes(dbt, paths)
            if not fresher and not modified:
                # Yielding nothing skips the steps that need a fresh mart: its checks, publish.
                context.log.info(
                    "Nothing new since the last publish: no raw table was loaded since and no "
                    "dbt code changed. dbt build, mart checks and publish are skipped (force "
                    "with config `force: true`, or `revops run --force`)."
                )
                return
            reason = "changed since the last publish: " + (
                ", ".join(fresher) if fresher else f"{len(modified)} modified dbt node(s)"
            )
            reason += f"; dbt selects what that reaches, and the marts ({CHANGED_SELECTOR})"
            args += ["--selector", CHANGED_SELECTOR, "--state", str(paths.published)]
        context.log.info(f"{BUILD_REASON_PREFIX}({reason})")
        # A build that dbt refuses before running a node (a compilation error) writes no
        # run_results.json: an older one must not pass for this build's.
        (paths.run / "run_results.json").unlink(missing_ok=True)
        invocation = dbt.cli(args, context=context, target_path=paths.run, raise_on_error=False)
        failed: list[dg.AssetCheckResult] = []
        progress = NodeProgress(context.log)
        for raw in invocation.stream_raw_events():
            progress.observe(raw.raw_event)
            for event in raw.to_default_asset_events(
                manifest=invocation.manifest,
                dagster_dbt_translator=invocation.dagster_dbt_translator,
                context=context,
                target_path=invocation.target_path,
                project=invocation.project,
            ):
                if isinstance(event, dg.AssetCheckResult) and not event.passed:
                    failed.append(event)  # named once dbt has let go of the warehouse
                else:
                    yield event
        progress.finish()
        if failed:
            manifest = invocation.get_artifact("manifest.json")
            with revops.connect_built() as con:
                yield from (with_failing_rows(con, manifest, result) for result in failed)
        if invocation.is_successful():
            return
        if not (paths.run / "run_results.json").is_file():
            error = invocation.get_error()
            raise dg.Failure(
                description=f"dbt build failed before running any node:\n{error}",
                metadata={"dbt_log": dg.MetadataValue.path(str(paths.run / "dbt.log"))},
            )
        checked = {
            spec.metadata.get("dagster_dbt/unique_id") for spec in context.assets_def.check_specs
        }
        problems = dbt_problems(invocation.get_artifact("run_results.json"), checked)
        if problems:
            raise dg.Failure(
                description="dbt build failed:\n" + "\n".join(problems),
                metadata={"dbt_errors": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems))},
            )

    return _dbt_build


def _fresher_sources(paths: DbtPaths) -> list[str]:
    """Landing sources with raw tables loaded since the published build, by dbt's freshness
    results. A file that failed changes only ``raw.ingest_log``: nothing for the marts."""
    now = max_loaded_at_by_source(paths.run / "sources.json")
    then = max_loaded_at_by_source(paths.published / "sources.json")
    return sorted(
        {
            uid.split(".")[2]
            for uid, at in now.items()
            if at and at != then.get(uid) and uid.split(".")[2] in SOURCE_NAMES
        }
    )


def _modified_nodes(dbt: DbtCliResource, paths: DbtPaths) -> list[str]:
    """dbt's ``state:modified``: nodes whose code or config differ from the published build."""
    listing = dbt.cli(
        ["ls", "--select", "state:modified", "--state", str(paths.published), "--output", "name"],
        target_path=paths.run,
        raise_on_error=False,
    )
    names = []
    for event in listing.stream_raw_events():
        info = event.raw_event.get("info", {})
        # `dbt ls` prints each selected node as a PrintEvent (ListCmdOut in older dbt).
        if info.get("name") in ("PrintEvent", "ListCmdOut") and info.get("msg"):
            names.append(str(info["msg"]))
    listing.wait()
    return names


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
