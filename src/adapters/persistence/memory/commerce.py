"""In-memory repositories of the commerce context."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from adapters.persistence.memory.store import InMemoryRepository
from estate_core.commerce.campaign import CouponCampaign
from estate_core.commerce.coupon import Coupon, CouponState
from estate_core.commerce.merchant import Merchant, Product
from estate_core.commerce.order import MerchantOrder, OrderState
from estate_core.commerce.order_refund import LIVE_STATES, OrderRefund, RefundRequestState
from estate_core.shared.pagination import Page, PageRequest, paginate


class InMemoryMerchantRepository(InMemoryRepository[Merchant]):
    table = "merchants"
    not_found_code = "merchant.not_found"

    def list_in_community(
        self, community_id: UUID, page: PageRequest, *, active_only: bool = True
    ) -> Page[Merchant]:
        return paginate(
            self._select(lambda m: m.serves(community_id) and (m.active or not active_only)),
            key=lambda m: (m.name, str(m.id)),
            request=page,
        )


class InMemoryProductRepository(InMemoryRepository[Product]):
    table = "products"
    not_found_code = "product.not_found"

    def get_many(self, product_ids: Sequence[UUID]) -> list[Product]:
        wanted = set(product_ids)
        return self._select(lambda p: p.id in wanted)

    def list_for_merchant(
        self, merchant_id: UUID, page: PageRequest, *, active_only: bool = True
    ) -> Page[Product]:
        return paginate(
            self._select(lambda p: p.merchant_id == merchant_id and (p.active or not active_only)),
            key=lambda p: (p.name, str(p.id)),
            request=page,
        )


def _placed_key(order: MerchantOrder) -> tuple[str, str]:
    return (order.placed_at.isoformat(), str(order.id))


class InMemoryMerchantOrderRepository(InMemoryRepository[MerchantOrder]):
    table = "merchant_orders"
    not_found_code = "merchant_order.not_found"

    def list_for_resident(self, resident_id: UUID, page: PageRequest) -> Page[MerchantOrder]:
        return paginate(
            self._select(lambda o: o.resident_id == resident_id), key=_placed_key, request=page
        )

    def list_for_merchant(self, merchant_id: UUID, page: PageRequest) -> Page[MerchantOrder]:
        return paginate(
            self._select(lambda o: o.merchant_id == merchant_id), key=_placed_key, request=page
        )

    def list_in_community(self, community_id: UUID, page: PageRequest) -> Page[MerchantOrder]:
        return paginate(
            self._select(lambda o: o.community_id == community_id), key=_placed_key, request=page
        )

    def payment_overdue(self, now: datetime, limit: int) -> list[MerchantOrder]:
        due = self._select(
            lambda o: (
                o.state is OrderState.PENDING_PAYMENT
                and o.payment_deadline is not None
                and o.payment_deadline <= now
            )
        )
        return sorted(due, key=lambda o: (o.payment_deadline, str(o.id)))[:limit]


class InMemoryCouponCampaignRepository(InMemoryRepository[CouponCampaign]):
    table = "coupon_campaigns"
    not_found_code = "coupon_campaign.not_found"

    def get_for_update(self, campaign_id: UUID) -> CouponCampaign:
        """No locks here: a concurrent change is refused at commit by the version check."""
        return self.get(campaign_id)

    def list_in_community(self, community_id: UUID, page: PageRequest) -> Page[CouponCampaign]:
        return paginate(
            self._select(lambda c: community_id in c.community_ids),
            key=lambda c: (str(c.id),),
            request=page,
        )


class InMemoryCouponRepository(InMemoryRepository[Coupon]):
    """Codes are unique per tenant; ``serial`` and ``sequence`` are unique per campaign (and per
    resident), as the database's constraints are, so stock and limits hold even in a race."""

    table = "coupons"
    unique = (
        ("code",),
        ("campaign_id", "serial"),
        ("campaign_id", "resident_id", "sequence"),
    )
    not_found_code = "coupon.not_found"

    def find_by_code(self, code: str) -> Coupon | None:
        found = self._select(lambda c: c.code == code)
        return found[0] if found else None

    def count_for(self, campaign_id: UUID, resident_id: UUID) -> int:
        return len(
            self._select(lambda c: c.campaign_id == campaign_id and c.resident_id == resident_id)
        )

    def list_for_resident(self, resident_id: UUID, page: PageRequest) -> Page[Coupon]:
        return paginate(
            self._select(lambda c: c.resident_id == resident_id),
            key=lambda c: (c.claimed_at.isoformat(), str(c.id)),
            request=page,
        )

    def due_to_expire(self, now: datetime, limit: int) -> list[Coupon]:
        due = self._select(lambda c: c.state is CouponState.USABLE and c.valid_until <= now)
        return sorted(due, key=lambda c: (c.valid_until, str(c.id)))[:limit]


class InMemoryOrderRefundRepository(InMemoryRepository[OrderRefund]):
    table = "order_refunds"
    not_found_code = "order_refund.not_found"

    def live_for_order(self, order_id: UUID) -> OrderRefund | None:
        found = self._select(lambda r: r.order_id == order_id and r.state in LIVE_STATES)
        return found[0] if found else None

    def pending_of_merchant(self, merchant_id: UUID, limit: int) -> list[OrderRefund]:
        found = self._select(
            lambda r: r.merchant_id == merchant_id and r.state is RefundRequestState.REQUESTED
        )
        return sorted(found, key=lambda r: (r.requested_at, str(r.id)))[:limit]
