"""The billing run's bulk path (``BillingRunWriter``) on the three backends: properties in
batches, bills stored in bulk with their events, an existing bill skipped, a settlement from
prepayment stored, nothing kept without a commit."""

from __future__ import annotations

from collections import Counter
from datetime import date
from uuid import UUID

from billing_samples import AT, a_bill, an_estate
from persistence_samples import Backend, a_property

from estate_core.billing.model import BillStatus
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

JANUARY = date(2026, 1, 1)


def test_properties_come_in_batches_in_address_order_once_each(
    backend: Backend, tenant_id: UUID
) -> None:
    community = new_id()
    rooms = [(b, r) for b in ("1", "10", "2") for r in ("101", "1001", "201")]
    with backend.uow(tenant_id) as uow:
        for building, room in rooms:
            uow.properties.add(a_property(tenant_id, community, building=building, room=room))
        uow.properties.add(a_property(tenant_id, new_id()))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        batches = [
            [(p.building, p.room) for p in batch]
            for batch in uow.billing_writer.properties(community, 4)
        ]
        assert list(uow.billing_writer.properties(new_id(), 4)) == []
    assert [len(batch) for batch in batches] == [4, 4, 1]
    assert [room for batch in batches for room in batch] == sorted(rooms)


def test_new_bills_are_stored_with_their_events_and_existing_ones_skipped(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=3)
    first, second, third = estate.homes
    existing = a_bill(estate.item, first)
    with backend.uow(tenant_id) as uow:
        uow.bills.add(existing)
        uow.commit()
    fresh = [a_bill(estate.item, home, fen=10_000) for home in estate.homes]
    with backend.uow(tenant_id) as uow:
        writer = uow.billing_writer
        assert writer.issued_keys([first.id, second.id], JANUARY) == {(first.id, estate.item.id)}
        assert writer.issued_keys([second.id], JANUARY) == set()
        stored = writer.add_new(fresh)
        assert [b.property_id for b in stored] == [second.id, third.id]
        assert fresh[0].pending_events == ()
        assert writer.issued_keys([first.id, second.id, third.id], JANUARY) == {
            (home.id, estate.item.id) for home in estate.homes
        }
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


def test_a_settlement_from_prepayment_of_new_bills_is_stored(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=2)
    paid, unpaid = (a_bill(estate.item, home) for home in estate.homes)
    entry_id = new_id()
    with backend.uow(tenant_id) as uow:
        stored = uow.billing_writer.add_new([paid, unpaid])
        assert len(stored) == 2
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
        assert uow.bills.get(unpaid.id).status is BillStatus.UNPAID
        got.refund(AT)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        assert uow.bills.get(paid.id).status is BillStatus.REFUNDED
    names = Counter(m.event_name for m in backend.outbox() if m.event_name.startswith("Bill"))
    assert names == {"BillIssued": 2, "BillPaid": 1, "BillRefunded": 1}


def test_bills_written_in_bulk_are_gone_without_a_commit(backend: Backend, tenant_id: UUID) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    bill = a_bill(estate.item, estate.homes[0])
    with backend.uow(tenant_id) as uow:
        assert uow.billing_writer.add_new([bill]) == [bill]
    with backend.uow(tenant_id) as uow:
        assert uow.bills.find(bill.id) is None
        assert uow.billing_writer.add_new([]) == []
    assert [m for m in backend.outbox() if m.event_name == "BillIssued"] == []
