"""Reading delimited text exports: encoding, delimiter, header row, cells.

UI exports put title and date-range rows above the header and differ in
encoding (UTF-8 with or without BOM, UTF-16LE) and delimiter (comma or tab).
We look at the first lines in Python (a few KB), then hand the whole file to
DuckDB's CSV reader with everything explicit, every cell as VARCHAR.
"""

from __future__ import annotations

import codecs
import csv
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ingest.sql import literal

HEAD_BYTES = 256 * 1024
HEAD_LINES = 50
FIRST_CHUNK = 16 * 1024
DELIMITERS = ("\t", ",", ";")


@dataclass(frozen=True)
class Encoding:
    python: str  # codec for the head
    duckdb: str | None  # encoding DuckDB reads natively, None: transcode first


def detect_encoding(head: bytes) -> Encoding:
    """From the BOM, else from the bytes: UTF-16 text is full of NUL bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8-sig", "utf-8")
    if head.startswith(codecs.BOM_UTF16_LE):
        return Encoding("utf-16-le", "utf-16")
    if head.startswith(codecs.BOM_UTF16_BE):
        return Encoding("utf-16-be", None)
    sample = head[:4096]
    if sample and sample[1::2].count(0) > len(sample) // 4:
        return Encoding("utf-16-le", "utf-16")
    if sample and sample[0::2].count(0) > len(sample) // 4:
        return Encoding("utf-16-be", None)
    return Encoding("utf-8", "utf-8")


CP1252 = Encoding("cp1252", None)
_CHECK_CHUNK = 1 << 20


def detect_file_encoding(path: Path) -> Encoding:
    """detect_encoding, and a file without BOM that is not valid UTF-8 is cp1252.

    Excel on Windows saves "CSV" in the ANSI code page (cp1252 in the Americas and
    Western Europe). Every byte is checked (ASCII chunks cost almost nothing), since
    the first non-ASCII character may come late; cp1252 is transcoded to UTF-8 for
    DuckDB (its own `latin-1` differs in 0x80-0x9F: the euro sign, curly quotes).
    """
    with open(path, "rb") as fh:
        first = fh.read(_CHECK_CHUNK)
        encoding = detect_encoding(first)
        if encoding.python != "utf-8":
            return encoding
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = first
        try:
            while chunk:
                # a sequence cut at the end of the previous chunk must go on in this one
                if not chunk.isascii() or decoder.getstate()[0]:
                    decoder.decode(chunk)
                chunk = fh.read(_CHECK_CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return CP1252
    return encoding


def encoding_note(encoding: Encoding) -> str | None:
    """What ingest_log.parse_notes says about a file's encoding (nothing for UTF-8)."""
    if encoding.python == "cp1252":
        return "encoding cp1252 (Windows Latin-1): the file is not valid UTF-8"
    if encoding.python.startswith("utf-16"):
        return "encoding UTF-16"
    return None


def header_columns(cells: list[str]) -> str:
    """`|id|email|mql_date__c|`: the header names lower-cased, each wrapped in `|`, so a
    check can ask `like '%|mql_date__c|%'`."""
    names = [c.replace("\ufeff", "").strip().lower().replace("|", "/") for c in cells]
    return "|" + "|".join(names) + "|"


def head_lines(path: Path, encoding: Encoding) -> list[str]:
    """The first HEAD_LINES lines of the first HEAD_BYTES bytes.

    Read in a small first chunk: when it holds more than HEAD_LINES lines, its
    first HEAD_LINES are complete and the same as in the full head.
    """
    with open(path, "rb") as fh:
        lines = _decoded_lines(fh.read(FIRST_CHUNK), encoding)
        if len(lines) > HEAD_LINES:
            return lines[:HEAD_LINES]
        fh.seek(0)
        return _decoded_lines(fh.read(HEAD_BYTES), encoding)[:HEAD_LINES]


def _decoded_lines(raw: bytes, encoding: Encoding) -> list[str]:
    if encoding.python.startswith("utf-16") and len(raw) % 2:
        raw = raw[:-1]
    return raw.decode(encoding.python, errors="replace").lstrip("\ufeff").splitlines()


@dataclass(frozen=True)
class Header:
    line_index: int  # 0-based physical line of the header
    delimiter: str
    cells: list[str]


def find_header(lines: list[str], score: Callable[[list[str]], int]) -> Header | None:
    """The first line, under the delimiter, whose cells name the most known columns."""
    best: tuple[int, int, Header] | None = None
    for index, line in enumerate(lines):
        for delimiter in DELIMITERS:
            if delimiter not in line:
                continue
            cells = next(csv.reader([line], delimiter=delimiter), [])
            points = score(cells)
            if points >= 2 and (best is None or points > best[0]):
                best = (points, -index, Header(index, delimiter, cells))
    return best[2] if best else None


@contextmanager
def readable_copy(path: Path, encoding: Encoding) -> Iterator[tuple[Path, str]]:
    """The path DuckDB should read and the encoding to tell it.

    DuckDB reads UTF-8 and UTF-16LE itself; other encodings (UTF-16BE) are
    transcoded to a temporary UTF-8 file in chunks.
    """
    if encoding.duckdb is not None:
        yield path, encoding.duckdb
        return
    with tempfile.TemporaryDirectory(prefix="revops_ingest_") as tmp:
        target = Path(tmp) / (path.name + ".utf8")
        with open(path, "rb") as src, open(target, "wb") as dst:
            reader = codecs.getreader(encoding.python)(src, errors="replace")
            writer = codecs.getwriter("utf-8")(dst)
            shutil.copyfileobj(reader, writer, 1 << 20)
        yield target, "utf-8"


def read_cells(paths: list[str], encoding: str, header: Header) -> str:
    """DuckDB's CSV reader over files of one shape, as a SQL relation: every line
    after the header as VARCHAR cells c0..cN, plus ``file_index`` (position in
    ``paths``) as a virtual column.

    One column more than the header (`_overflow`) catches rows with too many
    cells instead of dropping them silently. The reader is not parallel, so
    rows come in file order, then line order: a table filled from it keeps
    that order in its rowid.
    """
    width = len(header.cells)
    columns = {f"c{i}": "VARCHAR" for i in range(width)} | {"_overflow": "VARCHAR"}
    columns_sql = "{" + ", ".join(f"{literal(k)}: 'VARCHAR'" for k in columns) + "}"
    files = "[" + ", ".join(literal(p) for p in paths) + "]"
    return f"""read_csv({files},
            encoding = {literal(encoding)}, skip = {header.line_index + 1}, header = false,
            delim = {literal(header.delimiter)}, quote = '"', escape = '"',
            columns = {columns_sql}, auto_detect = false, null_padding = true,
            strict_mode = false, parallel = false, max_line_size = 67108864)"""
