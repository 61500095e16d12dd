"""Repositories of payments 支付单 and of reconciliation reports 对账报告.

Settlement and refund results load their payment with ``lock=True``: ``SELECT … FOR NO KEY
UPDATE`` on PostgreSQL (the lock PostgreSQL's own UPDATE of the row takes, so inserting the
payment's child rows elsewhere is not blocked). Copies of one notification arriving at once
then queue on the row, and each one after the first reads the payment the first one settled:
"already settled", nothing written, no version conflict. SQLite has one writer at a time
(``BEGIN IMMEDIATE``) and ignores the clause.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.repositories.base import SqlRepository
from adapters.persistence.sqlalchemy.repositories.billing import (
    NewestFirstRepository,
    _cursor,
    _invalid_cursor,
    _uuid,
)
from adapters.persistence.sqlalchemy.tables.merchant_accounts import merchant_accounts
from adapters.persistence.sqlalchemy.tables.payments import (
    PENDING,
    REQUESTED,
    payment_refunds,
    payments,
)
from adapters.persistence.sqlalchemy.tables.reconciliation import reconciliation_reports
from estate_core.payments.credentials import GatewayFamily
from estate_core.payments.gateway_account import GatewayAccount
from estate_core.payments.payment import Payment
from estate_core.payments.reconciliation import ReconciliationReport
from estate_core.payments.refund import RefundStatus
from estate_core.payments.values import ChannelGroup, PaymentChannel
from estate_core.shared.pagination import Page, PageRequest, encode_cursor

NUMBERS_PER_QUERY = 1000


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

    def with_out_trade_nos(self, out_trade_nos: Collection[str]) -> list[Payment]:
        """On the unique key (tenant, out_trade_no), a thousand numbers a statement (a day's
        statement may list more numbers than SQLite takes parameters)."""
        wanted = sorted(set(out_trade_nos))
        found: list[Payment] = []
        for first in range(0, len(wanted), NUMBERS_PER_QUERY):
            chunk = wanted[first : first + NUMBERS_PER_QUERY]
            found += self._all(self._select().where(payments.c.out_trade_no.in_(chunk)))
        return found

    def done_between(
        self, channels: Collection[PaymentChannel], start: datetime, end: datetime
    ) -> list[Payment]:
        """The ids from ``payments (tenant, succeeded_at)`` and ``payment_refunds (tenant,
        finished_at)``, one range scan each, then the payments by key."""
        c, r = payments.c, payment_refunds.c
        settled = sa.select(c.id).where(
            c.tenant_id == self._tenant_id, c.succeeded_at >= start, c.succeeded_at < end
        )
        refunded = sa.select(r.payment_id).where(
            r.tenant_id == self._tenant_id,
            r.finished_at >= start,
            r.finished_at < end,
            r.status == RefundStatus.SUCCEEDED,
        )
        return self._all(
            self._select().where(
                c.channel.in_(sorted(channels)), c.id.in_(sa.union(settled, refunded))
            )
        )


class SqlReconciliationRepository(SqlRepository[ReconciliationReport]):
    model = ReconciliationReport
    table = reconciliation_reports
    not_found_code = "reconciliation.not_found"

    def for_day(self, group: ChannelGroup, day: date) -> ReconciliationReport | None:
        c = reconciliation_reports.c
        return self._one(self._select().where(c.channel_group == group, c.day == day))

    def newest_first(
        self, page: PageRequest, group: ChannelGroup | None = None
    ) -> Page[ReconciliationReport]:
        """Keyset page on ``(tenant, day, channel group, id)``: day descending, then the rest
        ascending, with the in-memory store's cursor ``[-day ordinal, group, id]``."""
        c = reconciliation_reports.c
        statement = self._select()
        if group is not None:
            statement = statement.where(c.channel_group == group)
        if page.after is not None:
            ordinal, raw_group, raw_id = _cursor(page.after, int, str, str)
            try:
                day = date.fromordinal(-ordinal)
                after_group = ChannelGroup(raw_group)
            except ValueError:
                raise _invalid_cursor() from None
            after = sa.tuple_(c.channel_group, c.id) > sa.tuple_(
                sa.literal(after_group.value), sa.literal(_uuid(raw_id), c.id.type)
            )
            statement = statement.where(c.day <= day, sa.or_(c.day < day, after))
        order = (c.day.desc(), c.channel_group, c.id)
        rows = self._all(statement.order_by(*order).limit(page.limit + 1))
        items = rows[: page.limit]
        next_cursor = None
        if len(rows) > page.limit:
            last = items[-1]
            next_cursor = encode_cursor(
                [-last.day.toordinal(), last.channel_group.value, str(last.id)]
            )
        return Page(items=items, next_cursor=next_cursor)


class SqlGatewayAccountRepository(SqlRepository[GatewayAccount]):
    """The tenant's receiving accounts; the credentials decrypt as the rows load."""

    model = GatewayAccount
    table = merchant_accounts
    not_found_code = "merchant_account.not_found"

    def find_for(self, family: GatewayFamily) -> GatewayAccount | None:
        return self._one(self._select().where(merchant_accounts.c.family == family))

    def all(self) -> list[GatewayAccount]:
        return self._all(self._select().order_by(merchant_accounts.c.family))
