"""Merchants 商家 and their products: residents browse a community's active merchants; staff
with ``merchant.manage`` in scope (or the merchant's own clerk) keep pages and products."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.commerce import (
    MerchantDetails,
    MerchantUpdate,
    MerchantView,
    NewMerchant,
    NewProduct,
    ProductChange,
    ProductView,
)
from entrypoints.http.schemas.identity import Created
from entrypoints.http.views import page_request, paged, view
from estate_core.commerce import merchant as model
from estate_core.commerce.services import merchants
from estate_core.shared.access import Permission
from estate_core.shared.money import Money

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]
MANAGE = {"permission": Permission.MERCHANT_MANAGE}


def _details(data: MerchantDetails) -> model.MerchantDetails:
    return model.MerchantDetails(
        name=data.name,
        contact=data.contact,
        address=data.address,
        tags=tuple(data.tags),
        image=data.image,
        phone=data.phone,
        qq=data.qq,
        intro=data.intro,
        recommendation=data.recommendation,
        special_services=tuple(data.special_services),
        opening_hours=data.opening_hours,
    )


@get(
    "/communities/{community_id:uuid}/merchants",
    sync_to_thread=True,
    summary="小区商家: the active merchants serving a community (resident)",
)
def in_community(
    community_id: FromPath[UUID],
    resident: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[MerchantView]:
    found = merchants.list_merchants(
        estate.uow(resident.tenant_id), community_id, page_request(limit, after)
    )
    return paged(MerchantView, found)


@get("/merchants/{merchant_id:uuid}", sync_to_thread=True, summary="One merchant (resident)")
def one(merchant_id: FromPath[UUID], resident: Caller_, estate: Estate_) -> MerchantView:
    return view(MerchantView, merchants.get_merchant(estate.uow(resident.tenant_id), merchant_id))


@get(
    "/merchants/{merchant_id:uuid}/products",
    sync_to_thread=True,
    summary="A merchant's products on sale (resident)",
)
def products(
    merchant_id: FromPath[UUID],
    resident: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[ProductView]:
    found = merchants.list_products(
        estate.uow(resident.tenant_id), merchant_id, page_request(limit, after)
    )
    return paged(ProductView, found)


@get(
    "/communities/{community_id:uuid}/merchants/all",
    sync_to_thread=True,
    opt=MANAGE,
    summary="Every merchant serving a community, inactive too (staff)",
)
def managed(
    community_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[MerchantView]:
    found = merchants.managed_merchants(
        estate.uow(staff.tenant_id), staff.actor, community_id, page_request(limit, after)
    )
    return paged(MerchantView, found)


@get(
    "/merchants/{merchant_id:uuid}/products/all",
    sync_to_thread=True,
    opt=MANAGE,
    summary="A merchant's products, off sale too (staff, its clerk)",
)
def managed_products(
    merchant_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[ProductView]:
    found = merchants.managed_products(
        estate.uow(staff.tenant_id), staff.actor, merchant_id, page_request(limit, after)
    )
    return paged(ProductView, found)


@post("/merchants", sync_to_thread=True, opt=MANAGE, summary="Register a merchant (staff)")
def register(data: JSONBody[NewMerchant], staff: Caller_, estate: Estate_) -> Created:
    created = merchants.register_merchant(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        merchants.RegisterMerchant(
            community_ids=frozenset(data.community_ids), details=_details(data.details)
        ),
    )
    return Created(id=created)


@put(
    "/merchants/{merchant_id:uuid}",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=MANAGE,
    summary="Change a merchant's details or communities (staff; its clerk the details)",
)
def update(
    merchant_id: FromPath[UUID], data: JSONBody[MerchantUpdate], staff: Caller_, estate: Estate_
) -> None:
    communities = None if data.community_ids is None else frozenset(data.community_ids)
    merchants.update_merchant(
        estate.uow(staff.tenant_id),
        staff.actor,
        merchants.UpdateMerchant(
            merchant_id=merchant_id, details=_details(data.details), community_ids=communities
        ),
    )


@post(
    "/merchants/{merchant_id:uuid}/deactivate",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=MANAGE,
    summary="Stop a merchant taking orders and handing out coupons (staff)",
)
def deactivate(merchant_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> None:
    merchants.deactivate_merchant(estate.uow(staff.tenant_id), staff.actor, merchant_id)


@post(
    "/merchants/{merchant_id:uuid}/activate",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=MANAGE,
    summary="Let a merchant trade again (staff)",
)
def activate(merchant_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> None:
    merchants.activate_merchant(estate.uow(staff.tenant_id), staff.actor, merchant_id)


@post(
    "/merchants/{merchant_id:uuid}/products",
    sync_to_thread=True,
    opt=MANAGE,
    summary="Add a product (staff, its clerk)",
)
def add_product(
    merchant_id: FromPath[UUID], data: JSONBody[NewProduct], staff: Caller_, estate: Estate_
) -> Created:
    created = merchants.add_product(
        estate.uow(staff.tenant_id),
        staff.actor,
        merchants.AddProduct(
            merchant_id=merchant_id,
            name=data.name,
            price=Money(data.price_fen),
            description=data.description,
        ),
    )
    return Created(id=created)


@put(
    "/products/{product_id:uuid}",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=MANAGE,
    summary="Rename, reprice or take a product off sale (staff, its clerk)",
)
def change_product(
    product_id: FromPath[UUID], data: JSONBody[ProductChange], staff: Caller_, estate: Estate_
) -> None:
    merchants.change_product(
        estate.uow(staff.tenant_id),
        staff.actor,
        merchants.ChangeProduct(
            product_id=product_id,
            name=data.name,
            price=Money(data.price_fen),
            description=data.description,
            active=data.active,
        ),
    )


router = Router(
    path="",
    route_handlers=[
        in_community,
        one,
        products,
        managed,
        managed_products,
        register,
        update,
        deactivate,
        activate,
        add_product,
        change_product,
    ],
    tags=["merchants"],
)
