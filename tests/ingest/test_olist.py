"""The real Olist marketing funnel, written as a Salesforce snapshot (demo/olist.py), ingests
with its real counts. The source files are read only; everything is written to tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from ingest_helpers import rows

from demo import olist
from ingest.runner import ingest_source

OLIST = Path(
    os.environ.get("REVOPS_OLIST_DIR", Path(__file__).resolve().parents[3] / "shared" / "olist")
)

pytestmark = pytest.mark.skipif(
    not (OLIST / olist.MQL_FILE).exists(), reason=f"Olist files not found in {OLIST}"
)


def test_olist_funnel_ingests_with_its_real_counts(tmp_path):
    landing = tmp_path / "landing"
    counts = olist.write(OLIST, landing)
    assert (counts["leads"], counts["converted"], counts["opportunities"]) == (8000, 842, 842)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    result = ingest_source(con, landing, "salesforce")
    assert result.failures == [] and result.rows_rejected == 0
    assert rows(
        con,
        "select count(*), count(distinct id), count(mql_date__c), count_if(isconverted), "
        "count(convertedopportunityid) from raw.salesforce__lead",
    ) == [(8000, 8000, 8000, 842, 842)]
    assert rows(
        con,
        "select count(*), count_if(iswon), count(amount), min(closedate) >= '2017-06-01' "
        "from raw.salesforce__opportunity",
    ) == [(842, 842, counts["with_amount"], True)]
    # MQL dates span Olist's sample window
    assert rows(
        con,
        "select min(mql_date__c)::date::varchar, max(mql_date__c)::date::varchar "
        "from raw.salesforce__lead",
    ) == [("2017-06-14", "2018-05-31")]
    by_source = dict(rows(con, "select leadsource, count(*) from raw.salesforce__lead group by 1"))
    assert by_source["Organic Search"] == 2296 and by_source["Paid Search"] == 1586
    # the custom field the dbt warning looks for is in the header
    [(header,)] = rows(
        con, "select header_columns from raw.ingest_log where file_path like '%/Lead.csv'"
    )
    assert "|mql_date__c|" in header
    con.close()
