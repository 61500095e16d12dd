"""Mapping of the billing context: FeeItem, Bill, MeterReading, the two ledgers and Payment.

- ``FeeItem.due_rule`` and ``FeeItem.late_fee`` (frozen values, the latter optional) are
  composites of their columns; ``Payment.merchant`` likewise.
- Lists of frozen values are association proxies over child rows kept in the aggregate's own
  order (``position``, numbered by an ordering list): a ledger's entries, a payment's
  allocations, refunds and surplus cases. A refund that gets its result is replaced in the list
  by the domain (``attrs.evolve``); the proxy writes the new value into the same row.
- A prepayment ledger's ``balance`` column follows its entries: set from the domain's balance
  whenever the ledger row is written (every change of a ledger writes its row: its version).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapper, registry, relationship

from adapters.persistence.sqlalchemy.mapping.support import (
    VERSION_ATTRIBUTE,
    attrs_composite,
    register_child_rows,
    value_list,
)
from adapters.persistence.sqlalchemy.tables.billing import (
    bills,
    fee_items,
    meter_readings,
    prepayment_entries,
    prepayment_ledgers,
    public_fund_entries,
    public_fund_ledgers,
)
from adapters.persistence.sqlalchemy.tables.merchant_accounts import merchant_accounts
from adapters.persistence.sqlalchemy.tables.payments import (
    payment_allocations,
    payment_refunds,
    payment_surplus,
    payments,
)
from estate_core.billing.fee_item import DueRule, FeeItem, LateFeePolicy
from estate_core.billing.ledger import FundEntry, LedgerEntry, PrepaymentLedger, PublicFundLedger
from estate_core.billing.meter import MeterReading
from estate_core.billing.model import Bill
from estate_core.payments.allocation import Allocation
from estate_core.payments.gateway_account import GatewayAccount
from estate_core.payments.payment import Payment
from estate_core.payments.refund import Refund
from estate_core.payments.values import MerchantAccount, SurplusCase


class ValueRow:
    """A child row holding one frozen value of its aggregate's list; ``position`` orders it."""

    value: Any
    position: int

    def __init__(self, value: Any) -> None:
        self.value = value


class PrepaymentEntryRow(ValueRow):
    ledger: PrepaymentLedger


class FundEntryRow(ValueRow):
    ledger: PublicFundLedger


class AllocationRow(ValueRow):
    payment: Payment


class RefundRow(ValueRow):
    payment: Payment


class SurplusRow(ValueRow):
    payment: Payment


def _private(table: sa.Table, *names: str) -> dict[str, Any]:
    """Columns a composite stands for, mapped under private names: the domain sees the value."""
    return {f"_{name}": table.c[name] for name in names}


def map_value_list(
    mappers: registry,
    aggregate: type,
    field: str,
    row_class: type[ValueRow],
    table: sa.Table,
    root: str,
    value: Any,
) -> dict[str, Any]:
    """Map ``row_class`` on ``table`` holding ``value``; the aggregate's relationship to it.

    Call :func:`proxy_value_list` once the aggregate is mapped.
    """
    rows = f"_{field}_rows"
    mappers.map_imperatively(
        row_class,
        table,
        properties={"value": value, root: relationship(aggregate, back_populates=rows)},
    )
    return {
        rows: relationship(
            row_class,
            back_populates=root,
            cascade="all, delete-orphan",
            passive_deletes=True,
            lazy="selectin",
            order_by=table.c.position,
            collection_class=ordering_list("position", count_from=1),
        )
    }


def proxy_value_list(aggregate: type, field: str, row_class: type[ValueRow], root: str) -> None:
    value_list(aggregate, field, f"_{field}_rows", row_class)
    register_child_rows(row_class, root)


def _versioned(table: sa.Table) -> dict[str, Any]:
    return {"version_id_col": table.c.version}


def _map_fee_items_bills_readings(mappers: registry) -> None:
    c = fee_items.c
    mappers.map_imperatively(
        FeeItem,
        fee_items,
        **_versioned(fee_items),
        properties={
            VERSION_ATTRIBUTE: c.version,
            **_private(
                fee_items, "due_rule_kind", "due_rule_value", "late_fee_daily_rate", "late_fee_cap"
            ),
            "due_rule": attrs_composite(DueRule, c.due_rule_kind, c.due_rule_value),
            "late_fee": attrs_composite(
                LateFeePolicy, c.late_fee_daily_rate, c.late_fee_cap, nullable=True
            ),
        },
    )
    mappers.map_imperatively(
        Bill, bills, **_versioned(bills), properties={VERSION_ATTRIBUTE: bills.c.version}
    )
    mappers.map_imperatively(
        MeterReading,
        meter_readings,
        **_versioned(meter_readings),
        properties={VERSION_ATTRIBUTE: meter_readings.c.version},
    )


