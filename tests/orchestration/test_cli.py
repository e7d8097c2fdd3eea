"""The `revops` console script: after `run` it leaves with os._exit (the interpreter's
teardown costs about 1 s), which must not lose the exit status, an atexit handler (logging,
the event log's connections) or a thread that is still writing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _console(tmp_path: Path, command: str) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(
        f"""
        import atexit, sys, threading, time
        from pathlib import Path
        import orchestration.cli as cli

        out = Path({str(tmp_path)!r})

        def fake_main(argv):
            atexit.register(lambda: (out / "atexit").write_text("ran"))

            def late_writer():
                time.sleep(0.5)
                (out / "thread").write_text("done")

            threading.Thread(target=late_writer).start()
            print("report", end="")  # unflushed: the pipe buffers it
            return 3

        cli.main = fake_main
        sys.argv = ["revops", {command!r}]
        cli.console()
        """
    )
    # Buffered stdout, as a cron job or CI sees it (this sandbox sets PYTHONUNBUFFERED).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_run_exits_quickly_without_losing_status_output_atexit_or_threads(tmp_path: Path) -> None:
    result = _console(tmp_path, "run")
    assert result.returncode == 3, result.stderr
    assert result.stdout == "report"
    assert (tmp_path / "atexit").read_text() == "ran"
    assert (tmp_path / "thread").read_text() == "done"


def test_other_commands_exit_the_ordinary_way(tmp_path: Path) -> None:
    result = _console(tmp_path, "generate")
    assert result.returncode == 3, result.stderr
    assert (tmp_path / "atexit").read_text() == "ran"
