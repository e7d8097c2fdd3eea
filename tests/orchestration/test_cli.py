"""The `revops` console script: its exit status is the verdict a scheduler acts on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REVOPS = str(Path(sys.executable).parent / "revops")


def test_help_lists_both_commands() -> None:
    result = subprocess.run([REVOPS, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "generate" in result.stdout and "run" in result.stdout


def test_unknown_command_exits_2_and_names_it() -> None:
    result = subprocess.run([REVOPS, "publish"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "unknown command 'publish'" in result.stderr


def test_run_with_a_bad_job_exits_non_zero(tmp_path: Path) -> None:
    """A run that cannot start is a failure for the scheduler, not a silent 0."""
    result = subprocess.run(
        [REVOPS, "run", "--job", "no_such_job"],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "PATH": str(Path(sys.executable).parent),
            "HOME": str(tmp_path),
            "REVOPS_LANDING_DIR": str(tmp_path / "landing"),
            "REVOPS_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
            "REVOPS_SERVING": str(tmp_path / "serving.duckdb"),
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            "REVOPS_DBT_TARGET_PATH": str(tmp_path / "target"),
        },
    )
    assert result.returncode != 0


def _revops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REVOPS, *args], capture_output=True, text=True, timeout=120, env=env)


def test_help_lists_every_command_and_says_where_their_options_are() -> None:
    from orchestration.cli import COMMANDS

    result = _revops("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert f"\n  {command} " in result.stdout
        assert _revops(command, "--help").returncode == 0
    assert "revops <command> --help" in result.stdout
    for variable in ("REVOPS_LANDING_DIR", "REVOPS_WAREHOUSE", "REVOPS_SERVING", "DAGSTER_HOME"):
        assert variable in result.stdout
    # No command: the help on stderr, and a usage error.
    bare = _revops()
    assert bare.returncode == 2 and "commands:" in bare.stderr


def test_run_help_documents_every_option() -> None:
    from orchestration.run import build_parser

    text = _revops("run", "--help").stdout
    options = [
        option
        for action in build_parser()._actions  # noqa: SLF001 - argparse's own list of options
        for option in action.option_strings
        if option.startswith("--")
    ]
    assert {"--landing", "--warehouse", "--serving", "--job", "--force", "--plain"} <= set(options)
    for option in options:
        assert option in text, f"{option} not in `revops run --help`"
    for job in ("all", "google_ads_job", "salesforce_job"):
        assert job in text
    words = " ".join(text.split())
    assert "Exit status" in words and "files read" in words and "nodes done" in words


def test_path_options_override_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.resources import RevopsSettings
    from orchestration.run import apply_path_options, build_parser

    monkeypatch.setenv("REVOPS_LANDING_DIR", "/from/env/landing")
    monkeypatch.setenv("REVOPS_WAREHOUSE", "/from/env/warehouse.duckdb")
    monkeypatch.setenv("REVOPS_SERVING", "/from/env/serving.duckdb")
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(
        ["--landing", "zone", "--warehouse", "wh.duckdb", "--serving", "~/bi.duckdb"]
    )
    apply_path_options(args)
    settings = RevopsSettings().settings()
    assert settings.landing_dir == tmp_path / "zone"
    assert settings.warehouse == tmp_path / "wh.duckdb"
    assert settings.serving == Path("~/bi.duckdb").expanduser()
    # Not given: the environment stays.
    monkeypatch.setenv("REVOPS_SERVING", "/from/env/serving.duckdb")
    apply_path_options(build_parser().parse_args(["--landing", "other"]))
    assert RevopsSettings().settings().serving == Path("/from/env/serving.duckdb")


def test_a_bad_job_is_a_usage_error_naming_the_jobs() -> None:
    result = _revops("run", "--job", "no_such_job")
    assert result.returncode == 2
    assert "invalid choice: 'no_such_job'" in result.stderr
    assert "google_ads_job" in result.stderr


@pytest.mark.slow
def test_run_options_redirect_every_path(tmp_path: Path) -> None:
    """`revops run --landing --warehouse --serving` reads and writes there, not where the
    environment points; a pipe gets one line per step with files read and dbt nodes done,
    and a failed landing file's fix-it message whole, in plain text."""
    landing = tmp_path / "zone"
    generated = _revops(
        "generate", "--out", str(landing), "--scale", "0.1", "--days", "30", env=None
    )
    assert generated.returncode == 0, generated.stderr
    report = sorted((landing / "google_ads").glob("Campaign report 2026-*-*.csv"))[-1]
    _drop_day_column(report)
    elsewhere = tmp_path / "from_env"
    env = {
        **os.environ,
        "REVOPS_LANDING_DIR": str(elsewhere / "landing"),
        "REVOPS_WAREHOUSE": str(elsewhere / "warehouse.duckdb"),
        "REVOPS_SERVING": str(elsewhere / "serving.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "REVOPS_DBT_TARGET_PATH": str(tmp_path / "dbt_target"),
        "GX_ANALYTICS_ENABLED": "false",
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    out = tmp_path / "out"
    run = subprocess.run(
        [
            REVOPS,
            "run",
            "--landing",
            str(landing),
            "--warehouse",
            str(out / "wh.duckdb"),
            "--serving",
            str(out / "bi.duckdb"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-3000:]
    assert (out / "wh.duckdb").is_file() and (out / "bi.duckdb").is_file()
    assert not elsewhere.exists()
    assert f"revops run: landing {landing.resolve()}" in run.stdout
    assert f"serving:   {(out / 'bi.duckdb').resolve()} (published" in run.stdout

    steps = [line for line in run.stdout.splitlines() if line.startswith("  ok  ")]
    assert not [line for line in run.stdout.splitlines() if line.startswith("  ... ")]
    by_step = {line.split()[1]: line for line in steps}
    assert len(by_step) == len(steps), "a step printed twice"
    files = len(list((landing / "google_ads").iterdir()))
    assert f", {files}/{files} files read)" in by_step["ingest_google_ads"]
    assert re.search(r", (\d+)/\1 dbt nodes\)$", by_step["dbt_build"]), by_step["dbt_build"]

    warning = next(
        line for line in run.stdout.splitlines() if line.startswith("  warning  no_failed_files")
    )
    detail = run.stdout[run.stdout.index(warning) :].split("\n\n")[0]
    assert f"{report.relative_to(landing).as_posix()}: missing required column(s) Day" in detail
    assert detail.rstrip().endswith("choose Segment -> Time -> Day, and download it again")
    assert "|---|" not in detail and "`" not in detail


def _drop_day_column(path: Path) -> None:
    """Remove the Day column of a Google Ads UI report (UTF-16 TSV or UTF-8 CSV)."""
    raw = path.read_bytes()
    encoding = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    text = raw.decode(encoding)
    sep = "\t" if "\t" in text else ","
    lines = text.split("\n")
    header = next(i for i, line in enumerate(lines) if "Day" in line.split(sep))
    column = lines[header].split(sep).index("Day")
    cut = [
        sep.join(c for j, c in enumerate(line.split(sep)) if j != column)
        if i >= header and line.strip()
        else line
        for i, line in enumerate(lines)
    ]
    path.write_bytes("\n".join(cut).encode(encoding))
