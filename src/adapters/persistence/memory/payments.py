"""In-memory repository of payments 支付单 (billing context)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from adapters.persistence.memory.store import InMemoryRepository
from estate_core.billing.payment import Payment
from estate_core.billing.payment_values import PaymentStatus
from estate_core.shared.pagination import Page, PageRequest, paginate


class InMemoryPaymentRepository(InMemoryRepository[Payment]):
    table = "payments"
    unique = (("out_trade_no",), ("receipt_no",))
    not_found_code = "payment.not_found"

    def find_by_out_trade_no(self, out_trade_no: str) -> Payment | None:
        found = self._select(lambda p: p.out_trade_no == out_trade_no)
        return found[0] if found else None

    def find_by_receipt_no(self, receipt_no: str) -> Payment | None:
        found = self._select(lambda p: p.receipt_no == receipt_no)
        return found[0] if found else None

    def expired_pending(self, now: datetime, limit: int) -> list[Payment]:
        def expired(payment: Payment) -> bool:
            if payment.status is not PaymentStatus.PENDING or payment.expires_at is None:
                return False
            return payment.expires_at <= now

        found = self._select(expired)
        return sorted(found, key=lambda p: (p.expires_at or now, str(p.id)))[:limit]

    def pending_created_before(self, at: datetime, limit: int) -> list[Payment]:
        found = self._select(lambda p: p.status is PaymentStatus.PENDING and p.created_at < at)
        return sorted(found, key=lambda p: (p.created_at, str(p.id)))[:limit]

    def for_property(self, property_id: UUID, page: PageRequest) -> Page[Payment]:
        """Newest first: the key is the negated creation time, then the id."""
        return paginate(
            self._select(lambda p: p.property_id == property_id),
            key=lambda p: (-int(p.created_at.timestamp() * 1_000_000), str(p.id)),
            request=page,
        )
