"""A community with three homes, three months of bills and a few payments, for the reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

import attrs
from billing_samples import WECHAT, Estate, a_bill, a_bill_payment, an_estate

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

LATE_EVENING = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)
"""23:00 on 14 March in Shanghai."""
AFTER_MIDNIGHT = datetime(2026, 3, 14, 17, 30, tzinfo=UTC)
"""01:30 on 15 March in Shanghai: the same UTC date as ``LATE_EVENING``, the next local day."""
REFUNDED_AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


@attrs.frozen
class ReportWorld:
    estate: Estate
    other: Estate
    """Another community of the same tenant, whose figures must stay out."""


def a_report_world(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], tenant_id: UUID
) -> ReportWorld:
    """January paid by every home, February by the first home only, March by none (due on the
    16th); the first two homes pay one bill each online, and the second gets 1 yuan back."""
    estate = an_estate(make_uow(tenant_id), homes=3)
    other = an_estate(make_uow(tenant_id), homes=1)
    made = {
        (home, month): a_bill(estate.item, estate.homes[home], month)
        for home in range(3)
        for month in (1, 2, 3)
    }
    for home in range(3):
        made[home, 1].settle(new_id(), Money(25_000), LATE_EVENING)
    made[0, 2].settle(new_id(), Money(25_000), AFTER_MIDNIGHT)
    elsewhere = a_bill(other.item, other.homes[0], 1)
    elsewhere.settle(new_id(), Money(25_000), LATE_EVENING)
    with make_uow(tenant_id) as uow:
        for bill in [*made.values(), elsewhere]:
            uow.bills.add(bill)
        first = a_bill_payment(estate.homes[0], [made[0, 2]])
        first.settle(first.amount, WECHAT, "4200000101", AFTER_MIDNIGHT)
        second = a_bill_payment(estate.homes[1], [made[1, 1]])
        second.settle(second.amount, WECHAT, "4200000102", LATE_EVENING)
        second.request_refund("R-1", Money(100), "多收", new_id(), REFUNDED_AT)
        second.record_refund_result("R-1", True, REFUNDED_AT)
        third = a_bill_payment(other.homes[0], [elsewhere])
        third.settle(third.amount, WECHAT, "4200000103", LATE_EVENING)
        for payment in (first, second, third):
            uow.payments.add(payment)
        uow.commit()
    return ReportWorld(estate=estate, other=other)
