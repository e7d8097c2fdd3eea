"""`revops generate --variants` writes every real-export variant; ingest loads them all and the
ad spend that newest-file-wins keeps equals the ground truth to the cent."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from ingest_helpers import rows

from demo.generate import generate
from demo.params import Params
from ingest.runner import ingest_all

NEWEST_AD_ROWS = """
with u as (
    select 'google' as p, day as d, campaign_id as c, _source_file as f,
        _file_modified_at as m, cost as s, clicks as k from raw.google_ads__campaign_stats
    union all select 'meta', reporting_starts, campaign_id, _source_file, _file_modified_at,
        amount_spent, link_clicks from raw.meta_ads__campaign_stats
    union all select 'linkedin', start_date, campaign_id, _source_file, _file_modified_at,
        total_spent, clicks from raw.linkedin_ads__campaign_stats),
per_file as (select p, d, c, f, m, sum(s) as s, sum(k) as k from u group by p, d, c, f, m),
ranked as (select *, row_number() over (partition by p, d, c order by m desc, f desc) as n
    from per_file)
select sum(s), sum(k) from ranked where n = 1
"""


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("variants")
    generate(
        root / "landing",
        Params(seed=7, scale=0.2, days=70, start=dt.date(2026, 1, 1), variants=True),
    )
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    results = ingest_all(con, root / "landing")
    yield root, con, results
    con.close()


def test_variants_ingest_with_no_failed_file(variants):
    root, con, results = variants
    assert {s: r.failures for s, r in results.items()} == {s: [] for s in results}
    assert rows(con, "select count(*) from raw.ingest_log where status != 'loaded'") == [(0,)]
    assert rows(
        con, "select count(*) from raw.ingest_log where rows_read != rows_loaded + rows_rejected"
    ) == [(0,)]
    summary = json.loads((root / "ground_truth" / "summary.json").read_text())
    kinds = {v["kind"] for v in summary["variants"]}
    assert kinds == {
        "meta_weekly",
        "linkedin_es",
        "linkedin_pt",
        "linkedin_empty",
        "salesforce_excel",
        "salesforce_no_task",
        "ga4_pre_2023",
    }


def test_variants_keep_spend_and_clicks_equal_to_the_truth(variants):
    root, con, _ = variants
    totals = json.loads((root / "ground_truth" / "summary.json").read_text())["totals"]
    [(spend, clicks)] = rows(con, NEWEST_AD_ROWS)
    assert spend == Decimal(str(totals["spend"])).quantize(Decimal("0.000001"))
    assert clicks == totals["clicks"]


def test_variants_notes_say_what_was_decided(variants):
    _, con, _ = variants
    notes = dict(rows(con, "select file_path, parse_notes from raw.ingest_log"))
    summary = {k: v or "" for k, v in notes.items()}
    meta = next(v for k, v in summary.items() if "multi-day" in v)
    assert "no campaign ID column" in meta and "no clicks column" in meta
    assert any(
        "header language es" in v and "decimal comma" in v and "day first" in v
        for v in summary.values()
    )
    assert any("header language pt" in v for v in summary.values())
    assert any("no header row: period without delivery" in v for v in summary.values())
    assert any("encoding cp1252" in v for k, v in summary.items() if k.endswith("task.csv"))


def test_variants_excel_snapshot_and_missing_task(variants):
    root, con, _ = variants
    summary = json.loads((root / "ground_truth" / "summary.json").read_text())
    by_kind = {v["kind"]: v["file"] for v in summary["variants"]}
    excel = by_kind["salesforce_excel"].split("/")[1]
    no_task = by_kind["salesforce_no_task"].split("/")[1]
    snapshots = {r[0] for r in rows(con, "select distinct _snapshot_id from raw.salesforce__task")}
    assert excel in snapshots and no_task not in snapshots
    [(n, converted)] = rows(
        con,
        "select count(*), count_if(isconverted) from raw.salesforce__lead where _snapshot_id = ?",
        [excel],
    )
    assert n > 0 and converted > 0  # TRUE/FALSE read as booleans
    day = by_kind["ga4_pre_2023"].split("/")[1].split(".")[0]
    [(events, with_cts, with_source)] = rows(
        con,
        "select count(*), count(collected_traffic_source), count_if(list_contains("
        "list_transform(event_params, lambda p: p.key), 'source')) from raw.ga4__events "
        "where _delivery_key = ?",
        [day],
    )
    assert events > 0 and with_cts == 0 and with_source > 0
