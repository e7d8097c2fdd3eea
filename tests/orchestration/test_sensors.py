"""Landing-zone sensors: a run per new delivery, never twice, nothing missed, none for nothing.

Real files in a temp landing zone, real mtimes; each tick is the sensor function itself with
the cursor the previous tick left. ``now`` is passed to :func:`evaluate` only where a test
needs two ticks a minute apart without waiting a minute.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.assets.ingest import build_ingest_asset
from orchestration.resources import RevopsSettings
from orchestration.sensors import (
    LANDING_DIGEST,
    SETTLE_SECONDS,
    build_landing_sensor,
    digest,
    evaluate,
    fingerprints,
)

DAY = 24 * 3600


def _drop(path: Path, text: str, age_seconds: float = 120) -> Path:
    """Write ``path`` with an mtime ``age_seconds`` ago (negative: in the future)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    when = time.time() - age_seconds
    os.utime(path, (when, when))
    return path


def _tick(
    sensor: dg.SensorDefinition,
    landing: Path,
    cursor: str | None,
    instance: dg.DagsterInstance | None = None,
) -> dg.SensorResult:
    context = dg.build_sensor_context(
        cursor=cursor,
        instance=instance,
        resources={"revops": RevopsSettings(landing_dir=str(landing))},
    )
    return sensor(context)


def _skip(result: dg.SensorResult) -> str:
    assert not result.run_requests, result.run_requests
    return result.skip_reason.skip_message


def test_a_file_with_an_older_mtime_is_new_at_once_and_handed_once(tmp_path: Path) -> None:
    sensor = build_landing_sensor("google_ads")
    landing = tmp_path / "landing"
    _drop(landing / "google_ads" / "report_1.csv", "a")

    first = _tick(sensor, landing, None)
    assert len(first.run_requests) == 1
    request = first.run_requests[0]
    assert request.run_key.startswith("google_ads:")
    assert request.tags["revops/new_files"] == "1"
    assert "google_ads/report_1.csv" in request.tags["revops/landing"]

    again = _tick(sensor, landing, first.cursor)
    assert _skip(again) == "google_ads/: 1 files known, 0 new"

    _drop(landing / "google_ads" / "report_2.csv", "b")
    second = _tick(sensor, landing, again.cursor)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != request.run_key


def test_files_with_mtimes_in_the_future_are_not_held_as_being_written(tmp_path: Path) -> None:
    """Exports copied with their delivery time (the demo generator, `cp -p`, rsync) can carry
    an mtime days ahead of the clock: they are not being written, and start a run."""
    sensor = build_landing_sensor("salesforce")
    landing = tmp_path / "landing"
    for name in ("Lead.csv", "Opportunity.csv"):
        _drop(landing / "salesforce" / "2026-11-23" / name, "Id\n", age_seconds=-3 * DAY)
    first = _tick(sensor, landing, None)
    assert len(first.run_requests) == 1
    assert first.run_requests[0].tags["revops/new_files"] == "2"
    assert "being written" not in first.run_requests[0].tags["revops/landing"]


def test_a_growing_file_waits_until_two_ticks_see_it_unchanged(tmp_path: Path) -> None:
    folder = "salesforce"
    sensor = build_landing_sensor("salesforce")
    landing = tmp_path / "landing"
    _drop(landing / folder / "2026-11-16" / "Contact.csv", "Id\n1\n", age_seconds=3600)
    known = _tick(sensor, landing, None)
    assert len(known.run_requests) == 1

    # A copy under way: the file appears with the current time, then grows.
    growing = landing / folder / "2026-11-23" / "Contact.csv"
    _drop(growing, "Id\n", age_seconds=0)
    tick1 = _tick(sensor, landing, known.cursor)
    assert _skip(tick1) == (
        f"{folder}/: 1 files known, 0 new, 1 just landed, looked at again next tick; "
        f"just landed: {folder}/2026-11-23/Contact.csv"
    )
    with open(growing, "a") as handle:
        handle.write("2\n")
    tick2 = _tick(sensor, landing, tick1.cursor)
    assert _skip(tick2) == (
        f"{folder}/: 1 files known, 0 new, 1 still being written; "
        f"still being written: {folder}/2026-11-23/Contact.csv"
    )
    # Unchanged since the last tick: done, even though its mtime is seconds old.
    tick3 = _tick(sensor, landing, tick2.cursor)
    assert len(tick3.run_requests) == 1
    assert tick3.run_requests[0].tags["revops/new_files"] == "1"
    assert _skip(_tick(sensor, landing, tick3.cursor)) == f"{folder}/: 2 files known, 0 new"
    cursor = json.loads(tick3.cursor)
    assert set(cursor["known"]) == {
        f"{folder}/2026-11-16/Contact.csv",
        f"{folder}/2026-11-23/Contact.csv",
    }
    assert cursor["pending"] == {}


