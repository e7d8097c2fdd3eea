"""The instance storage of dagster.yaml: Dagster's SQLite files, one held connection per shard.

What must hold for operators: the repo's dagster.yaml loads it, the files are where
``storage: sqlite`` keeps them (an existing DAGSTER_HOME keeps its history), events round-trip,
the engines stay bounded, a watcher (the UI's live view of a run) still sees new events, and
when a process ends every event is in the shard files, with no WAL left beside them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry

from orchestration import storage

REPO = Path(__file__).resolve().parents[2]


def _log_entry(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None,
        level=20,
        user_message=message,
        run_id=run_id,
        timestamp=time.time(),
    )


def _materialization(run_id: str, key: str) -> EventLogEntry:
    event = DagsterEvent(
        DagsterEventType.ASSET_MATERIALIZATION.value,
        "job",
        event_specific_data=StepMaterializationData(dg.AssetMaterialization(dg.AssetKey(key))),
    )
    return EventLogEntry(
        error_info=None,
        level=20,
        user_message="",
        run_id=run_id,
        timestamp=time.time(),
        dagster_event=event,
        job_name="job",
    )


def test_repo_config_loads_it_with_the_files_of_storage_sqlite(tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        events = instance.event_log_storage
        assert isinstance(events, storage.EngineCachingSqliteEventLogStorage)
        events.store_event(_materialization("run-1", "stg_orders"))
        # The layout of Dagster's `storage: sqlite`, so a home made before keeps its history.
        assert (home / "history" / "runs.db").is_file()
        assert (home / "history" / "runs" / "index.db").is_file()
        assert (home / "history" / "runs" / "run-1.db").is_file()
        assert (home / "schedules" / "schedules.db").is_file()
        latest = instance.get_latest_materialization_event(dg.AssetKey("stg_orders"))
        assert latest is not None and latest.run_id == "run-1"
    finally:
        instance.dispose()


def test_the_event_log_alone_can_be_configured_too(tmp_path: Path) -> None:
    # `event_log_storage: {module: orchestration.storage, ...}`: Dagster's from_config_value
    # would hand back its own class.
    events = storage.EngineCachingSqliteEventLogStorage.from_config_value(
        None, {"base_dir": str(tmp_path)}
    )
    try:
        assert type(events) is storage.EngineCachingSqliteEventLogStorage
    finally:
        events.dispose()


def test_events_round_trip_and_engines_stay_bounded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(storage, "MAX_ENGINES", 4)
    events = storage.EngineCachingSqliteEventLogStorage(str(tmp_path))
    try:
        runs = [f"run-{i}" for i in range(7)]
        for run_id in runs:
            for n in range(3):
                events.store_event(_log_entry(run_id, f"{run_id} line {n}"))
            events.store_event(_materialization(run_id, f"asset_{run_id}"))
        assert len(events._engines) <= 4
        for run_id in runs:  # the oldest shards' engines were dropped and are made again
            records = events.get_records_for_run(run_id).records
            messages = [r.event_log_entry.user_message for r in records]
            assert messages[:3] == [f"{run_id} line {n}" for n in range(3)]
            assert len(records) == 4
        assert len(events._engines) <= 4
    finally:
        events.dispose()


def test_a_watcher_sees_events_that_another_storage_writes(tmp_path: Path) -> None:
    """The UI's live view. Dagster's watcher wakes when <run_id>.db changes, which a held
    connection's write does not do until a checkpoint: this one must wake on the WAL too."""
    ui = storage.EngineCachingSqliteEventLogStorage(str(tmp_path))
    run_process = storage.EngineCachingSqliteEventLogStorage(str(tmp_path))
    seen: list[str] = []
    all_seen = threading.Event()

    def on_event(entry: EventLogEntry, cursor: str) -> None:
        seen.append(entry.user_message)
        if len(seen) == 3:
            all_seen.set()

    try:
        run_process.store_event(_log_entry("run-live", "started"))
        ui.watch("run-live", None, on_event)
        time.sleep(0.5)  # let the observer start before the writes it must see
        run_process.store_event(_log_entry("run-live", "step one"))
        run_process.store_event(_log_entry("run-live", "step two"))
        assert all_seen.wait(timeout=20), f"the watcher saw only {seen}"
        assert seen == ["started", "step one", "step two"]
    finally:
        ui.end_watch("run-live", on_event)
        ui.dispose()
        run_process.dispose()


def _wal_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.db-wal"))


def test_dispose_leaves_every_event_in_the_shard_files(tmp_path: Path) -> None:
    """Someone who copies DAGSTER_HOME's *.db files after a run must copy every event."""
    events = storage.EngineCachingSqliteEventLogStorage(str(tmp_path / "home"))
    events.store_event(_log_entry("run-d", "written"))
    events.store_event(_materialization("run-d", "orders"))
    assert _wal_files(tmp_path / "home") == ["index.db-wal", "run-d.db-wal"]  # held open
    events.dispose()
    assert _wal_files(tmp_path / "home") == []
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("index.db", "run-d.db"):
        shutil.copyfile(tmp_path / "home" / name, copy / name)
    reread = storage.EngineCachingSqliteEventLogStorage(str(copy))
    try:
        assert [
            r.event_log_entry.user_message for r in reread.get_records_for_run("run-d").records
        ][0] == "written"
        assert reread.get_latest_materialization_events([dg.AssetKey("orders")])[
            dg.AssetKey("orders")
        ]
    finally:
        reread.dispose()


