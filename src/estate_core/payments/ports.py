"""Ports of the payments context: the Payment 支付单 and ReconciliationReport 对账报告
repositories, the tenant's merchant accounts, the merchant orders a payment may pay (declared here
so payments never imports commerce), and the units of work of its use cases."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from estate_core.billing.ports import BillingUnitOfWork
from estate_core.payments.credentials import GatewayFamily
from estate_core.payments.gateway_account import GatewayAccount
from estate_core.payments.payment import Payment
from estate_core.payments.reconciliation import ReconciliationReport
from estate_core.payments.values import ChannelGroup, MerchantAccount, PaymentChannel
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest


class PaymentRepository(Protocol):
    """Unique per tenant on ``out_trade_no`` and on ``receipt_no`` (offline 收据号)."""

    def add(self, payment: Payment) -> None: ...

    def get(self, payment_id: UUID) -> Payment: ...

    def find(self, payment_id: UUID) -> Payment | None: ...

    def find_by_out_trade_no(self, out_trade_no: str, *, lock: bool = False) -> Payment | None:
        """With ``lock``, the payment is held until the unit of work ends: concurrent copies of
        one notification then settle one after another, each seeing what the one before left,
        instead of all but one failing on the version. The SQL adapter locks the row
        (``SELECT … FOR UPDATE``; SQLite runs one writer at a time anyway); the in-memory store
        takes no lock and still refuses the losers of a race by version."""
        ...

    def find_by_receipt_no(self, receipt_no: str) -> Payment | None: ...

    def expired_pending(self, now: datetime, limit: int) -> list[Payment]:
        """Pending payments whose ``expires_at`` has passed, oldest first (to close them)."""
        ...

    def pending_created_before(self, at: datetime, limit: int) -> list[Payment]:
        """Pending payments older than ``at``, oldest first: the worker queries the gateway
        for those whose notification never came."""
        ...

    def refunds_requested_before(self, at: datetime, limit: int) -> list[Payment]:
        """Payments with a refund requested before ``at`` still awaiting its result, oldest
        request first: the worker queries the gateway for refunds whose notification never
        came (the refund API only accepts; DESIGN.md §9)."""
        ...

    def for_property(self, property_id: UUID, page: PageRequest) -> Page[Payment]:
        """Payments for the property's bills and top-ups, newest first (缴费记录)."""
        ...

    def with_out_trade_nos(self, out_trade_nos: Collection[str]) -> list[Payment]:
        """The payments with these numbers (any order; numbers we do not know are left out)."""
        ...

    def done_between(
        self, channels: Collection[PaymentChannel], start: datetime, end: datetime
    ) -> list[Payment]:
        """Payments of these channels that succeeded in ``[start, end)``, or have a refund that
        succeeded in it: what a gateway's statement of that day must list (对账)."""
        ...


class ReconciliationRepository(Protocol):
    """One report per tenant, channel group and day."""

    def add(self, report: ReconciliationReport) -> None: ...

    def get(self, report_id: UUID) -> ReconciliationReport: ...

    def find(self, report_id: UUID) -> ReconciliationReport | None: ...

    def for_day(self, group: ChannelGroup, day: date) -> ReconciliationReport | None: ...

    def newest_first(
        self, page: PageRequest, group: ChannelGroup | None = None
    ) -> Page[ReconciliationReport]:
        """Latest day first, then by channel group and id."""
        ...


class GatewayAccountRepository(Protocol):
    """A tenant's receiving accounts, one per gateway family (unique per tenant)."""

    def add(self, account: GatewayAccount) -> None: ...

    def find_for(self, family: GatewayFamily) -> GatewayAccount | None: ...

    def all(self) -> list[GatewayAccount]: ...


class MerchantAccounts(Protocol):
    """The receiving account of each tenant per channel, from its merchant configuration.

    A payment records the account at creation, and settlement refuses a notification that names
    any other (DESIGN.md §9: no SDK checks the app id or merchant id against the order).
    """

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> MerchantAccount:
        """Raises ``payment.channel_unavailable`` when the tenant has not set the channel up."""
        ...


class PayableOrder(Protocol):
    """What a payment needs of a merchant order 商家订单 (commerce's MerchantOrder fits)."""

    @property
    def id(self) -> UUID: ...

    @property
    def community_id(self) -> UUID: ...

    @property
    def resident_id(self) -> UUID: ...

    @property
    def payable_amount(self) -> Money: ...

    @property
    def awaiting_payment(self) -> bool: ...

    def mark_paid(self, payment_id: UUID, at: datetime) -> None:
        """Refuses (a domain error) an order that can no longer be paid, e.g. closed."""
        ...


class PayableOrders(Protocol):
    def get(self, order_id: UUID) -> PayableOrder: ...


class PaymentUnitOfWork(BillingUnitOfWork, Protocol):
    """Billing, its payments, and the merchant orders a payment may pay (commerce's repository
    fits)."""

    @property
    def payments(self) -> PaymentRepository: ...

    @property
    def merchant_orders(self) -> PayableOrders: ...

    @property
    def gateway_accounts(self) -> GatewayAccountRepository: ...


class ReconciliationUnitOfWork(PaymentUnitOfWork, Protocol):
    """Payments and their reconciliation reports."""

    @property
    def reconciliations(self) -> ReconciliationRepository: ...
