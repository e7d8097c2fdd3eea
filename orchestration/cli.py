"""The `revops` console script.

Subcommands import what they need lazily: `revops generate` must not pay for
importing Dagster, and `revops run` must not pay for the generator.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(
            "usage: revops {generate,run} [options]\n\n"
            "  generate   write a demo landing zone and its ground truth\n"
            "  run        ingest, dbt build, checks and publish, in-process"
        )
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "generate":
        from demo.cli import main as generate_main

        return generate_main(rest)
    if command == "run":
        from orchestration.run import main as run_main

        return run_main(rest)
    print(f"revops: unknown command {command!r} (expected generate or run)", file=sys.stderr)
    return 2


def console() -> None:
    """The ``revops`` command: :func:`main`, then, after ``run``, a quick exit.

    Tearing the interpreter down after a run (freeing Dagster's, GX's, pandas' and
    SQLAlchemy's modules) takes about 1 s on 2 cores, 7 % of a daily run (benchmarks/README.md).
    By the time ``run`` returns, everything it wrote is closed: the warehouse and serving
    connections, the run log, the Dagster instance (its event-log connections). So after ``run``
    the process joins its own threads, runs the ``atexit`` handlers (logging, the event
    log's), flushes and leaves with ``os._exit``. ``generate`` exits the ordinary way.
    """
    argv = sys.argv[1:]
    code = main(argv)
    if argv[:1] != ["run"]:
        raise SystemExit(code)
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console()
