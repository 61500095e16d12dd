"""Repositories of the commerce context and the unit of work its use cases need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from estate_core.commerce.campaign import CouponCampaign
from estate_core.commerce.coupon import Coupon
from estate_core.commerce.merchant import Merchant, Product
from estate_core.commerce.order import MerchantOrder
from estate_core.commerce.order_refund import OrderRefund
from estate_core.properties.ports import PropertiesUnitOfWork
from estate_core.shared.pagination import Page, PageRequest


class MerchantRepository(Protocol):
    def add(self, merchant: Merchant) -> None: ...

    def get(self, merchant_id: UUID) -> Merchant: ...

    def find(self, merchant_id: UUID) -> Merchant | None: ...

    def list_in_community(
        self, community_id: UUID, page: PageRequest, *, active_only: bool = True
    ) -> Page[Merchant]:
        """Merchants serving the community, by name then id."""
        ...


class ProductRepository(Protocol):
    def add(self, product: Product) -> None: ...

    def get(self, product_id: UUID) -> Product: ...

    def find(self, product_id: UUID) -> Product | None: ...

    def get_many(self, product_ids: Sequence[UUID]) -> list[Product]:
        """The products found among ``product_ids`` (missing ones are left out)."""
        ...

    def list_for_merchant(
        self, merchant_id: UUID, page: PageRequest, *, active_only: bool = True
    ) -> Page[Product]: ...


class MerchantOrderRepository(Protocol):
    def add(self, order: MerchantOrder) -> None: ...

    def get(self, order_id: UUID) -> MerchantOrder: ...

    def find(self, order_id: UUID) -> MerchantOrder | None: ...

    def list_for_resident(self, resident_id: UUID, page: PageRequest) -> Page[MerchantOrder]: ...

    def list_for_merchant(self, merchant_id: UUID, page: PageRequest) -> Page[MerchantOrder]: ...

    def list_in_community(self, community_id: UUID, page: PageRequest) -> Page[MerchantOrder]: ...

    def payment_overdue(self, now: datetime, limit: int) -> list[MerchantOrder]:
        """Up to ``limit`` orders still awaiting payment whose deadline is at or before now,
        longest overdue first (by deadline, then id)."""
        ...


class CouponCampaignRepository(Protocol):
    def add(self, campaign: CouponCampaign) -> None: ...

    def get(self, campaign_id: UUID) -> CouponCampaign: ...

    def find(self, campaign_id: UUID) -> CouponCampaign | None: ...

    def get_for_update(self, campaign_id: UUID) -> CouponCampaign:
        """The campaign, held until the unit of work ends: load it this way to change it.

        Concurrent claims (and a stop) of one campaign then queue one behind another, each
        seeing the stock the one before left, instead of all but one failing on its version:
        a rush on a campaign hands out exactly its stock. The SQL adapter locks the row; the
        in-memory store, a test double, still refuses the losers of a race by version.
        """
        ...

    def list_in_community(self, community_id: UUID, page: PageRequest) -> Page[CouponCampaign]: ...


class CouponRepository(Protocol):
    def add(self, coupon: Coupon) -> None: ...

    def get(self, coupon_id: UUID) -> Coupon: ...

    def find(self, coupon_id: UUID) -> Coupon | None: ...

    def find_by_code(self, code: str) -> Coupon | None: ...

    def count_for(self, campaign_id: UUID, resident_id: UUID) -> int:
        """How many coupons of the campaign the resident has claimed, whatever their state."""
        ...

    def list_for_resident(self, resident_id: UUID, page: PageRequest) -> Page[Coupon]: ...

    def due_to_expire(self, now: datetime, limit: int) -> list[Coupon]:
        """Up to ``limit`` usable coupons whose window ended at or before now."""
        ...


class OrderRefundRepository(Protocol):
    def add(self, refund: OrderRefund) -> None: ...

    def get(self, refund_id: UUID) -> OrderRefund: ...

    def find(self, refund_id: UUID) -> OrderRefund | None: ...

    def live_for_order(self, order_id: UUID) -> OrderRefund | None:
        """The order's request that is pending or approved, if any."""
        ...

    def pending_of_merchant(self, merchant_id: UUID, limit: int) -> list[OrderRefund]:
        """Requests waiting for a decision, oldest first (the merchant's to-do list)."""
        ...


class CommerceUnitOfWork(PropertiesUnitOfWork, Protocol):
    @property
    def merchants(self) -> MerchantRepository: ...

    @property
    def products(self) -> ProductRepository: ...

    @property
    def merchant_orders(self) -> MerchantOrderRepository: ...

    @property
    def coupon_campaigns(self) -> CouponCampaignRepository: ...

    @property
    def coupons(self) -> CouponRepository: ...

    @property
    def order_refunds(self) -> OrderRefundRepository: ...
