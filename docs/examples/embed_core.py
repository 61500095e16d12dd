"""A host system embedding estate_core: its own staff console issues bills and records a cash
payment at the counter, using the in-memory adapters (swap in the SQL unit of work for a
database). Run: `.venv/bin/python docs/examples/embed_core.py`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.billing import billing_run, queries
from estate_core.billing import services as billing
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory
from estate_core.identity import services as identity
from estate_core.identity import staff_services
from estate_core.payments.services import offline
from estate_core.properties import services as properties
from estate_core.properties.model import PropertyKind
from estate_core.shared.clock import SystemClock
from estate_core.shared.ids import new_id


def main() -> None:
    store, clock, tenant_id = InMemoryStore(), SystemClock(), new_id()
    uow = InMemoryUnitOfWork(store, tenant_id, clock)

    opened = identity.open_tenant(
        uow,
        clock,
        identity.OpenTenant(name="宿主物业", admin_name="管理员", admin_phone="13900000000"),
    )
    admin = staff_services.staff_actor(uow, opened.admin_staff_id)
    community_id = identity.create_community(uow, admin, identity.CreateCommunity(name="一号院"))
    shop = properties.register_property(
        uow,
        admin,
        properties.RegisterProperty(
            community_id=community_id,
            kind=PropertyKind.SHOP,
            building="A",
            unit="",
            room="S01",
            area=Decimal("45.00"),
        ),
    )
    billing.create_fee_item(
        uow,
        admin,
        billing.CreateFeeItem(
            community_id=community_id,
            name="商铺管理费",
            category=FeeCategory.PROPERTY_FEE,
            calculation=Calculation.FIXED,
            unit_price=Decimal("600.00"),
            property_kinds=frozenset({PropertyKind.SHOP}),
            first_period_start=date(2026, 1, 1),
            due_rule=DueRule(kind=DueRuleKind.DAY_OF_MONTH, value=10),
        ),
    )
    billing_run.run_billing(
        uow,
        clock,
        admin,
        billing_run.RunBilling(community_id=community_id, period_start=date(2026, 1, 1)),
    )
    due = queries.list_property_bills(
        uow, clock, admin, queries.ListPropertyBills(property_id=shop, view=queries.BillView.DUE)
    ).items
    receipt = offline.collect_offline_payment(
        uow,
        clock,
        admin,
        offline.CollectOfflinePayment(
            property_id=shop,
            bill_ids=tuple(line.bill_id for line in due),
            received=due[0].total_due,
            receipt_no="RC-2026-000001",
        ),
    )
    print(f"collected {receipt.amount} at the counter, receipt {receipt.receipt_no}")
    print(f"outbox holds {len(store.outbox)} events for the host to deliver")


if __name__ == "__main__":
    main()