def test_a_process_that_never_disposes_still_checkpoints_at_exit(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from dagster._core.events.log import EventLogEntry\n"
        "from orchestration.storage import EngineCachingSqliteEventLogStorage as S\n"
        "s = S(sys.argv[1])\n"
        "s.store_event(EventLogEntry(error_info=None, level=20, user_message='kept',"
        " run_id='run-x', timestamp=time.time()))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, cwd=REPO, timeout=120)
    assert _wal_files(tmp_path) == []
    events = storage.EngineCachingSqliteEventLogStorage(str(tmp_path))
    try:
        assert [
            r.event_log_entry.user_message for r in events.get_records_for_run("run-x").records
        ] == ["kept"]
    finally:
        events.dispose()


def test_wipe_drops_the_held_connections_of_deleted_shards(tmp_path: Path) -> None:
    events = storage.EngineCachingSqliteEventLogStorage(str(tmp_path))
    try:
        events.store_event(_log_entry("run-w", "old"))
        events.wipe()
        assert not (tmp_path / "run-w.db").exists()
        events.store_event(_log_entry("run-w", "new"))  # a new file, not the deleted inode
        assert (tmp_path / "run-w.db").exists()
        assert [
            r.event_log_entry.user_message for r in events.get_records_for_run("run-w").records
        ] == ["new"]
    finally:
        events.dispose()


def test_a_forked_child_neither_uses_nor_closes_the_parents_connections(
    tmp_path: Path, monkeypatch
) -> None:
    """SQLite connections must not cross a fork: the child makes its own engines, and its
    exit (the atexit hook, dispose) closes only those."""
    events = storage.EngineCachingSqliteEventLogStorage(str(tmp_path))
    parent_pid = os.getpid()
    try:
        events.store_event(_log_entry("run-f", "parent"))
        parent_engine = events._engines["run-f"]
        pooled = parent_engine.pool._pool.queue[0]  # type: ignore[attr-defined]
        monkeypatch.setattr(os, "getpid", lambda: parent_pid + 1)  # what a child sees
        events.dispose()  # a child that exits without writing
        pooled.driver_connection.execute("select 1")  # still open for the parent
        events.store_event(_log_entry("run-f", "child"))
        assert events._engines["run-f"] is not parent_engine
        assert len(events.get_records_for_run("run-f").records) == 2
    finally:
        events.dispose()


def _tiny_assets() -> list[object]:
    @dg.asset
    def orders() -> int:
        return 1

    @dg.asset_check(asset=orders)
    def orders_not_empty() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    @dg.asset(deps=[orders])
    def revenue() -> int:
        return 2

    return [orders, orders_not_empty, revenue]


def _what_a_run_stored(home: Path, monkeypatch, batch_size: str | None) -> list[tuple]:
    home.mkdir()
    shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    if batch_size is None:
        monkeypatch.delenv("DAGSTER_EVENT_BATCH_SIZE", raising=False)
    else:
        monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", batch_size)
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        result = dg.materialize(_tiny_assets(), instance=instance)
        assert result.success
        records = instance.get_records_for_run(result.run_id).records
        stored = [
            (r.event_log_entry.dagster_event_type, r.event_log_entry.step_key)
            for r in records
            if r.event_log_entry.is_dagster_event
        ]
        check = dg.AssetCheckKey(dg.AssetKey("orders"), "orders_not_empty")
        history = instance.event_log_storage.get_asset_check_execution_history(check, limit=5)
        planned = instance.event_log_storage.get_latest_planned_materialization_info(
            dg.AssetKey("revenue")
        )
        latest = instance.get_latest_materialization_event(dg.AssetKey("revenue"))
        return [
            *stored,
            ("check history", tuple(h.status.value for h in history)),
            ("planned revenue", planned is not None and planned.run_id == result.run_id),
            ("materialized revenue", latest is not None and latest.run_id == result.run_id),
        ]
    finally:
        instance.dispose()


def test_a_run_with_batched_events_stores_what_a_run_without_stores(
    tmp_path: Path, monkeypatch
) -> None:
    batches: list[int] = []
    original = storage.EngineCachingSqliteEventLogStorage.store_event_batch

    def spy(self, events):
        batches.append(len(events))
        return original(self, events)

    monkeypatch.setattr(storage.EngineCachingSqliteEventLogStorage, "store_event_batch", spy)
    one_by_one = _what_a_run_stored(tmp_path / "single", monkeypatch, None)
    assert batches == []
    batched = _what_a_run_stored(tmp_path / "batched", monkeypatch, storage.EVENT_BATCH_SIZE)
    assert max(batches) >= 3  # the planned events of two assets and a check: one batch
    assert batched == one_by_one
    assert ("check history", ("SUCCEEDED",)) in batched


def test_a_batch_that_fails_halfway_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    """Dagster then stores the batch event by event; a half-written batch would double it."""
    events = storage.EngineCachingSqliteEventLogStorage(str(tmp_path))
    original = storage.EngineCachingSqliteEventLogStorage.store_event

    def store_event(self, event):
        if event.user_message == "poison":
            raise RuntimeError("disk full")
        return original(self, event)

    monkeypatch.setattr(storage.EngineCachingSqliteEventLogStorage, "store_event", store_event)
    try:
        events.store_event(_log_entry("run-b", "before"))
        batch = [
            _log_entry("run-b", "one"),
            _materialization("run-b", "x"),
            _log_entry("run-b", "poison"),
        ]
        with pytest.raises(RuntimeError, match="disk full"):
            events.store_event_batch(batch)
        messages = [
            r.event_log_entry.user_message for r in events.get_records_for_run("run-b").records
        ]
        assert messages == ["before"]
        assert not events.get_latest_materialization_events([dg.AssetKey("x")]).get(
            dg.AssetKey("x")
        )
        events.store_event_batch(batch[:2])  # the lock and the thread's state were released
        assert len(events.get_records_for_run("run-b").records) == 3
    finally:
        events.dispose()
