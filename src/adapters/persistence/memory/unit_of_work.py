"""The in-memory unit of work: every repository of estate_core over an :class:`InMemoryStore`."""

from __future__ import annotations

from types import TracebackType
from typing import Self
from uuid import UUID

from adapters.persistence.memory.billing import (
    InMemoryBillingRunWriter,
    InMemoryBillRepository,
    InMemoryFeeItemRepository,
    InMemoryMeterReadingRepository,
    InMemoryPrepaymentRepository,
    InMemoryPublicFundRepository,
)
from adapters.persistence.memory.commerce import (
    InMemoryCouponCampaignRepository,
    InMemoryCouponRepository,
    InMemoryMerchantOrderRepository,
    InMemoryMerchantRepository,
    InMemoryProductRepository,
)
from adapters.persistence.memory.community import (
    InMemoryActivityRepository,
    InMemoryNoticeReadRepository,
    InMemoryNoticeRepository,
    InMemoryVisitorPassRepository,
)
from adapters.persistence.memory.identity import (
    InMemoryCommunityRepository,
    InMemoryResidentRepository,
    InMemoryRoleRepository,
    InMemorySmsCodeRepository,
    InMemorySmsThrottleRepository,
    InMemoryStaffRepository,
    InMemoryTenantRepository,
)
from adapters.persistence.memory.payments import (
    InMemoryGatewayAccountRepository,
    InMemoryPaymentRepository,
    InMemoryReconciliationRepository,
)
from adapters.persistence.memory.properties import (
    InMemoryHouseholdRepository,
    InMemoryPropertyRepository,
)
from adapters.persistence.memory.service import (
    InMemoryComplaintRepository,
    InMemoryWorkOrderRepository,
)
from adapters.persistence.memory.store import InMemoryStore, Session
from estate_core.shared.clock import Clock, SystemClock
from estate_core.shared.events import Aggregate, OutboxMessage, event_name, event_payload
from estate_core.shared.ids import new_id


class InMemoryUnitOfWork:
    """One transaction for one tenant. Reusable: each ``with`` block is a new transaction."""

    def __init__(self, store: InMemoryStore, tenant_id: UUID, clock: Clock | None = None) -> None:
        self._store = store
        self._tenant_id = tenant_id
        self._clock = clock or SystemClock()
        self._open(Session(store, tenant_id))

    @property
    def tenant_id(self) -> UUID:
        return self._tenant_id

    def _open(self, session: Session) -> None:
        """Start a fresh session and the repositories bound to it, one section per context."""
        self._session = session
        # identity
        self.tenants = InMemoryTenantRepository(session)
        self.communities = InMemoryCommunityRepository(session)
        self.residents = InMemoryResidentRepository(session)
        self.roles = InMemoryRoleRepository(session)
        self.staff = InMemoryStaffRepository(session)
        self.sms_codes = InMemorySmsCodeRepository(session)
        self.sms_throttles = InMemorySmsThrottleRepository(session)
        # properties
        self.properties = InMemoryPropertyRepository(session)
        self.households = InMemoryHouseholdRepository(session)
        # billing
        self.fee_items = InMemoryFeeItemRepository(session)
        self.bills = InMemoryBillRepository(session)
        self.meter_readings = InMemoryMeterReadingRepository(session)
        self.prepayments = InMemoryPrepaymentRepository(session)
        self.public_funds = InMemoryPublicFundRepository(session)
        self.payments = InMemoryPaymentRepository(session)
        self.reconciliations = InMemoryReconciliationRepository(session)
        self.gateway_accounts = InMemoryGatewayAccountRepository(session)
        self.billing_writer = InMemoryBillingRunWriter(session, self.bills)
        # service
        self.work_orders = InMemoryWorkOrderRepository(session)
        self.complaints = InMemoryComplaintRepository(session)
        # community
        self.notices = InMemoryNoticeRepository(session)
        self.notice_reads = InMemoryNoticeReadRepository(session)
        self.activities = InMemoryActivityRepository(session)
        self.visitor_passes = InMemoryVisitorPassRepository(session)
        # commerce
        self.merchants = InMemoryMerchantRepository(session)
        self.products = InMemoryProductRepository(session)
        self.merchant_orders = InMemoryMerchantOrderRepository(session)
        self.coupon_campaigns = InMemoryCouponCampaignRepository(session)
        self.coupons = InMemoryCouponRepository(session)

    def __enter__(self) -> Self:
        self._open(Session(self._store, self._tenant_id))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        now = self._clock.now()
        messages = [
            OutboxMessage(
                id=new_id(),
                tenant_id=self._tenant_id,
                event_name=event_name(event),
                payload=event_payload(event),
                occurred_at=now,
            )
            for value in self._session.objects.values()
            if isinstance(value, Aggregate)
            for event in value.take_events()
        ]
        with self._store.lock:
            self._session.flush_to_store()
            self._store.outbox.extend(messages)

    def rollback(self) -> None:
        self._open(Session(self._store, self._tenant_id))
