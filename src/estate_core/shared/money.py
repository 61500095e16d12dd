"""Money over integer fen (分).

Every amount in estate is a whole number of fen. Rates and unit prices are ``Decimal``; the
one place where a ``Decimal`` becomes money is :func:`round_half_up`, so rounding is the same
everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import attrs

from estate_core.shared.errors import InvalidInput

FEN_PER_YUAN = 100


def round_half_up(fen: Decimal) -> Money:
    """Round an exact amount of fen half-up (0.5 fen away from zero) to whole fen."""
    return Money(int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _check_fen(instance: Money, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int:
        raise TypeError(f"Money takes whole fen as int, got {type(value).__name__}")


@attrs.frozen(order=True)
class Money:
    """An amount in fen. May be negative (a ledger debit); bills and payments check their signs."""

    fen: int = attrs.field(validator=_check_fen)

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def yuan(cls, amount: str | Decimal | int) -> Money:
        """Parse yuan ("12.34"); more than two decimals is an error, never silently rounded."""
        try:
            value = Decimal(amount)
        except InvalidOperation:
            raise InvalidInput("money.invalid", f"{amount!r} is not an amount of yuan") from None
        fen = value * FEN_PER_YUAN
        if not value.is_finite() or fen != fen.to_integral_value():
            raise InvalidInput("money.invalid", f"{amount!r} is not a whole number of fen")
        return cls(int(fen))

    def to_yuan(self) -> Decimal:
        return (Decimal(self.fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))

    def __str__(self) -> str:
        return f"¥{self.to_yuan()}"

    def __add__(self, other: Money) -> Money:
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def times(self, factor: Decimal | int) -> Money:
        """Multiply by an exact factor and round half-up to the fen once."""
        return round_half_up(Decimal(self.fen) * Decimal(factor))

    @property
    def is_zero(self) -> bool:
        return self.fen == 0

    @property
    def is_positive(self) -> bool:
        return self.fen > 0

    @property
    def is_negative(self) -> bool:
        return self.fen < 0

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split this amount in proportion to non-negative integer weights, losing no fen.

        Largest-remainder method: each part gets the floor of its exact share, and the fen left
        over go one each to the parts with the largest remainders (earliest first on ties).
        """
        if not weights:
            raise InvalidInput("money.no_parts", "cannot split an amount into no parts")
        if any(w < 0 for w in weights):
            raise InvalidInput("money.negative_weight", "weights must not be negative")
        total_weight = sum(weights)
        if total_weight == 0:
            raise InvalidInput("money.zero_weights", "at least one weight must be positive")
        sign = -1 if self.fen < 0 else 1
        magnitude = abs(self.fen)
        shares = [divmod(magnitude * w, total_weight) for w in weights]
        parts = [quotient for quotient, _ in shares]
        left_over = magnitude - sum(parts)
        by_remainder = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
        for index in by_remainder[:left_over]:
            parts[index] += 1
        return [Money(sign * part) for part in parts]

    def split(self, count: int) -> list[Money]:
        """Split into ``count`` parts that differ by at most one fen, larger parts first."""
        return self.allocate([1] * count)


def total(amounts: Sequence[Money]) -> Money:
    return Money(sum(amount.fen for amount in amounts))
