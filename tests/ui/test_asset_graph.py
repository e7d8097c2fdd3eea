"""Browser test: the Dagster UI shows the one lineage graph, from ingest to marts, with checks.

Starts ``dagster-webserver`` on loopback against ``orchestration.definitions`` and drives
Debian's chromium through Playwright (``executable_path``: a browser download is not
possible here). Run with ``make test-ui``; screenshots land in ``screenshots/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = REPO / "screenshots"
#: One asset per layer of the graph: ingest, staging, marts.
SELECTION = (
    'key:"salesforce/lead" or key:"stg_salesforce__lead" '
    'or key:"dim_leads" or key:"mart_mql_handoff"'
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium (make test-ui installs the rest)")
    pytest.importorskip("playwright.sync_api")
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "REVOPS_DBT_TARGET_PATH": str(tmp_path_factory.mktemp("dbt_target")),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "GX_ANALYTICS_ENABLED": "false",
    }
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from orchestration.assets.dbt import prepare_dbt_manifest as p; p()",
        ],
        env=env,
        cwd=REPO,
        check=True,
    )
    port = _free_port()
    log = open(home / "webserver.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-m",
            "orchestration.definitions",
        ],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            try:
                urllib.request.urlopen(f"{url}/server_info", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    log.flush()
                    pytest.fail(
                        "webserver did not start:\n" + (home / "webserver.log").read_text()[-3000:]
                    )
                time.sleep(1)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def page(webserver: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1800, "height": 1200})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def test_asset_graph_shows_ingest_staging_and_marts(webserver: str, page) -> None:
    page.goto(f"{webserver}/asset-groups", wait_until="networkidle")
    # The selection box is a CodeMirror editor: type a selection as a user would.
    page.locator(".CodeMirror").first.click()
    page.keyboard.type(SELECTION)
    page.keyboard.press("Enter")
    groups = page.locator('[aria-label="unfold_more"]')
    groups.first.wait_for()
    # Expand every collapsed group box; each click re-renders the graph.
    for _ in range(10):
        if groups.count() == 0:
            break
        groups.first.click()
        page.wait_for_timeout(500)
    for name in ("stg_salesforce__lead", "dim_leads", "mart_mql_handoff"):
        page.locator("foreignObject", has_text=name).first.wait_for()
    graph_text = " ".join(t or "" for t in page.locator("foreignObject").all_text_contents())
    expected = ("ingest", "staging", "marts", "lead", "stg_salesforce__lead", "dim_leads")
    for text in (*expected, "mart_mql_handoff", "Asset checks"):
        assert text in graph_text, f"{text!r} not in the asset graph"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "asset_graph.png"), full_page=True)


@pytest.mark.parametrize(
    ("asset_path", "checks"),
    [
        ("salesforce/lead", ["gx_raw_leads_handoff_rules", "no_failed_files"]),
        ("dim_leads", ["gx_dim_leads_handoff_rules", "unique_dim_leads_lead_id"]),
        ("mart_mql_handoff", ["gx_mql_handoff_rules"]),
    ],
    ids=["raw_leads", "dim_leads", "mql_handoff"],
)
def test_asset_checks_are_listed(webserver: str, page, asset_path: str, checks: list[str]) -> None:
    page.goto(f"{webserver}/assets/{asset_path}?view=checks", wait_until="networkidle")
    page.get_by_text(checks[0]).first.wait_for()
    body = page.inner_text("body")
    for check in checks:
        assert check in body, f"check {check} not shown on {asset_path}"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"checks_{asset_path.replace('/', '_')}.png"))
