"""Money over integer fen: arithmetic, rounding and splitting lose no fen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import (
    MAX_AMOUNT,
    MAX_FEN,
    Money,
    require_amount,
    round_half_up,
    total,
)

fen = st.integers(min_value=-(10**12), max_value=10**12)
amounts = st.builds(Money, fen)


@given(amounts, amounts, amounts)
def test_addition_is_associative_and_commutative(a: Money, b: Money, c: Money) -> None:
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a


@given(amounts, amounts)
def test_subtraction_undoes_addition(a: Money, b: Money) -> None:
    assert (a + b) - b == a
    assert a - a == Money.zero()


@given(amounts, amounts)
def test_ordering_follows_fen(a: Money, b: Money) -> None:
    assert (a < b) == (a.fen < b.fen)
    assert (a == b) == (a.fen == b.fen)


@given(amounts, st.decimals(min_value=-1000, max_value=1000, places=4))
def test_times_rounds_half_up_once(a: Money, factor: Decimal) -> None:
    exact = Decimal(a.fen) * factor
    result = a.times(factor)
    assert abs(Decimal(result.fen) - exact) <= Decimal("0.5")
    if abs(Decimal(result.fen) - exact) == Decimal("0.5"):
        assert abs(result.fen) > abs(exact)


def test_half_a_fen_rounds_away_from_zero() -> None:
    assert round_half_up(Decimal("2.5")) == Money(3)
    assert round_half_up(Decimal("-2.5")) == Money(-3)
    assert round_half_up(Decimal("2.4999")) == Money(2)


@given(amounts, st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30))
def test_allocation_preserves_the_total(a: Money, weights: list[int]) -> None:
    if sum(weights) == 0:
        with pytest.raises(InvalidInput):
            a.allocate(weights)
        return
    parts = a.allocate(weights)
    assert total(parts) == a
    assert len(parts) == len(weights)


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(sum),
)
def test_allocation_of_a_positive_amount_has_no_negative_part(
    fen_amount: int, weights: list[int]
) -> None:
    parts = Money(fen_amount).allocate(weights)
    assert all(not part.is_negative for part in parts)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(fen_amount) * weight / sum(weights)
        assert abs(Decimal(part.fen) - exact) < 1
        if weight == 0:
            assert part.is_zero


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=100))
def test_split_parts_differ_by_at_most_one_fen(fen_amount: int, count: int) -> None:
    parts = Money(fen_amount).split(count)
    assert total(parts) == Money(fen_amount)
    assert max(parts).fen - min(parts).fen <= 1
    assert parts == sorted(parts, reverse=True)


@given(amounts)
def test_yuan_round_trip(a: Money) -> None:
    assert Money.yuan(a.to_yuan()) == a
    assert Money.yuan(str(a.to_yuan())) == a


@pytest.mark.parametrize(
    "text",
    [
        "1.234",
        "abc",
        "NaN",
        "-nan",
        "sNaN",
        "-sNaN123",
        "Infinity",
        "-inf",
        "",
        "1e999999999",
        "-1E+999999",
        "92233720368547758.08",
        "1.0000000000000000000000000000000001",
    ],
)
def test_amounts_that_are_not_whole_fen_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        Money.yuan(text)
    assert raised.value.code == "money.invalid"


def test_money_refuses_non_integer_fen() -> None:
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True)


@pytest.mark.parametrize("value", [Decimal("sNaN"), Decimal("NaN"), Decimal("-Infinity")])
def test_non_finite_decimals_are_refused_with_the_invalid_input_code(value: Decimal) -> None:
    with pytest.raises(InvalidInput) as raised:
        Money.yuan(value)
    assert raised.value.code == "money.invalid"


def test_full_width_digits_are_read_as_yuan() -> None:
    assert Money.yuan("１２.５０") == Money(1250)


def test_money_refuses_what_no_money_column_can_hold() -> None:
    assert Money(MAX_FEN).fen == MAX_FEN
    for fen_amount in (MAX_FEN + 1, -MAX_FEN - 1, 10**30):
        with pytest.raises(InvalidInput) as raised:
            Money(fen_amount)
        assert raised.value.code == "money.out_of_range"
    with pytest.raises(InvalidInput):
        _ = Money(MAX_FEN) + Money(1)
    assert Money.yuan("92233720368547758.07") == Money(MAX_FEN)


def test_an_amount_entered_is_positive_and_at_most_the_documented_maximum() -> None:
    assert Money.yuan("99999999.99") == MAX_AMOUNT
    assert require_amount(MAX_AMOUNT, "x.invalid") == MAX_AMOUNT
    for amount in (MAX_AMOUNT + Money(1), Money.zero(), Money(-1)):
        with pytest.raises(InvalidInput) as raised:
            require_amount(amount, "x.invalid")
        assert raised.value.code == "x.invalid"
