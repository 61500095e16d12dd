"""Helpers of the payment tests: a home with bills, its owner, the tenant's merchant accounts."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import attrs
from billing_world import JANUARY, World

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.billing.fee_item import LateFeePolicy
from estate_core.identity.model import SurplusPolicy, Tenant, TenantSettings
from estate_core.payments.services import checkout, settlement
from estate_core.payments.services.checkout import PaymentView
from estate_core.payments.services.settlement import SettlementResult
from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.shared.access import ResidentActor
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money

WECHAT = MerchantAccount(app_id="wx8888888888888888", merchant_id="1900000109")
ALIPAY = MerchantAccount(app_id="2021000122600001", merchant_id="2088102177846880")
STRANGER = MerchantAccount(app_id="wx0000000000000000", merchant_id="1900000000")

MONTHLY_FEE = Money(25_000)
"""100 m² at ¥2.50 per m² per month."""


class FakeMerchants:
    """The tenant's receiving accounts: WeChat and Alipay are set up, nothing else."""

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> MerchantAccount:
        if channel.value.startswith("wechat"):
            return WECHAT
        if channel.value.startswith("alipay"):
            return ALIPAY
        raise InvalidInput("payment.channel_unavailable", f"{channel} is not set up")


def open_tenant(uow: InMemoryUnitOfWork, world: World, policy: SurplusPolicy) -> None:
    with uow:
        settings = TenantSettings(surplus_policy=policy)
        uow.tenants.add(Tenant.open(uow.tenant_id, "阳光物业", settings, world.clock.now()))
        uow.commit()


@attrs.define
class Home:
    world: World
    property_id: UUID
    owner: ResidentActor
    bill_ids: list[UUID]

    @property
    def uow(self) -> InMemoryUnitOfWork:
        return self.world.uow

    def pay(
        self,
        bill_ids: list[UUID] | None = None,
        channel: PaymentChannel = PaymentChannel.WECHAT_JSAPI,
        payer: ResidentActor | None = None,
    ) -> PaymentView:
        return checkout.start_bill_payment(
            self.uow,
            self.world.clock,
            FakeMerchants(),
            payer or self.owner,
            checkout.PayBills(
                property_id=self.property_id,
                bill_ids=tuple(self.bill_ids if bill_ids is None else bill_ids),
                channel=channel,
            ),
        )

    def top_up(self, amount: Money) -> PaymentView:
        return checkout.start_topup(
            self.uow,
            self.world.clock,
            FakeMerchants(),
            self.owner,
            checkout.TopUpPrepayment(
                property_id=self.property_id, amount=amount, channel=PaymentChannel.ALIPAY_WAP
            ),
        )

    def notify(
        self,
        payment: PaymentView,
        *,
        amount: Money | None = None,
        merchant: MerchantAccount | None = None,
        transaction_id: str = "4200000001202603150001",
    ) -> SettlementResult:
        """The gateway's notification for ``payment`` (by default: it was paid as asked)."""
        expected = WECHAT if payment.channel.value.startswith("wechat") else ALIPAY
        return settlement.settle_payment(
            self.uow,
            self.world.clock,
            settlement.SettlePayment(
                out_trade_no=payment.out_trade_no,
                paid_amount=payment.amount if amount is None else amount,
                merchant=merchant or expected,
                transaction_id=transaction_id,
            ),
        )

    def balance(self) -> Money:
        with self.uow:
            ledger = self.uow.prepayments.for_property(self.property_id)
            return ledger.balance if ledger else Money.zero()


def home_with_bills(
    world: World,
    *,
    months: int = 2,
    late_fee: LateFeePolicy | None = None,
    policy: SurplusPolicy = SurplusPolicy.REFUND,
) -> Home:
    """A tenant, one home with a bound owner and ``months`` monthly bills from January 2026."""
    open_tenant(world.uow, world, policy)
    property_id = world.home()
    owner = world.owner_of(property_id)
    world.fee(late_fee=late_fee)
    for month in range(months):
        world.run(date(2026, JANUARY.month + month, 1))
    bills = world.bills(property_id)
    return Home(world=world, property_id=property_id, owner=owner, bill_ids=[b.id for b in bills])
