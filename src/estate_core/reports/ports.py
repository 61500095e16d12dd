"""The read-model port of the reports: figures the database computes in one query each."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from uuid import UUID

import attrs

from estate_core.payments.values import PaymentChannel
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class PeriodCollection:
    """The bills of one billing period (by ``period_start``) of a community, void ones left out.

    ``amount_settled`` is the amount due of the paid bills (what the rate divides);
    ``amount_collected`` what was taken for them, late fees included.
    """

    period_start: date
    bills_issued: int
    amount_issued: Money
    bills_paid: int
    amount_settled: Money
    amount_collected: Money


@attrs.frozen(kw_only=True)
class PropertyArrearsRow:
    """One property's bills overdue on a day."""

    property_id: UUID
    address: str
    owner_name: str | None
    overdue_bills: int
    amount_overdue: Money
    oldest_due_date: date


@attrs.frozen(kw_only=True)
class DailyIncome:
    """One local day and channel: payments that succeeded, refunds that went through."""

    day: date
    channel: PaymentChannel
    payments: int
    amount_received: Money
    refunds: int
    amount_refunded: Money


class ReportQueries(Protocol):
    """The report queries of one tenant (property company)."""

    def collection(
        self, community_id: UUID, first_period: date, last_period: date
    ) -> list[PeriodCollection]:
        """Per period whose start lies in ``first_period..last_period``, oldest first."""
        ...

    def arrears(self, community_id: UUID, day: date, page: PageRequest) -> Page[PropertyArrearsRow]:
        """Properties with bills unpaid past their due date on ``day``, by property id: each page
        groups only its own properties' bills."""
        ...

    def income(self, community_id: UUID, since: datetime, until: datetime) -> list[DailyIncome]:
        """Per local day and channel in [since, until), by day then channel; payments to
        merchants' orders are the merchants' income, not the property company's, and are left
        out."""
        ...
