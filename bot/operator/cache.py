"""The whole store's turns and ratings in the server's memory, brought up to date on each page load.

Rasa's SQL tracker store only ever adds rows to `events`, with increasing ids, so after the first
read a refresh fetches only the rows with an id above the last one read (milliseconds instead of
the second or so a full read of 10,000 conversations takes, docs/operator.md). Two things can change
rows below that id: `make prune` deleting old conversations, and, with several Rasa servers on one
PostgreSQL database, a turn committed after a later one with a lower id. Both change how many rows
lie at or below the last id read, so each refresh counts them (all rows, minus those above that id)
and starts over from scratch when the count moved. The counts and the read of a refresh share one
snapshot (REPEATABLE READ on PostgreSQL, an explicit read transaction on SQLite).
"""
from __future__ import annotations

import threading
from typing import Callable, TypeVar

import sqlalchemy as sa

from bot.store_reader import EVENTS, Builder, Store, read_rows

T = TypeVar("T")


class StoreCache:
    """Everything bot.store_reader reads from one store, kept in memory and refreshed incrementally."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.full_reads = 0  # how often the whole store was read (the first time, and after a change below)
        self._reset()

    def _reset(self) -> None:
        self._builder = Builder()
        self._last_id = 0
        self._rows = 0  # rows in the table when it was last read, all with ids up to _last_id

    def _count(self, connection: sa.engine.Connection, above: int = 0) -> int:
        """Rows with an id above `above`; all of them (on SQLite counted from its smallest index,
        far cheaper than walking the table) for 0."""
        query = sa.select(sa.func.count()).select_from(EVENTS)
        if above:
            query = query.where(EVENTS.c.id > above)
        return int(connection.execute(query).scalar() or 0)

    def _refresh(self, engine: sa.engine.Engine) -> None:
        connection = engine.connect()
        try:
            if engine.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                if engine.dialect.name == "sqlite":
                    # pysqlite opens no transaction for reads; this one gives the counts and the read
                    # one snapshot of the write-ahead log.
                    connection.exec_driver_sql("BEGIN")
                top = int(connection.execute(sa.select(sa.func.max(EVENTS.c.id))).scalar() or 0)
                total = self._count(connection)
                if self._last_id and (top < self._last_id or total - self._count(connection, self._last_id)
                                      != self._rows):
                    self._reset()
                if self._last_id == 0:
                    self.full_reads += 1
                if top > self._last_id:
                    self._builder.feed(read_rows(connection, after_id=self._last_id, upto_id=top))
                    self._last_id = top
                self._rows = total
        finally:
            connection.close()

    def use(self, engine: sa.engine.Engine, view: Callable[[Store], T]) -> T:
        """Refresh from the store behind `engine`, then return view(store), computed while no other
        refresh can change the store. Raises sqlalchemy.exc.SQLAlchemyError if the store can't be read
        (what was read before is kept)."""
        with self._lock:
            self._refresh(engine)
            return view(self._builder.store)
