"""Same seed, same bytes; --defects plants exactly what it lists and never moves the truth."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib

import pytest
from ad_files import decode

from demo.cli import main


def _snapshot(gen) -> dict[str, tuple[bytes, int]]:
    return {rel: (p.read_bytes(), p.stat().st_mtime_ns) for rel, p in gen.files().items()}


def test_same_seed_gives_identical_bytes_and_mtimes(small, small_again):
    assert _snapshot(small) == _snapshot(small_again)
    for name in ("summary.json", "campaigns.csv", "leads.csv"):
        assert (small.truth / name).read_bytes() == (small_again.truth / name).read_bytes()


def test_another_seed_gives_other_data_with_the_same_catalogue(small, other_seed):
    a, b = _snapshot(small), _snapshot(other_seed)
    assert a != b
    keys_a = {r["campaign_key"] for r in csv.DictReader((small.truth / "campaigns.csv").open())}
    keys_b = {
        r["campaign_key"] for r in csv.DictReader((other_seed.truth / "campaigns.csv").open())
    }
    assert {k for k in keys_a if k != "(none)"} & {k for k in keys_b if k != "(none)"}


def test_defects_never_change_the_truth(small, with_defects):
    for name in ("campaigns.csv", "leads.csv", "opportunities.csv"):
        assert (small.truth / name).read_bytes() == (with_defects.truth / name).read_bytes()
    assert small.summary["totals"] == with_defects.summary["totals"]


def _data_rows(path) -> tuple[list[str], list[list[str]]]:
    text, delim = decode(path.read_bytes())
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    skip = {"google_ads": 2, "linkedin_ads": 3}.get(path.parent.name, 0)
    if rows[0][0] == "segments.date":
        skip = 0
    header, body = rows[skip], rows[skip + 1 :]
    body = [r for r in body if not r[0].startswith("Total:")]
    if path.parent.name == "meta_ads":
        body = [r for r in body if r[header.index("Campaign name")]]
    return header, body


def test_defects_list_every_kind(with_defects):
    kinds = {(d["kind"], d["expect"]) for d in with_defects.summary["defects"]}
    assert {
        ("duplicate_file", "skipped_duplicate"),
        ("redelivered_day", "replaced"),
        ("bad_number", "rejected"),
        ("bad_date", "rejected"),
        ("id_scientific_notation", "rejected"),
        ("truncated_line", "rejected"),
        ("missing_required_column", "failed"),
        ("extra_column", "extra_column"),
        ("empty_file", "failed"),
        ("corrupt_gzip", "failed"),
    } <= kinds


def test_defects_are_planted_where_listed(with_defects, small):
    landing = with_defects.landing
    clean = small.files()
    planted = with_defects.files()
    for d in with_defects.summary["defects"]:
        path = landing / d["file"]
        assert path.exists(), d
        if d["expect"] == "rejected" and d["source"] != "ga4":
            header, body = _data_rows(path)
            bad = body[d["row_number"] - 1][header.index(d["column"])]
            _, clean_body = _data_rows(clean[d["file"]])
            assert bad != clean_body[d["row_number"] - 1][header.index(d["column"])]
        elif d["kind"] == "truncated_line":
            lines = path.read_bytes().split(b"\n")
            assert len(lines) == d["row_number"]
            with pytest.raises(json.JSONDecodeError):
                json.loads(lines[-1])
            json.loads(lines[-2])
        elif d["kind"] == "duplicate_file":
            twins = [
                r
                for r, p in planted.items()
                if r != d["file"] and p.read_bytes() == path.read_bytes()
            ]
            assert twins and planted[twins[0]].stat().st_mtime < path.stat().st_mtime
        elif d["kind"] == "redelivered_day":
            key = path.name.split(".")[0]
            newer = [p for r, p in planted.items() if p.name.split(".")[0] == key and p != path]
            assert len(newer) == 1 and newer[0].stat().st_mtime > path.stat().st_mtime
        elif d["kind"] == "missing_required_column":
            header, _ = _data_rows(path)
            assert d["column"] not in header and "Day" in header
        elif d["kind"] == "extra_column":
            header, body = _data_rows(path)
            assert d["column"] in header and body
        elif d["kind"] == "empty_file":
            assert path.stat().st_size == 0
        elif d["kind"] == "corrupt_gzip":
            with pytest.raises((OSError, EOFError, zlib.error)):
                gzip.decompress(path.read_bytes())
    extra = set(planted) - set(clean)
    listed = {d["file"] for d in with_defects.summary["defects"]}
    assert extra <= listed


def test_cli_writes_and_refuses_a_non_empty_landing_zone(tmp_path, capsys):
    out = tmp_path / "landing"
    args = ["--out", str(out), "--scale", "0.02", "--days", "21", "--seed", "3"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "ga4" in printed and "salesforce" in printed and "ground truth" in printed
    assert (tmp_path / "ground_truth" / "summary.json").exists()
    assert main(args) == 1
    assert main(args + ["--force"]) == 0
    assert main(["--out", str(tmp_path / "x"), "--days", "5"]) == 2
