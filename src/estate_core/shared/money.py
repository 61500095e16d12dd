"""Money over integer fen (分).

Every amount in estate is a whole number of fen. Rates and unit prices are ``Decimal``; the
one place where a ``Decimal`` becomes money is :func:`round_half_up`, so rounding is the same
everywhere.

Two bounds (issue 15): :data:`MAX_FEN` is what a money column (BIGINT) can hold, and ``Money``
refuses anything beyond it, so an absurd sum fails as bad input rather than as a database
overflow; :data:`MAX_AMOUNT` is the largest amount a person may enter for one bill, fee,
payment or ledger entry, checked by :func:`require_amount` where amounts enter.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import attrs

from estate_core.shared.errors import InvalidInput

FEN_PER_YUAN = 100

MAX_FEN = 2**63 - 1
"""The largest magnitude a money column holds (a signed 64-bit BIGINT of fen)."""

MAX_AMOUNT_FEN = 9_999_999_999
"""¥99,999,999.99: the most one bill, fee, payment or ledger entry may be entered for."""


def round_half_up(fen: Decimal) -> Money:
    """Round an exact amount of fen half-up (0.5 fen away from zero) to whole fen."""
    return Money(int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _check_fen(instance: Money, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int:
        raise TypeError(f"Money takes whole fen as int, got {type(value).__name__}")
    if abs(value) > MAX_FEN:
        raise InvalidInput("money.out_of_range", "the amount is larger than any account can hold")


@attrs.frozen(order=True)
class Money:
    """An amount in fen. May be negative (a ledger debit); bills and payments check their signs."""

    fen: int = attrs.field(validator=_check_fen)

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def yuan(cls, amount: str | Decimal | int) -> Money:
        """Parse yuan ("12.34"); more than two decimals is an error, never silently rounded.

        Full-width digits (typed with a Chinese input method) read as ASCII. Every other malformed,
        non-finite (``NaN``, ``sNaN``, ``Infinity``) or out-of-range value is ``money.invalid``,
        checked before any arithmetic so that no ``decimal`` signal escapes.
        """
        text = unicodedata.normalize("NFKC", amount).strip() if isinstance(amount, str) else amount
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError, TypeError):
            raise InvalidInput("money.invalid", "not an amount of yuan") from None
        if not value.is_finite():
            raise InvalidInput("money.invalid", "not a finite amount of yuan")
        if value.copy_abs() > _MAX_YUAN:
            raise InvalidInput("money.invalid", "larger than any account can hold")
        whole_fen = value.quantize(_ONE_FEN)
        if whole_fen != value:
            raise InvalidInput("money.invalid", "not a whole number of fen")
        return cls(int(whole_fen.scaleb(2)))

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


_MAX_YUAN = Decimal(MAX_FEN).scaleb(-2)
_ONE_FEN = Decimal("0.01")

MAX_AMOUNT = Money(MAX_AMOUNT_FEN)


def require_amount(amount: Money, code: str, what: str = "an amount") -> Money:
    """``amount`` if it is positive and at most :data:`MAX_AMOUNT`, else ``InvalidInput(code)``."""
    if not amount.is_positive or amount > MAX_AMOUNT:
        raise InvalidInput(code, f"{what} is more than ¥0.00 and at most {MAX_AMOUNT}")
    return amount


def total(amounts: Sequence[Money]) -> Money:
    return Money(sum(amount.fen for amount in amounts))
