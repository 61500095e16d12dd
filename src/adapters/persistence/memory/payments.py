"""In-memory repositories of payments 支付单, reconciliation reports 对账报告 and the tenants'
receiving accounts."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from uuid import UUID

from adapters.persistence.memory.store import InMemoryRepository
from estate_core.payments.credentials import GatewayFamily
from estate_core.payments.gateway_account import GatewayAccount
from estate_core.payments.payment import Payment
from estate_core.payments.reconciliation import ReconciliationReport
from estate_core.payments.refund import RefundStatus
from estate_core.payments.values import (
    SETTLED_STATUSES,
    ChannelGroup,
    PaymentChannel,
    PaymentStatus,
)
from estate_core.shared.errors import Conflict
from estate_core.shared.pagination import Page, PageRequest, paginate


class InMemoryPaymentRepository(InMemoryRepository[Payment]):
    table = "payments"
    unique = (("out_trade_no",), ("receipt_no",))
    not_found_code = "payment.not_found"

    def find_by_out_trade_no(self, out_trade_no: str, *, lock: bool = False) -> Payment | None:
        """No locks here: a concurrent change is refused at commit by the version check."""
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

    def refunds_requested_before(self, at: datetime, limit: int) -> list[Payment]:
        def waiting(payment: Payment) -> list[datetime]:
            return [
                r.requested_at
                for r in payment.refunds
                if r.status is RefundStatus.REQUESTED and r.requested_at < at
            ]

        found = self._select(lambda p: bool(waiting(p)))
        return sorted(found, key=lambda p: (min(waiting(p)), str(p.id)))[:limit]

    def for_property(self, property_id: UUID, page: PageRequest) -> Page[Payment]:
        """Newest first: the key is the negated creation time, then the id."""
        return paginate(
            self._select(lambda p: p.property_id == property_id),
            key=lambda p: (-int(p.created_at.timestamp() * 1_000_000), str(p.id)),
            request=page,
        )

    def with_out_trade_nos(self, out_trade_nos: Collection[str]) -> list[Payment]:
        wanted = set(out_trade_nos)
        return self._select(lambda p: p.out_trade_no in wanted) if wanted else []

    def done_between(
        self, channels: Collection[PaymentChannel], start: datetime, end: datetime
    ) -> list[Payment]:
        def within(at: datetime | None) -> bool:
            return at is not None and start <= at < end

        def done(payment: Payment) -> bool:
            if payment.channel not in channels:
                return False
            if payment.status in SETTLED_STATUSES and within(payment.succeeded_at):
                return True
            return any(
                r.status is RefundStatus.SUCCEEDED and within(r.finished_at)
                for r in payment.refunds
            )

        return self._select(done)

    def check_unique(self) -> None:
        """Also: a refund number 退款单号 is unique in the tenant, across payments (the gateway
        refunds one number once per merchant), as the SQL refunds table's unique key says."""
        super().check_unique()
        owners: dict[str, UUID] = {}
        with self._session.store.lock:
            committed = [row.value for row in self._session.store.table(self.table).values()]
        working = {payment.id: payment for payment in self._working()}
        payments = [p for p in committed if p.id not in working] + list(working.values())
        for payment in payments:
            if payment.tenant_id != self._session.tenant_id:
                continue
            for refund in payment.refunds:
                owner = owners.setdefault(refund.out_refund_no, payment.id)
                if owner != payment.id:
                    raise Conflict(
                        "payment.refund_no_reused", "another payment has that refund number"
                    )


class InMemoryReconciliationRepository(InMemoryRepository[ReconciliationReport]):
    table = "reconciliation_reports"
    unique = (("channel_group", "day"),)
    not_found_code = "reconciliation.not_found"

    def for_day(self, group: ChannelGroup, day: date) -> ReconciliationReport | None:
        found = self._select(lambda r: r.channel_group is group and r.day == day)
        return found[0] if found else None

    def newest_first(
        self, page: PageRequest, group: ChannelGroup | None = None
    ) -> Page[ReconciliationReport]:
        return paginate(
            self._select(lambda r: group is None or r.channel_group is group),
            key=lambda r: (-r.day.toordinal(), r.channel_group.value, str(r.id)),
            request=page,
        )


class InMemoryGatewayAccountRepository(InMemoryRepository[GatewayAccount]):
    """One account per gateway family in a tenant, like the SQL table's unique key."""

    table = "gateway_accounts"
    unique = (("family",),)
    not_found_code = "merchant_account.not_found"

    def find_for(self, family: GatewayFamily) -> GatewayAccount | None:
        found = self._select(lambda account: account.family is family)
        return found[0] if found else None

    def all(self) -> list[GatewayAccount]:
        return sorted(self._select(lambda account: True), key=lambda account: account.family)
