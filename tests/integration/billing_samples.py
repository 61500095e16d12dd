"""Builders of fee items, bills, ledgers and payments for the billing SQL tests.

Aggregates are made through their own factories and methods, so every stored row is one the
domain can reach, and every reference (property, fee item, bill) exists, as the database's
foreign keys require.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
from persistence_samples import a_property

from estate_core.billing import billing_run, services
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory, FeeItem, LateFeePolicy
from estate_core.billing.issuing import BillTerms, Charge, NewBill
from estate_core.billing.model import Bill
from estate_core.identity.model import Community, Resident, SurplusPolicy, Tenant, TenantSettings
from estate_core.payments.allocation import Allocation
from estate_core.payments.numbers import new_out_trade_no
from estate_core.payments.payment import Payment
from estate_core.payments.services import checkout
from estate_core.payments.services.checkout import PaymentView
from estate_core.payments.services.settlement import SettlePayment
from estate_core.payments.values import MerchantAccount, PaymentChannel, PaymentTarget
from estate_core.properties import services as properties
from estate_core.properties.model import Property, PropertyKind
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
JANUARY = date(2026, 1, 1)
WECHAT = MerchantAccount(app_id="wx8888888888888888", merchant_id="1900000109")


def a_fee_item(
    tenant_id: UUID,
    community_id: UUID,
    name: str = "物业费",
    *,
    late_fee: LateFeePolicy | None = None,
    calculation: Calculation = Calculation.PER_AREA,
) -> FeeItem:
    return FeeItem.create(
        fee_item_id=new_id(),
        tenant_id=tenant_id,
        community_id=community_id,
        name=name,
        category=FeeCategory.PROPERTY_FEE,
        calculation=calculation,
        unit_price=Decimal("2.5000"),
        property_kinds=frozenset({PropertyKind.RESIDENCE, PropertyKind.SHOP}),
        cycle_months=1,
        first_period_start=JANUARY,
        due_rule=DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15),
        late_fee=late_fee,
    )


def _month(month: int) -> tuple[date, date]:
    start = date(2026, month, 1)
    end = date(2026, month + 1, 1) - timedelta(days=1) if month < 12 else date(2026, 12, 31)
    return start, end


def a_bill(
    item: FeeItem,
    prop: Property,
    month: int = 1,
    fen: int = 25_000,
    *,
    due: date | None = None,
    at: datetime = AT,
) -> Bill:
    return a_new_bill(item, prop, month, fen, due=due, at=at).issue()


def a_new_bill(
    item: FeeItem,
    prop: Property,
    month: int = 1,
    fen: int = 25_000,
    *,
    due: date | None = None,
    at: datetime = AT,
) -> NewBill:
    """The row the billing run issues for ``a_bill``'s bill (due 15 days after the start)."""
    start, end = _month(month)
    terms = BillTerms.of(item.tenant_id, item, (start, end), at, due or start + timedelta(days=15))
    return NewBill(new_id(), prop.id, Charge(terms=terms, amount_due=Money(fen)))


def a_bill_payment(
    prop: Property, bills: list[Bill], *, at: datetime = AT, credit: Money | None = None
) -> Payment:
    """A pending WeChat payment of ``bills`` (each at its amount due), plus ``credit``."""
    payment_id = new_id()
    allocations = [Allocation(bill_id=b.id, amount=b.amount_due) for b in bills]
    extra = credit or Money.zero()
    return Payment(
        id=payment_id,
        tenant_id=prop.tenant_id,
        community_id=prop.community_id,
        target=PaymentTarget.BILLS,
        property_id=prop.id,
        channel=PaymentChannel.WECHAT_JSAPI,
        amount=Money(sum(a.amount.fen for a in allocations)) + extra,
        out_trade_no=new_out_trade_no(payment_id, at.date()),
        allocations=allocations,
        credit=extra,
        merchant=WECHAT,
        created_at=at,
        expires_at=at + timedelta(minutes=15),
    )


def an_offline_topup(prop: Property, receipt_no: str, cashier_id: UUID, fen: int) -> Payment:
    payment_id = new_id()
    return Payment(
        id=payment_id,
        tenant_id=prop.tenant_id,
        community_id=prop.community_id,
        target=PaymentTarget.PREPAYMENT_TOPUP,
        property_id=prop.id,
        cashier_id=cashier_id,
        channel=PaymentChannel.OFFLINE,
        amount=Money(fen),
        out_trade_no=new_out_trade_no(payment_id, AT.date()),
        credit=Money(fen),
        receipt_no=receipt_no,
        created_at=AT,
    )


@attrs.frozen
class Estate:
    """One tenant's community with homes and a fee item, stored."""

    tenant_id: UUID
    community_id: UUID
    homes: list[Property]
    item: FeeItem


