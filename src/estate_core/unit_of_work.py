"""The unit of work of the whole core: every bounded context's repositories in one transaction.

Each context's use cases ask only for the protocol of their own context (``BillingUnitOfWork``,
``ServiceUnitOfWork`` …); an adapter that satisfies this one satisfies them all, which is what
``adapters.persistence.memory.InMemoryUnitOfWork`` and the SQLAlchemy unit of work provide.
"""

from __future__ import annotations

from typing import Protocol

from estate_core.commerce.ports import CommerceUnitOfWork, MerchantOrderRepository
from estate_core.community.ports import CommunityUnitOfWork
from estate_core.engagement.ports import EngagementUnitOfWork
from estate_core.payments.ports import ReconciliationUnitOfWork
from estate_core.service.ports import ServiceUnitOfWork


class EstateUnitOfWork(
    ReconciliationUnitOfWork,
    ServiceUnitOfWork,
    CommunityUnitOfWork,
    CommerceUnitOfWork,
    EngagementUnitOfWork,
    Protocol,
):
    """All repositories of estate_core, for one tenant, in one transaction."""

    @property
    def merchant_orders(self) -> MerchantOrderRepository:
        """Commerce's repository, which is also the ``PayableOrders`` a payment settles."""
        ...
