"""Imperative mapping of estate_core's aggregates, started once by :func:`start_mappers`.

The domain never imports SQLAlchemy: this package maps its plain attrs classes onto the tables
in ``tables/``. Each bounded context has a ``map_<context>(registry)`` function; start_mappers
calls them all. Call it once at start-up (the bootstrap does); calling it again does nothing.
``clear_mappers`` undoes it, for tests that need the plain classes back.

No ``load`` listener is needed to restore transient state: ``Aggregate`` keeps its pending
events in the instance ``__dict__`` and creates the list on first use, so an aggregate that
SQLAlchemy builds without calling ``__init__`` simply has none pending.
"""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session, configure_mappers, registry

from adapters.persistence.sqlalchemy.mapping.billing import map_billing
from adapters.persistence.sqlalchemy.mapping.commerce import map_commerce
from adapters.persistence.sqlalchemy.mapping.community import map_community
from adapters.persistence.sqlalchemy.mapping.engagement import map_engagement
from adapters.persistence.sqlalchemy.mapping.identity import map_identity
from adapters.persistence.sqlalchemy.mapping.parking import map_parking
from adapters.persistence.sqlalchemy.mapping.properties import map_properties
from adapters.persistence.sqlalchemy.mapping.reconciliation import map_reconciliation
from adapters.persistence.sqlalchemy.mapping.service import map_service
from adapters.persistence.sqlalchemy.mapping.support import bump_versions, installed
from adapters.persistence.sqlalchemy.metadata import metadata

mapper_registry = registry(metadata=metadata)

_lock = threading.Lock()
_started = False


def start_mappers() -> None:
    """Map every aggregate (idempotent, thread-safe)."""
    global _started
    with _lock:
        if _started:
            return
        map_identity(mapper_registry)
        map_properties(mapper_registry)
        map_billing(mapper_registry)
        map_community(mapper_registry)
        map_service(mapper_registry)
        map_commerce(mapper_registry)
        map_reconciliation(mapper_registry)
        map_engagement(mapper_registry)
        map_parking(mapper_registry)
        configure_mappers()
        event.listen(Session, "before_flush", bump_versions)
        _started = True


def clear_mappers() -> None:
    """Give the domain classes back unmapped (tests that use the in-memory store after SQL)."""
    global _started
    with _lock:
        if not _started:
            return
        event.remove(Session, "before_flush", bump_versions)
        mapper_registry.dispose()
        installed.undo()
        _started = False


def mappers_started() -> bool:
    return _started


__all__ = ["clear_mappers", "mapper_registry", "mappers_started", "start_mappers"]
