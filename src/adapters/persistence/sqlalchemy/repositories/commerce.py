"""Repositories of the commerce context.

Each list is a keyset page over the index named in ``tables/commerce.py``. The two worker
queries (orders past their payment deadline, coupons past their window) claim their rows with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the work instead of
colliding on the same rows; SQLite has one writer at a time and ignores it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.repositories.base import SqlRepository
from adapters.persistence.sqlalchemy.tables.commerce import (
    PENDING_PAYMENT,
    USABLE,
    campaign_communities,
    coupon_campaigns,
    coupons,
    merchant_communities,
    merchant_orders,
    merchants,
    products,
)
from adapters.persistence.sqlalchemy.tables.order_refunds import order_refunds
from estate_core.commerce.campaign import CouponCampaign
from estate_core.commerce.coupon import Coupon
from estate_core.commerce.merchant import Merchant, Product
from estate_core.commerce.order import MerchantOrder
from estate_core.commerce.order_refund import OrderRefund
from estate_core.shared.errors import NotFound
from estate_core.shared.pagination import Page, PageRequest


class SqlMerchantRepository(SqlRepository[Merchant]):
    model = Merchant
    table = merchants
    not_found_code = "merchant.not_found"

    def list_in_community(
        self, community_id: UUID, page: PageRequest, *, active_only: bool = True
    ) -> Page[Merchant]:
        """By name then id, on the community rows' index (they carry the merchant's name)."""
        link = merchant_communities.c
        statement = (
            self._select()
            .join(
                merchant_communities,
                sa.and_(
                    link.tenant_id == merchants.c.tenant_id, link.merchant_id == merchants.c.id
                ),
            )
            .where(link.tenant_id == self._tenant_id, link.community_id == community_id)
        )
        if active_only:
            statement = statement.where(merchants.c.active)
        return self._page(
            statement,
            order=[link.merchant_name, link.merchant_id],
            key=lambda m: (m.name, m.id),
            page=page,
        )


class SqlProductRepository(SqlRepository[Product]):
    model = Product
    table = products
    not_found_code = "product.not_found"

    def get_many(self, product_ids: Sequence[UUID]) -> list[Product]:
        wanted = set(product_ids)
        if not wanted:
            return []
        return self._all(self._select().where(products.c.id.in_(wanted)).order_by(products.c.id))

    def list_for_merchant(
        self, merchant_id: UUID, page: PageRequest, *, active_only: bool = True
    ) -> Page[Product]:
        c = products.c
        statement = self._select().where(c.merchant_id == merchant_id)
        if active_only:
            statement = statement.where(c.active)
        return self._page(statement, order=[c.name, c.id], key=lambda p: (p.name, p.id), page=page)


def _placed_key(order: MerchantOrder) -> tuple[str, UUID]:
    return (order.placed_at.isoformat(), order.id)


class SqlMerchantOrderRepository(SqlRepository[MerchantOrder]):
    model = MerchantOrder
    table = merchant_orders
    not_found_code = "merchant_order.not_found"

    def list_for_resident(self, resident_id: UUID, page: PageRequest) -> Page[MerchantOrder]:
        return self._placed(merchant_orders.c.resident_id == resident_id, page)

    def list_for_merchant(self, merchant_id: UUID, page: PageRequest) -> Page[MerchantOrder]:
        return self._placed(merchant_orders.c.merchant_id == merchant_id, page)

    def list_in_community(self, community_id: UUID, page: PageRequest) -> Page[MerchantOrder]:
        return self._placed(merchant_orders.c.community_id == community_id, page)

    def payment_overdue(self, now: datetime, limit: int) -> list[MerchantOrder]:
        """Longest overdue first, walking the partial index of orders awaiting payment (its
        predicate verbatim, so SQLite's planner, which does not look into bound parameters,
        uses it too)."""
        c = merchant_orders.c
        return self._all(
            self._select()
            .where(sa.text(PENDING_PAYMENT), c.payment_deadline <= now)
            .order_by(c.payment_deadline, c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=merchant_orders)
        )

    def _placed(self, condition: sa.ColumnElement[bool], page: PageRequest) -> Page[MerchantOrder]:
        c = merchant_orders.c
        return self._page(
            self._select().where(condition),
            order=[c.placed_at, c.id],
            key=_placed_key,
            page=page,
        )


class SqlCouponCampaignRepository(SqlRepository[CouponCampaign]):
    model = CouponCampaign
    table = coupon_campaigns
    not_found_code = "coupon_campaign.not_found"

    def get_for_update(self, campaign_id: UUID) -> CouponCampaign:
        """The campaign's latest row, locked until the transaction ends.

        ``FOR NO KEY UPDATE`` is the lock PostgreSQL's own UPDATE of the row takes, taken at
        load: a concurrent claim waits here until this one commits, then reads the stock and
        version this one left, so claims queue and succeed up to the stock instead of failing
        on the version. SQLite already runs one writer at a time (``BEGIN IMMEDIATE``).
        """
        with database_errors():
            self._session.flush()
            found = self._session.get(
                CouponCampaign,
                (self._tenant_id, campaign_id),
                with_for_update={"key_share": True},
                populate_existing=True,
            )
        if found is None:
            raise NotFound(self.not_found_code, f"no coupon_campaigns {campaign_id}")
        self._track(found)
        return found

    def list_in_community(self, community_id: UUID, page: PageRequest) -> Page[CouponCampaign]:
        link = campaign_communities.c
        c = coupon_campaigns.c
        statement = (
            self._select()
            .join(
                campaign_communities,
                sa.and_(link.tenant_id == c.tenant_id, link.campaign_id == c.id),
            )
            .where(link.tenant_id == self._tenant_id, link.community_id == community_id)
        )
        return self._page(statement, order=[link.campaign_id], key=lambda c: (c.id,), page=page)


class SqlCouponRepository(SqlRepository[Coupon]):
    model = Coupon
    table = coupons
    not_found_code = "coupon.not_found"

    def find_by_code(self, code: str) -> Coupon | None:
        return self._one(self._select().where(coupons.c.code == code))

    def count_for(self, campaign_id: UUID, resident_id: UUID) -> int:
        """Counted on the unique key (tenant, campaign, resident, sequence)."""
        c = coupons.c
        statement = (
            sa.select(sa.func.count())
            .select_from(coupons)
            .where(
                c.tenant_id == self._tenant_id,
                c.campaign_id == campaign_id,
                c.resident_id == resident_id,
            )
        )
        with database_errors():
            self._session.flush()
            return int(self._session.scalar(statement) or 0)

    def list_for_resident(self, resident_id: UUID, page: PageRequest) -> Page[Coupon]:
        c = coupons.c
        return self._page(
            self._select().where(c.resident_id == resident_id),
            order=[c.claimed_at, c.id],
            key=lambda coupon: (coupon.claimed_at.isoformat(), coupon.id),
            page=page,
        )

    def due_to_expire(self, now: datetime, limit: int) -> list[Coupon]:
        """Served by the partial index of usable coupons, in its order (valid_until, id)."""
        c = coupons.c
        return self._all(
            self._select()
            .where(sa.text(USABLE), c.valid_until <= now)
            .order_by(c.valid_until, c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=coupons)
        )


_PENDING_REFUND = sa.text("order_refunds.state = 'requested'")
"""Written as the partial index's predicate, so PostgreSQL matches ``ix_order_refunds_pending``."""


class SqlOrderRefundRepository(SqlRepository[OrderRefund]):
    model = OrderRefund
    table = order_refunds
    not_found_code = "order_refund.not_found"

    def live_for_order(self, order_id: UUID) -> OrderRefund | None:
        c = order_refunds.c
        return self._one(
            self._select().where(c.order_id == order_id, c.state.in_(["requested", "approved"]))
        )

    def pending_of_merchant(self, merchant_id: UUID, limit: int) -> list[OrderRefund]:
        c = order_refunds.c
        return self._all(
            self._select()
            .where(c.merchant_id == merchant_id, _PENDING_REFUND)
            .order_by(c.requested_at, c.id)
            .limit(limit)
        )
