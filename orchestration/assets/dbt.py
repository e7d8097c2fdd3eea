"""dbt models as Dagster assets, dbt tests as asset checks.

The manifest is prepared once (``dbt parse``) by :func:`prepare_dbt_manifest`,
which `revops run`, `make ui` and the test fixtures call, and never at import:
parsing costs seconds, and a code server imports the definitions often. The
Definitions only fall back to parsing when no manifest exists at all, so a
fresh clone still loads in the UI.

``dbt build`` runs in one step and is streamed, so each model is a
materialization and each test an asset check as soon as dbt reports it; tests
with ``severity: error`` are blocking checks, ``warn`` ones warnings.
"""

import importlib
import json
import os
import subprocess
from collections.abc import Iterator
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets
from packaging.version import Version
from pydantic import Field

from orchestration.build_state import (
    BuildState,
    PublishedBuild,
    code_fingerprint,
    current_state,
    last_published,
    record_attempt,
    record_build,
    sources_to_rebuild,
)
from orchestration.dbt_cli import dbt_executable, installed_dbt_core_version
from orchestration.dbt_selection import exclusion_selectors, nodes_to_build, source_names
from orchestration.resources import DUCKDB_POOL, RevopsSettings
from orchestration.translator import RevopsDbtTranslator, group_for

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


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than any file dbt parses."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in dbt_project_files(project.project_dir))


def build_inputs(
    project: DbtProject, revops: RevopsSettings
) -> tuple[BuildState, PublishedBuild | None]:
    """The raw data and code as they are now, and as they were at the last publish."""
    code = pipeline_code_fingerprint(project, revops.check_settings())
    with revops.connect() as con:
        return current_state(con, code), last_published(con)


def pipeline_code_fingerprint(project: DbtProject, settings: dict[str, Any]) -> str:
    """The code between raw and serving: the dbt project, the GX suites, and their settings."""
    # The module, not the function of the same name that orchestration.checks exports.
    suites_file = Path(str(importlib.import_module("orchestration.checks.suites").__file__))
    return code_fingerprint(
        [
            (project.project_dir, dbt_project_files(project.project_dir)),
            (suites_file.parent, [suites_file]),
        ],
        settings,
    )


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


class DbtBuildConfig(dg.Config):
    """Run config of the dbt step (launchpad, `revops run --force`)."""

    force: bool = Field(
        default=False,
        description=(
            "Build, check and publish even when raw data and code are unchanged since the "
            "last publish (after editing the warehouse by hand, say)."
        ),
    )


def dbt_run_target(project: DbtProject) -> Path:
    """A fixed target folder per project keeps dbt's partial parse between runs; runs never
    overlap (one DuckDB writer), so they cannot clash on it."""
    return project.project_dir / project.target_path / "dagster_run"


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
            message = " ".join((node.get("message") or status).split())[:400]
            problems.append(f"{unique_id} ({status}): {message}")
    return problems


def dbt_build_args(excluded: list[str]) -> list[str]:
    """``dbt build`` without unit tests and, when narrowed, without exactly ``excluded``.

    dbt's default (eager) indirect selection would also drop every test with *one* excluded
    parent, such as the spend reconciliation (it reads a seed) or the freshness warnings
    (they read the CRM as-of time): ``empty`` makes the exclusion exactly the given nodes,
    which already include the tests of the nodes left alone.
    """
    args = ["build", "--exclude-resource-type", "unit_test"]
    if excluded:
        args += ["--indirect-selection", "empty", "--exclude", " ".join(excluded)]
    return args


def _is_mart(node: dict[str, Any]) -> bool:
    return node["resource_type"] == "model" and group_for(node) == "marts"


