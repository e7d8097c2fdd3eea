"""Browser test: the HTML funnel report renders every chart offline, with the published numbers.

Writes the report from the small serving database of ``tests/serving/test_report.py`` (every
mart the report reads), opens it with ``file://`` in Debian's chromium through Playwright, waits
until vega-embed has drawn each chart as SVG and compares the headline numbers and a chart's
labels with the serving database. Any request other than the page itself fails the test: the
report must need no network. Run with ``make test-ui``; the screenshot lands in
``screenshots/report.png`` (gitignored).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.ui

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = REPO / "screenshots"
CHARTS = ["funnel", "cac-roas", "response-time", "disqualification", "pipeline", "attribution"]


def _report_fixtures():
    """The unit tests of the report, for their ``build_serving`` (test folders are no packages)."""
    path = REPO / "tests" / "serving" / "test_report.py"
    spec = importlib.util.spec_from_file_location("report_unit_tests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from serving.report import write_report

    folder = tmp_path_factory.mktemp("report_ui")
    serving = _report_fixtures().build_serving(folder / "serving.duckdb")
    write_report(serving, folder / "report.html", run_id="ui-test-run")
    return serving, folder / "report.html"


@pytest.fixture(scope="module")
def page(report: tuple[Path, Path]) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium (make test-ui installs the rest)")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    _, html = report
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 980, "height": 1000})
        page.set_default_timeout(30_000)
        page.requests = []  # every URL the page asks for
        page.errors = []
        page.on("request", lambda request: page.requests.append(request.url))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_function(
            "document.querySelectorAll('.chart').length > 0 && "
            "[...document.querySelectorAll('.chart')].every(c => c.dataset.rendered)"
        )
        yield page
        browser.close()


def test_every_chart_renders_offline(report: tuple[Path, Path], page) -> None:
    _, html = report
    rendered = {
        element.get_attribute("id"): element.get_attribute("data-rendered")
        for element in page.query_selector_all(".chart")
    }
    assert rendered == {f"chart-{key}": "true" for key in CHARTS}
    for key in CHARTS:
        marks = page.locator(f"#chart-{key} svg .mark-rect path, #chart-{key} svg .mark-rect")
        assert marks.count() > 0, f"chart {key} drew no bars"
    assert page.requests == [html.as_uri()], "the report asked the network for something"
    assert page.errors == []
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)


def test_headline_numbers_equal_the_serving_database(report: tuple[Path, Path], page) -> None:
    serving, _ = report
    con = duckdb.connect(str(serving), read_only=True)
    try:
        spend, leads, mqls, won, revenue = con.execute(
            "select sum(spend)::double, sum(leads), sum(mqls), sum(won_deals), "
            "sum(won_revenue)::double from marts.mart_funnel_daily"
        ).fetchone()
    finally:
        con.close()
    expected = {
        "spend": f"{spend:,.0f}",
        "leads": f"{leads:,.0f}",
        "mqls": f"{mqls:,.0f}",
        "won_revenue": f"{revenue:,.0f}",
        "cac": f"{spend / won:,.0f}",
        "roas": f"{revenue / spend:,.2f}×",
    }
    shown = {metric: page.inner_text(f'dd[data-metric="{metric}"]').strip() for metric in expected}
    assert shown == expected
    assert "ui-test-run" in page.inner_text("header")
    assert "2026-04-01 06:00 UTC" in page.inner_text("header")


def test_funnel_chart_labels_show_the_published_counts(report: tuple[Path, Path], page) -> None:
    serving, _ = report
    con = duckdb.connect(str(serving), read_only=True)
    try:
        by_channel = con.execute(
            "select channel, sum(leads), sum(mqls) from marts.mart_funnel_daily group by channel"
        ).fetchall()
    finally:
        con.close()
    labels = page.locator("#chart-funnel svg text").all_text_contents()
    for channel, leads, mqls in by_channel:
        assert channel in labels
        assert f"{leads:,.0f}" in labels and f"{mqls:,.0f}" in labels
