"""Phones, role codes and plates as people type them (issue 15): full-width digits read as
ASCII through the one normalising function, and no check lets a trailing newline through."""

from __future__ import annotations

import pytest

from estate_core.community.visitor import normalize_plate
from estate_core.identity.model import normalize_phone
from estate_core.identity.roles import check_role_code
from estate_core.payments.numbers import check_out_refund_no, is_out_trade_no
from estate_core.shared.errors import InvalidInput


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "１３８００１３８０００",
        "138００138000",
        "+86 138 0013 8000",
        "＋８６１３８００１３８０００",
        "138－0013－8000",
        "138\u30000013\u30008000",
    ],
)
def test_a_phone_reads_as_its_ascii_digits_however_it_was_typed(typed: str) -> None:
    assert normalize_phone(typed) == "13800138000"


@pytest.mark.parametrize(
    "typed",
    [
        "١٣٨٠٠١٣٨٠٠٠",  # Arabic-Indic digits: \\d matched them before
        "১৩৮০০১৩৮০০০",  # Bengali digits
        "1380013800٠",
        "13800138000x",
        "1380013800",
        "",
    ],
)
def test_a_phone_with_other_digits_or_characters_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_phone(typed)
    assert raised.value.code == "phone.invalid"


@pytest.mark.parametrize("code", ["manager\n", "manager\r\n", "ma\nnager", "\nmanager"])
def test_a_role_code_with_a_newline_is_refused(code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_role_code(code)
    assert raised.value.code == "role.invalid_code"


def test_a_role_code_is_accepted_exactly() -> None:
    assert check_role_code("night_guard") == "night_guard"


def test_a_plate_typed_in_full_width_reads_as_ascii() -> None:
    assert normalize_plate("川Ａ１２３４５") == "川A12345"
    assert normalize_plate("川a·12345") == "川A12345"


@pytest.mark.parametrize("number", ["260301ABCDEF\n", "260301ABCDEF\r\n", "\n260301ABCDEF"])
def test_a_gateway_number_with_a_newline_is_refused(number: str) -> None:
    assert not is_out_trade_no(number)
    with pytest.raises(InvalidInput) as raised:
        check_out_refund_no(number)
    assert raised.value.code == "payment.invalid_refund_no"
