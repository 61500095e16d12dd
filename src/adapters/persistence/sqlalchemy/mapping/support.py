"""How estate's attrs classes meet SQLAlchemy's imperative mapping.

Aggregates (``@attrs.define(slots=False, eq=False)``) are mapped directly with
``registry.map_imperatively``; they gain instrumented attributes, nothing else.

Frozen value objects (``@attrs.frozen``: slotted, immutable) cannot be mapped: SQLAlchemy needs
a ``__dict__`` and attribute writes on the instances it tracks. They are stored two ways:

- one value in columns of its aggregate's row: a **composite** (:func:`attrs_composite`), built
  from the columns on load and split back into them when the aggregate's field is assigned;
- a list of values (``Household.members``): a **child table** mapped to a small private row
  class of the adapter whose ``value`` is such a composite, and the aggregate's list field becomes
  an **association proxy** over the rows (:func:`value_list`). The domain keeps appending,
  removing and reassigning frozen values; SQLAlchemy sees rows added and removed.

Both need the adapter to add a little to the domain classes at mapping time, as SQLAlchemy's
instrumentation itself does: ``__composite_values__`` on the value class (SQLAlchemy's composite
protocol, which attrs classes lack) and the proxy descriptor on the aggregate class. The
:class:`Installed` record undoes exactly that in ``clear_mappers``.

Optimistic locking: a versioned aggregate's ``version`` column is bumped by SQLAlchemy when a
column of its row changes. A change of its child rows alone does not touch the row, so
:func:`bump_versions` (a ``before_flush`` listener) increments the version of every changed
aggregate itself, and the ``UPDATE ... SET version = :loaded + 1 WHERE version = :loaded`` then
catches a concurrent writer of the same aggregate, whatever part of it either one changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from sqlalchemy import inspect
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Composite, Session, UOWTransaction, composite
from sqlalchemy.schema import Column

VERSION_ATTRIBUTE = "_version"
"""Mapped attribute of every versioned aggregate's ``version`` column (not a domain field)."""


@attrs.define
class Installed:
    """What mapping added to domain classes beyond SQLAlchemy's own instrumentation."""

    attributes: list[tuple[type, str]] = attrs.field(factory=list)
    child_roots: dict[type, str] = attrs.field(factory=dict)

    def set(self, cls: type, name: str, value: Any) -> None:
        setattr(cls, name, value)
        self.attributes.append((cls, name))

    def undo(self) -> None:
        for cls, name in reversed(self.attributes):
            cached = [n for n in vars(cls) if n.startswith("_AssociationProxy_")]
            for attribute in [name, *cached]:
                if attribute in vars(cls):
                    delattr(cls, attribute)
        self.attributes.clear()
        self.child_roots.clear()


installed = Installed()


def attrs_composite(cls: type, *columns: Column[Any], nullable: bool = False) -> Composite[Any]:
    """A composite mapping the frozen attrs class ``cls`` onto ``columns`` (in field order).

    With ``nullable``, all columns NULL means the value is ``None`` (an optional value object).
    """
    names = tuple(field.name for field in attrs.fields(cls))
    if len(names) != len(columns):
        raise ValueError(f"{cls.__name__} has {len(names)} fields, got {len(columns)} columns")
    if "__composite_values__" not in vars(cls):

        def composite_values(self: Any) -> tuple[Any, ...]:
            return tuple(getattr(self, name) for name in names)

        installed.set(cls, "__composite_values__", composite_values)

    def build(*values: Any) -> Any:
        if nullable and all(value is None for value in values):
            return None
        return cls(**dict(zip(names, values, strict=True)))

    return composite(build, *columns)


def value_list(
    aggregate: type, field: str, rows: str, row_factory: Callable[[Any], Any]
) -> AssociationProxy[Any]:
    """Make ``aggregate.field`` (a list of frozen values) a proxy over the child rows ``rows``.

    Each row class exposes its value as ``value``; ``row_factory(value)`` makes a new row.
    """
    proxy: AssociationProxy[Any] = association_proxy(rows, "value", creator=row_factory)
    installed.set(aggregate, field, proxy)
    return proxy


def register_child_rows(row_class: type, root_attribute: str) -> None:
    """Rows of ``row_class`` belong to the aggregate at ``row.<root_attribute>``."""
    installed.child_roots[row_class] = root_attribute


def bump_versions(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    """``before_flush``: make every changed versioned aggregate issue its versioned UPDATE."""
    roots: dict[int, Any] = {}
    for obj in session.dirty:
        root_attribute = installed.child_roots.get(type(obj))
        if root_attribute is not None:
            root = getattr(obj, root_attribute, None)
            if root is not None:
                roots[id(root)] = root
        elif session.is_modified(obj):
            roots[id(obj)] = obj
    for root in roots.values():
        state = inspect(root)
        if state.persistent and state.mapper.version_id_col is not None:
            setattr(root, VERSION_ATTRIBUTE, getattr(root, VERSION_ATTRIBUTE) + 1)