def _untouched_nodes(
    context: dg.AssetExecutionContext,
    project: DbtProject,
    con: Any,
    state: BuildState,
    published: PublishedBuild | None,
    force: bool,
) -> list[str]:
    """``fqn:`` selectors of the nodes this build may leave as they are; empty: build all.

    Only a run of the whole graph is narrowed (a per-source job is already a subset that
    dagster-dbt selects), and only as :func:`sources_to_rebuild` allows.
    """
    subset = set(context.selected_asset_keys) != set(context.assets_def.keys) or set(
        context.selected_asset_check_keys
    ) != set(context.assets_def.check_keys)
    if force or subset:
        return []
    changed = sources_to_rebuild(con, state, published)
    manifest = json.loads(project.manifest_path.read_text(encoding="utf-8"))
    if not changed or not set(changed) <= source_names(manifest):
        return []
    keep = nodes_to_build(manifest, changed, always=_is_mart)
    return exclusion_selectors(manifest, keep) or []


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    """The one ``@dbt_assets`` over the whole project (seeds, models, tests)."""

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=RevopsDbtTranslator(),
        name="dbt_build",
        pool=DUCKDB_POOL,
    )
    def _dbt_build(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        revops: RevopsSettings,
        config: DbtBuildConfig,
    ) -> Iterator[object]:
        # dbt runs with the project folder as working directory, so the profile's
        # env_var('REVOPS_WAREHOUSE') must be absolute or dbt would build a second
        # warehouse inside dbt_project/. The subprocess inherits this environment.
        settings = revops.settings()
        os.environ["REVOPS_WAREHOUSE"] = str(settings.warehouse.resolve())
        state, published = build_inputs(project, revops)
        if (
            not config.force
            and published is not None
            and published.state == state
            and settings.serving.exists()
        ):
            # Yielding nothing skips the steps that need a fresh mart: its checks, publish.
            context.log.info(
                "Nothing new since the last publish: raw data and code are as they were when run "
                f"{published.run_id} published at {published.published_at:%Y-%m-%d %H:%M:%S} "
                "UTC. dbt build, mart checks and publish are skipped (force with config "
                "`force: true`, or `revops run --force`)."
            )
            return
        if published is None:
            reason = "no published build yet"
        else:
            changed = state.changed_sources(published.state)
            if published.state.code != state.code:
                changed.append("code")
            reason = "changed since the last publish: " + (", ".join(changed) or "forced")
        with revops.connect() as con:
            narrowed = _untouched_nodes(context, project, con, state, published, config.force)
            record_attempt(con, context.run_id, state.code)
        args = dbt_build_args(narrowed)
        if narrowed:
            reason += (
                f"; {len(narrowed)} dbt nodes that no changed source reaches keep their tables"
            )
        context.log.info(f"{BUILD_REASON_PREFIX}({reason})")
        # The GX suites on the marts run after this step, in this process: import GX while
        # dbt works in its subprocess.
        from orchestration.checks.gx import prefetch_great_expectations

        prefetch_great_expectations()
        # Unit tests check the SQL logic on fixed rows, not the data: they run in `make test`
        # and CI (tests/dbt builds the project with them), not in every production run.
        invocation = dbt.cli(
            args,
            context=context,
            target_path=dbt_run_target(project),
            raise_on_error=False,
        )
        yield from invocation.stream()
        if invocation.is_successful():
            complete = set(context.selected_asset_keys) >= set(context.assets_def.keys)
            with revops.connect() as con:
                record_build(con, context.run_id, state, complete=complete)
            return
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


class RevopsDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs that buy this project nothing.

    Before every invocation ``DbtCliResource.cli`` runs ``dbt --version`` in a subprocess
    and, when dbt-core is importable, builds a dbt adapter in this process (profile,
    project, macros). The version tells it whether the executable is dbt Fusion; the
    adapter serves only ``fetch_row_counts`` and ``fetch_column_metadata``, which this
    project does not call. Together they cost 5-8 s per run on 2 cores. The version is
    read from the executable's virtualenv instead (``dbt --version`` only when that fails).
    """

    @cached_property
    def _cli_version(self) -> Version:
        installed = installed_dbt_core_version(self.dbt_executable)
        if installed is not None:
            return Version(installed)
        return DbtCliResource._cli_version.func(self)  # type: ignore[attr-defined]

    def _initialize_dbt_core_adapter(self, args: Any) -> Any:
        return None


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return RevopsDbtCliResource(project_dir=project, dbt_executable=dbt_executable())
