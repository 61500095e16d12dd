"""The unit-of-work port: one transaction, opened for one tenant.

Use cases do::

    with uow:
        bill = uow.bills.get(bill_id)
        bill.void(...)
        uow.commit()

Leaving the block without ``commit()`` (or by an exception) rolls everything back, so a failed
command leaves the data as it was. On commit the unit of work takes the pending events of every
aggregate it loaded or added and stores them as outbox messages in the same transaction.
Each bounded context declares the repositories it needs as a Protocol extending this one;
``estate_core.unit_of_work.EstateUnitOfWork`` is all of them together.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self
from uuid import UUID


class UnitOfWork(Protocol):
    @property
    def tenant_id(self) -> UUID: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def release(self) -> None:
        """Write the changes so far into the open transaction (events included) and forget the
        aggregates loaded, so a long import keeps one batch in memory, not the whole file. The
        transaction stays open: ``commit`` or leaving the block decides as before. Aggregates
        got earlier are no longer tracked: get them again to change them."""
        ...
