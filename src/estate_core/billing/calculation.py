"""The billing arithmetic of DESIGN.md §4, as pure functions anyone can recompute by hand.

Amounts are carried as an exact ``Decimal`` number of fen and become :class:`Money` only through
:func:`round_half_up`, once, at the end of each calculation. Unit prices are yuan (元), so every
formula multiplies by 100 to get fen.
"""

from __future__ import annotations

import calendar
import enum
from datetime import date, timedelta
from decimal import Decimal, localcontext

from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import FEN_PER_YUAN, Money, round_half_up

#: lcm(28, 29, 30, 31): every month length divides it, so a prorated sum needs one division only.
_COMMON_DAYS = 377_580
#: Enough digits that no product of prices, areas, days and rates is ever rounded on the way.
_PRECISION = 60


class Calculation(enum.StrEnum):
    """How a fee item's charge is computed (计费方式)."""

    PER_AREA = "per_area"
    FIXED = "fixed"
    METERED = "metered"


def add_months(month: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``month``."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, later: date) -> int:
    """How many whole months the month of ``later`` is after the month of ``first``."""
    return (later.year - first.year) * 12 + later.month - first.month


def require_month_start(day: date, what: str = "a billing period") -> date:
    if day.day != 1:
        raise InvalidInput("billing.invalid_period", f"{what} starts on the first of a month")
    return day


def period_end(period_start: date, months: int) -> date:
    """The last day of a period of whole calendar months starting at ``period_start``."""
    return add_months(require_month_start(period_start), months) - timedelta(days=1)


def days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def chargeable_days(month: date, billing_start: date | None, billing_end: date | None) -> int:
    """Days of the month of ``month`` inside the chargeable dates, both ends inclusive.

    ``billing_start`` (handover / move-in) and ``billing_end`` (move-out) come from the property;
    ``None`` leaves that side open.
    """
    first = date(month.year, month.month, 1)
    last = date(month.year, month.month, days_in_month(month))
    if billing_start is not None and billing_start > first:
        first = billing_start
    if billing_end is not None and billing_end < last:
        last = billing_end
    return max(0, (last - first).days + 1)


def monthly_charge(calculation: Calculation, unit_price: Decimal, area: Decimal) -> Decimal:
    """The exact charge of one whole month, in fen.

    ``per_area``: unit price (元/m²/月) × area (m²) × 100; ``fixed``: unit price (元/月) × 100.
    A ``metered`` fee has no monthly charge: it is billed by usage (:func:`metered_amount`).
    """
    with localcontext() as context:
        context.prec = _PRECISION
        if calculation is Calculation.PER_AREA:
            return unit_price * area * FEN_PER_YUAN
        if calculation is Calculation.FIXED:
            return unit_price * FEN_PER_YUAN
    raise ValueError("a metered fee has no monthly charge")


def period_amount(
    monthly_fen: Decimal,
    period_start: date,
    months: int,
    billing_start: date | None = None,
    billing_end: date | None = None,
) -> Money:
    """The amount of a bill of ``months`` whole months with a monthly charge of ``monthly_fen``.

    amount = round_half_up( Σ over the months m of the period:
    monthly × chargeable_days(m) / days_in_month(m) )

    A month wholly inside the chargeable dates counts in full, one wholly outside counts nothing,
    and one cut by ``billing_start`` / ``billing_end`` counts its share of days. The sum is exact
    (each term is brought over the common denominator 377,580 and divided once), so a total of
    exactly half a fen rounds up as the rule says rather than drifting on a repeating decimal
    such as 1/31. Rounded half-up to the fen once, at the end.
    """
    require_month_start(period_start)
    with localcontext() as context:
        context.prec = _PRECISION
        numerator = Decimal(0)
        for index in range(months):
            month = add_months(period_start, index)
            days = chargeable_days(month, billing_start, billing_end)
            numerator += monthly_fen * days * (_COMMON_DAYS // days_in_month(month))
        return round_half_up(numerator / _COMMON_DAYS)


def metered_amount(unit_price: Decimal, usage: Decimal) -> Money:
    """unit price (元 per unit) × usage (this reading − previous reading), rounded half-up.

    Not prorated: the meter measured what was used, whatever the chargeable dates.
    """
    with localcontext() as context:
        context.prec = _PRECISION
        return round_half_up(unit_price * usage * FEN_PER_YUAN)


def days_overdue(due_date: date, day: date) -> int:
    """Days from the day after ``due_date`` to ``day``, both inclusive; 0 up to the due date."""
    return max(0, (day - due_date).days)


def late_fee(
    unpaid: Money, daily_rate: Decimal | None, due_date: date, day: date, cap: Money
) -> Money:
    """Late fee 滞纳金 on ``day``: unpaid × daily rate × days overdue, rounded half-up, ≤ cap.

    Zero when there is no rate, nothing is unpaid, or the day is not after the due date; never
    negative, never more than ``cap`` (by default the bill amount itself).
    """
    days = days_overdue(due_date, day)
    if daily_rate is None or days == 0 or not unpaid.is_positive or not cap.is_positive:
        return Money.zero()
    with localcontext() as context:
        context.prec = _PRECISION
        fee = round_half_up(Decimal(unpaid.fen) * daily_rate * days)
    return min(fee, cap)
