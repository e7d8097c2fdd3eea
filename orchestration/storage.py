"""Dagster's SQLite instance storage: one held connection per event-log shard, batches in one
transaction.

``dagster.yaml`` names :class:`SqliteStorage` under ``storage: custom``. It is Dagster's own
``storage: sqlite`` (same files under ``$DAGSTER_HOME``, same schema, same run and schedule
storage), except for how the event log connects.

Dagster's ``SqliteEventLogStorage`` creates a new SQLAlchemy engine, opens a new SQLite
connection and closes both around every read and every write. A new engine compiles its INSERT
again and initializes its dialect; closing the last connection to a WAL database checkpoints the
WAL into the database file and deletes it. An asset-check event does that four times (run
shard, index shard, a schema check, the check's execution row). A run of the ``all`` job stores
about 150 "planned" events before its first step and ~300 while it runs (every dbt model and
test becomes an event): 2.5-3.0 s of a 15 s daily run at scale 1 on this machine
(benchmarks/README.md; DECISIONLOG.md, "Held connections to the event-log shards").

Here each shard (one per run, plus the index shard) has one engine whose pool holds its
connection open between writes. Each write is still its own committed transaction, and other
processes (the UI, the daemon) read it through the WAL as before. What had to change with it:

- the watcher: Dagster's wakes the UI's live view of a run when ``<run_id>.db`` changes, which
  a held connection's writes do only at a checkpoint. :class:`WalAwareWatchdog` wakes on
  ``<run_id>.db-wal`` too.
- closing: :meth:`dispose` (and, for a process that never disposes its instance, an ``atexit``
  hook) closes the connections, which checkpoints each WAL, so the ``.db`` files hold every
  event again when the process ends. ``wipe`` closes them before Dagster deletes the files.
- a forked child makes its own engines rather than use the parent's connections.
- ``has_table`` is remembered once true: Dagster asks it for every asset-check event.

The lock around each connection and the schema check of a shard the first time this process
touches it stay as Dagster has them. At most :data:`MAX_ENGINES` engines are kept (least
recently used dropped): the UI reads many runs' shards.

Batches: with ``DAGSTER_EVENT_BATCH_SIZE`` set (``revops run`` and ``make ui`` set it),
Dagster hands events that belong together to ``store_event_batch``: above all the ~150
"planned" events it writes when a run of the ``all`` job is created, before any step starts.
Dagster's SQLite storage stores them one by one, a transaction each; here a batch is one
transaction per shard, written by Dagster's own ``store_event`` for each event, so what an
event writes (run shard, index shard, asset and check tables) does not change. If the batch
fails, it rolls back whole and Dagster stores the events one by one.
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager

from dagster._core.event_api import EventHandlerFn
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage,
    SqliteEventLogStorageWatchdog,
)
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
from sqlalchemy.pool import QueuePool
from watchdog.events import FileSystemEvent, PatternMatchingEventHandler
from watchdog.observers import Observer

#: Engines kept at once; the least recently used one is dropped beyond this.
MAX_ENGINES = 32

#: Event logs whose connections are closed at interpreter exit, for a process that never
#: disposes its instance: closing checkpoints each WAL into its shard file.
_OPEN_EVENT_LOGS: weakref.WeakSet[EngineCachingSqliteEventLogStorage] = weakref.WeakSet()


@atexit.register
def _close_open_event_logs() -> None:
    for event_log in list(_OPEN_EVENT_LOGS):
        event_log._close_engines()


#: ``DAGSTER_EVENT_BATCH_SIZE`` that ``revops run`` sets (and the Makefile, for ``make ui``):
#: more than the planned events of a run of the ``all`` job, so they make one batch.
EVENT_BATCH_SIZE = "500"


class EngineCachingSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` that keeps one engine and its connection per shard."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        #: The process that made the engines: a forked child must neither use nor close the
        #: parent's connections.
        self._engines_pid = os.getpid()
        #: Tables seen in the index shard (has_table); a table is never dropped there.
        self._index_tables: set[str] = set()
        #: In the thread that runs store_event_batch: the batch's connection for a shard.
        self._batch = threading.local()
        super().__init__(base_dir, inst_data=inst_data)
        _OPEN_EVENT_LOGS.add(self)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, str]
    ) -> EngineCachingSqliteEventLogStorage:
        # The parent hard-codes its own class here (for `event_log_storage:` in dagster.yaml).
        return cls(inst_data=inst_data, **config_value)

    def _forget_inherited_engines(self) -> None:
        if self._engines_pid != os.getpid():
            for inherited in self._engines.values():
                inherited.dispose(close=False)  # the parent's connections stay the parent's
            self._engines.clear()
            self._engines_pid = os.getpid()

    def _engine(self, shard: str) -> Engine:
        self._forget_inherited_engines()
        engine = self._engines.get(shard)
        if engine is None:
            # The connection is held between writes (see the module docstring). The lock lets
            # one connection at a time be in use; an overflow connection closes on return.
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=4,
                connect_args={
                    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                    "check_same_thread": False,
                },
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
        # Dagster's _connect, with the shard's engine and held connection instead of new ones.
        with self._db_lock, self._ready_engine(shard).connect() as conn, conn.begin():
            yield conn

    def has_table(self, table_name: str) -> bool:
        """Dagster's check of the index shard, remembered once true (a table is never dropped).

        Dagster asks it for every asset-check event (``supports_asset_checks``) and every
        asset event with tags, each time through a new engine and connection. It is called
        with the lock held, so the first look is Dagster's own (its own engine, no lock).
        """
        if table_name in self._index_tables:
            return True
        found = super().has_table(table_name)
        if found:
            self._index_tables.add(table_name)
        return found

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

    def watch(self, run_id: str, cursor: str | None, callback: EventHandlerFn) -> None:
        """Dagster's ``watch``, with a watcher that also reacts to ``<run_id>.db-wal``."""
        if not self._obs:
            self._obs = Observer()
            self._obs.start()
        watchdog = WalAwareWatchdog(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (
            watchdog,
            self._obs.schedule(watchdog, self._base_dir, recursive=True),
        )

    def _close_engines(self) -> None:
        self._forget_inherited_engines()
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        # Dagster deletes the run shards' files; a held connection would keep writing to the
        # deleted inode.
        self._close_engines()
        super().wipe()

    def dispose(self) -> None:
        # Closing the last connection to a shard checkpoints its WAL into the shard file.
        self._close_engines()
        super().dispose()


class WalAwareWatchdog(SqliteEventLogStorageWatchdog):
    """Dagster's watcher of one run's shard that also wakes on writes to its WAL.

    Dagster's watches ``<run_id>.db`` only, which a write changes when its connection closes
    and checkpoints the WAL. The storage above holds its connections, so a write lands in
    ``<run_id>.db-wal`` and reaches the shard file at the next checkpoint.
    """

    def __init__(
        self,
        event_log_storage: SqliteEventLogStorage,
        run_id: str,
        callback: EventHandlerFn,
        cursor: str | None,
    ) -> None:
        super().__init__(event_log_storage, run_id, callback, cursor)
        self._watched = (self._log_path, self._log_path + "-wal")
        PatternMatchingEventHandler.__init__(self, patterns=list(self._watched))

    def on_modified(self, event: FileSystemEvent) -> None:
        if event.src_path in self._watched:
            self._process_log()


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
