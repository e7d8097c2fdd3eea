"""Nothing a killed run held outlives it.

Real `revops run` processes are killed (SIGKILL of the whole process group, as an OOM kill or
a reboot does) while they ingest, while dbt builds and while they publish; SIGTERM stops one
during dbt. Each time the next `revops run` must start at once, exit 0 and publish marts equal
to those of an uninterrupted run on the same files; after a kill it says that it recovered.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from revops_runner import REVOPS, interrupt_run, marts_content, revops_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A small demo landing zone and the marts of one uninterrupted run over it."""
    root = tmp_path_factory.mktemp("kill")
    landing = root / "landing"
    env = revops_env(root / "reference", landing)
    generated = subprocess.run(
        [REVOPS, "generate", "--out", str(landing), "--scale", "0.1", "--days", "45"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert generated.returncode == 0, generated.stderr
    run = subprocess.run([REVOPS, "run"], env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    marts = marts_content(root / "reference" / "serving.duckdb")
    return {"root": root, "landing": landing, "marts": marts}


@pytest.mark.parametrize(
    ("step", "delay", "how"),
    [
        ("ingest_ga4", 0.3, "kill"),
        ("dbt_build", 6.0, "kill"),
        ("serving__marts", 0.0, "kill"),
        ("dbt_build", 6.0, "term"),
    ],
    ids=["kill-during-ingest", "kill-during-dbt", "kill-at-publish", "sigterm-during-dbt"],
)
def test_next_run_recovers_and_equals_an_uninterrupted_run(
    company: dict[str, object], tmp_path: Path, step: str, delay: float, how: str
) -> None:
    env = revops_env(tmp_path, Path(str(company["landing"])))
    interrupt_run(env, step, delay, how)

    started = time.monotonic()
    rerun = subprocess.run([REVOPS, "run"], env=env, capture_output=True, text=True, timeout=900)
    output = rerun.stdout + rerun.stderr
    assert rerun.returncode == 0, output[-4000:]
    if how == "kill":
        # A killed run could not record its end: the next run does, and says so.
        assert "recovered from interrupted run" in rerun.stdout, output[-4000:]
    else:
        # A stopped run recorded its own end: there is nothing to recover.
        assert "recovered from interrupted run" not in rerun.stdout, output[-4000:]
    assert time.monotonic() - started < 600
    assert marts_content(tmp_path / "serving.duckdb") == company["marts"]
    # A killed publish leaves no unfinished copy beside the serving file.
    assert not list(tmp_path.glob(".serving.duckdb.*.publishing*"))


def test_a_locked_warehouse_is_a_clear_error_naming_the_file(
    company: dict[str, object], tmp_path: Path
) -> None:
    env = revops_env(tmp_path, Path(str(company["landing"])))
    shutil.copytree(Path(str(company["root"])) / "reference", tmp_path, dirs_exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(tmp_path / 'warehouse.duckdb')!r})\n"
            "print('holding', flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().startswith("holding")
        run = subprocess.run([REVOPS, "run"], env=env, capture_output=True, text=True, timeout=300)
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode != 0
    assert f"warehouse {tmp_path / 'warehouse.duckdb'} is in use by" in run.stdout, run.stdout
    assert f"(pid {holder.pid})" in run.stdout
