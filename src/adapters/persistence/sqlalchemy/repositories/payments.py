"""Repository of payments 支付单 (billing context).

Settlement and refund results load their payment with ``lock=True``: ``SELECT … FOR NO KEY
UPDATE`` on PostgreSQL (the lock PostgreSQL's own UPDATE of the row takes, so inserting the
payment's child rows elsewhere is not blocked). Copies of one notification arriving at once
then queue on the row, and each one after the first reads the payment the first one settled:
"already settled", nothing written, no version conflict. SQLite has one writer at a time
(``BEGIN IMMEDIATE``) and ignores the clause.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.repositories.base import SqlRepository
from adapters.persistence.sqlalchemy.repositories.billing import NewestFirstRepository
from adapters.persistence.sqlalchemy.tables.merchant_accounts import merchant_accounts
from adapters.persistence.sqlalchemy.tables.payments import (
    PENDING,
    REQUESTED,
    payment_refunds,
    payments,
)
from estate_core.payments.credentials import GatewayFamily
from estate_core.payments.gateway_account import GatewayAccount
from estate_core.payments.payment import Payment
from estate_core.shared.pagination import Page, PageRequest


class SqlPaymentRepository(NewestFirstRepository[Payment]):
    model = Payment
    table = payments
    not_found_code = "payment.not_found"

    def find_by_out_trade_no(self, out_trade_no: str, *, lock: bool = False) -> Payment | None:
        statement = self._select().where(payments.c.out_trade_no == out_trade_no)
        if lock:
            statement = statement.with_for_update(key_share=True, of=payments).execution_options(
                populate_existing=True
            )
        return self._one(statement)

    def find_by_receipt_no(self, receipt_no: str) -> Payment | None:
        return self._one(self._select().where(payments.c.receipt_no == receipt_no))

    def expired_pending(self, now: datetime, limit: int) -> list[Payment]:
        """On the partial index of pending payments by expiry (predicate verbatim for SQLite)."""
        c = payments.c
        return self._all(
            self._select()
            .where(sa.text(PENDING), c.expires_at <= now)
            .order_by(c.expires_at, c.id)
            .limit(limit)
        )

    def pending_created_before(self, at: datetime, limit: int) -> list[Payment]:
        """On the partial index of pending payments by creation time."""
        c = payments.c
        return self._all(
            self._select()
            .where(sa.text(PENDING), c.created_at < at)
            .order_by(c.created_at, c.id)
            .limit(limit)
        )

    def refunds_requested_before(self, at: datetime, limit: int) -> list[Payment]:
        """On the partial index of refunds awaiting their result, by request time."""
        r = payment_refunds.c
        first = sa.func.min(r.requested_at)
        waiting = (
            sa.select(r.payment_id)
            .where(r.tenant_id == self._tenant_id, sa.text(REQUESTED), r.requested_at < at)
            .group_by(r.payment_id)
            .order_by(first, r.payment_id)
            .limit(limit)
        )
        with database_errors():
            self._session.flush()
            order = list(self._session.scalars(waiting))
        if not order:
            return []
        found = {p.id: p for p in self._all(self._select().where(payments.c.id.in_(order)))}
        return [found[payment_id] for payment_id in order]

    def for_property(self, property_id: UUID, page: PageRequest) -> Page[Payment]:
        """缴费记录, newest first, on (tenant, property, created_at, id)."""
        c = payments.c
        statement = self._select().where(c.property_id == property_id)
        return self._newest_first(statement, c.created_at, c.id, lambda p: p.created_at, page)


class SqlGatewayAccountRepository(SqlRepository[GatewayAccount]):
    """The tenant's receiving accounts; the credentials decrypt as the rows load."""

    model = GatewayAccount
    table = merchant_accounts
    not_found_code = "merchant_account.not_found"

    def find_for(self, family: GatewayFamily) -> GatewayAccount | None:
        return self._one(self._select().where(merchant_accounts.c.family == family))

    def all(self) -> list[GatewayAccount]:
        return self._all(self._select().order_by(merchant_accounts.c.family))
