"""Any change to a signed Alipay notification is refused; the order of its fields is not a change.

The notification is signed by the emulator's independent RSA2 code and checked by the adapter
through the SDK, without a network: only the reading of the form is under test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from adapters.payment.alipay import AlipayGateway
from entrypoints.sandbox import alipay_keys as keys
from entrypoints.sandbox.alipay import AlipayEmulator
from entrypoints.sandbox.alipay_state import TRADE_SUCCESS, Caller, Trade
from estate_core.payments.gateway import (
    NotificationRefused,
    NotificationRequest,
    TradeReport,
    TradeStatus,
)
from estate_core.shared.money import Money

AT = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
APP = "2021000122600001"
SELLER = "2088102177846880"

_app_key = keys.generate_private_key()
EMULATOR = AlipayEmulator(clock=lambda: AT)
EMULATOR.trades[(SELLER, "P0001")] = Trade(
    caller=Caller(APP, APP, SELLER),
    out_trade_no="P0001",
    trade_no="2026120322001000000000000001",
    fen=10_000,
    subject="物业费 2026年12月",
    method="alipay.trade.wap.pay",
    notify_url="http://127.0.0.1:9/notify",
    return_url="",
    created_at=AT,
    expires_at=None,
    opened=True,
    status=TRADE_SUCCESS,
    paid_at=AT,
)
GATEWAY = AlipayGateway(
    app_id=APP,
    seller_id=SELLER,
    app_private_key=keys.private_pem(_app_key),
    alipay_public_key=EMULATOR.public_key_pem,
)
SIGNED = dict(parse_qsl(EMULATOR.notification_for("P0001").decode("ascii")))
values = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


def verify(fields: list[tuple[str, str]]) -> object:
    body = urlencode(fields).encode("ascii")
    return GATEWAY.verify_notification(NotificationRequest(headers={}, body=body), AT)


def test_the_genuine_notification_is_a_payment_of_this_account() -> None:
    notice = verify(list(SIGNED.items()))
    assert isinstance(notice, TradeReport)
    assert (notice.status, notice.paid_amount) == (TradeStatus.PAID, Money(10_000))


@given(st.permutations(list(SIGNED.items())))
def test_the_order_of_the_fields_does_not_matter(fields: list[tuple[str, str]]) -> None:
    assert isinstance(verify(fields), TradeReport)


@given(st.sampled_from(sorted(SIGNED)), values)
def test_any_field_changed_is_refused(name: str, value: str) -> None:
    assume(value != SIGNED[name])
    with pytest.raises(NotificationRefused):
        verify(list({**SIGNED, name: value}.items()))


@given(st.sampled_from(sorted(SIGNED)))
def test_any_field_left_out_is_refused(name: str) -> None:
    with pytest.raises(NotificationRefused):
        verify([(key, value) for key, value in SIGNED.items() if key != name])


@given(st.text(st.characters(categories=("Ll", "Nd")), min_size=1, max_size=12), values)
def test_any_field_added_is_refused(name: str, value: str) -> None:
    assume(name not in SIGNED and value)
    with pytest.raises(NotificationRefused):
        verify([*SIGNED.items(), (name, value)])