def an_estate(uow: Any, community_id: UUID | None = None, homes: int = 2, **item: Any) -> Estate:
    """Store ``homes`` homes (rooms 101, 102, ...) and a fee item in one unit of work."""
    tenant_id = uow.tenant_id
    community = community_id or new_id()
    props = [a_property(tenant_id, community, room=f"{101 + i}") for i in range(homes)]
    fee_item = a_fee_item(tenant_id, community, **item)
    with uow:
        for prop in props:
            uow.properties.add(prop)
        uow.fee_items.add(fee_item)
        uow.commit()
    return Estate(tenant_id, community, props, fee_item)


class FakeMerchants:
    """The tenant's receiving accounts: WeChat is set up, nothing else."""

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> MerchantAccount:
        if channel.value.startswith("wechat"):
            return WECHAT
        raise InvalidInput("payment.channel_unavailable", f"{channel} is not set up")


@attrs.define
class World:
    """A tenant and one community, driven through the use cases (as the unit tests' world)."""

    uow: Any
    clock: FixedClock
    community_id: UUID
    admin: StaffActor = attrs.field(
        factory=lambda: StaffActor(staff_id=new_id(), permissions=frozenset(Permission))
    )
    _rooms: int = 100
    _phones: int = 0

    @classmethod
    def open(
        cls, uow: Any, clock: FixedClock, policy: SurplusPolicy = SurplusPolicy.REFUND
    ) -> World:
        community_id = new_id()
        with uow:
            settings = TenantSettings(surplus_policy=policy)
            uow.tenants.add(Tenant.open(uow.tenant_id, "阳光物业", settings, clock.now()))
            uow.communities.add(
                Community.create(
                    id=community_id,
                    tenant_id=uow.tenant_id,
                    name="阳光花园",
                    address="",
                    time_zone="Asia/Shanghai",
                )
            )
            uow.commit()
        return cls(uow=uow, clock=clock, community_id=community_id)

    def home(self, area: str = "100.00", building: str = "1") -> UUID:
        self._rooms += 1
        property_id: UUID = properties.register_property(
            self.uow,
            self.admin,
            properties.RegisterProperty(
                community_id=self.community_id,
                kind=PropertyKind.RESIDENCE,
                building=building,
                unit="1",
                room=str(self._rooms),
                area=Decimal(area),
            ),
        )
        return property_id

    def owner_of(self, property_id: UUID) -> ResidentActor:
        """A verified resident, recorded and so bound as the owner of ``property_id``."""
        self._phones += 1
        phone = f"1390000{self._phones:04d}"
        with self.uow:
            resident = Resident(
                id=new_id(), tenant_id=self.uow.tenant_id, phone=phone, created_at=self.clock.now()
            )
            resident.verify_phone(self.clock.now())
            self.uow.residents.add(resident)
            self.uow.commit()
        properties.record_owner(
            self.uow,
            self.clock,
            self.admin,
            properties.RecordOwner(property_id=property_id, name="王业主", phone=phone),
        )
        return ResidentActor(resident_id=resident.id)

    def fee(
        self,
        name: str = "物业费",
        *,
        calculation: Calculation = Calculation.PER_AREA,
        price: str = "2.50",
        late_fee: LateFeePolicy | None = None,
    ) -> UUID:
        fee_item_id: UUID = services.create_fee_item(
            self.uow,
            self.admin,
            services.CreateFeeItem(
                community_id=self.community_id,
                name=name,
                category=FeeCategory.PROPERTY_FEE,
                calculation=calculation,
                unit_price=Decimal(price),
                property_kinds=frozenset({PropertyKind.RESIDENCE}),
                first_period_start=JANUARY,
                due_rule=DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15),
                late_fee=late_fee,
            ),
        )
        return fee_item_id

    def run(self, period_start: date) -> billing_run.BillingRunResult:
        return billing_run.run_billing(
            self.uow,
            self.clock,
            self.admin,
            billing_run.RunBilling(community_id=self.community_id, period_start=period_start),
        )

    def bill_ids(self, property_id: UUID) -> list[UUID]:
        """The home's unpaid bills, oldest due first."""
        with self.uow:
            return [b.id for b in self.uow.bills.unpaid_for_property(property_id)]

    def pay(self, owner: ResidentActor, property_id: UUID, bill_ids: list[UUID]) -> PaymentView:
        return checkout.start_bill_payment(
            self.uow,
            self.clock,
            FakeMerchants(),
            owner,
            checkout.PayBills(
                property_id=property_id,
                bill_ids=tuple(bill_ids),
                channel=PaymentChannel.WECHAT_JSAPI,
            ),
        )


def notification(payment: PaymentView, transaction_id: str = "4200000001") -> SettlePayment:
    """What the gateway says when ``payment`` was paid as asked."""
    return SettlePayment(
        out_trade_no=payment.out_trade_no,
        paid_amount=payment.amount,
        merchant=WECHAT,
        transaction_id=transaction_id,
    )
