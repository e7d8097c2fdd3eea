"""Browser test: after `revops run`, the UI shows every check's last real result.

Generates a small landing zone and runs the pipeline twice, as `make run` does: the first run
builds and checks everything, the second finds nothing new and re-runs only the ingest
checks. Then ``dagster-webserver`` serves that instance on loopback and Debian's chromium
(through Playwright) reads the checks of a mart: every check passed, none "Skipped" or
"Failed", and a check the second run did not re-run says which run evaluated it. The ingest
assets say their source (``google_ads / campaign_stats``). Run with ``make test-ui``;
screenshots land in ``screenshots/`` (gitignored).
"""

from __future__ import annotations

import os
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
REVOPS = str(Path(sys.executable).parent / "revops")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SCREENSHOTS = REPO / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def after_two_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium (make test-ui installs the rest)")
    pytest.importorskip("playwright.sync_api")
    root = tmp_path_factory.mktemp("ui_checks")
    env = {
        **os.environ,
        "REVOPS_LANDING_DIR": str(root / "landing"),
        "REVOPS_WAREHOUSE": str(root / "warehouse.duckdb"),
        "REVOPS_SERVING": str(root / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "REVOPS_DBT_TARGET_PATH": str(root / "dbt_target"),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "GX_ANALYTICS_ENABLED": "false",
    }
    generate = [REVOPS, "generate", "--out", env["REVOPS_LANDING_DIR"]]
    generated = subprocess.run(
        [*generate, "--scale", "0.1", "--days", "30"], env=env, capture_output=True, text=True
    )
    assert generated.returncode == 0, generated.stderr
    runs = {}
    for name in ("first", "second"):
        run = subprocess.run(
            [REVOPS, "run"], env=env, capture_output=True, text=True, timeout=900, cwd=REPO
        )
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        runs[name] = run.stdout
    port = _free_port()
    log = open(root / "webserver.log", "w")  # noqa: SIM115 - closed below
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
                    pytest.fail("webserver did not start:\n" + (root / "webserver.log").read_text())
                time.sleep(1)
        yield url, runs
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def page(after_two_runs: tuple[str, dict]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1800, "height": 1200})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def test_the_second_run_kept_the_checks_it_did_not_rerun(after_two_runs: tuple) -> None:
    _, runs = after_two_runs
    assert "nothing they read changed (last result kept:" in runs["second"]
    assert "already current" in runs["second"]


@pytest.mark.parametrize("asset_path", ["dim_leads", "mart_mql_handoff"])
def test_passed_checks_show_as_passed_not_skipped(
    after_two_runs: tuple, page, asset_path: str
) -> None:
    url, _ = after_two_runs
    page.goto(f"{url}/assets/{asset_path}?view=checks", wait_until="networkidle")
    page.get_by_text("Checks (").first.wait_for()
    page.get_by_text("Succeeded").first.wait_for()
    body = page.inner_text("body")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"check_results_{asset_path}.png"), full_page=True)
    listed = int(body.split("Checks (", 1)[1].split(")", 1)[0])
    assert listed >= 2
    for status in ("Skipped", "Failed", "Execution failed", "Not evaluated"):
        assert status not in body, f"a check of {asset_path} shows {status!r}"
    assert body.count("Succeeded") >= listed
    # The check selected first was not re-run by the second run, and says where it was run.
    assert "Last result (passed), evaluated in run" in body


def test_ingest_assets_say_their_source(after_two_runs: tuple, page) -> None:
    url, _ = after_two_runs
    for source in ("google_ads", "meta_ads", "linkedin_ads"):
        page.goto(f"{url}/assets/{source}/campaign_stats", wait_until="networkidle")
        page.get_by_text(f"{source} / campaign_stats").first.wait_for()
        body = page.inner_text("body")
        assert "domain: marketing" in body  # the tag; the owner team:marketing shows as "marketing"
        assert f"source: {source}" in body
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ingest_asset_label.png"), full_page=True)