def test_a_redelivered_file_with_the_same_name_is_new(tmp_path: Path) -> None:
    sensor = build_landing_sensor("ga4")
    landing = tmp_path / "landing"
    day = _drop(landing / "web" / "events_20261103.jsonl", "{}\n", age_seconds=600)
    first = _tick(sensor, landing, None)
    _drop(day, "{}\n{}\n")
    again = _tick(sensor, landing, first.cursor)
    assert len(again.run_requests) == 1


def test_evaluate_sorts_files_by_what_two_ticks_saw() -> None:
    now = 1_800_000_000.0
    old, fresh = f"10:{int((now - 3600) * 1e6)}", f"10:{int((now - 5) * 1e6)}"
    grown = f"20:{int((now - 1) * 1e6)}"
    tick = evaluate(None, {"a.csv": old, "b.csv": fresh}, now=now)
    assert (set(tick.new), set(tick.just_landed)) == ({"a.csv"}, {"b.csv"})
    tick = evaluate(tick.cursor, {"a.csv": old, "b.csv": grown}, now=now + 60)
    assert (tick.new, set(tick.being_written)) == ({}, {"b.csv"})
    tick = evaluate(tick.cursor, {"a.csv": old, "b.csv": grown}, now=now + 120)
    assert set(tick.new) == {"b.csv"}
    # A file that is gone is forgotten; delivered again, it is new again.
    tick = evaluate(tick.cursor, {"b.csv": grown}, now=now + 180)
    assert set(tick.known) == {"b.csv"}
    assert set(evaluate(tick.cursor, {"a.csv": old, "b.csv": grown}, now=now).new) == {"a.csv"}
    assert SETTLE_SECONDS > 0


def test_evaluate_reads_the_cursor_of_the_previous_sensor_version() -> None:
    """The cursor before this version was a flat path -> fingerprint map: read as empty."""
    tick = evaluate(json.dumps({"report.csv": "1:1"}), {"google_ads/report.csv": "1:1"})
    assert set(tick.new) == {"google_ads/report.csv"}


@pytest.fixture
def ingest_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("REVOPS_LANDING_DIR", str(landing))
    monkeypatch.setenv("REVOPS_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("REVOPS_SERVING", str(tmp_path / "serving.duckdb"))
    return landing


GOOGLE_ADS_REPORT = (
    "Campaign report\n"
    '"November 1, 2026 - November 1, 2026"\n'
    "Campaign,Campaign ID,Day,Impr.,Clicks,Cost,Conversions\n"
    "Brand - Search,20431001,2026-11-01,100,10,12.50,1.00\n"
)


def test_no_run_when_the_last_ingest_already_read_every_file(ingest_env: Path) -> None:
    """`make run` ingests everything; the UI's sensors, started afterwards with an empty
    cursor, must not start a run for files the ingest step already listed."""
    landing = ingest_env
    _drop(landing / "google_ads" / "Campaign report 2026-11-01.csv", GOOGLE_ADS_REPORT)
    sensor = build_landing_sensor("google_ads")
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [build_ingest_asset("google_ads")],
            resources={"revops": RevopsSettings()},
            instance=instance,
        )
        assert result.success
        metadata = result.asset_materializations_for_node("ingest_google_ads")[0].metadata
        assert metadata[LANDING_DIGEST].value == digest(fingerprints(landing, "google_ads"))

        first = _tick(sensor, landing, None, instance)
        assert _skip(first) == (
            "google_ads/: 1 files known, 0 new (every file listed now was listed by the last "
            "ingest of this source)"
        )
        # A new delivery is new, and the ones the ingest read stay known.
        _drop(
            landing / "google_ads" / "Campaign report 2026-11-02.csv",
            GOOGLE_ADS_REPORT.replace("2026-11-01", "2026-11-02"),
        )
        second = _tick(sensor, landing, first.cursor, instance)
        assert second.run_requests[0].tags["revops/new_files"] == "1"
