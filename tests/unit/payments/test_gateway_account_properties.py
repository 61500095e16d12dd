"""Properties of merchant configuration and of the WeChat Pay trade bill.

- GatewayAccount under any sequence of set / rotate / disable: the generations a notification
  may be verified with are always the current keys and the ones they replaced; a refused
  command changes nothing; a disabled account is active again only by being set.
- Any amounts written in a trade bill read back to the same fen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from adapters.payment.wechat_v3_bill import HEADER, bill_line, parse_trade_bill
from estate_core.payments.credentials import (
    AlipayCredentials,
    Credentials,
    Platform,
    WechatV2Credentials,
)
from estate_core.payments.gateway import StatementEntryKind
from estate_core.payments.gateway_account import AccountStatus, GatewayAccount
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
URL = "https://api.mch.weixin.qq.com"
MERCHANTS = ["1900000109", "1900000222"]
KEYS = ["key-one", "key-two", "key-three"]
PLATFORM = Platform()


def v2(merchant: str, key: str) -> WechatV2Credentials:
    return WechatV2Credentials(app_id="wx8888888888888888", mch_id=merchant, api_key=key)


class GatewayAccountMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.account = GatewayAccount.open(
            account_id=new_id(),
            tenant_id=new_id(),
            credentials=v2(MERCHANTS[0], KEYS[0]),
            gateway_url=URL,
            platform=PLATFORM,
            at=AT,
        )
        self.current: Credentials = v2(MERCHANTS[0], KEYS[0])
        self.previous: Credentials | None = None
        self.active = True
        self.at = AT

    def _tick(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at

    @rule(merchant=st.sampled_from(MERCHANTS), key=st.sampled_from(KEYS))
    def set(self, merchant: str, key: str) -> None:
        new = v2(merchant, key)
        self.account.set(new, URL, PLATFORM, self._tick())
        if new != self.current:
            self.previous = self.current
        self.current, self.active = new, True

    @rule(key=st.sampled_from(KEYS))
    def rotate(self, key: str) -> None:
        assert isinstance(self.current, WechatV2Credentials)
        new = v2(self.current.mch_id, key)
        try:
            self.account.rotate(new, PLATFORM, self._tick())
        except DomainError:
            assert not self.active or new == self.current
            return
        assert self.active
        assert new != self.current
        self.previous, self.current = self.current, new

    @rule(merchant=st.sampled_from(MERCHANTS))
    def rotate_to_another_merchant(self, merchant: str) -> None:
        assert isinstance(self.current, WechatV2Credentials)
        if merchant == self.current.mch_id:
            return
        try:
            self.account.rotate(v2(merchant, KEYS[0]), PLATFORM, self._tick())
        except DomainError:
            return
        raise AssertionError("a rotation changed the merchant")

    @rule()
    def disable(self) -> None:
        self.account.disable(self._tick())
        self.active = False

    @rule()
    def set_another_family(self) -> None:
        alipay = AlipayCredentials(
            app_id="2021000122600001",
            app_private_key="private",
            alipay_public_key="public",
            seller_id="2088102177846880",
        )
        with pytest.raises(DomainError) as refused:
            self.account.set(alipay, URL, PLATFORM, self._tick())
        assert refused.value.code == "merchant_account.wrong_family"

    @invariant()
    def generations_are_the_current_keys_then_the_replaced_ones(self) -> None:
        expected = (self.current,) if self.previous is None else (self.current, self.previous)
        assert self.account.generations == expected
        assert (self.account.status is AccountStatus.ACTIVE) is self.active


TestGatewayAccountMachine = GatewayAccountMachine.TestCase


@given(st.lists(st.integers(min_value=1, max_value=10_000_000_000), min_size=1, max_size=20))
def test_trade_bill_amounts_read_back_to_the_same_fen(amounts: list[int]) -> None:
    lines = [HEADER]
    for number, fen in enumerate(amounts):
        yuan = str(Money(fen).to_yuan())
        refund = number % 2 == 1
        lines.append(
            bill_line(
                {
                    "交易时间": "2026-03-15 10:00:00",
                    "微信订单号": f"42{number:026d}",
                    "商户订单号": f"260315{number:026d}",
                    "交易状态": "REFUND" if refund else "SUCCESS",
                    "订单金额": yuan,
                    "退款金额": yuan if refund else "0.00",
                    "商户退款单号": f"R{number}" if refund else "",
                }
            )
        )
    lines.append("总交易单数,应结订单总金额")
    entries = parse_trade_bill("\n".join(lines) + "\n")
    assert [e.amount.fen for e in entries] == amounts
    assert [e.kind is StatementEntryKind.REFUND for e in entries] == [
        n % 2 == 1 for n in range(len(amounts))
    ]
