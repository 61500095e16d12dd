"""Fixtures and ordering for every test.

The SQL adapter maps the domain classes imperatively, and mapping all of them costs a few
hundred milliseconds; the in-memory store and the unit tests need the classes plain. So tests
that use a database keep the mapping in place for one another, every other test gets the plain
classes back, and within each module the database tests run last so the mapping is built about
once per module instead of once per test.
"""

from __future__ import annotations

import sys

import pytest

DATABASE_PARAMS = frozenset({"sqlite", "postgresql"})


def _uses_database(item: pytest.Item) -> bool:
    if "mapped" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and any(
        isinstance(value, str) and value in DATABASE_PARAMS for value in callspec.params.values()
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    module_order: dict[str, int] = {}
    for item in items:
        module_order.setdefault(str(item.path), len(module_order))
    items.sort(key=lambda item: (module_order[str(item.path)], _uses_database(item)))


@pytest.fixture(autouse=True)
def _plain_classes_unless_database(request: pytest.FixtureRequest) -> None:
    if _uses_database(request.node):
        return
    mapping = sys.modules.get("adapters.persistence.sqlalchemy.mapping")
    if mapping is not None:
        mapping.clear_mappers()
