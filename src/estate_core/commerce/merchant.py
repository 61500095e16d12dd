"""Merchant 商家 and Product 商品: the local shops residents order from (seed 001 §2.3.5)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.commerce import events
from estate_core.shared.errors import InvalidInput
from estate_core.shared.events import Aggregate
from estate_core.shared.money import Money, require_amount

_QQ = re.compile(r"[1-9][0-9]{4,11}")


def _clean_words(words: Iterable[str]) -> tuple[str, ...]:
    """Stripped, non-blank, first occurrence kept: tags and services are picked from lists."""
    seen: list[str] = []
    for word in words:
        word = word.strip()
        if word and word not in seen:
            seen.append(word)
    return tuple(seen)


@attrs.frozen(kw_only=True)
class MerchantDetails:
    """What a merchant shows residents (商家属性, seed 001 §2.3.5).

    Required (*): name 商家名称 (names may repeat), contact 联系人, address 商家地址 and at least
    one tag 标签. Optional: image 展示图片, phone 手机/电话, QQ, intro 商家简介, recommendation
    商家推荐 (signature products), special services 特色服务, opening hours 营业时间.
    """

    name: str
    contact: str
    address: str
    tags: tuple[str, ...]
    image: str = ""
    phone: str = ""
    qq: str = ""
    intro: str = ""
    recommendation: str = ""
    special_services: tuple[str, ...] = ()
    opening_hours: str = ""

    def cleaned(self) -> MerchantDetails:
        """These details stripped and checked; every missing required field is named at once."""
        details = MerchantDetails(
            name=self.name.strip(),
            contact=self.contact.strip(),
            address=self.address.strip(),
            tags=_clean_words(self.tags),
            image=self.image.strip(),
            phone=self.phone.strip(),
            qq=self.qq.strip(),
            intro=self.intro.strip(),
            recommendation=self.recommendation.strip(),
            special_services=_clean_words(self.special_services),
            opening_hours=self.opening_hours.strip(),
        )
        missing = [
            field
            for field, value in (
                ("name", details.name),
                ("contact", details.contact),
                ("address", details.address),
                ("tags", details.tags),
            )
            if not value
        ]
        if missing:
            raise InvalidInput(
                "merchant.required_fields",
                f"these merchant fields are required: {', '.join(missing)}",
                fields=missing,
            )
        if details.qq and not _QQ.fullmatch(details.qq):
            raise InvalidInput("merchant.invalid_qq", "a QQ number is 5 to 12 digits")
        return details


def _check_communities(instance: object, attribute: object, value: list[UUID]) -> None:
    if not value:
        raise InvalidInput("merchant.no_community", "a merchant serves at least one community")


@attrs.define(slots=False, eq=False, kw_only=True)
class Merchant(Aggregate):
    """Merchant 商家: a shop near the communities it serves, managed by the property company.

    Only an active merchant takes orders and hands out coupons; deactivating keeps its history.
    Managed by staff with ``merchant.manage``.
    """

    id: UUID
    tenant_id: UUID
    community_ids: list[UUID] = attrs.field(validator=_check_communities)
    name: str
    contact: str
    address: str
    tags: list[str]
    image: str = ""
    phone: str = ""
    qq: str = ""
    intro: str = ""
    recommendation: str = ""
    special_services: list[str] = attrs.field(factory=list)
    opening_hours: str = ""
    active: bool = True
    created_at: datetime

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        community_ids: Iterable[UUID],
        details: MerchantDetails,
        at: datetime,
    ) -> Merchant:
        clean = details.cleaned()
        merchant = cls(
            id=id,
            tenant_id=tenant_id,
            community_ids=list(dict.fromkeys(community_ids)),
            name=clean.name,
            contact=clean.contact,
            address=clean.address,
            tags=list(clean.tags),
            created_at=at,
        )
        merchant._apply(clean)
        merchant.record(events.MerchantRegistered(merchant_id=id, name=clean.name))
        return merchant

    @property
    def details(self) -> MerchantDetails:
        return MerchantDetails(
            name=self.name,
            contact=self.contact,
            address=self.address,
            tags=tuple(self.tags),
            image=self.image,
            phone=self.phone,
            qq=self.qq,
            intro=self.intro,
            recommendation=self.recommendation,
            special_services=tuple(self.special_services),
            opening_hours=self.opening_hours,
        )

    def serves(self, community_id: UUID) -> bool:
        return community_id in self.community_ids

    def update(self, details: MerchantDetails) -> None:
        self._apply(details.cleaned())
        self.record(events.MerchantUpdated(merchant_id=self.id))

    def serve(self, community_ids: Iterable[UUID]) -> None:
        """Change the communities served; orders already placed are not affected."""
        self.community_ids = list(dict.fromkeys(community_ids))
        self.record(events.MerchantUpdated(merchant_id=self.id))

    def deactivate(self) -> None:
        if self.active:
            self.active = False
            self.record(events.MerchantDeactivated(merchant_id=self.id))

    def activate(self) -> None:
        if not self.active:
            self.active = True
            self.record(events.MerchantActivated(merchant_id=self.id))

    def _apply(self, clean: MerchantDetails) -> None:
        self.name = clean.name
        self.contact = clean.contact
        self.address = clean.address
        self.tags = list(clean.tags)
        self.image = clean.image
        self.phone = clean.phone
        self.qq = clean.qq
        self.intro = clean.intro
        self.recommendation = clean.recommendation
        self.special_services = list(clean.special_services)
        self.opening_hours = clean.opening_hours


def _check_price(instance: object, attribute: object, value: Money) -> None:
    require_amount(value, "product.invalid_price", "a product's price")


def _strip(value: str) -> str:
    return value.strip()


def _check_name(instance: object, attribute: object, value: str) -> None:
    if not value.strip():
        raise InvalidInput("product.name_required", "a product needs a name")


@attrs.define(slots=False, eq=False, kw_only=True)
class Product(Aggregate):
    """Product 商品 of one merchant, with its price. Orders copy name and price when placed,
    so changing a price never changes an order already placed."""

    id: UUID
    tenant_id: UUID
    merchant_id: UUID
    name: str = attrs.field(validator=_check_name, converter=_strip)
    price: Money = attrs.field(validator=_check_price)
    description: str = ""
    active: bool = True

    @classmethod
    def create(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        merchant_id: UUID,
        name: str,
        price: Money,
        description: str,
    ) -> Product:
        product = cls(
            id=id,
            tenant_id=tenant_id,
            merchant_id=merchant_id,
            name=name,
            price=price,
            description=description.strip(),
        )
        product.record(
            events.ProductAdded(
                product_id=id, merchant_id=merchant_id, name=product.name, price=price
            )
        )
        return product

    def change(self, *, name: str, price: Money, description: str, active: bool) -> None:
        """Checked as a whole first, so a refused change leaves the product as it was."""
        _check_name(self, None, name)
        _check_price(self, None, price)
        self.name = name
        self.price = price
        self.description = description.strip()
        self.active = active
