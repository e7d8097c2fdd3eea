"""Meta Ads Manager exports -> raw.meta_ads__campaign_stats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ingest_helpers import rows

EN = (
    "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent (EUR),Impressions,"
    "Reach,Link clicks,Results,Result indicator\n"
)
ES = (
    "Inicio del informe,Fin del informe,Nombre de la campaña,Identificador de la campaña,"
    "Importe gastado (EUR),Impresiones,Alcance,Clics en el enlace,Resultados,"
    "Indicador de resultados\n"
)
PT = (
    "Início dos relatórios,Término dos relatórios,Nome da campanha,ID da campanha,"
    "Valor usado (EUR),Impressões,Alcance,Cliques no link,Resultados,Indicador de resultado\n"
)
BODY = (
    "2026-11-01,2026-11-03,,,30.00,3000,,,,\n"  # account total: no campaign name
    "2026-11-03,2026-11-03,Prospecting EU,120212345678901234,12.34,1000,800,25,3,"
    "actions:offsite_conversion.fb_pixel_lead\n"
)


@pytest.mark.parametrize("header", [EN, ES, PT], ids=["meta_en", "meta_es", "meta_pt"])
def test_meta_headers_localized_and_total_row_dropped(write, ingest, con, header):
    write("meta_ads/export.csv", header + BODY)
    result = ingest("meta_ads")
    assert result.failures == []
    assert (result.rows_read, result.rows_loaded) == (1, 1)
    assert rows(
        con,
        "select reporting_starts, campaign_name, campaign_id, currency, amount_spent, "
        "impressions, reach, link_clicks, results, _row_number from raw.meta_ads__campaign_stats",
    ) == [
        (
            date(2026, 11, 3),
            "Prospecting EU",
            "120212345678901234",
            "EUR",
            Decimal("12.34"),
            1000,
            800,
            25,
            3.0,
            1,
        )
    ]


def test_meta_scientific_notation_id_is_rejected(write, ingest, con):
    write(
        "meta_ads/export.csv",
        EN.replace("(EUR)", "(USD)")
        + BODY
        + "2026-11-03,2026-11-03,Retargeting,1.20212E+17,1,2,3,4,5,x\n",
    )
    result = ingest("meta_ads")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    [(row_number, reason)] = rows(con, "select row_number, reason from raw.rejected_rows")
    assert row_number == 2
    assert reason.startswith('column "Campaign ID": "1.20212E+17" is in scientific notation')
    assert rows(con, "select distinct currency from raw.meta_ads__campaign_stats") == [("USD",)]


def test_meta_missing_spend_column_fails_naming_it(write, ingest):
    write("meta_ads/export.csv", "Reporting starts,Campaign name,Campaign ID,Impressions\n")
    [(path, error)] = ingest("meta_ads").failures
    assert "meta_ads/export.csv" in error
    assert "missing required column(s) Amount spent ({currency})" in error
    assert "columns found: Reporting starts, Campaign name, Campaign ID, Impressions" in error
