"""The billing repositories' contract, on the in-memory store, a SQLite file and PostgreSQL:
fee items, bills and their lists, meter readings and the two ledgers (payments and the
billing run's bulk path have their own files)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from billing_samples import AT, a_bill, a_fee_item, an_estate
from persistence_samples import Backend

from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory, LateFeePolicy
from estate_core.billing.ledger import (
    EntryKind,
    FundEntryKind,
    InsufficientPrepayment,
    PrepaymentLedger,
    PublicFundLedger,
)
from estate_core.billing.meter import MeterReading
from estate_core.billing.model import BillStatus
from estate_core.properties.model import PropertyKind
from estate_core.shared.errors import ConcurrencyConflict, Conflict, InvalidInput, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest, encode_cursor

LATE = LateFeePolicy(daily_rate=Decimal("0.0005"), cap=Money(5_000))


def _walk(fetch: object, limit: int = 2) -> list[object]:
    """Every item of a keyset list, fetched ``limit`` at a time."""
    items: list[object] = []
    cursor: str | None = None
    while True:
        page: Page[object] = fetch(PageRequest(limit=limit, after=cursor))  # type: ignore[operator]
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items


def _ids(aggregates: Iterable[Any]) -> list[UUID]:
    return [aggregate.id for aggregate in aggregates]


def test_fee_item_keeps_its_rules_and_is_found_by_name(backend: Backend, tenant_id: UUID) -> None:
    community = new_id()
    capped = a_fee_item(tenant_id, community, "物业费", late_fee=LATE)
    plain = a_fee_item(tenant_id, community, "垃圾费")
    with backend.uow(tenant_id) as uow:
        uow.fee_items.add(capped)
        uow.fee_items.add(plain)
        uow.fee_items.add(a_fee_item(tenant_id, new_id(), "物业费"))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.fee_items.get(capped.id)
        assert (loaded.unit_price, loaded.late_fee, loaded.due_rule) == (
            Decimal("2.5000"),
            LATE,
            DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15),
        )
        assert loaded.property_kinds == frozenset({PropertyKind.RESIDENCE, PropertyKind.SHOP})
        assert uow.fee_items.get(plain.id).late_fee is None
        assert uow.fee_items.find_by_name(community, "物业费") is loaded
        assert uow.fee_items.find_by_name(community, "水费") is None
        assert [i.name for i in uow.fee_items.in_community(community)] == ["垃圾费", "物业费"]
        loaded.change(
            name="物业服务费",
            category=FeeCategory.OTHER,
            unit_price=Decimal("3.1234"),
            property_kinds=frozenset({PropertyKind.PARKING_SPACE}),
            due_rule=DueRule(kind=DueRuleKind.DAY_OF_MONTH, value=31),
            late_fee=LateFeePolicy(daily_rate=Decimal("0.0003")),
            active=False,
        )
        uow.commit()
    with backend.uow(tenant_id) as uow:
        changed = uow.fee_items.get(capped.id)
        assert (changed.name, changed.unit_price, changed.active) == (
            "物业服务费",
            Decimal("3.1234"),
            False,
        )
        assert changed.late_fee == LateFeePolicy(daily_rate=Decimal("0.0003"))
        assert changed.property_kinds == frozenset({PropertyKind.PARKING_SPACE})
        with pytest.raises(NotFound) as missing:
            uow.fee_items.get(new_id())
    assert missing.value.code == "fee_item.not_found"


def test_second_fee_item_with_a_name_taken_in_the_community_is_refused(
    backend: Backend, tenant_id: UUID
) -> None:
    community = new_id()
    with backend.uow(tenant_id) as uow:
        uow.fee_items.add(a_fee_item(tenant_id, community))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.fee_items.add(a_fee_item(tenant_id, community))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "fee_items.duplicate"


def test_bill_survives_each_state_with_every_field(backend: Backend, tenant_id: UUID) -> None:
    estate = an_estate(backend.uow(tenant_id), late_fee=LATE)
    home, other = estate.homes
    paid, void, refunded = (a_bill(estate.item, home, month) for month in (1, 2, 3))
    with backend.uow(tenant_id) as uow:
        for bill in (paid, void, refunded):
            uow.bills.add(bill)
        uow.commit()
    payment_id = new_id()
    with backend.uow(tenant_id) as uow:
        uow.bills.get(paid.id).settle(payment_id, Money(25_100), AT)
        uow.bills.get(void.id).void("重复出账", AT)
        uow.bills.get(refunded.id).settle_from_prepayment(payment_id, Money(25_000), AT)
        uow.bills.get(refunded.id).refund(AT + timedelta(days=1))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        got = uow.bills.get(paid.id)
        assert (got.status, got.amount_paid, got.paid_by_payment_id, got.paid_at) == (
            BillStatus.PAID,
            Money(25_100),
            payment_id,
            AT,
        )
        assert (got.late_fee_rate, got.late_fee_cap, got.issued_at) == (
            Decimal("0.0005"),
            Money(5_000),
            AT,
        )
        assert (got.period_start, got.period_end, got.due_date) == (
            date(2026, 1, 1),
            date(2026, 1, 31),
            date(2026, 1, 16),
        )
        voided = uow.bills.get(void.id)
        assert (voided.status, voided.void_reason, voided.voided_at) == (
            BillStatus.VOID,
            "重复出账",
            AT,
        )
        back = uow.bills.get(refunded.id)
        assert (back.status, back.paid_from_prepayment, back.refunded_at) == (
            BillStatus.REFUNDED,
            True,
            AT + timedelta(days=1),
        )
        assert uow.bills.find_by_key(home.id, estate.item.id, date(2026, 2, 1)) is voided
        assert uow.bills.find_by_key(other.id, estate.item.id, date(2026, 2, 1)) is None
        assert uow.bills.issued_keys(estate.community_id, date(2026, 3, 1)) == {
            (home.id, estate.item.id)
        }
        with pytest.raises(NotFound) as missing:
            uow.bills.get(new_id())
    assert missing.value.code == "bill.not_found"


def test_second_bill_for_the_same_property_fee_and_period_is_refused(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    with backend.uow(tenant_id) as uow:
        uow.bills.add(a_bill(estate.item, estate.homes[0]))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.bills.add(a_bill(estate.item, estate.homes[0], fen=1))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "bills.duplicate"


def test_a_homes_bill_lists_page_through_due_upcoming_and_paid(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    home = estate.homes[0]
    bills = [a_bill(estate.item, home, month) for month in range(1, 8)]
    with backend.uow(tenant_id) as uow:
        for bill in bills:
            uow.bills.add(bill)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        for minutes, bill in enumerate(bills[:3]):
            uow.bills.get(bill.id).settle(
                new_id(), bill.amount_due, AT + timedelta(minutes=minutes)
            )
        uow.commit()
    day = date(2026, 5, 20)
    with backend.uow(tenant_id) as uow:
        due = _ids(_walk(lambda page: uow.bills.due_for_property(home.id, day, page)))
        upcoming = _ids(_walk(lambda page: uow.bills.upcoming_for_property(home.id, day, page)))
        paid = _ids(_walk(lambda page: uow.bills.paid_for_property(home.id, page)))
        unpaid = _ids(uow.bills.unpaid_for_property(home.id))
    assert due == _ids(bills[3:5])
    assert upcoming == _ids(bills[5:])
    assert paid == _ids(reversed(bills[:3]))
    assert unpaid == _ids(bills[3:])


def test_a_communitys_bills_page_by_period_and_filter_by_status(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=3)
    bills = [a_bill(estate.item, home, month) for month in (1, 2) for home in estate.homes]
    with backend.uow(tenant_id) as uow:
        for bill in bills:
            uow.bills.add(bill)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.bills.get(bills[0].id).void("录错", AT)
        uow.commit()
    expected = sorted(bills, key=lambda b: (b.period_start, str(b.property_id), str(b.id)))
    with backend.uow(tenant_id) as uow:
        every = _ids(_walk(lambda page: uow.bills.in_community(estate.community_id, page)))
        unpaid = _ids(
            _walk(lambda page: uow.bills.in_community(estate.community_id, page, BillStatus.UNPAID))
        )
        february = _ids(
            _walk(
                lambda page: uow.bills.in_community(
                    estate.community_id, page, period_start=date(2026, 2, 1)
                )
            )
        )
        void_in_january = _ids(
            uow.bills.in_community(
                estate.community_id, PageRequest(), BillStatus.VOID, date(2026, 1, 1)
            ).items
        )
    assert every == _ids(expected)
    assert unpaid == [bill_id for bill_id in _ids(expected) if bill_id != bills[0].id]
    assert february == _ids(expected[3:])
    assert void_in_january == [bills[0].id]


def test_arrears_list_the_largest_overdue_amount_first_with_the_domains_late_fee(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=3, late_fee=LATE)
    small, large, none_overdue = estate.homes
    bills = [
        a_bill(estate.item, small, 1, 10_000),
        a_bill(estate.item, large, 1, 30_000),
        a_bill(estate.item, large, 2, 20_000, due=date(2026, 3, 1)),
        a_bill(estate.item, none_overdue, 3, 99_000, due=date(2026, 3, 31)),
    ]
    with backend.uow(tenant_id) as uow:
        for bill in bills:
            uow.bills.add(bill)
        uow.commit()
    day = date(2026, 3, 11)
    ids = _ids(bills)
    with backend.uow(tenant_id) as uow:
        lines = _walk(lambda page: uow.bills.arrears(estate.community_id, day, page), limit=1)
        fees = {bill_id: uow.bills.get(bill_id).late_fee_on(day) for bill_id in ids}
    assert [line.property_id for line in lines] == [large.id, small.id]
    first = lines[0]
    assert (first.overdue_bills, first.amount_overdue, first.oldest_due_date) == (
        2,
        Money(50_000),
        date(2026, 1, 16),
    )
    assert first.late_fee == fees[ids[1]] + fees[ids[2]]
    assert first.late_fee == Money(810 + 100)


def test_meter_readings_are_found_around_a_day_and_one_per_day(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    home = estate.homes[0]

    def reading(value: str, day: date) -> MeterReading:
        return MeterReading.take(
            reading_id=new_id(),
            tenant_id=tenant_id,
            community_id=estate.community_id,
            property_id=home.id,
            fee_item_id=estate.item.id,
            reading=Decimal(value),
            read_on=day,
            recorded_by=None,
            at=AT,
            previous=None,
            following=None,
        )

    with backend.uow(tenant_id) as uow:
        for value, day in (("10.50", date(2026, 1, 31)), ("25.75", date(2026, 2, 28))):
            uow.meter_readings.add(reading(value, day))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        feb = uow.meter_readings.last_on_or_before(home.id, estate.item.id, date(2026, 3, 15))
        jan = uow.meter_readings.last_on_or_before(home.id, estate.item.id, date(2026, 2, 27))
        after = uow.meter_readings.first_after(home.id, estate.item.id, date(2026, 1, 31))
        assert feb is not None
        assert jan is not None
        assert after is not None
        assert (feb.reading, feb.read_on, jan.reading) == (
            Decimal("25.75"),
            date(2026, 2, 28),
            Decimal("10.50"),
        )
        assert after.id == feb.id
        assert uow.meter_readings.first_after(home.id, estate.item.id, date(2026, 2, 28)) is None
        none = uow.meter_readings.last_on_or_before(home.id, estate.item.id, date(2026, 1, 30))
        assert none is None
        uow.meter_readings.add(reading("30", date(2026, 2, 28)))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "meter_readings.duplicate"


def test_prepayment_ledger_keeps_its_entries_in_order_and_its_balance(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=2)
    home, dry = estate.homes
    ledger = PrepaymentLedger(
        id=new_id(), tenant_id=tenant_id, community_id=estate.community_id, property_id=home.id
    )
    empty = PrepaymentLedger(
        id=new_id(), tenant_id=tenant_id, community_id=estate.community_id, property_id=dry.id
    )
    payment_id, bill_id = new_id(), new_id()
    with backend.uow(tenant_id) as uow:
        uow.prepayments.add(ledger)
        uow.prepayments.add(empty)
        ledger.credit(Money(30_000), "top-up", payment_id, AT)
        ledger.debit(Money(25_000), "bill", bill_id, AT)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.prepayments.for_property(home.id)
        assert loaded is not None
        assert [(e.kind, e.amount, e.reference_id) for e in loaded.entries] == [
            (EntryKind.CREDIT, Money(30_000), payment_id),
            (EntryKind.DEBIT, Money(25_000), bill_id),
        ]
        assert loaded.balance == Money(5_000)
        assert [x.id for x in uow.prepayments.in_credit([home.id, dry.id])] == [ledger.id]
        assert uow.prepayments.in_credit([dry.id]) == []
        with pytest.raises(InsufficientPrepayment):
            loaded.debit(Money(5_001), "bill", None, AT)
        loaded.debit(Money(5_000), "bill", None, AT)
        assert uow.prepayments.in_credit([home.id]) == []
        loaded.credit(Money(1), "refund failed", None, AT)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        assert uow.prepayments.get(ledger.id).balance == Money(1)
        assert [x.id for x in uow.prepayments.in_credit([home.id])] == [ledger.id]
        uow.prepayments.add(
            PrepaymentLedger(
                id=new_id(),
                tenant_id=tenant_id,
                community_id=estate.community_id,
                property_id=home.id,
            )
        )
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "prepayment_ledgers.duplicate"


def test_lost_update_of_a_prepayment_ledger_is_refused(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(interleaving_backend.uow(tenant_id), homes=1)
    ledger = PrepaymentLedger(
        id=new_id(),
        tenant_id=tenant_id,
        community_id=estate.community_id,
        property_id=estate.homes[0].id,
    )
    ledger.credit(Money(10_000), "top-up", None, AT)
    with interleaving_backend.uow(tenant_id) as uow:
        uow.prepayments.add(ledger)
        uow.commit()
    first, second = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with first, second:
        first.prepayments.get(ledger.id).debit(Money(10_000), "bill", None, AT)
        second.prepayments.get(ledger.id).debit(Money(10_000), "bill", None, AT)
        first.commit()
        with pytest.raises(ConcurrencyConflict):
            second.commit()
    with interleaving_backend.uow(tenant_id) as uow:
        assert uow.prepayments.get(ledger.id).balance == Money(0)


def test_public_fund_ledger_keeps_its_entries_and_is_one_per_community(
    backend: Backend, tenant_id: UUID
) -> None:
    community, staff = new_id(), new_id()
    ledger = PublicFundLedger(id=new_id(), tenant_id=tenant_id, community_id=community)
    ledger.record_entry(
        kind=FundEntryKind.INCOME,
        category="大修基金",
        amount=Money(1_000_000),
        note="",
        on=date(2026, 3, 1),
        recorded_by=staff,
        at=AT,
    )
    with backend.uow(tenant_id) as uow:
        uow.public_funds.add(ledger)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.public_funds.for_community(community)
        assert loaded is not None
        loaded.record_entry(
            kind=FundEntryKind.EXPENSE,
            category="电梯维修",
            amount=Money(1_200_000),
            note="3 号楼",
            on=date(2026, 3, 10),
            recorded_by=staff,
            at=AT,
        )
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.public_funds.for_community(community)
        assert loaded is not None
        assert [(e.category, e.on, e.note) for e in loaded.entries] == [
            ("大修基金", date(2026, 3, 1), ""),
            ("电梯维修", date(2026, 3, 10), "3 号楼"),
        ]
        assert loaded.balance == Money(-200_000)
        assert uow.public_funds.for_community(new_id()) is None
        uow.public_funds.add(
            PublicFundLedger(id=new_id(), tenant_id=tenant_id, community_id=community)
        )
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "public_fund_ledgers.duplicate"


def test_bill_events_reach_the_outbox_once(backend: Backend, tenant_id: UUID) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    bill = a_bill(estate.item, estate.homes[0])
    with backend.uow(tenant_id) as uow:
        uow.bills.add(bill)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.bills.get(bill.id).void("录错", AT)
        uow.commit()
    names = [m.event_name for m in backend.outbox() if m.event_name.startswith("Bill")]
    assert names == ["BillIssued", "BillVoided"]


def test_a_cursor_this_service_did_not_give_is_refused_by_the_newest_first_lists(
    backend: Backend, tenant_id: UUID
) -> None:
    with backend.uow(tenant_id) as uow, pytest.raises(InvalidInput) as raised:
        uow.bills.paid_for_property(new_id(), PageRequest(after="not a cursor!"))
    assert raised.value.code == "page.invalid_cursor"


@pytest.mark.parametrize("cursor", [[1, 2], ["x", "y"], [1, "not-a-uuid"], [10**20, "x"]])
def test_a_cursor_of_the_wrong_shape_is_refused_by_the_sql_lists(
    make_uow: Any, tenant_id: UUID, cursor: list[object]
) -> None:
    after = encode_cursor(cursor)
    with make_uow(tenant_id) as uow:
        for fetch in (
            lambda: uow.bills.paid_for_property(new_id(), PageRequest(after=after)),
            lambda: uow.payments.for_property(new_id(), PageRequest(after=after)),
            lambda: uow.bills.arrears(new_id(), date(2026, 3, 1), PageRequest(after=after)),
        ):
            with pytest.raises(InvalidInput) as raised:
                fetch()
            assert raised.value.code == "page.invalid_cursor"
