"""Root conftest of the test suite.

Under pytest's default (prepend) import mode a conftest puts its own folder on ``sys.path``;
this one puts ``tests/`` there, so the helpers shared by several test folders
(``dbt_runner.py``) import by name from every folder, as each folder's own helpers do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
#: Folders whose session-scoped fixtures (a generated company, a built pipeline) serve many
#: files: their tests run on one pytest-xdist worker, so each fixture is built once.
SHARED_FIXTURE_FOLDERS = {"demo", "dbt", "e2e"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With pytest-xdist (`make test` runs two workers, ``--dist loadgroup``), a test file's
    tests stay on one worker (its module fixtures are built once), and so do the folders of
    SHARED_FIXTURE_FOLDERS."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        parts = Path(item.path).resolve().relative_to(TESTS).parts
        group = parts[0] if parts[0] in SHARED_FIXTURE_FOLDERS else "/".join(parts)
        item.add_marker(pytest.mark.xdist_group(group))
