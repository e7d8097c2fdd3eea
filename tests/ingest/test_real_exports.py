"""Real companies' exports load as they come (one test per variant)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest
from ingest_helpers import rows

from ingest.landing import unknown_folders
from ingest.runner import ensure_raw_tables
from revops.sources import SALESFORCE_OBJECTS, SOURCE_NAMES, SOURCES


def log(con, path_like: str = "%") -> list[tuple]:
    return rows(
        con,
        "select status, rows_read, rows_loaded, rows_rejected, parse_notes, header_columns, "
        "error from raw.ingest_log where file_path like ? order by file_path",
        [path_like],
    )


def rejected(con) -> list[tuple]:
    return rows(con, "select row_number, reason from raw.rejected_rows order by row_number")


# ---------------------------------------------------------------- Meta: names, windows

META_NO_ID = (
    "Reporting starts,Reporting ends,Campaign name,Amount spent (USD),Impressions,Reach,"
    "Results,Result indicator\n"
    "2026-11-01,2026-11-30,,400.00,40000,9000,,\n"  # account total: not data
    "2026-11-02,2026-11-08,  Retargeting EU ,100.03,1003,700,10,actions:lead\n"
    "2026-11-09,2026-11-09,Retargeting EU,5.00,50,40,1,actions:lead\n"
    "2026-11-09,2026-11-09,Retargeting EU,2.50,25,20,,\n"  # same name, same day: adds up in dbt
)


def test_meta_without_campaign_id_and_link_clicks_spreads_weekly_rows(write, ingest, con):
    write("meta_ads/weekly.csv", META_NO_ID)
    result = ingest("meta_ads")
    assert result.failures == []
    # rows_read / rows_loaded count the file's data rows; raw holds one row per day
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 3, 0)
    got = rows(
        con,
        "select reporting_starts, reporting_ends, campaign_id, amount_spent, impressions, reach, "
        "link_clicks, results, _row_number, _window_starts, _window_ends "
        "from raw.meta_ads__campaign_stats order by reporting_starts, _row_number",
    )
    week = [r for r in got if r[8] == 1]
    assert [r[0] for r in week] == [date(2026, 11, d) for d in range(2, 9)]
    assert all(r[0] == r[1] for r in week)  # one day per raw row
    assert {r[2] for r in got} == {"Retargeting EU"}  # the trimmed campaign name is the id
    # 10003 cents over 7 days: 1429 each, the first 10003 mod 7 = 0 days... 10003 = 7*1429
    assert [r[3] for r in week] == [Decimal("14.29")] * 7
    assert sum(r[3] for r in week) == Decimal("100.03")
    # 1003 impressions: 143 each, the first 1003 mod 7 = 2 days one more
    assert [r[4] for r in week] == [144, 144, 143, 143, 143, 143, 143]
    assert [r[7] for r in week] == [2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0]
    assert {r[5] for r in week} == {700}  # reach is not spread: the window's figure
    assert all(r[6] is None for r in got)  # no Link clicks column: clicks are empty
    assert {(r[9], r[10]) for r in week} == {(date(2026, 11, 2), date(2026, 11, 8))}
    single = [r for r in got if r[8] != 1]
    assert [(r[0], r[3], r[9]) for r in single] == [
        (date(2026, 11, 9), Decimal("5.00"), None),
        (date(2026, 11, 9), Decimal("2.50"), None),
    ]
    [(status, read, loaded, rej, notes, header, _)] = log(con)
    assert (status, read, loaded, rej) == ("loaded", 3, 3, 0)
    assert "no campaign ID column: campaign_id is the campaign name" in notes
    assert "no clicks column: clicks are empty" in notes
    assert "1 multi-day row(s) spread over 7 days" in notes
    assert header.startswith("|reporting starts|reporting ends|campaign name|")
    assert result.newest_data_date == date(2026, 11, 9)


def test_meta_spread_cents_remainder_goes_to_the_first_days(write, ingest, con):
    write(
        "meta_ads/m.csv",
        "Reporting starts,Reporting ends,Campaign name,Amount spent (EUR),Impressions\n"
        "2026-11-01,2026-11-03,A,0.05,2\n",
    )
    ingest("meta_ads")
    assert rows(
        con,
        "select reporting_starts, amount_spent, impressions from raw.meta_ads__campaign_stats "
        "order by 1",
    ) == [
        (date(2026, 11, 1), Decimal("0.02"), 1),
        (date(2026, 11, 2), Decimal("0.02"), 1),
        (date(2026, 11, 3), Decimal("0.01"), 0),
    ]


def test_meta_window_ending_before_it_starts_is_rejected(write, ingest, con):
    write(
        "meta_ads/m.csv",
        "Reporting starts,Reporting ends,Campaign name,Amount spent (EUR),Impressions\n"
        "2026-11-05,2026-11-01,A,1.00,2\n2026-11-05,2026-11-05,A,1.00,2\n",
    )
    result = ingest("meta_ads")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    assert rejected(con) == [
        (1, 'column "Reporting ends": "2026-11-01" is before "Reporting starts" ("2026-11-05")')
    ]


# ---------------------------------------------------------------- localised exports

LINKEDIN_ES = (
    "Informe de rendimiento de campañas\n"
    "Fecha de inicio del informe: 1/11/2026, Fecha de fin del informe: 30/11/2026\n"
    "Zona horaria: (GMT+00:00) UTC\n"
    "Fecha de inicio (en UTC),Nombre de la cuenta,Nombre del grupo de campañas,"
    "Nombre de la campaña,ID de la campaña,Divisa,Gasto total,Impresiones,Clics,"
    "Clientes potenciales\n"
    '24/11/2026,Acme,Grupo,ABM Q4,512345678,EUR,"1.234,56",1.500,12,1\n'
    '3/11/2026,Acme,Grupo,ABM Q4,512345678,EUR,"12,5",900,3,0\n'
)


def test_spanish_linkedin_decimal_commas_and_day_first_dates(write, ingest, con):
    write("linkedin_ads/es.csv", LINKEDIN_ES)
    result = ingest("linkedin_ads")
    assert result.failures == [] and result.rows_loaded == 2
    assert rows(
        con,
        "select start_date, total_spent, impressions, clicks from "
        "raw.linkedin_ads__campaign_stats order by start_date",
    ) == [
        (date(2026, 11, 3), Decimal("12.5"), 900, 3),
        (date(2026, 11, 24), Decimal("1234.56"), 1500, 12),
    ]
    [(_, _, _, _, notes, _, _)] = log(con)
    assert "header language es" in notes
    assert 'number format 1.234,56 (decimal comma): from cells such as "' in notes
    assert 'date order day first (24/11/2026): from dates such as "24/11/2026"' in notes


def test_portuguese_meta_decides_from_the_header_language_when_no_cell_does(write, ingest, con):
    # every number is ambiguous alone ("1.500") and every date too ("03/11/2026")
    write(
        "meta_ads/pt.csv",
        "Início dos relatórios,Término dos relatórios,Nome da campanha,Valor usado (BRL),"
        'Impressões,Alcance\n03/11/2026,03/11/2026,Campanha,"1.234",1.500,1.200\n',
    )
    result = ingest("meta_ads")
    assert result.failures == [] and result.rows_loaded == 1
    assert rows(
        con,
        "select reporting_starts, currency, amount_spent, impressions, reach "
        "from raw.meta_ads__campaign_stats",
    ) == [(date(2026, 11, 3), "BRL", Decimal("1234"), 1500, 1200)]
    [(_, _, _, _, notes, _, _)] = log(con)
    assert "header language pt" in notes
    assert "number format 1.234,56 (decimal comma): from the header language (pt)" in notes
    assert "date order day first (24/11/2026): from the header language (pt)" in notes


def test_google_cost_with_decimal_comma_is_not_read_as_a_thousandth(write, ingest, con):
    write(
        "google_ads/r.csv",
        'Report\nAll time\nDay,Campaign,Cost,Impr.\n2026-11-03,A,"1.234,56",10\n'
        '2026-11-04,A,"7,5",20\n',
    )
    result = ingest("google_ads")
    assert result.rows_loaded == 2
    assert rows(con, "select cost from raw.google_ads__campaign_stats order by day") == [
        (Decimal("1234.56"),),
        (Decimal("7.5"),),
    ]


def test_english_thousands_still_load(write, ingest, con):
    write(
        "google_ads/r.csv",
        'Report\nAll time\nDay,Campaign,Cost,Impr.\n2026-11-03,A,"1,234.56","1,000"\n'
        "2026-11-04,A,1.5,20\n",
    )
    ingest("google_ads")
    assert rows(
        con, "select cost, impressions from raw.google_ads__campaign_stats order by day"
    ) == [
        (Decimal("1234.56"), 1000),
        (Decimal("1.5"), 20),
    ]


def test_english_header_reads_an_ambiguous_number_as_thousands(write, ingest, con):
    # "1,234" alone could be 1.234 or 1234: no cell decides, the English header does
    write(
        "meta_ads/tie.csv",
        "Reporting starts,Reporting ends,Campaign name,Amount spent (USD),Impressions\n"
        '2026-11-03,2026-11-03,A,"1,234",5\n',
    )
    ingest("meta_ads")
    assert rows(con, "select amount_spent from raw.meta_ads__campaign_stats") == [
        (Decimal("1234"),)
    ]


def test_conflicting_cells_leave_ambiguous_numbers_rejected(write, ingest, con):
    write(
        "linkedin_ads/mixed.csv",
        "Start Date (in UTC),Campaign Name,Campaign ID,Total Spent,Impressions\n"
        '2026-11-03,A,1,"1.234,56",10\n'  # decimal comma
        "2026-11-04,A,1,12.50,10\n"  # decimal point
        '2026-11-05,A,1,"1,234",10\n',  # either: rejected, never guessed
    )
    result = ingest("linkedin_ads")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    [(row, reason)] = rejected(con)
    assert row == 3
    assert reason.startswith('column "Total Spent": "1,234" is ambiguous: ')
    [(_, _, _, _, notes, _, _)] = log(con)
    assert "number format undecided: cells such as" in notes


def test_english_header_reads_an_ambiguous_date_month_first(write, ingest, con):
    write(
        "linkedin_ads/d.csv",
        # no day above 12: the English header decides (LinkedIn's US default M/D/YYYY)
        "Start Date (in UTC),Campaign Name,Campaign ID,Total Spent,Impressions\n"
        "3/11/2026,A,1,1,10\n",
    )
    ingest("linkedin_ads")
    assert rows(con, "select start_date from raw.linkedin_ads__campaign_stats") == [
        (date(2026, 3, 11),)
    ]


def test_nbsp_before_percent_is_a_space(write, ingest, con):
    write(
        "google_ads/p.csv",
        "Report\nAll time\nDay,Campaign,Cost,Impr.,Conversions\n"
        '2026-11-03,A,"1,5\u00a0€",10,"12,5\u00a0%"\n',
    )
    result = ingest("google_ads")
    assert result.rows_rejected == 0
    assert rows(con, "select cost, conversions from raw.google_ads__campaign_stats") == [
        (Decimal("1.5"), 12.5)
    ]


# ---------------------------------------------------------------- LinkedIn empty period


def test_linkedin_period_without_delivery_loads_zero_rows(write, ingest, con):
    write(
        "linkedin_ads/empty.csv",
        "Campaign Performance Report\n"
        '"Report Start: 12/1/2026, Report End: 12/7/2026"\n'
        "Time Zone: (GMT+00:00) UTC\n",
    )
    result = ingest("linkedin_ads")
    assert result.failures == [] and result.files_loaded == 1
    [(status, read, loaded, rej, notes, header, error)] = log(con)
    assert (status, read, loaded, rej, error, header) == ("loaded", 0, 0, 0, None, None)
    assert "no header row: period without delivery" in notes
    assert rows(con, "select count(*) from raw.linkedin_ads__campaign_stats") == [(0,)]


def test_a_table_without_known_headers_still_fails(write, ingest, con):
    write("linkedin_ads/odd.csv", "a,b,c\n1,2,3\n")
    [(_, error)] = ingest("linkedin_ads").failures
    assert "missing required column(s)" in error


# ---------------------------------------------------------------- Salesforce via Excel

EXCEL_LEAD = (
    "\ufeffId,IsDeleted,CreatedDate,MQL_Date__c,IsConverted,ConvertedDate,Company\n"
    "00Q000000000001AAA,FALSE,11/24/26 9:05 AM,11/25/26 4:30 PM,TRUE,12/01/26,Acme\n"
    "00Q000000000002AAA,,01/02/69 12:00 AM,,,,Beta\n"
    "00Q000000000003AAA,false,2026-03-04T10:22:13.000+0000,2026-03-04,0,,Gamma\n"
)


def test_salesforce_excel_style_lower_case_name_and_bom(write, ingest, con):
    write("salesforce/2026-12-07/lead.csv", EXCEL_LEAD)
    result = ingest("salesforce")
    assert result.failures == [] and result.rows_loaded == 3
    assert rows(
        con,
        "select id, isdeleted, createddate, mql_date__c, isconverted, converteddate, company "
        "from raw.salesforce__lead order by id",
    ) == [
        (
            "00Q000000000001AAA",
            False,
            datetime(2026, 11, 24, 9, 5),
            datetime(2026, 11, 25, 16, 30),
            True,
            date(2026, 12, 1),
            "Acme",
        ),
        ("00Q000000000002AAA", False, datetime(1969, 1, 2), None, False, None, "Beta"),
        (
            "00Q000000000003AAA",
            False,
            datetime(2026, 3, 4, 10, 22, 13),
            datetime(2026, 3, 4),
            False,
            None,
            "Gamma",
        ),
    ]
    [(_, _, _, _, notes, header, _)] = log(con)
    assert header == ("|id|isdeleted|createddate|mql_date__c|isconverted|converteddate|company|")
    assert "file name lead.csv: object Lead" in notes


def test_salesforce_two_digit_years_pivot_at_69(write, ingest, con):
    write(
        "salesforce/2026-12-07/Opportunity.csv",
        "Id,CloseDate\n006000000000001AAA,12/31/68\n006000000000002AAA,01/01/69\n",
    )
    ingest("salesforce")
    assert rows(con, "select closedate from raw.salesforce__opportunity order by id") == [
        (date(2068, 12, 31),),
        (date(1969, 1, 1),),
    ]


def test_salesforce_cp1252_file_is_read_as_cp1252_and_said_so(write, ingest, con):
    text = 'Id,Company,Description\n00Q000000000001AAA,Müller GmbH,"Budget 5.000 €, “soon”"\n'
    write("salesforce/2026-12-07/Lead.csv", text.encode("cp1252"))
    result = ingest("salesforce")
    assert result.failures == []
    assert rows(con, "select company, description from raw.salesforce__lead") == [
        ("Müller GmbH", "Budget 5.000 €, “soon”")
    ]
    [(_, _, _, _, notes, _, _)] = log(con)
    assert "encoding cp1252 (Windows Latin-1): the file is not valid UTF-8" in notes


@pytest.mark.parametrize(
    ("name", "header", "missing"),
    [
        ("OpportunityHistory.csv", "Id,StageName", "OpportunityId"),
        ("task.csv", "Id,Subject", "WhoId"),
        ("CampaignMember.csv", "Id,LeadId", "CampaignId"),
        ("Account.csv", "Name", "Id"),
    ],
)
def test_salesforce_key_column_missing_fails_the_file(write, ingest, name, header, missing):
    write(f"salesforce/2026-12-07/{name}", f"{header}\nx,y\n")
    write("salesforce/2026-12-07/Lead.csv", "Id\n00Q000000000001AAA\n")
    result = ingest("salesforce")
    [(path, error)] = result.failures
    assert path.endswith(name)
    assert f"missing required column(s) {missing}; columns found: {header.replace(',', ', ')}" in (
        error
    )
    assert result.files_loaded == 1  # the other file of the snapshot loads


def test_salesforce_other_missing_columns_load_as_null(write, ingest, con):
    write("salesforce/2026-12-07/Lead.csv", "Id,LastName\n00Q000000000001AAA,Ng\n")
    assert ingest("salesforce").failures == []
    assert rows(
        con, "select id, lastname, email, mql_date__c, createddate from raw.salesforce__lead"
    ) == [("00Q000000000001AAA", "Ng", None, None, None)]
    [(_, _, _, _, _, header, _)] = log(con)
    assert "|mql_date__c|" not in header  # what the dbt warning check looks for


# ---------------------------------------------------------------- duplicate headers


def test_salesforce_duplicate_header_keeps_the_first(write, ingest, con):
    write(
        "salesforce/2026-12-07/Lead.csv",
        "Id,Email,Company,Email\n00Q000000000001AAA,a@x.org,Acme,b@x.org\n",
    )
    result = ingest("salesforce")
    assert result.failures == [] and result.rows_loaded == 1
    assert rows(con, "select email, _extra::varchar from raw.salesforce__lead") == [
        ("a@x.org", '{"Email (2)":"b@x.org"}')
    ]
    [(_, _, _, _, notes, header, _)] = log(con)
    assert 'duplicate header "Email"' in notes
    assert header == "|id|email|company|email|"


def test_ad_duplicate_header_keeps_the_first(write, ingest, con):
    write(
        "google_ads/dup.csv",
        "Report\nAll time\nDay,Campaign,Cost,Impr.,Cost\n2026-11-03,A,1.00,10,9.99\n",
    )
    ingest("google_ads")
    assert rows(con, "select cost, _extra::varchar from raw.google_ads__campaign_stats") == [
        (Decimal("1.00"), '{"Cost (2)":"9.99"}')
    ]
    [(_, _, _, _, notes, _, _)] = log(con)
    assert 'duplicate header "Cost"' in notes


# ---------------------------------------------------------------- GA4 before mid-2023


def test_ga4_day_without_collected_traffic_source_loads(write, ingest, con):
    event = (
        '{"event_date":"20230115","event_timestamp":"1673776800000000","event_name":"page_view",'
        '"user_pseudo_id":"1.2","event_params":[{"key":"source","value":{"string_value":"google"}},'
        '{"key":"ga_session_id","value":{"int_value":"42"}}],"device":{"category":"desktop"},'
        '"geo":{"country":"Spain"}}\n'
    )
    write("web/events_20230115.jsonl", event)
    result = ingest("ga4")
    assert result.failures == [] and result.rows_loaded == 1
    assert rows(
        con,
        "select collected_traffic_source, event_params[1].value.string_value from raw.ga4__events",
    ) == [(None, "google")]
    [(_, _, _, _, notes, header, _)] = log(con)
    assert header is None and notes is None


# ---------------------------------------------------------------- any subset of sources


def test_every_raw_table_exists_after_one_source(landing, write, ingest, con):
    write("salesforce/2026-12-07/Lead.csv", "Id\n00Q000000000001AAA\n")
    ingest("salesforce")
    tables = {
        r[0]
        for r in rows(
            con, "select table_name from information_schema.tables where table_schema = 'raw'"
        )
    }
    for source in SOURCES:
        for table in source.tables:
            assert f"{source.name}__{table}" in tables
    columns = {
        (r[0], r[1]): r[2]
        for r in rows(
            con,
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'raw'",
        )
    }
    assert columns[("salesforce__task", "whoid")] == "VARCHAR"
    assert columns[("salesforce__opportunity", "amount")] == "DECIMAL(18,2)"
    assert columns[("salesforce__lead", "mql_date__c")] == "TIMESTAMP"
    assert columns[("ga4__events", "collected_traffic_source")].startswith("STRUCT(")
    assert columns[("meta_ads__campaign_stats", "amount_spent")] == "DECIMAL(18,6)"
    assert columns[("meta_ads__campaign_stats", "_file_modified_at")] == "TIMESTAMP"
    assert rows(con, "select count(*) from raw.meta_ads__campaign_stats") == [(0,)]
    assert len(SALESFORCE_OBJECTS) == 9 and "salesforce" in SOURCE_NAMES


def test_ensure_raw_tables_upgrades_an_old_warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("create schema raw")
    con.execute(
        "create table raw.ingest_log (file_path VARCHAR, file_size BIGINT, file_sha256 VARCHAR, "
        "source VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, "
        "status VARCHAR, error VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, "
        "file_modified_at TIMESTAMP, extra_columns VARCHAR, newest_data_date DATE)"
    )
    con.execute("create table raw.meta_ads__campaign_stats (reporting_starts DATE)")
    ensure_raw_tables(con)
    ensure_raw_tables(con)  # twice: nothing left to add
    log_columns = [r[0] for r in con.execute("describe raw.ingest_log").fetchall()]
    assert log_columns[-2:] == ["parse_notes", "header_columns"]
    meta = {r[0] for r in con.execute("describe raw.meta_ads__campaign_stats").fetchall()}
    assert {"campaign_id", "amount_spent", "_window_starts", "_source_file"} <= meta


def test_unknown_folders(landing):
    for name in ("web", "ga4", ".sync", "salesforce", "exports"):
        (landing / name).mkdir()
    (landing / "notes.txt").write_text("x")
    assert unknown_folders(landing) == ["exports", "ga4"]
    assert unknown_folders(landing / "missing") == []
