"""Root conftest of the test suite.

Under pytest's default (prepend) import mode a conftest puts its own folder on ``sys.path``;
this one puts ``tests/`` there, so the helpers shared by several test folders
(``dbt_runner.py``) import by name from every folder, as each folder's own helpers do.
"""
