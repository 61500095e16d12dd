"""Use cases for merchants 商家管理 and their products (staff with ``merchant.manage``).

A manager acts on a merchant only if every community it serves is in their data scope; a
merchant's own clerk holding ``merchant.manage`` may keep that one merchant's page and products.
Residents (bound or not) may browse active merchants and products.
"""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.commerce.merchant import Merchant, MerchantDetails, Product
from estate_core.commerce.ports import CommerceUnitOfWork
from estate_core.commerce.services.common import page_of, require_merchant_staff
from estate_core.community.services.common import require_communities
from estate_core.shared.access import Actor, Permission
from estate_core.shared.clock import Clock
from estate_core.shared.errors import NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class MerchantView:
    id: UUID
    community_ids: frozenset[UUID]
    details: MerchantDetails
    active: bool

    @classmethod
    def of(cls, merchant: Merchant) -> MerchantView:
        return cls(
            id=merchant.id,
            community_ids=frozenset(merchant.community_ids),
            details=merchant.details,
            active=merchant.active,
        )


@attrs.frozen(kw_only=True)
class ProductView:
    id: UUID
    merchant_id: UUID
    name: str
    price: Money
    description: str
    active: bool

    @classmethod
    def of(cls, product: Product) -> ProductView:
        return cls(
            id=product.id,
            merchant_id=product.merchant_id,
            name=product.name,
            price=product.price,
            description=product.description,
            active=product.active,
        )


@attrs.frozen(kw_only=True)
class RegisterMerchant:
    community_ids: frozenset[UUID]
    details: MerchantDetails


def register_merchant(
    uow: CommerceUnitOfWork, clock: Clock, actor: Actor, cmd: RegisterMerchant
) -> UUID:
    require_merchant_staff(actor, Permission.MERCHANT_MANAGE, None, cmd.community_ids)
    with uow:
        require_communities(uow, cmd.community_ids)
        merchant = Merchant.register(
            id=new_id(),
            tenant_id=uow.tenant_id,
            community_ids=sorted(cmd.community_ids),
            details=cmd.details,
            at=clock.now(),
        )
        uow.merchants.add(merchant)
        uow.commit()
        return merchant.id


@attrs.frozen(kw_only=True)
class UpdateMerchant:
    """Replace the merchant's details; ``community_ids`` None keeps the communities served.

    Which communities a merchant serves is the property company's call: a clerk may edit the
    details but not the communities, and a manager needs every new community in scope.
    """

    merchant_id: UUID
    details: MerchantDetails
    community_ids: frozenset[UUID] | None = None


def update_merchant(uow: CommerceUnitOfWork, actor: Actor, cmd: UpdateMerchant) -> None:
    with uow:
        merchant = _managed(uow, actor, cmd.merchant_id)
        merchant.update(cmd.details)
        if cmd.community_ids is not None and set(cmd.community_ids) != set(merchant.community_ids):
            require_merchant_staff(actor, Permission.MERCHANT_MANAGE, None, cmd.community_ids)
            require_communities(uow, cmd.community_ids)
            merchant.serve(sorted(cmd.community_ids))
        uow.commit()


def deactivate_merchant(uow: CommerceUnitOfWork, actor: Actor, merchant_id: UUID) -> None:
    """Stop a merchant taking orders and handing out coupons; coupons already held still work."""
    with uow:
        _managed(uow, actor, merchant_id).deactivate()
        uow.commit()


def activate_merchant(uow: CommerceUnitOfWork, actor: Actor, merchant_id: UUID) -> None:
    with uow:
        _managed(uow, actor, merchant_id).activate()
        uow.commit()


@attrs.frozen(kw_only=True)
class AddProduct:
    merchant_id: UUID
    name: str
    price: Money
    description: str = ""


def add_product(uow: CommerceUnitOfWork, actor: Actor, cmd: AddProduct) -> UUID:
    with uow:
        merchant = _managed(uow, actor, cmd.merchant_id)
        product = Product.create(
            id=new_id(),
            tenant_id=uow.tenant_id,
            merchant_id=merchant.id,
            name=cmd.name,
            price=cmd.price,
            description=cmd.description,
        )
        uow.products.add(product)
        uow.commit()
        return product.id


@attrs.frozen(kw_only=True)
class ChangeProduct:
    product_id: UUID
    name: str
    price: Money
    description: str = ""
    active: bool = True


def change_product(uow: CommerceUnitOfWork, actor: Actor, cmd: ChangeProduct) -> None:
    """Rename, reprice or take a product off sale; orders already placed keep their prices."""
    with uow:
        product = uow.products.get(cmd.product_id)
        _managed(uow, actor, product.merchant_id)
        product.change(
            name=cmd.name, price=cmd.price, description=cmd.description, active=cmd.active
        )
        uow.commit()


def get_merchant(uow: CommerceUnitOfWork, merchant_id: UUID) -> MerchantView:
    with uow:
        return MerchantView.of(uow.merchants.get(merchant_id))


def list_merchants(
    uow: CommerceUnitOfWork,
    community_id: UUID,
    page: PageRequest,
    *,
    include_inactive: bool = False,
) -> Page[MerchantView]:
    """小区商家: the merchants serving a community (active ones unless asked otherwise)."""
    with uow:
        found = uow.merchants.list_in_community(
            community_id, page, active_only=not include_inactive
        )
        return page_of(found, MerchantView.of)


def list_products(
    uow: CommerceUnitOfWork,
    merchant_id: UUID,
    page: PageRequest,
    *,
    include_inactive: bool = False,
) -> Page[ProductView]:
    with uow:
        if uow.merchants.find(merchant_id) is None:
            raise NotFound("merchant.not_found", "no such merchant")
        found = uow.products.list_for_merchant(merchant_id, page, active_only=not include_inactive)
        return page_of(found, ProductView.of)


def managed_merchants(
    uow: CommerceUnitOfWork, actor: Actor, community_id: UUID, page: PageRequest
) -> Page[MerchantView]:
    """Staff: every merchant serving a community in their scope, inactive ones too."""
    require_merchant_staff(actor, Permission.MERCHANT_MANAGE, None, [community_id])
    return list_merchants(uow, community_id, page, include_inactive=True)


def managed_products(
    uow: CommerceUnitOfWork, actor: Actor, merchant_id: UUID, page: PageRequest
) -> Page[ProductView]:
    """Staff or the merchant's clerk: its products, those off sale too."""
    with uow:
        _managed(uow, actor, merchant_id)
    return list_products(uow, merchant_id, page, include_inactive=True)


def _managed(uow: CommerceUnitOfWork, actor: Actor, merchant_id: UUID) -> Merchant:
    merchant = uow.merchants.get(merchant_id)
    require_merchant_staff(actor, Permission.MERCHANT_MANAGE, merchant.id, merchant.community_ids)
    return merchant
