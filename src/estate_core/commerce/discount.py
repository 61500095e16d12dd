"""Discount 优惠: what a coupon takes off an order or a shop bill, exact to the fen."""

from __future__ import annotations

import enum
from decimal import Decimal

import attrs

from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.money import Money


class MinimumNotMet(Conflict):
    code = "coupon.minimum_not_met"


class DiscountKind(enum.StrEnum):
    FIXED = "fixed"
    PERCENTAGE = "percentage"


_HUNDRED = Decimal(100)
NO_MONEY = Money(0)


@attrs.frozen(kw_only=True)
class Discount:
    """What a coupon takes off: a fixed amount (立减), or a percentage (折扣) up to a cap.

    ``minimum_spend`` (满 X 可用) is the order total needed before the coupon applies. The amount
    off is exact in fen: a percentage is rounded half-up once, and the result is never more than
    the cap nor more than the total it is taken off.
    """

    kind: DiscountKind
    amount: Money | None = None
    percent_off: Decimal | None = None
    cap: Money | None = None
    minimum_spend: Money = NO_MONEY

    def __attrs_post_init__(self) -> None:
        if self.kind is DiscountKind.FIXED:
            if self.amount is None or not self.amount.is_positive:
                raise InvalidInput("coupon.invalid_discount", "a fixed discount is above zero")
            if self.percent_off is not None or self.cap is not None:
                raise InvalidInput("coupon.invalid_discount", "a fixed discount has no percentage")
        else:
            percent = self.percent_off
            if (
                percent is None
                or not percent.is_finite()
                or not 0 < percent < _HUNDRED
                or percent != round(percent, 2)
            ):
                raise InvalidInput(
                    "coupon.invalid_discount", "a percentage is above 0 and below 100, 2 decimals"
                )
            if self.cap is None or not self.cap.is_positive:
                raise InvalidInput("coupon.invalid_discount", "a percentage needs a cap above 0")
            if self.amount is not None:
                raise InvalidInput("coupon.invalid_discount", "a percentage has no fixed amount")
        if self.minimum_spend.is_negative:
            raise InvalidInput("coupon.invalid_discount", "a minimum spend is not negative")

    @classmethod
    def fixed(cls, amount: Money, minimum_spend: Money = NO_MONEY) -> Discount:
        return cls(kind=DiscountKind.FIXED, amount=amount, minimum_spend=minimum_spend)

    @classmethod
    def percentage(
        cls, percent_off: Decimal, cap: Money, minimum_spend: Money = NO_MONEY
    ) -> Discount:
        return cls(
            kind=DiscountKind.PERCENTAGE,
            percent_off=percent_off,
            cap=cap,
            minimum_spend=minimum_spend,
        )

    def applies_to(self, spend: Money) -> bool:
        return spend.is_positive and spend >= self.minimum_spend

    def amount_off(self, spend: Money) -> Money:
        """The discount on ``spend``; raises ``coupon.minimum_not_met`` below the minimum."""
        if not self.applies_to(spend):
            raise MinimumNotMet(f"this coupon needs a spend of at least {self.minimum_spend}")
        if self.kind is DiscountKind.FIXED:
            assert self.amount is not None
            return min(self.amount, spend)
        assert self.percent_off is not None
        assert self.cap is not None
        return min(spend.times(self.percent_off / _HUNDRED), self.cap, spend)
