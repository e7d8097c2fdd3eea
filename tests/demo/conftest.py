"""Small generated landing zones shared by the demo tests (generated once per session)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo.generate import generate
from demo.params import Params

SMALL = {"scale": 0.12, "days": 45, "start": dt.date(2026, 9, 20)}


@dataclass(frozen=True)
class Generated:
    landing: Path
    truth: Path

    @property
    def summary(self) -> dict:
        return json.loads((self.truth / "summary.json").read_text())

    def files(self) -> dict[str, Path]:
        return {
            p.relative_to(self.landing).as_posix(): p
            for p in sorted(self.landing.rglob("*"))
            if p.is_file()
        }


def _make(root: Path, seed: int = 7, defects: bool = False) -> Generated:
    landing = root / "landing"
    generate(landing, Params(seed=seed, defects=defects, **SMALL))
    return Generated(landing, root / "ground_truth")


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return _make(tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="session")
def small_again(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return _make(tmp_path_factory.mktemp("small_again"))


@pytest.fixture(scope="session")
def other_seed(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return _make(tmp_path_factory.mktemp("other_seed"), seed=8)


@pytest.fixture(scope="session")
def with_defects(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return _make(tmp_path_factory.mktemp("with_defects"), defects=True)
