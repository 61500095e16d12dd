"""The committed state shared by in-memory units of work, and the repository base class."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

import attrs

from estate_core.shared.errors import ConcurrencyConflict, Conflict, NotFound
from estate_core.shared.events import OutboxMessage


class Stored(Protocol):
    @property
    def id(self) -> UUID: ...

    @property
    def tenant_id(self) -> UUID: ...


A = TypeVar("A", bound=Stored)


@attrs.define
class _Row:
    version: int
    value: Any


class InMemoryStore:
    """What a database would hold: tables of committed rows (deep copies) and the outbox."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tables: dict[str, dict[UUID, _Row]] = {}
        self.outbox: list[OutboxMessage] = []

    def table(self, name: str) -> dict[UUID, _Row]:
        return self.tables.setdefault(name, {})


class Session:
    """The working copies of one unit of work, keyed by (table, id)."""

    def __init__(self, store: InMemoryStore, tenant_id: UUID) -> None:
        self.store = store
        self.tenant_id = tenant_id
        self.objects: dict[tuple[str, UUID], Any] = {}
        self.loaded_versions: dict[tuple[str, UUID], int] = {}
        self.repositories: list[InMemoryRepository[Any]] = []

    def flush_to_store(self) -> None:
        """Write every working copy back, as one atomic step under the store lock."""
        with self.store.lock:
            for (table, row_id), loaded_version in self.loaded_versions.items():
                row = self.store.table(table).get(row_id)
                if row is None or row.version != loaded_version:
                    raise ConcurrencyConflict(
                        f"{table} {row_id} changed since it was loaded; retry the command"
                    )
            for repository in self.repositories:
                repository.check_unique()
            for (table, row_id), value in self.objects.items():
                rows = self.store.table(table)
                old = rows.get(row_id)
                version = old.version + 1 if old else 1
                rows[row_id] = _Row(version, copy.deepcopy(value))
                self.loaded_versions[(table, row_id)] = version


class InMemoryRepository(Generic[A]):
    """Base repository: ``get``/``add`` by id within the unit of work's tenant.

    Subclasses set ``table`` and may set ``unique`` (tuples of attribute names that must be
    unique within a tenant, as the database's unique constraints are) with the code a clash
    raises in ``conflict_codes`` (``<table>.duplicate`` otherwise), then add their queries
    with :meth:`_select`.
    """

    table: ClassVar[str]
    unique: ClassVar[tuple[tuple[str, ...], ...]] = ()
    conflict_codes: ClassVar[dict[tuple[str, ...], str]] = {}
    not_found_code: ClassVar[str] = "not_found"

    def __init__(self, session: Session) -> None:
        self._session = session
        session.repositories.append(self)

    def add(self, aggregate: A) -> None:
        if aggregate.tenant_id != self._session.tenant_id:
            raise ValueError("aggregate belongs to another tenant than this unit of work")
        self._session.objects[(self.table, aggregate.id)] = aggregate

    def find(self, aggregate_id: UUID) -> A | None:
        key = (self.table, aggregate_id)
        if key in self._session.objects:
            found: A = self._session.objects[key]
            return found
        with self._session.store.lock:
            row = self._session.store.table(self.table).get(aggregate_id)
            if row is None or row.value.tenant_id != self._session.tenant_id:
                return None
            return self._adopt(row)

    def get(self, aggregate_id: UUID) -> A:
        found = self.find(aggregate_id)
        if found is None:
            raise NotFound(self.not_found_code, f"no {self.table} {aggregate_id}")
        return found

    def _adopt(self, row: _Row) -> A:
        value: A = copy.deepcopy(row.value)
        key = (self.table, value.id)
        self._session.objects[key] = value
        self._session.loaded_versions[key] = row.version
        return value

    def _select(self, predicate: Callable[[A], bool]) -> list[A]:
        """Every aggregate of this tenant matching ``predicate``, as working copies."""
        tenant_id = self._session.tenant_id
        found: dict[UUID, A] = {}
        with self._session.store.lock:
            for row_id, row in self._session.store.table(self.table).items():
                if (self.table, row_id) in self._session.objects:
                    continue
                if row.value.tenant_id == tenant_id and predicate(row.value):
                    found[row_id] = self._adopt(row)
        for (table, row_id), value in self._session.objects.items():
            if table == self.table and predicate(value):
                found[row_id] = value
        return list(found.values())

    def _working(self) -> Iterator[A]:
        for (table, _), value in self._session.objects.items():
            if table == self.table:
                yield value

    def check_unique(self) -> None:
        if not self.unique:
            return
        tenant_id = self._session.tenant_id
        rows = self._session.store.table(self.table)
        for aggregate in self._working():
            for names in self.unique:
                key = tuple(getattr(aggregate, name) for name in names)
                if any(part is None for part in key):
                    continue
                clashes = [
                    row_id
                    for row_id, row in rows.items()
                    if row_id != aggregate.id
                    and row.value.tenant_id == tenant_id
                    and (self.table, row_id) not in self._session.objects
                    and tuple(getattr(row.value, name) for name in names) == key
                ] + [
                    other.id
                    for other in self._working()
                    if other.id != aggregate.id
                    and tuple(getattr(other, name) for name in names) == key
                ]
                if clashes:
                    raise Conflict(
                        self.conflict_codes.get(names, f"{self.table}.duplicate"),
                        f"another {self.table} already has this {'/'.join(names)}",
                        key=names,
                    )
