"""The `revops` console script.

Subcommands import what they need lazily: `revops generate` must not pay for
importing Dagster, and `revops run` must not pay for the generator.
"""

from __future__ import annotations

import sys


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
    """The ``revops`` command."""
    raise SystemExit(main(sys.argv[1:]))


if __name__ == "__main__":
    console()
