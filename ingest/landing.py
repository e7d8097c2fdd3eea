"""Finding landing files and telling which of them are new since the last run."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from revops.sources import SOURCES
from revops.sources import source as source_named

# Files a sync job or an editor is still writing, or leaves behind.
_IGNORED_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", ".swp")
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class LandingFile:
    path: Path
    rel_path: str  # relative to the landing dir, with '/' separators
    source: str
    size: int
    mtime_us: int  # modification time, whole microseconds since the epoch (UTC)

    @property
    def modified_at(self) -> datetime:
        """Naive UTC, as stored in TIMESTAMP columns."""
        return _EPOCH + timedelta(microseconds=self.mtime_us)

    @property
    def dedup_scope(self) -> str:
        """Same checksum within this prefix = same file. CRM exports (Salesforce, HubSpot): the
        snapshot folder, so an unchanged object file in a newer snapshot still belongs to it."""
        if self.source in ("salesforce", "hubspot"):
            return self.rel_path.rsplit("/", 1)[0] + "/"
        return source_named(self.source).folder + "/"


def _ignored(path: Path) -> bool:
    name = path.name
    return name.startswith((".", "~$")) or name.lower().endswith(_IGNORED_SUFFIXES)


def list_files(landing_dir: Path, source: str) -> list[LandingFile]:
    """Every file of a source, oldest first (modification time, ties by name)."""
    root = Path(landing_dir) / source_named(source).folder
    if not root.is_dir():
        return []
    files = []
    for path in root.rglob("*"):
        if (
            not path.is_file()
            or _ignored(path)
            or any(p.startswith(".") for p in path.relative_to(root).parts)
        ):
            continue
        stat = path.stat()
        files.append(
            LandingFile(
                path=path,
                rel_path=path.relative_to(landing_dir).as_posix(),
                source=source,
                size=stat.st_size,
                mtime_us=stat.st_mtime_ns // 1000,
            )
        )
    return sorted(files, key=lambda f: (f.mtime_us, f.rel_path))


def unknown_folders(landing_dir: Path) -> list[str]:
    """Top-level folders of the landing zone that are no source's folder (say `ga4/` where
    `web/` is expected), sorted; dot-folders (`.sync`, `.git`) are not looked at."""
    root = Path(landing_dir)
    if not root.is_dir():
        return []
    expected = {source.folder for source in SOURCES}
    return sorted(
        entry.name
        for entry in root.iterdir()
        if entry.is_dir() and not entry.name.startswith(".") and entry.name not in expected
    )


def unchanged_since_last_run(con: duckdb.DuckDBPyConnection, files: list[LandingFile]) -> set[str]:
    """Paths whose size and mtime equal their latest ingest_log row: not read again at all."""
    if not files:
        return set()
    rows = con.execute(
        """select file_path, arg_max(file_size, finished_at), arg_max(file_modified_at, finished_at)
        from raw.ingest_log where source = ? group by file_path""",
        [files[0].source],
    ).fetchall()
    last = {path: (size, modified) for path, size, modified in rows}
    return {f.rel_path for f in files if last.get(f.rel_path) == (f.size, f.modified_at)}


def sha256_of(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def utcnow() -> datetime:
    """Naive UTC now, for TIMESTAMP columns."""
    return datetime.now(UTC).replace(tzinfo=None)
