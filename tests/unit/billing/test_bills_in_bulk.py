"""Bills issued in bulk as rows are the bills the aggregate path issues, one property at a time.

The bulk path computes a charge once per distinct (fee item, area, chargeable dates cutting
into the period) and shares it between properties (:class:`ChargeBook`); the aggregate path is
:func:`bill_amount` for each property and :meth:`Bill.issue` with the fee item's terms. For any
properties (areas shared or not, handed over or moved out before, during or after the period)
and any fee item, both give the same bills, field for field, and the same ``BillIssued``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.billing.calculation import Calculation, add_months
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory, FeeItem, LateFeePolicy
from estate_core.billing.issuing import (
    BillableProperty,
    BillTerms,
    ChargeBook,
    NewBill,
    bill_amount,
)
from estate_core.billing.model import Bill
from estate_core.properties.model import PropertyKind
from estate_core.shared.clock import FixedClock
from estate_core.shared.events import event_payload
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
FIRST = date(2025, 1, 1)
TENANT = new_id()
COMMUNITY = new_id()
DUE_IN_15_DAYS = DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15)

areas = st.sampled_from([Decimal("0.00"), Decimal("0.01"), Decimal("89.25"), Decimal("120.50")])
days = st.one_of(st.none(), st.dates(min_value=date(2025, 10, 1), max_value=date(2027, 2, 28)))
homes = st.builds(
    lambda area, start, end: BillableProperty(new_id(), PropertyKind.RESIDENCE, area, start, end),
    areas,
    days,
    days,
)
rules = st.one_of(
    st.builds(DueRule, kind=st.just(DueRuleKind.DAY_OF_MONTH), value=st.integers(1, 31)),
    st.builds(
        DueRule,
        kind=st.sampled_from([DueRuleKind.DAYS_AFTER_START, DueRuleKind.DAYS_AFTER_END]),
        value=st.integers(0, 366),
    ),
)
late_fees = st.one_of(
    st.none(),
    st.builds(
        LateFeePolicy,
        daily_rate=st.sampled_from([Decimal("0.0005"), Decimal("0.001")]),
        cap=st.one_of(st.none(), st.integers(1, 100_000).map(Money)),
    ),
)


def a_fee_item(
    calculation: Calculation = Calculation.PER_AREA,
    unit_price: Decimal = Decimal("2.50"),
    cycle_months: int = 1,
    due_rule: DueRule = DUE_IN_15_DAYS,
    late_fee: LateFeePolicy | None = None,
) -> FeeItem:
    return FeeItem.create(
        fee_item_id=new_id(),
        tenant_id=TENANT,
        community_id=COMMUNITY,
        name="物业费",
        category=FeeCategory.PROPERTY_FEE,
        calculation=calculation,
        unit_price=unit_price,
        property_kinds=frozenset({PropertyKind.RESIDENCE}),
        cycle_months=cycle_months,
        first_period_start=FIRST,
        due_rule=due_rule,
        late_fee=late_fee,
    )


fee_items = st.builds(
    a_fee_item,
    calculation=st.sampled_from([Calculation.PER_AREA, Calculation.FIXED]),
    unit_price=st.decimals(Decimal("0.0001"), Decimal("99.9999"), places=4),
    cycle_months=st.sampled_from([1, 3, 6, 12]),
    due_rule=rules,
    late_fee=late_fees,
)


def _aggregate_path(
    uow: InMemoryUnitOfWork, item: FeeItem, home: BillableProperty, bill_id: UUID
) -> Bill | None:
    """One property's bill as the run issued it before the bulk path: amount, then Bill.issue."""
    period = item.period_starting(add_months(FIRST, 12))
    assert period is not None
    start, end = period
    amount = bill_amount(uow, item, home, start, end)
    assert amount is not None
    if not amount.is_positive:
        return None
    policy = item.late_fee
    return Bill.issue(
        bill_id=bill_id,
        tenant_id=TENANT,
        community_id=COMMUNITY,
        property_id=home.id,
        fee_item_id=item.id,
        period_start=start,
        period_end=end,
        amount_due=amount,
        due_date=item.due_rule.due_date(start, end),
        late_fee_rate=policy.daily_rate if policy else None,
        late_fee_cap=policy.cap if policy else None,
        at=AT,
    )


def _fields(bill: Bill) -> dict[str, object]:
    return {field.name: getattr(bill, field.name) for field in attrs.fields(Bill)}


@settings(max_examples=300, deadline=None)
@given(item=fee_items, community=st.lists(homes, min_size=1, max_size=15))
def test_bills_issued_in_bulk_are_the_bills_of_the_aggregate_path(
    item: FeeItem, community: list[BillableProperty]
) -> None:
    uow = InMemoryUnitOfWork(InMemoryStore(), TENANT, FixedClock(AT))
    period = item.period_starting(add_months(FIRST, 12))
    assert period is not None
    book = ChargeBook(uow, item, BillTerms.of(TENANT, item, period, AT))
    for home in community:
        charge = book.charge(home)
        bill_id = new_id()
        expected = _aggregate_path(uow, item, home, bill_id)
        if expected is None:
            assert charge is None
            continue
        assert charge is not None
        row = NewBill(bill_id, home.id, charge)
        issued = row.issue()
        assert _fields(issued) == _fields(expected)
        assert [event_payload(e) for e in issued.pending_events] == [
            event_payload(e) for e in expected.pending_events
        ]
        assert event_payload(row.issued_event()) == event_payload(expected.pending_events[0])


def test_homes_that_differ_only_outside_the_period_share_one_charge() -> None:
    uow = InMemoryUnitOfWork(InMemoryStore(), TENANT, FixedClock(AT))
    item = a_fee_item()
    period = item.period_starting(add_months(FIRST, 12))
    assert period is not None
    start, end = period
    book = ChargeBook(uow, item, BillTerms.of(TENANT, item, period, AT))
    area = Decimal("89.25")
    open_ended = BillableProperty(new_id(), PropertyKind.RESIDENCE, area, None, None)
    handed_over_before = BillableProperty(
        new_id(), PropertyKind.RESIDENCE, area, start - timedelta(days=40), end + timedelta(days=1)
    )
    assert book.charge(open_ended) is book.charge(handed_over_before)
