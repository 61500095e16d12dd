"""The billing run's bulk path (``BillingRunWriter``) on the three backends: properties in
batches, bills stored in bulk from plain rows with their events, an existing bill skipped by its
key, a settlement from prepayment stored, nothing kept without a commit."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from uuid import UUID

from billing_samples import AT, a_bill, a_new_bill, an_estate
from persistence_samples import Backend, a_property

from estate_core.billing.fee_item import LateFeePolicy
from estate_core.billing.issuing import BillableProperty
from estate_core.billing.model import BillStatus
from estate_core.shared.events import event_payload
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

JANUARY = date(2026, 1, 1)


def test_properties_come_in_batches_in_address_order_once_each(
    backend: Backend, tenant_id: UUID
) -> None:
    community = new_id()
    rooms = [(b, r) for b in ("1", "10", "2") for r in ("101", "1001", "201")]
    homes = {
        (building, room): a_property(tenant_id, community, building=building, room=room)
        for building, room in rooms
    }
    with backend.uow(tenant_id) as uow:
        for home in homes.values():
            uow.properties.add(home)
        uow.properties.add(a_property(tenant_id, new_id()))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        batches = list(uow.billing_writer.properties(community, 4))
        assert list(uow.billing_writer.properties(new_id(), 4)) == []
    assert [len(batch) for batch in batches] == [4, 4, 1]
    assert [row for batch in batches for row in batch] == [
        BillableProperty(home.id, home.kind, home.area, home.billing_start, home.billing_end)
        for home in (homes[address] for address in sorted(rooms))
    ]


def test_new_bills_are_stored_with_their_events_and_existing_ones_skipped(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=3)
    first, second, third = estate.homes
    existing = a_bill(estate.item, first)
    with backend.uow(tenant_id) as uow:
        uow.bills.add(existing)
        uow.commit()
    fresh = [a_new_bill(estate.item, home, fen=10_000) for home in estate.homes]
    with backend.uow(tenant_id) as uow:
        stored = uow.billing_writer.add_new(fresh)
        assert [b.property_id for b in stored] == [second.id, third.id]
        again = [a_new_bill(estate.item, home, fen=10_000) for home in estate.homes]
        assert uow.billing_writer.add_new(again) == []
        uow.commit()
    with backend.uow(tenant_id) as uow:
        assert uow.bills.get(existing.id).amount_due == Money(25_000)
        assert uow.bills.find(fresh[0].id) is None
        kept = uow.bills.get(fresh[1].id)
        assert (kept.amount_due, kept.status, kept.issued_at) == (
            Money(10_000),
            BillStatus.UNPAID,
            AT,
        )
    issued = Counter(
        m.payload["property_id"] for m in backend.outbox() if m.event_name == "BillIssued"
    )
    assert issued == {str(first.id): 1, str(second.id): 1, str(third.id): 1}


def test_a_row_is_stored_as_the_bill_and_the_event_the_aggregate_would_make(
    backend: Backend, tenant_id: UUID
) -> None:
    terms = LateFeePolicy(daily_rate=Decimal("0.0005"), cap=Money(3_000))
    estate = an_estate(backend.uow(tenant_id), homes=1, late_fee=terms)
    row = a_new_bill(estate.item, estate.homes[0], 2, 12_345, due=date(2026, 2, 28))
    aggregate = row.issue()
    with backend.uow(tenant_id) as uow:
        assert uow.billing_writer.add_new([row]) == [row]
        uow.commit()
    with backend.uow(tenant_id) as uow:
        stored = uow.bills.get(row.id)
        assert {name: getattr(stored, name) for name in _BILL_FIELDS} == {
            name: getattr(aggregate, name) for name in _BILL_FIELDS
        }
        stored.void("减免", AT)
        uow.commit()
    messages = [m for m in backend.outbox() if m.payload.get("bill_id") == str(row.id)]
    message = messages[0]
    assert (message.event_name, message.payload) == (
        "BillIssued",
        event_payload(aggregate.pending_events[0]),
    )


_BILL_FIELDS = (
    "id",
    "tenant_id",
    "community_id",
    "property_id",
    "fee_item_id",
    "period_start",
    "period_end",
    "amount_due",
    "due_date",
    "late_fee_rate",
    "late_fee_cap",
    "status",
    "paid_by_payment_id",
    "amount_paid",
    "paid_at",
    "void_reason",
    "issued_at",
    "paid_from_prepayment",
    "voided_at",
    "refunded_at",
)


def test_a_settlement_from_prepayment_of_new_bills_is_stored(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=2)
    rows = [a_new_bill(estate.item, home) for home in estate.homes]
    entry_id = new_id()
    with backend.uow(tenant_id) as uow:
        assert uow.billing_writer.add_new(rows) == rows
        paid = rows[0].issue()
        paid.take_events()
        paid.settle_from_prepayment(entry_id, paid.amount_due, AT)
        uow.billing_writer.save_settled([paid])
        uow.commit()
    with backend.uow(tenant_id) as uow:
        got = uow.bills.get(paid.id)
        assert (got.status, got.paid_by_payment_id, got.paid_from_prepayment, got.paid_at) == (
            BillStatus.PAID,
            entry_id,
            True,
            AT,
        )
        assert uow.bills.get(rows[1].id).status is BillStatus.UNPAID
        got.refund(AT)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        assert uow.bills.get(paid.id).status is BillStatus.REFUNDED
    names = Counter(m.event_name for m in backend.outbox() if m.event_name.startswith("Bill"))
    assert names == {"BillIssued": 2, "BillPaid": 1, "BillRefunded": 1}


def test_bills_written_in_bulk_are_gone_without_a_commit(backend: Backend, tenant_id: UUID) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    bill = a_new_bill(estate.item, estate.homes[0])
    with backend.uow(tenant_id) as uow:
        assert uow.billing_writer.add_new([bill]) == [bill]
    with backend.uow(tenant_id) as uow:
        assert uow.bills.find(bill.id) is None
        assert uow.billing_writer.add_new([]) == []
    assert [m for m in backend.outbox() if m.event_name == "BillIssued"] == []
