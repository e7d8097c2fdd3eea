"""Retake the pictures of the docs: the Dagster asset graph, a passed asset check, the report.

Writes ``asset-graph.png``, ``check.png`` and ``report.png`` beside this file (README.md,
docs/report.md), each a quantized PNG under 250 KB, from a demo run kept out of ``data/``.
From the repo root, after ``make install``:

    export DAGSTER_HOME=/tmp/pics/dagster_home REVOPS_LANDING_DIR=/tmp/pics/landing \\
        REVOPS_WAREHOUSE=/tmp/pics/warehouse.duckdb REVOPS_SERVING=/tmp/pics/serving.duckdb \\
        REVOPS_DBT_TARGET_PATH=/tmp/pics/dbt_target
    mkdir -p $DAGSTER_HOME && cp dagster.yaml $DAGSTER_HOME/
    .venv/bin/revops generate --out $REVOPS_LANDING_DIR
    .venv/bin/revops run
    .venv/bin/pip install -e '.[ui-test]' pillow      # playwright and Pillow, once
    .venv/bin/python docs/img/take_screenshots.py     # --only graph|check|report, --help

It starts ``dagster-webserver`` on a free loopback port with that DAGSTER_HOME, as ``make ui``
and tests/ui do (``--url`` uses one already running instead), and drives Debian's chromium
(``/usr/bin/chromium``) through Playwright: no browser download. The report is the page the
run's publish step wrote (``REVOPS_REPORT``, default ``report.html`` beside the serving file).
Look at each picture before committing it.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
MAX_BYTES = 250_000

#: One lead's way through the pipeline: landing file, staging, intermediate, marts, serving.
GRAPH_ASSETS = (
    "salesforce/lead",
    "stg_salesforce__lead",
    "int_crm__leads",
    "int_leads__lifecycle",
    "dim_leads",
    "mart_mql_handoff",
    "serving/marts",
)
GRAPH_GROUPS = ("ingest", "staging", "intermediate", "marts", "serving")
#: The graph is laid out in a page this big (CSS px), then scaled down to 1280 px wide.
GRAPH_VIEWPORT = {"width": 1600, "height": 800}
PICTURES = {"graph": "asset-graph.png", "check": "check.png", "report": "report.png"}
#: A passed check with metadata worth reading: the Great Expectations suite on dim_leads.
CHECK_ASSET, CHECK_NAME = "dim_leads", "gx_dim_leads_handoff_rules"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tool(name: str) -> str:
    """A console script of this venv, else of the repo's .venv."""
    for folder in (BIN, REPO / ".venv" / "bin"):
        if (folder / name).exists():
            return str(folder / name)
    raise SystemExit(f"no {name} beside {sys.executable} nor in .venv/bin: run make install")


@contextmanager
def webserver(dagster_home: Path) -> Iterator[str]:
    """dagster-webserver on loopback for ``dagster_home``; stopped (its process group) after."""
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "GX_ANALYTICS_ENABLED": "false",
    }
    dagster_home.mkdir(parents=True, exist_ok=True)
    if not (dagster_home / "dagster.yaml").exists():
        shutil.copyfile(REPO / "dagster.yaml", dagster_home / "dagster.yaml")
    # As `make ui`: the dbt manifest is prepared once, so the code server never parses dbt.
    subprocess.run(
        [
            _tool("python"),
            "-c",
            "from orchestration.assets.dbt import prepare_dbt_manifest as p; p()",
        ],
        env=env,
        cwd=REPO,
        check=True,
    )
    port = _free_port()
    log_path = dagster_home / "screenshots-webserver.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [_tool("dagster-webserver"), "-h", "127.0.0.1", "-p", str(port)]
            + ["-m", "orchestration.definitions"],
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
                        raise SystemExit(
                            "webserver did not start:\n" + log_path.read_text()[-3000:]
                        ) from None
                    time.sleep(1)
            yield url
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


def save_small(png: bytes, path: Path, *, width: int | None = None) -> None:
    """Save ``png`` quantized to a palette (as pngquant does), resized to ``width`` if given,
    with as many colours as keep it under MAX_BYTES."""
    try:
        from PIL import Image
    except ImportError:
        raise SystemExit("needs Pillow: .venv/bin/pip install pillow") from None

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if width and image.width != width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    for colours in (256, 128, 64, 32):
        out = io.BytesIO()
        quantized = image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=0)
        quantized.save(out, format="PNG", optimize=True)
        if out.tell() < MAX_BYTES:
            break
    else:
        raise SystemExit(f"{path.name}: {out.tell():,} bytes even with {colours} colours")
    path.write_bytes(out.getvalue())
    print(f"{path}: {image.width}x{image.height}, {out.tell():,} bytes")


def _hide_navigation(page) -> None:
    page.get_by_text("Hide navigation").click()  # the UI remembers it for the next pages


def _graph_box(page) -> dict[str, float]:
    """The box around every node and group box of the asset graph, in page pixels."""
    boxes = [box for box in (node.bounding_box() for node in page.locator("foreignObject").all())]
    boxes = [box for box in boxes if box]
    left, top = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    right = max(b["x"] + b["width"] for b in boxes)
    bottom = max(b["y"] + b["height"] for b in boxes)
    return {"left": left, "top": top, "width": right - left, "height": bottom - top}


