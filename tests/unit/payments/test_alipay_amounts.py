"""Alipay's yuan strings and our fen: one exact conversion each way (never a float)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.payment.alipay_wire import MAX_AMOUNT, fen_from_yuan, yuan_text
from entrypoints.sandbox.alipay_state import fen_of, yuan_of
from estate_core.shared.money import Money

in_range = st.integers(min_value=1, max_value=MAX_AMOUNT.fen).map(Money)


@given(in_range)
def test_every_amount_in_range_goes_to_two_decimal_yuan_and_back(amount: Money) -> None:
    text = yuan_text(amount)
    whole, _, cents = text.partition(".")
    assert len(cents) == 2
    assert whole == str(amount.fen // 100)
    assert fen_from_yuan(text) == amount


@given(in_range)
def test_the_adapter_and_the_emulator_read_each_others_amounts(amount: Money) -> None:
    assert fen_of(yuan_text(amount)) == amount.fen
    assert fen_from_yuan(yuan_of(amount.fen)) == amount


@given(
    st.decimals(
        min_value=Decimal("0.01"), max_value=Decimal("100000000.00"), places=2, allow_nan=False
    )
)
def test_a_yuan_amount_is_read_exactly(value: Decimal) -> None:
    text = f"{value:f}"
    assert fen_from_yuan(text) == Money(int(value * 100))


@pytest.mark.parametrize("fen", [0, -1, MAX_AMOUNT.fen + 1])
def test_amounts_outside_alipays_range_are_never_written(fen: int) -> None:
    with pytest.raises(ValueError, match="range"):
        yuan_text(Money(fen))


@pytest.mark.parametrize(
    "text",
    [
        "0.00",
        "100000000.01",
        "-1.00",
        "+1.00",
        "1.001",
        "1e2",
        " 1.00",
        "1.00 ",
        "1,00",
        "01.00",
        ".50",
        "1.",
        "NaN",
        "Infinity",
        "",
        "１.００",
    ],
)
def test_anything_but_plain_yuan_in_range_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="Alipay"):
        fen_from_yuan(text)


@given(st.text(max_size=12))
def test_no_text_reads_as_an_amount_unless_it_is_one(text: str) -> None:
    try:
        amount = fen_from_yuan(text)
    except ValueError:
        return
    assert Decimal(text) * 100 == amount.fen
    assert 1 <= amount.fen <= MAX_AMOUNT.fen
