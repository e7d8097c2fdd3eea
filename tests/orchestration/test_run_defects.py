"""End to end: `revops run` over successive deliveries, and a planted defect that blocks.

Generates a small demo landing zone and runs the pipeline once without the last day of
GA4 and ad files (good marts published). Then, in order: a rerun with nothing new, the
held-back day delivered (dbt builds only what the fresher sources reach, and the marts equal
a full rebuild), a forced rerun read by BI-like readers all the way, and a newer Salesforce
snapshot with handoff defects. That last run must exit non-zero, name the failing check,
its asset and the defect, and leave the serving database exactly as it was.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from dbt_runner import MARTS
from revops_runner import REVOPS, marts_content, revops_env

pytestmark = pytest.mark.slow

DEFECTS = {
    "owner": "MQL without owner",
    "order": "SQL dated before its MQL",
    "duplicate": "duplicate lead",
    "created_after_mql": "MQL dated before the lead was created",
}


def _revops(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REVOPS, *args], env=env, capture_output=True, text=True, timeout=1800)


def _plant(snapshot: Path, kinds: list[str]) -> dict[str, str]:
    """Edit Lead.csv of ``snapshot`` in place: one row per defect kind; returns their Ids."""
    path = snapshot / "Lead.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    live = [r for r in rows if r["IsDeleted"].lower() in {"false", "0"}]
    mqls = [r for r in live if r["MQL_Date__c"]]
    planted = {}
    if "owner" in kinds:
        mqls[0]["OwnerId"] = ""
        planted["owner"] = mqls[0]["Id"]
    if "created_after_mql" in kinds:
        target = [r for r in mqls[1:] if not r["ConvertedDate"]][-1]
        mql_day = date.fromisoformat(target["MQL_Date__c"][:10])
        target["CreatedDate"] = f"{(mql_day + timedelta(days=2)).isoformat()}T09:00:00.000Z"
        planted["created_after_mql"] = target["Id"]
    if "order" in kinds:
        converted = [r for r in mqls if r["ConvertedDate"]]
        target = converted[0] if converted else mqls[1]
        mql_day = date.fromisoformat(target["MQL_Date__c"][:10])
        target["IsConverted"] = "true" if target["IsConverted"] in {"true", "false"} else "1"
        target["ConvertedDate"] = (mql_day - timedelta(days=3)).isoformat()
        planted["order"] = target["Id"]
    if "duplicate" in kinds:
        rows.append(dict(live[-1]))
        planted["duplicate"] = live[-1]["Id"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return planted


def _newer_snapshot(salesforce: Path) -> Path:
    """Copy the newest snapshot folder to a folder one day newer (a new weekly export)."""
    newest = sorted(p for p in salesforce.iterdir() if p.is_dir())[-1]
    day = date.fromisoformat(newest.name[:10]) + timedelta(days=1)
    target = salesforce / f"{day.isoformat()}T060000Z"
    shutil.copytree(newest, target)
    return target


def _hold_back_last_day(landing: Path, held: Path) -> list[Path]:
    """Move the GA4 and ad files of the last simulated day (the generator sets each file's
    mtime to its delivery time) to ``held``; return their paths relative to the zone."""
    files = [p for p in landing.rglob("*") if p.is_file()]
    newest = max(p.stat().st_mtime for p in files)
    day = [
        p.relative_to(landing)
        for p in files
        if p.stat().st_mtime > newest - 24 * 3600
        and p.relative_to(landing).parts[0] != "salesforce"
    ]
    for rel in day:
        (held / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(landing / rel, held / rel)
    return day


def _marts_digest(serving: Path) -> dict[str, int]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {t: con.execute(f"select count(*) from marts.{t}").fetchall()[0][0] for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def good_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("e2e")
    env = revops_env(root)
    generated = _revops(
        ["generate", "--out", str(root / "landing"), "--scale", "0.2", "--days", "60"], env
    )
    assert generated.returncode == 0, generated.stderr
    held = _hold_back_last_day(root / "landing", root / "held")
    assert {p.parts[0] for p in held} >= {"web", "google_ads"}, held
    first = _revops(["run"], env)
    assert first.returncode == 0, f"good run failed:\n{first.stdout}\n{first.stderr[-3000:]}"
    assert "revops run OK" in first.stdout
    serving = root / "serving.duckdb"
    return {
        "root": root,
        "env": env,
        "held": held,
        "stdout": first.stdout,
        "marts": _marts_digest(serving),
        "marts_spec": {m: _marts_digest(serving)[m] for m in MARTS},
        "marts_content": marts_content(serving),
    }


def test_good_run_publishes_and_prints_funnel(good_run: dict[str, object]) -> None:
    stdout = str(good_run["stdout"])
    assert "funnel by channel" in stdout
    assert "published" in stdout
    marts = good_run["marts"]
    assert {"dim_leads", "mart_mql_handoff", "mart_funnel_daily"} <= set(marts)


def test_rerun_with_nothing_new_builds_nothing_and_keeps_serving(
    good_run: dict[str, object],
) -> None:
    """Same landing files, same code: no dbt build, no GX on the marts, no publish, exit 0."""
    env = dict(good_run["env"])  # type: ignore[arg-type]
    serving = Path(env["REVOPS_SERVING"])
    before = (serving.stat().st_ino, hashlib.sha256(serving.read_bytes()).hexdigest())
    result = _revops(["run"], env)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "already current: nothing new since the last publish" in result.stdout
    assert "skipped serving__marts (nothing upstream was rebuilt in this run)" in result.stdout
    assert "emitted no result" not in result.stderr
    assert (serving.stat().st_ino, hashlib.sha256(serving.read_bytes()).hexdigest()) == before


def test_a_day_without_crm_snapshot_rebuilds_what_it_reaches_and_equals_a_full_build(
    good_run: dict[str, object],
) -> None:
    """The held-back day of GA4 and ad files arrives: the CRM-only models keep their tables,
    the marts are rebuilt and published, and they equal what a forced full build makes."""
    root = Path(str(good_run["root"]))
    env = dict(good_run["env"])  # type: ignore[arg-type]
    serving = Path(env["REVOPS_SERVING"])
    for rel in good_run["held"]:  # type: ignore[attr-defined]
        (root / "landing" / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(root / "held" / rel, root / "landing" / rel)
    daily = _revops(["run"], env)
    assert daily.returncode == 0, daily.stdout[-3000:]
    assert "(published, read it read-only)" in daily.stdout
    changed = "changed since the last publish: ga4, google_ads, linkedin_ads, meta_ads; "
    assert f"building ({changed}" in daily.stdout
    built = re.search(r"ok  dbt_build \([\d.]+ s, (\d+) asset\(s\)[,)]", daily.stdout)
    assert built, daily.stdout
    narrowed = marts_content(serving)
    assert narrowed != good_run["marts_content"], "the new day changed no mart"

    full = _revops(["run", "--force"], env)
    assert full.returncode == 0, full.stdout[-3000:]
    rebuilt = re.search(r"ok  dbt_build \([\d.]+ s, (\d+) asset\(s\)[,)]", full.stdout)
    assert rebuilt, full.stdout
    # The build of what the new day reaches left the CRM staging and intermediates alone...
    assert int(built.group(1)) < int(rebuilt.group(1))
    # ...and published exactly what building everything publishes.
    assert marts_content(serving) == narrowed
    # Later tests compare with the last good publish.
    good_run["marts"] = _marts_digest(serving)
    good_run["marts_spec"] = {m: good_run["marts"][m] for m in MARTS}  # type: ignore[index]


def test_changed_dbt_code_or_vars_are_rebuilt_and_published(
    good_run: dict[str, object], tmp_path: Path
) -> None:
    """No new data, but the dbt project changed: a var (the SLA), then one model. Each is
    built and published; then a run with nothing new builds nothing again."""
    project = tmp_path / "dbt_project"
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "dbt_project",
        project,
        ignore=shutil.ignore_patterns("target", "logs"),
    )
    env = {**good_run["env"], "REVOPS_DBT_PROJECT_DIR": str(project)}  # type: ignore[dict-item]
    serving = Path(env["REVOPS_SERVING"])
    settings = project / "dbt_project.yml"
    settings.write_text(settings.read_text().replace("sla_hours: 24", "sla_hours: 30"))
    by_var = _revops(["run"], env)
    assert by_var.returncode == 0, by_var.stdout[-3000:]
    assert "building (dbt_project.yml changed since the last publish" in by_var.stdout
    assert "(published, read it read-only)" in by_var.stdout
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select distinct sla_hours from marts.mart_mql_handoff").fetchall() == [
            (30,)
        ]

    model = project / "models" / "marts" / "sales" / "fct_opportunities.sql"
    model.write_text(model.read_text() + "\n-- a change of code, not of data\n")
    by_model = _revops(["run"], env)
    assert by_model.returncode == 0, by_model.stdout[-3000:]
    changed = r"building \(changed since the last publish: \d+ modified dbt node"
    assert re.search(changed, by_model.stdout), by_model.stdout[-3000:]
    assert "(published, read it read-only)" in by_model.stdout

    again = _revops(["run"], env)
    assert again.returncode == 0, again.stdout[-3000:]
    assert "already current: nothing new since the last publish" in again.stdout

    # Back to the repository's project for the tests after this one.
    back = _revops(["run"], dict(good_run["env"]))  # type: ignore[arg-type]
    assert back.returncode == 0, back.stdout[-3000:]
    good_run["marts"] = _marts_digest(serving)


def _read_all_marts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {m: con.execute(f"select count(*) from marts.{m}").fetchall()[0][0] for m in MARTS}


def _reader_during_run(serving: str, stop: mp.Event, queue: mp.Queue) -> None:
    """Two BI-like readers in one process: one connection held open for the whole run, and
    a new read-only connection per read (what picks up a publish)."""
    held = duckdb.connect(serving, read_only=True)
    reads, seen = 0, []
    errors: list[str] = []
    while not stop.is_set():
        for con_factory in (lambda: held, lambda: duckdb.connect(serving, read_only=True)):
            try:
                con = con_factory()
                seen.append(_read_all_marts(con))
                if con is not held:
                    con.close()
                reads += 1
            except Exception as exc:  # noqa: BLE001 - every failure is evidence
                errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.05)
    held.close()
    queue.put((reads, errors, seen))


def test_readers_see_complete_marts_all_through_a_full_run(good_run: dict[str, object]) -> None:
    """BI reads the serving file while a run writes; every read succeeds and sees
    all marts whole (a forced rerun on the same files publishes the same marts again)."""
    env = dict(good_run["env"])  # type: ignore[arg-type]
    serving = Path(env["REVOPS_SERVING"])
    inode_before = serving.stat().st_ino
    stop, queue = mp.Event(), mp.Queue()
    reader = mp.Process(target=_reader_during_run, args=(str(serving), stop, queue))
    reader.start()
    try:
        result = _revops(["run", "--force"], env)
    finally:
        stop.set()
        reads, errors, seen = queue.get(timeout=120)
        reader.join(timeout=30)
    assert result.returncode == 0, result.stdout[-3000:]
    assert serving.stat().st_ino != inode_before, "the run did not publish a new serving file"
    assert errors == []
    assert reads > 10
    assert all(counts == good_run["marts_spec"] for counts in seen)


def test_planted_handoff_defects_block_publish_and_keep_last_good_marts(
    good_run: dict[str, object], tmp_path: Path
) -> None:
    root = Path(str(good_run["root"]))
    env = dict(good_run["env"])  # type: ignore[arg-type]
    serving = root / "serving.duckdb"
    # The last good publish (an earlier test may have rerun the pipeline since the fixture).
    last_good_sha = hashlib.sha256(serving.read_bytes()).hexdigest()
    snapshot = _newer_snapshot(root / "landing" / "salesforce")
    try:
        planted = _plant(snapshot, list(DEFECTS))
        # The sensor's settle time does not apply to `revops run`: files are read as they are.
        result = _revops(["run"], env)
    finally:
        shutil.rmtree(snapshot)
    output = result.stdout
    assert result.returncode != 0, output
    assert "BLOCKING" in output
    assert "gx_raw_leads_handoff_rules on salesforce/lead" in output
    for defect in DEFECTS.values():
        assert defect in output, f"{defect!r} not named:\n{output}"
    # Each planted record is named by its Id, so the person fixing the CRM finds it.
    for kind, lead_id in planted.items():
        assert lead_id in output, f"{kind} lead {lead_id} not named:\n{output}"
    assert "NOT updated" in output
    assert hashlib.sha256(serving.read_bytes()).hexdigest() == last_good_sha
    assert _marts_digest(serving) == good_run["marts"]
