"""In-memory persistence: every repository on dicts, for unit tests and for embedding the core
without a database. Behaves like a database transaction: loads are copies, commit writes them
back, checks optimistic versions and unique keys, and rollback forgets everything."""

from adapters.persistence.memory.store import InMemoryStore
from adapters.persistence.memory.unit_of_work import InMemoryUnitOfWork

__all__ = ["InMemoryStore", "InMemoryUnitOfWork"]
