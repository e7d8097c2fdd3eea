"""`make test`: the suite as two pytest processes side by side, over disjoint sets of files.

Most of the suite's time is `revops run` and `dbt build` subprocesses, which keep about one of
this machine's two cores busy; two pytest processes keep both busy. Files are split by folder,
not test by test, so a session fixture shared by the files of a folder (a demo company built
once, dbt's parsed manifest) is still built once. Every test file lands in exactly one group:
the first group is named, the second is every other file.

    python tests/split_run.py [pytest options]   # e.g. -m "not ui and not spark"

Each process's lines are printed as they come, prefixed with its group; the exit status is
the first non-zero status of the two (0 when both passed).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent
#: The orchestration tests without the source subsets (each a whole `revops run` of about
#: 30 s, moved to the other group to even out the two), and publishing: about half the time.
FIRST_GROUP = {
    path
    for path in [*TESTS.glob("orchestration/test_*.py"), *TESTS.glob("serving/test_*.py")]
    if path.name != "test_source_subsets.py"
}
#: Browser and Spark tests are selected by marker (make test-ui, make test-spark).
NOT_SPLIT = {"ui", "spark"}


def groups() -> dict[str, list[str]]:
    every = sorted(
        path
        for path in TESTS.rglob("test_*.py")
        if path.relative_to(TESTS).parts[0] not in NOT_SPLIT
    )
    first = [str(path) for path in every if path in FIRST_GROUP]
    second = [str(path) for path in every if path not in FIRST_GROUP]
    return {"orchestration": first, "data": second}


def _relay(name: str, process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        print(f"[{name}] {line}", end="", flush=True)


def main(pytest_args: list[str]) -> int:
    started = time.monotonic()
    processes: dict[str, subprocess.Popen[str]] = {}
    relays = []
    for name, files in groups().items():
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", "pytest", *pytest_args, *files],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        relay = threading.Thread(target=_relay, args=(name, processes[name]), daemon=True)
        relay.start()
        relays.append(relay)
    statuses = {name: process.wait() for name, process in processes.items()}
    for relay in relays:
        relay.join()
    minutes = (time.monotonic() - started) / 60
    for name, status in statuses.items():
        print(f"{name}: {'passed' if status == 0 else f'FAILED (exit {status})'}")
    print(f"both groups done in {minutes:.1f} min")
    return next((status for status in statuses.values() if status != 0), 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
