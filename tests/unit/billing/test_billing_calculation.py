"""The billing arithmetic of DESIGN.md §4, checked against a naive day-by-day recomputation."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate_core.billing.calculation import (
    Calculation,
    add_months,
    late_fee,
    metered_amount,
    monthly_charge,
    period_amount,
)
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money

prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99.9999"), places=4)
areas = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000.00"), places=2)
months_of_2020s = st.builds(
    date,
    st.integers(min_value=2020, max_value=2030),
    st.integers(min_value=1, max_value=12),
    st.just(1),
)
cycles = st.sampled_from([1, 3, 6, 12])
days = st.dates(min_value=date(2019, 6, 1), max_value=date(2032, 6, 30))


def _naive_half_up(exact: Fraction) -> int:
    floor = exact.numerator // exact.denominator
    return floor + 1 if exact - floor >= Fraction(1, 2) else floor


def _naive_amount(
    monthly_fen: Fraction, start: date, months: int, first: date | None, last: date | None
) -> int:
    """Walk every day of the period, count the chargeable ones per month, sum exact fractions."""
    amount = Fraction(0)
    for index in range(months):
        month = add_months(start, index)
        length = calendar.monthrange(month.year, month.month)[1]
        charged = 0
        for offset in range(length):
            day = month + timedelta(days=offset)
            if (first is None or day >= first) and (last is None or day <= last):
                charged += 1
        amount += monthly_fen * charged / length
    return _naive_half_up(amount)


def test_per_area_bill_is_price_times_area_for_each_whole_month() -> None:
    monthly = monthly_charge(Calculation.PER_AREA, Decimal("2.50"), Decimal("100.00"))
    assert period_amount(monthly, date(2026, 1, 1), 3) == Money.yuan("750.00")


def test_fixed_bill_is_the_monthly_amount_for_each_whole_month() -> None:
    monthly = monthly_charge(Calculation.FIXED, Decimal("300"), Decimal("12.00"))
    assert period_amount(monthly, date(2026, 1, 1), 12) == Money.yuan("3600.00")


def test_a_month_cut_by_the_billing_start_is_charged_by_its_days() -> None:
    monthly = monthly_charge(Calculation.PER_AREA, Decimal("2.50"), Decimal("100.00"))
    amount = period_amount(monthly, date(2026, 3, 1), 1, billing_start=date(2026, 3, 11))
    assert amount == Money(16935)  # 25,000 fen × 21 / 31 = 16,935.48 fen


def test_months_outside_the_chargeable_dates_cost_nothing() -> None:
    monthly = monthly_charge(Calculation.FIXED, Decimal("100"), Decimal(0))
    assert period_amount(monthly, date(2026, 1, 1), 3, billing_start=date(2026, 4, 1)) == Money(0)
    assert period_amount(monthly, date(2026, 1, 1), 3, billing_end=date(2026, 2, 28)) == Money(
        20000
    )


def test_a_total_of_exactly_half_a_fen_rounds_up_once_at_the_end() -> None:
    # 465 fen × 1/31 + 465 fen × 1/30 = 15 + 15.5 = 30.5 fen → 31 fen
    monthly = monthly_charge(Calculation.FIXED, Decimal("4.65"), Decimal(0))
    amount = period_amount(
        monthly, date(2026, 3, 1), 3, billing_start=date(2026, 3, 31), billing_end=date(2026, 4, 1)
    )
    assert amount == Money(31)


def test_rounding_happens_once_not_per_month() -> None:
    # 3 months of 0.4 fen would be 0 fen rounded per month; the sum 1.2 fen rounds to 1.
    monthly = monthly_charge(Calculation.FIXED, Decimal("0.004"), Decimal(0))
    assert period_amount(monthly, date(2026, 1, 1), 3) == Money(1)


def test_a_period_starts_on_the_first_of_a_month() -> None:
    with pytest.raises(InvalidInput) as raised:
        period_amount(Decimal(100), date(2026, 1, 2), 1)
    assert raised.value.code == "billing.invalid_period"


@settings(max_examples=150, deadline=None)
@given(
    calculation=st.sampled_from([Calculation.PER_AREA, Calculation.FIXED]),
    price=prices,
    area=areas,
    start=months_of_2020s,
    months=cycles,
    first=st.none() | days,
    last=st.none() | days,
)
def test_billed_amount_equals_a_naive_day_by_day_recomputation(
    calculation: Calculation,
    price: Decimal,
    area: Decimal,
    start: date,
    months: int,
    first: date | None,
    last: date | None,
) -> None:
    monthly = monthly_charge(calculation, price, area)
    naive_monthly = Fraction(price) * 100 * (Fraction(area) if calculation == "per_area" else 1)
    assert Fraction(monthly) == naive_monthly
    expected = _naive_amount(naive_monthly, start, months, first, last)
    assert period_amount(monthly, start, months, first, last) == Money(expected)


@settings(max_examples=100, deadline=None)
@given(price=prices, usage=st.decimals(min_value=0, max_value=100_000, places=2))
def test_metered_amount_is_unit_price_times_usage_rounded_half_up(
    price: Decimal, usage: Decimal
) -> None:
    expected = _naive_half_up(Fraction(price) * Fraction(usage) * 100)
    assert metered_amount(price, usage) == Money(expected)


def test_late_fee_counts_days_from_the_day_after_the_due_date() -> None:
    unpaid, rate, due = Money(10_000), Decimal("0.0005"), date(2026, 3, 10)
    assert late_fee(unpaid, rate, due, date(2026, 3, 10), unpaid) == Money(0)
    assert late_fee(unpaid, rate, due, date(2026, 3, 11), unpaid) == Money(5)
    assert late_fee(unpaid, rate, due, date(2026, 3, 13), unpaid) == Money(15)


def test_late_fee_stops_at_the_cap() -> None:
    unpaid, rate, due = Money(10_000), Decimal("0.01"), date(2026, 1, 1)
    assert late_fee(unpaid, rate, due, date(2026, 12, 31), Money(2_000)) == Money(2_000)


def test_no_rate_means_no_late_fee() -> None:
    assert late_fee(Money(10_000), None, date(2026, 1, 1), date(2027, 1, 1), Money(1)) == Money(0)


unpaid_amounts = st.integers(min_value=0, max_value=10**9).map(Money)
rates = st.decimals(min_value=Decimal("0.00001"), max_value=Decimal("0.05"), places=5)


@settings(max_examples=150, deadline=None)
@given(unpaid=unpaid_amounts, rate=rates, due=days, day=days, cap_fen=st.integers(0, 10**9))
def test_late_fee_is_never_negative_never_above_the_cap_and_exact_below_it(
    unpaid: Money, rate: Decimal, due: date, day: date, cap_fen: int
) -> None:
    fee = late_fee(unpaid, rate, due, day, Money(cap_fen))
    assert Money(0) <= fee <= Money(cap_fen)
    overdue = max(0, (day - due).days)
    exact = _naive_half_up(Fraction(unpaid.fen) * Fraction(rate) * overdue)
    assert fee == Money(min(exact, cap_fen))


@settings(max_examples=100, deadline=None)
@given(
    unpaid=unpaid_amounts,
    rate=rates,
    due=days,
    day=days,
    later_by=st.integers(min_value=0, max_value=400),
    cap_fen=st.integers(0, 10**9),
)
def test_late_fee_never_shrinks_as_days_pass(
    unpaid: Money, rate: Decimal, due: date, day: date, later_by: int, cap_fen: int
) -> None:
    cap = Money(cap_fen)
    later = day + timedelta(days=later_by)
    assert late_fee(unpaid, rate, due, later, cap) >= late_fee(unpaid, rate, due, day, cap)
