"""Dagster's SQLite instance storage: one SQLAlchemy engine per event-log shard, batches in one
transaction.

``dagster.yaml`` names :class:`SqliteStorage` under ``storage: custom``. It is Dagster's own
``storage: sqlite`` (same files under ``$DAGSTER_HOME``, same schema, same run and schedule
storage), except for two things in the event log.

Dagster's ``SqliteEventLogStorage`` creates a new SQLAlchemy engine for every read and every
write of an event. A new engine starts with an empty compiled-statement cache and initializes
its dialect on first connect, so each event pays to compile its INSERT again. SQLAlchemy's
advice is one engine per database URL per process. A run of the ``all`` job stores about
150 "planned" events before its first step and a few hundred while it runs (every dbt model
and test becomes an event), and on this machine that was 5-11 ms per event
(benchmarks/README.md; DECISIONLOG.md, "One SQLAlchemy engine per event-log shard, one
transaction per batch").

What stays as Dagster has it, on purpose:

- ``NullPool``: every read and write still opens and closes its own SQLite connection, so the
  last close checkpoints the WAL into ``<run_id>.db``. The UI's live view of a run watches that
  file for modifications; a connection held open would leave the events in the WAL, unseen.
- the lock around each connection, and the schema check of a shard the first time this
  process touches it.

The engines are kept per shard (one per run plus the index shard), at most
:data:`MAX_ENGINES` of them: the UI reads many runs' shards and should not keep an engine
for each run it ever showed.

Batches: with ``DAGSTER_EVENT_BATCH_SIZE`` set (``revops run`` and ``make ui`` set it),
Dagster hands events that belong together to ``store_event_batch``: above all the ~150
"planned" events it writes when a run of the ``all`` job is created, before any step starts.
Dagster's SQLite storage stores them one by one, a connection and a commit each; here a batch
is one transaction per shard, written by Dagster's own ``store_event`` for each event, so what
an event writes (run shard, index shard, asset and check tables) does not change. If the batch
fails, it rolls back whole and Dagster stores the events one by one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager

from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

#: Engines kept at once; the least recently used one is dropped beyond this.
MAX_ENGINES = 32

#: ``DAGSTER_EVENT_BATCH_SIZE`` that ``revops run`` sets (and the Makefile, for ``make ui``):
#: more than the planned events of a run of the ``all`` job, so they make one batch.
EVENT_BATCH_SIZE = "500"


class EngineCachingSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` that keeps one engine per shard instead of one per connection."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        #: In the thread that runs store_event_batch: the batch's connection for a shard.
        self._batch = threading.local()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, str]
    ) -> EngineCachingSqliteEventLogStorage:
        # The parent hard-codes its own class here (for `event_log_storage:` in dagster.yaml).
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            self._engines[shard] = engine
            while len(self._engines) > MAX_ENGINES:
                self._engines.popitem(last=False)[1].dispose()
        else:
            self._engines.move_to_end(shard)
        return engine

    def _ready_engine(self, shard: str) -> Engine:
        engine = self._engine(shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:  # type: ignore[override]
        batch_connection: Callable[[str], Connection] | None = getattr(
            self._batch, "connection", None
        )
        if batch_connection is not None:
            # Inside store_event_batch in this thread: it holds the lock, and the shard's
            # connection is in the batch's transaction.
            yield batch_connection(shard)
            return
        # Dagster's _connect, minus create_engine/dispose around every connection.
        with self._db_lock, self._ready_engine(shard).connect() as conn, conn.begin():
            yield conn

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Store ``events`` in one transaction per shard (see the module docstring)."""
        if len(events) < 2:
            super().store_event_batch(events)
            return
        with self._db_lock, ExitStack() as stack:
            connections: dict[str, Connection] = {}

            def connection(shard: str) -> Connection:
                if shard not in connections:
                    conn = stack.enter_context(self._ready_engine(shard).connect())
                    stack.enter_context(conn.begin())
                    connections[shard] = conn
                return connections[shard]

            self._batch.connection = connection
            try:
                for event in events:
                    self.store_event(event)
            finally:
                self._batch.connection = None

    def dispose(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()
        super().dispose()


class SqliteStorage(DagsterSqliteStorage):
    """Dagster's ``storage: sqlite`` with :class:`EngineCachingSqliteEventLogStorage`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # DagsterSqliteStorage.__init__ with the event log swapped: calling it would open
        # (and on a new home, create and index) the stock event log first.
        self.base_dir = base_dir
        self._run_storage = SqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = EngineCachingSqliteEventLogStorage(
            _event_logs_directory(base_dir)
        )
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, str]
    ) -> SqliteStorage:
        # The parent hard-codes its own class here.
        return cls.from_local(inst_data=inst_data, **config_value)
