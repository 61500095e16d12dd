"""The SQLAlchemy unit of work: one session, one transaction, one tenant.

Same protocol as the in-memory one: ``with uow:`` opens a session, ``uow.commit()`` commits,
leaving the block rolls back whatever was not committed and closes the session. A unit of work
object is reusable: each ``with`` block is a new transaction.

On commit, the pending events of every aggregate the repositories handed out or were given are
written to ``outbox`` in the same transaction as the change, and taken off the aggregates only
once the commit has succeeded (a failed commit leaves them pending, like the unsaved change).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.mapping import mappers_started
from adapters.persistence.sqlalchemy.personal_data import personal_data_cipher
from adapters.persistence.sqlalchemy.repositories.base import Seen
from adapters.persistence.sqlalchemy.repositories.billing import (
    SqlBillRepository,
    SqlFeeItemRepository,
    SqlMeterReadingRepository,
)
from adapters.persistence.sqlalchemy.repositories.billing_writer import SqlBillingRunWriter
from adapters.persistence.sqlalchemy.repositories.commerce import (
    SqlCouponCampaignRepository,
    SqlCouponRepository,
    SqlMerchantOrderRepository,
    SqlMerchantRepository,
    SqlProductRepository,
)
from adapters.persistence.sqlalchemy.repositories.community import (
    SqlActivityRepository,
    SqlNoticeReadRepository,
    SqlNoticeRepository,
    SqlVisitorPassRepository,
)
from adapters.persistence.sqlalchemy.repositories.identity import (
    SqlCommunityRepository,
    SqlResidentRepository,
    SqlRoleRepository,
    SqlSmsCodeRepository,
    SqlSmsThrottleRepository,
    SqlStaffRepository,
    SqlTenantRepository,
)
from adapters.persistence.sqlalchemy.repositories.ledgers import (
    SqlPrepaymentRepository,
    SqlPublicFundRepository,
)
from adapters.persistence.sqlalchemy.repositories.payments import (
    SqlGatewayAccountRepository,
    SqlPaymentRepository,
    SqlReconciliationRepository,
)
from adapters.persistence.sqlalchemy.repositories.properties import (
    SqlHouseholdRepository,
    SqlPropertyRepository,
)
from adapters.persistence.sqlalchemy.repositories.service import (
    SqlComplaintRepository,
    SqlWorkOrderRepository,
)
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from estate_core.shared.clock import Clock, SystemClock
from estate_core.shared.events import Aggregate, event_name, event_payload
from estate_core.shared.ids import new_id


class SqlAlchemyUnitOfWork:
    """One transaction for one tenant over a SQLAlchemy session."""

    # identity
    tenants: SqlTenantRepository
    communities: SqlCommunityRepository
    residents: SqlResidentRepository
    roles: SqlRoleRepository
    staff: SqlStaffRepository
    sms_codes: SqlSmsCodeRepository
    sms_throttles: SqlSmsThrottleRepository
    # properties
    properties: SqlPropertyRepository
    households: SqlHouseholdRepository
    # billing
    fee_items: SqlFeeItemRepository
    bills: SqlBillRepository
    meter_readings: SqlMeterReadingRepository
    prepayments: SqlPrepaymentRepository
    public_funds: SqlPublicFundRepository
    payments: SqlPaymentRepository
    reconciliations: SqlReconciliationRepository
    gateway_accounts: SqlGatewayAccountRepository
    billing_writer: SqlBillingRunWriter
    # service
    work_orders: SqlWorkOrderRepository
    complaints: SqlComplaintRepository
    # community
    notices: SqlNoticeRepository
    notice_reads: SqlNoticeReadRepository
    activities: SqlActivityRepository
    visitor_passes: SqlVisitorPassRepository
    # commerce
    merchants: SqlMerchantRepository
    products: SqlProductRepository
    merchant_orders: SqlMerchantOrderRepository
    coupon_campaigns: SqlCouponCampaignRepository
    coupons: SqlCouponRepository

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        tenant_id: UUID,
        clock: Clock | None = None,
    ) -> None:
        if not mappers_started():
            raise RuntimeError("call start_mappers() once at start-up before using the database")
        personal_data_cipher()  # fails here, saying how to fix it, not at the first phone
        self._session_factory = session_factory
        self._tenant_id = tenant_id
        self._clock = clock or SystemClock()
        self._session: Session | None = None
        self._seen: Seen = {}

    @property
    def tenant_id(self) -> UUID:
        return self._tenant_id

    @property
    def session(self) -> Session:
        """The open session, for read-model queries that run in this transaction."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._session

    def _open(self, session: Session) -> None:
        """Start the repositories bound to ``session``, one section per context."""
        seen = self._seen
        tenant_id = self._tenant_id
        # identity
        self.tenants = SqlTenantRepository(session, tenant_id, seen)
        self.communities = SqlCommunityRepository(session, tenant_id, seen)
        self.residents = SqlResidentRepository(session, tenant_id, seen)
        self.roles = SqlRoleRepository(session, tenant_id, seen)
        self.staff = SqlStaffRepository(session, tenant_id, seen)
        self.sms_codes = SqlSmsCodeRepository(session, tenant_id, seen)
        self.sms_throttles = SqlSmsThrottleRepository(session, tenant_id, seen)
        # properties
        self.properties = SqlPropertyRepository(session, tenant_id, seen)
        self.households = SqlHouseholdRepository(session, tenant_id, seen)
        # billing
        self.fee_items = SqlFeeItemRepository(session, tenant_id, seen)
        self.bills = SqlBillRepository(session, tenant_id, seen)
        self.meter_readings = SqlMeterReadingRepository(session, tenant_id, seen)
        self.prepayments = SqlPrepaymentRepository(session, tenant_id, seen)
        self.public_funds = SqlPublicFundRepository(session, tenant_id, seen)
        self.payments = SqlPaymentRepository(session, tenant_id, seen)
        self.reconciliations = SqlReconciliationRepository(session, tenant_id, seen)
        self.gateway_accounts = SqlGatewayAccountRepository(session, tenant_id, seen)
        self.billing_writer = SqlBillingRunWriter(session, tenant_id, self._clock)
        # service
        self.work_orders = SqlWorkOrderRepository(session, tenant_id, seen)
        self.complaints = SqlComplaintRepository(session, tenant_id, seen)
        # community
        self.notices = SqlNoticeRepository(session, tenant_id, seen)
        self.notice_reads = SqlNoticeReadRepository(session, tenant_id, seen)
        self.activities = SqlActivityRepository(session, tenant_id, seen)
        self.visitor_passes = SqlVisitorPassRepository(session, tenant_id, seen)
        # commerce
        self.merchants = SqlMerchantRepository(session, tenant_id, seen)
        self.products = SqlProductRepository(session, tenant_id, seen)
        self.merchant_orders = SqlMerchantOrderRepository(session, tenant_id, seen)
        self.coupon_campaigns = SqlCouponCampaignRepository(session, tenant_id, seen)
        self.coupons = SqlCouponRepository(session, tenant_id, seen)

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        self._session = self._session_factory()
        self._seen.clear()
        self._open(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        self._seen.clear()
        if session is not None:
            try:
                session.rollback()
            finally:
                session.close()

    def commit(self) -> None:
        session = self.session
        aggregates = [a for a in self._seen.values() if isinstance(a, Aggregate)]
        now = self._clock.now()
        messages = [
            {
                "tenant_id": self._tenant_id,
                "id": new_id(),
                "event_name": event_name(event),
                "payload": event_payload(event),
                "occurred_at": now,
            }
            for aggregate in aggregates
            for event in aggregate.pending_events
        ]
        with database_errors():
            session.flush()
            if messages:
                session.execute(sa.insert(outbox), messages)
            session.commit()
        for aggregate in aggregates:
            aggregate.take_events()

    def rollback(self) -> None:
        """Forget every change since the last commit; the repositories start afresh."""
        session = self.session
        session.rollback()
        session.expunge_all()
        self._seen.clear()
