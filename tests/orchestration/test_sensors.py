"""Landing-zone sensors: a run per new delivery, never twice, nothing missed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import dagster as dg

from orchestration.resources import RevopsSettings
from orchestration.sensors import SETTLE_SECONDS, build_landing_sensor, evaluate, fingerprints


def _drop(path: Path, text: str, age_seconds: float = 120) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    past = time.time() - age_seconds
    os.utime(path, (past, past))
    return path


def _tick(sensor: dg.SensorDefinition, landing: Path, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        cursor=cursor, resources={"revops": RevopsSettings(landing_dir=str(landing))}
    )
    return sensor(context)


def test_evaluate_new_and_changed_files_only() -> None:
    new, cursor = evaluate(None, {"a.csv": "1:1"})
    assert new == {"a.csv": "1:1"}
    new, cursor = evaluate(json.dumps(cursor), {"a.csv": "1:1", "b.csv": "2:2"})
    assert new == {"b.csv": "2:2"}
    new, _ = evaluate(json.dumps(cursor), {"a.csv": "5:9", "b.csv": "2:2"})
    assert new == {"a.csv": "5:9"}


def test_fingerprints_skip_files_still_being_written(tmp_path: Path) -> None:
    _drop(tmp_path / "old.csv", "x")
    _drop(tmp_path / "fresh.csv", "y", age_seconds=0)
    _drop(tmp_path / "upload.csv.part", "z")
    found, unsettled = fingerprints(tmp_path)
    assert list(found) == ["old.csv"]
    assert unsettled == 1
    assert SETTLE_SECONDS > 0


def test_sensor_requests_one_run_per_delivery_and_never_twice(tmp_path: Path) -> None:
    sensor = build_landing_sensor("google_ads")
    landing = tmp_path / "landing"
    _drop(landing / "google_ads" / "report_1.csv", "a")

    first = _tick(sensor, landing, None)
    assert len(first.run_requests) == 1
    assert first.run_requests[0].run_key.startswith("google_ads:")

    again = _tick(sensor, landing, first.cursor)
    assert not again.run_requests

    _drop(landing / "google_ads" / "report_2.csv", "b")
    second = _tick(sensor, landing, first.cursor)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_sensor_sees_a_redelivered_file_with_the_same_name(tmp_path: Path) -> None:
    sensor = build_landing_sensor("ga4")
    landing = tmp_path / "landing"
    day = _drop(landing / "web" / "events_20261103.jsonl", "{}\n", age_seconds=600)
    first = _tick(sensor, landing, None)
    _drop(day, "{}\n{}\n")
    again = _tick(sensor, landing, first.cursor)
    assert len(again.run_requests) == 1


def test_sensor_waits_for_a_file_being_written_then_runs(tmp_path: Path) -> None:
    sensor = build_landing_sensor("salesforce")
    landing = tmp_path / "landing"
    lead = _drop(landing / "salesforce" / "2026-11-02" / "Lead.csv", "Id\n", age_seconds=0)
    first = _tick(sensor, landing, None)
    assert not first.run_requests
    os.utime(lead, (time.time() - 120, time.time() - 120))
    second = _tick(sensor, landing, first.cursor)
    assert len(second.run_requests) == 1
