"""The `revops` console script.

Subcommands import what they need lazily: `revops generate` must not pay for
importing Dagster, and `revops run` must not pay for the generator. Each
subcommand documents its own options (`revops <command> --help`).
"""

from __future__ import annotations

import sys

#: Every command, with what it does: the top-level help lists them all.
COMMANDS = {
    "generate": "write a realistic demo landing zone (every source's export formats) and its "
    "ground truth",
    "run": "ingest new landing files, dbt build and tests, checks, publish the marts; in this "
    "process, with progress and a verdict (exit status 0 = published)",
}

USAGE = "usage: revops [-h] {" + ",".join(COMMANDS) + "} [options]"

HELP = f"""{USAGE}

RevOps pipeline: ad platform, web analytics and CRM exports in, funnel marts out.

commands:
{chr(10).join(f"  {name:<10} {text}" for name, text in COMMANDS.items())}

options:
  -h, --help  show this help and exit

Run `revops <command> --help` for the options of a command, e.g. `revops run --help`.

environment:
  REVOPS_LANDING_DIR  landing zone (default data/landing; `revops run --landing` overrides)
  REVOPS_WAREHOUSE    DuckDB warehouse (default data/warehouse.duckdb; `--warehouse`)
  REVOPS_SERVING      DuckDB file BI tools read (default data/serving.duckdb; `--serving`)
  DAGSTER_HOME        Dagster's run history, shown by `make ui`
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(HELP, end="", file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "generate":
        from demo.cli import main as generate_main

        return generate_main(rest)
    if command == "run":
        from orchestration.run import main as run_main

        return run_main(rest)
    print(USAGE, file=sys.stderr)
    print(
        f"revops: unknown command {command!r} (expected one of: {', '.join(COMMANDS)})",
        file=sys.stderr,
    )
    return 2


def console() -> None:
    """The ``revops`` command."""
    raise SystemExit(main(sys.argv[1:]))


if __name__ == "__main__":
    console()
