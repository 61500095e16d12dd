"""Builders of the parking tests, in memory and on SQL: a parking space with its owner and card,
and the tenant's receiving merchant accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import attrs

from estate_core.identity.model import SurplusPolicy, Tenant, TenantSettings
from estate_core.parking.services.cards import IssueCard, issue_card
from estate_core.payments.services import settlement
from estate_core.payments.services.checkout import PaymentView
from estate_core.payments.services.parking import RenewParkingCard, start_parking_renewal
from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.properties.model import PropertyKind
from estate_core.properties.services import (
    RecordOwner,
    RegisterProperty,
    record_owner,
    register_property,
)
from estate_core.shared.access import ResidentActor
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money
from world_builders import EstateBase

WECHAT = MerchantAccount(app_id="wx8888888888888888", merchant_id="1900000109")
MONTHLY = Money(30_000)
"""¥300 a month."""


class Merchants:
    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> MerchantAccount:
        if channel.value.startswith("wechat"):
            return WECHAT
        raise InvalidInput("payment.channel_unavailable", f"{channel} is not set up")


@attrs.define
class Space:
    estate: EstateBase
    property_id: UUID
    owner: ResidentActor
    card_id: UUID

    def renew(self, months: int, payer: ResidentActor | None = None) -> PaymentView:
        return start_parking_renewal(
            self.estate.uow,
            self.estate.clock,
            Merchants(),
            payer or self.owner,
            RenewParkingCard(
                card_id=self.card_id, months=months, channel=PaymentChannel.WECHAT_JSAPI
            ),
        )

    def notify(self, payment: PaymentView) -> settlement.SettlementResult:
        return settlement.settle_payment(
            self.estate.uow,
            self.estate.clock,
            settlement.SettlePayment(
                out_trade_no=payment.out_trade_no,
                paid_amount=payment.amount,
                merchant=WECHAT,
                transaction_id="4200000001202603150001",
            ),
        )


def open_tenant(estate: EstateBase) -> None:
    with estate.uow:
        settings = TenantSettings(surplus_policy=SurplusPolicy.REFUND)
        tenant = Tenant.open(estate.uow.tenant_id, "阳光物业", settings, estate.clock.now())
        estate.uow.tenants.add(tenant)
        estate.uow.commit()


def a_space(estate: EstateBase, valid_until: date, room: str = "B1-001") -> Space:
    """A parking space 车位 in the estate's community, its owner bound, a card on it."""
    owner = estate.resident("车主")
    property_id = register_property(
        estate.uow,
        estate.admin,
        RegisterProperty(
            community_id=estate.community_id,
            kind=PropertyKind.PARKING_SPACE,
            building="地下车库",
            unit="",
            room=room,
            area=Decimal("12.50"),
        ),
    )
    with estate.uow:
        phone = estate.uow.residents.get(owner.resident_id).phone
    record_owner(
        estate.uow,
        estate.clock,
        estate.admin,
        RecordOwner(property_id=property_id, name="车主", phone=phone),
    )
    card_id = issue_card(
        estate.uow,
        estate.clock,
        estate.admin,
        IssueCard(
            property_id=property_id, plate="浙A12345", monthly_fee=MONTHLY, valid_until=valid_until
        ),
    )
    return Space(estate=estate, property_id=property_id, owner=owner, card_id=card_id)