def _keep_balance(mapper: Mapper[Any], connection: sa.Connection, ledger: Any) -> None:
    ledger._balance = ledger.balance


def _map_ledgers(mappers: registry) -> None:
    e = prepayment_entries.c
    entries = map_value_list(
        mappers,
        PrepaymentLedger,
        "entries",
        PrepaymentEntryRow,
        prepayment_entries,
        "ledger",
        attrs_composite(LedgerEntry, e.id, e.kind, e.amount, e.reason, e.reference_id, e.at),
    )
    ledger = mappers.map_imperatively(
        PrepaymentLedger,
        prepayment_ledgers,
        **_versioned(prepayment_ledgers),
        properties={
            VERSION_ATTRIBUTE: prepayment_ledgers.c.version,
            "_balance": prepayment_ledgers.c.balance,
            **entries,
        },
    )
    proxy_value_list(PrepaymentLedger, "entries", PrepaymentEntryRow, "ledger")
    event.listen(ledger, "before_insert", _keep_balance)
    event.listen(ledger, "before_update", _keep_balance)
    f = public_fund_entries.c
    fund_entries = map_value_list(
        mappers,
        PublicFundLedger,
        "entries",
        FundEntryRow,
        public_fund_entries,
        "ledger",
        attrs_composite(
            FundEntry,
            f.id,
            f.kind,
            f.category,
            f.amount,
            f.note,
            f.entry_on,
            f.recorded_by,
            f.recorded_at,
        ),
    )
    mappers.map_imperatively(
        PublicFundLedger,
        public_fund_ledgers,
        **_versioned(public_fund_ledgers),
        properties={VERSION_ATTRIBUTE: public_fund_ledgers.c.version, **fund_entries},
    )
    proxy_value_list(PublicFundLedger, "entries", FundEntryRow, "ledger")


def _map_payments(mappers: registry) -> None:
    a, r, s = payment_allocations.c, payment_refunds.c, payment_surplus.c
    lists = {
        **map_value_list(
            mappers,
            Payment,
            "allocations",
            AllocationRow,
            payment_allocations,
            "payment",
            attrs_composite(Allocation, a.bill_id, a.amount),
        ),
        **map_value_list(
            mappers,
            Payment,
            "refunds",
            RefundRow,
            payment_refunds,
            "payment",
            attrs_composite(
                Refund,
                r.out_refund_no,
                r.amount,
                r.reason,
                r.status,
                r.requested_by,
                r.requested_at,
                r.finished_at,
                r.surplus,
                r.from_prepayment,
                r.bill_shares,
            ),
        ),
        **map_value_list(
            mappers,
            Payment,
            "surplus",
            SurplusRow,
            payment_surplus,
            "payment",
            attrs_composite(
                SurplusCase,
                s.bill_id,
                s.amount,
                s.cause,
                s.resolution,
                s.out_refund_no,
                s.recorded_at,
            ),
        ),
    }
    c = payments.c
    mappers.map_imperatively(
        Payment,
        payments,
        **_versioned(payments),
        properties={
            VERSION_ATTRIBUTE: c.version,
            **_private(payments, "merchant_app_id", "merchant_mch_id", "merchant_sub_mch_id"),
            "merchant": attrs_composite(
                MerchantAccount,
                c.merchant_app_id,
                c.merchant_mch_id,
                c.merchant_sub_mch_id,
                nullable=True,
            ),
            **lists,
        },
    )
    proxy_value_list(Payment, "allocations", AllocationRow, "payment")
    proxy_value_list(Payment, "refunds", RefundRow, "payment")
    proxy_value_list(Payment, "surplus", SurplusRow, "payment")


def _map_gateway_accounts(mappers: registry) -> None:
    c = merchant_accounts.c
    mappers.map_imperatively(
        GatewayAccount,
        merchant_accounts,
        **_versioned(merchant_accounts),
        properties={VERSION_ATTRIBUTE: c.version, "previous": c.previous_credentials},
    )


def map_billing(mappers: registry) -> None:
    _map_fee_items_bills_readings(mappers)
    _map_ledgers(mappers)
    _map_payments(mappers)
    _map_gateway_accounts(mappers)
