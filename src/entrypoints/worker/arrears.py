"""The community context's ``ArrearsQuery`` answered from the billing context's arrears list,
for the dunning job; the composition is the one place that knows both contexts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from entrypoints.bootstrap import Estate
from estate_core.shared.money import Money
from estate_core.shared.pagination import MAX_PAGE_SIZE, PageRequest


class BillArrears:
    def __init__(self, estate: Estate) -> None:
        self._estate = estate

    def properties_in_arrears(
        self, tenant_id: UUID, community_id: UUID, threshold: Money, on: date
    ) -> Sequence[UUID]:
        """Homes with at least ``threshold`` overdue on ``on``; the list is largest amount
        overdue first, so paging stops at the first home below the threshold."""
        owing: list[UUID] = []
        page = PageRequest(limit=MAX_PAGE_SIZE)
        with self._estate.uow(tenant_id) as uow:
            while True:
                found = uow.bills.arrears(community_id, on, page)
                for arrears in found.items:
                    if arrears.amount_overdue.fen < threshold.fen:
                        return owing
                    owing.append(arrears.property_id)
                if found.next_cursor is None:
                    return owing
                page = PageRequest(limit=MAX_PAGE_SIZE, after=found.next_cursor)


class KnownArrears:
    """Arrears read before the use case opens its unit of work: SQLite has one writer, and a
    second unit of work opened inside the first would wait for it."""

    def __init__(self, owing: Sequence[UUID]) -> None:
        self._owing = list(owing)

    def properties_in_arrears(
        self, tenant_id: UUID, community_id: UUID, threshold: Money, on: date
    ) -> Sequence[UUID]:
        return self._owing