def _fill_the_canvas(page) -> None:
    """Zoom in and pan until the graph fills the canvas: the graph fits itself to the page when
    it loads, while the asset tree beside it is still open, and does not refit when it closes."""
    canvas = page.evaluate(
        """() => {
            let e = document.querySelector('foreignObject').closest('svg');
            while (e.parentElement && e.getBoundingClientRect().height < window.innerHeight / 2)
                e = e.parentElement;
            const r = e.getBoundingClientRect();
            return {left: r.left, top: r.top, width: r.width, height: r.height};
        }"""
    )
    zoom_in = page.locator('button:has([aria-label="zoom_in"])').first
    for _ in range(12):  # each click zooms in by about 8 %
        box = _graph_box(page)
        if (
            box["width"] * 1.1 > canvas["width"] * 0.94
            or box["height"] * 1.1 > canvas["height"] * 0.8
        ):
            break
        zoom_in.click()
        page.wait_for_timeout(400)
    box = _graph_box(page)
    dx = canvas["left"] + canvas["width"] / 2 - (box["left"] + box["width"] / 2)
    dy = canvas["top"] + canvas["height"] / 2 - (box["top"] + box["height"] / 2)
    x, y = canvas["left"] + 20, canvas["top"] + canvas["height"] - 20  # empty canvas: drag pans
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=20)
    page.mouse.up()
    page.wait_for_timeout(800)


def asset_graph(page, url: str, out: Path) -> None:
    """The lineage of one lead's data, each layer in its group box, from a 1600 px wide page
    scaled to 1280 px: wide enough for every node's name to be written out."""
    selection = " or ".join(f'key:"{key}"' for key in GRAPH_ASSETS)
    expanded = ",".join(f"global@global:{group}" for group in GRAPH_GROUPS)
    page.set_viewport_size(GRAPH_VIEWPORT)
    page.goto(f"{url}/asset-groups", wait_until="networkidle")
    _hide_navigation(page)
    page.goto(
        f"{url}/asset-groups~{urllib.parse.quote(selection, safe='')}/"
        f"?expanded={urllib.parse.quote(expanded, safe='')}",
        wait_until="networkidle",
    )
    page.locator('button:has([aria-label="panel_show_right"])').first.click()  # the asset tree
    for name in ("lead", "stg_salesfo", "dim_leads", "mart_mql_handoff", "serving"):
        page.locator("foreignObject", has_text=name).first.wait_for()
    page.wait_for_timeout(1000)
    _fill_the_canvas(page)
    save_small(page.screenshot(), out, width=1280)


def asset_check(page, url: str, out: Path) -> None:
    page.goto(f"{url}/assets/{CHECK_ASSET}?view=checks", wait_until="networkidle")
    _hide_navigation(page)
    page.get_by_text(CHECK_NAME).first.click()
    page.get_by_text("Passed").first.wait_for()
    page.locator("text=Metadata").first.wait_for()
    page.wait_for_timeout(1000)
    save_small(page.screenshot(), out)


def report(page, html: Path, out: Path) -> None:
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_function(
        "document.querySelectorAll('.chart').length > 0 && "
        "[...document.querySelectorAll('.chart')].every(c => c.dataset.rendered)"
    )
    # A chart whose mart the serving database lacks is a "not available yet" note instead.
    for note in page.locator(".note").all_inner_texts():
        print(f"{out.name}: the report says {note!r}", file=sys.stderr)
    save_small(page.screenshot(full_page=True), out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", choices=["graph", "check", "report"], action="append")
    parser.add_argument("--url", help="a running Dagster UI to use instead of starting one")
    parser.add_argument("--out", type=Path, default=HERE, help="folder of the pictures")
    args = parser.parse_args(argv)
    wanted = set(args.only or ["graph", "check", "report"])

    sys.path.insert(0, str(REPO))
    from revops.settings import Settings

    settings = Settings.from_env()
    home = Path(os.environ.get("DAGSTER_HOME", REPO / ".dagster_home")).resolve()
    html = settings.report.resolve()
    if "report" in wanted and not html.is_file():
        raise SystemExit(f"no report at {html}: run `revops run` first (same REVOPS_SERVING)")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"needs Debian's chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            if "report" in wanted:
                page = browser.new_page(viewport={"width": 980, "height": 1000})
                report(page, html, args.out / PICTURES["report"])
                page.close()
            if wanted & {"graph", "check"}:
                server = webserver(home) if not args.url else _given(args.url)
                with server as url:
                    for name, shoot in (("graph", asset_graph), ("check", asset_check)):
                        if name in wanted:
                            # A page of its own: the UI keeps "Hide navigation" per browser.
                            page = browser.new_page(viewport={"width": 1280, "height": 800})
                            page.set_default_timeout(60_000)
                            shoot(page, url, args.out / PICTURES[name])
                            page.close()
        finally:
            browser.close()
    return 0


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
