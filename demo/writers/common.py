"""Small helpers every writer shares: byte-exact files with deterministic mtimes, CSV cells."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from demo.deliveries import AdFile, file_rows

UTF8_BOM = "\ufeff"


@dataclass
class Written:
    """What a writer produced: relative paths and data rows per source (for the CLI and bench)."""

    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, source: str, rel: str, rows: int) -> None:
        self.files.append(rel)
        self.rows[source] = self.rows.get(source, 0) + rows


@dataclass
class CellOverrides:
    """Planted defects for one file: data row (1-based) -> {header: raw cell text}, plus an
    extra column (header, value for every row). Writers apply them while rendering."""

    cells: dict[int, dict[str, str]] = field(default_factory=dict)
    extra_column: tuple[str, str] | None = None


def set_mtime(path: Path, ts: int) -> None:
    """Ingest decides "newest file wins" by mtime: make it the export's time, every run."""
    os.utime(path, (ts, ts))


def write_file(path: Path, data: bytes, mtime: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    set_mtime(path, mtime)


def write_ad_files(
    out: Path,
    source: str,
    files: list[AdFile],
    names: list[str],
    ads: pd.DataFrame,
    written: Written,
    render: Callable[[AdFile, pd.DataFrame, str], bytes],
) -> None:
    """One ad platform's export files: each holds its rows of `ads`, rendered by
    `render(file, rows, relative name)`, with the export's time as mtime."""
    for f, rel in zip(files, names, strict=True):
        rows = file_rows(ads, f)
        write_file(out / rel, render(f, rows, rel), f.export_s)
        written.add(source, rel, len(rows))


def cell(value: str, delimiter: str) -> str:
    """Quote a cell when it holds the delimiter, a comma, a quote or a line break.

    Commas are quoted even in tab-separated files: the Google Ads "CSV for Excel" download
    quotes numbers with thousands separators there too.
    """
    if any(ch in value for ch in (delimiter, ",", '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def render_table(rows: list[list[str]], delimiter: str) -> str:
    return "".join(delimiter.join(cell(v, delimiter) for v in r) + "\r\n" for r in rows)


def encode(text: str, encoding: str) -> bytes:
    """utf-8, utf-8-sig (BOM) or utf-16 (little-endian with BOM, as Excel and Google write)."""
    if encoding == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "utf-8-sig":
        return (UTF8_BOM + text).encode("utf-8")
    return text.encode("utf-8")


def day_text(date: dt.date, style: str) -> str:
    """A day as a UI writes it: iso `2026-11-03`, us `Nov 3, 2026`, uk `3 November 2026`,
    mdy `11/3/2026`."""
    if style == "us":
        return f"{date:%b} {date.day}, {date.year}"
    if style == "uk":
        return f"{date.day} {date:%B} {date.year}"
    if style == "mdy":
        return f"{date.month}/{date.day}/{date.year}"
    return date.isoformat()


def range_text(first: dt.date, last: dt.date, style: str) -> str:
    if style == "uk":
        return f"{day_text(first, 'uk')} - {day_text(last, 'uk')}"
    return f"{first:%B} {first.day}, {first.year} - {last:%B} {last.day}, {last.year}"


def money(cents: int, thousands: bool = True) -> str:
    return f"{cents / 100:,.2f}" if thousands else f"{cents / 100:.2f}"


def dedupe_names(names: list[str]) -> list[str]:
    """Make file names unique the way browsers do: `report (1).csv` for a second download."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            stem, dot, ext = name.rpartition(".")
            name = f"{stem} ({seen[name]}).{ext}" if dot else f"{name} ({seen[name]})"
        else:
            seen[name] = 0
        out.append(name)
    return out
