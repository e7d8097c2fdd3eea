"""Generator parameters and the time axis every module shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DAY = 86_400
HOUR = 3_600
# "Never happened" for event times in seconds: larger than any as-of time, so `t <= as_of`
# is simply false and no NULL handling is needed in vectorised code.
NEVER = 2**62


@dataclass(frozen=True)
class Params:
    """What `revops generate` was asked for. Volume per day is 10,000 * scale / 365 leads."""

    seed: int = 42
    scale: float = 1.0
    days: int = 365
    start: dt.date = dt.date(2026, 1, 1)
    defects: bool = False
    variants: bool = False  # real-export variants (demo/variants.py)

    @property
    def start_s(self) -> int:
        return int(
            dt.datetime(
                self.start.year, self.start.month, self.start.day, tzinfo=dt.UTC
            ).timestamp()
        )

    @property
    def end_s(self) -> int:
        """00:00 UTC after the last simulated day."""
        return self.start_s + self.days * DAY

    @property
    def as_of_s(self) -> int:
        """The newest CRM snapshot's time: 06:00 UTC the morning after the last day."""
        return self.end_s + 6 * HOUR

    def snapshot_times(self) -> list[int]:
        """Weekly CRM snapshots, oldest first; all but the newest are date-named (00:00)."""
        older = [self.end_s - k * 7 * DAY for k in (3, 2, 1)]
        return [t for t in older if t > self.start_s + DAY] + [self.as_of_s]


def day_string(ts: int, fmt: str = "%Y-%m-%d") -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime(fmt)


def snapshot_folder(ts: int, newest: bool) -> str:
    """Snapshot folder name: `YYYY-MM-DD` (00:00 UTC) or `YYYY-MM-DDTHHMMSSZ`."""
    return day_string(ts, "%Y-%m-%dT%H%M%SZ") if newest else day_string(ts)
