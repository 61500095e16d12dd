"""Checks shared by the tenant-isolation tests (DESIGN.md §3: no row of another tenant, ever).

Each context's isolation test stores look-alike data for two tenants, then calls every
repository method from the second tenant's unit of work with the first tenant's ids and keys.
These are the checks every one of them makes the same way: the guard that no public repository
method escapes the test, an id of another tenant neither found nor got, the rows seen all the
second tenant's, and an aggregate of another tenant refused on ``add``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

import pytest

from estate_core.shared.errors import NotFound


def assert_every_public_method_is_covered(covered: Mapping[type, set[str]]) -> None:
    """Each repository's public methods are exactly the ones its isolation test calls."""
    for repository, methods in covered.items():
        public = {
            name
            for name, _ in inspect.getmembers(repository, inspect.isfunction)
            if not name.startswith("_")
        }
        assert public == methods, f"{repository.__name__}: add the new methods to this test"


def assert_unseen(repository: Any, row_id: UUID) -> None:
    """``find`` gives nothing for another tenant's id, and ``get`` raises NotFound."""
    assert repository.find(row_id) is None
    with pytest.raises(NotFound):
        repository.get(row_id)


def assert_all_of(tenant_id: UUID, rows: Iterable[Any]) -> None:
    """Every row belongs to the tenant."""
    for row in rows:
        assert row.tenant_id == tenant_id


def assert_adding_is_refused(attempts: Iterable[tuple[Any, Any]]) -> None:
    """Each repository refuses to add the aggregate of another tenant paired with it."""
    for repository, aggregate in attempts:
        with pytest.raises(ValueError, match="another tenant"):
            repository.add(aggregate)
