"""Notifications the v2 adapter must refuse, in both modes and sign types.

A forgery (changed after signing) fails the signature; a message the gateway did sign but that is
not for this account (another app, merchant, or the service provider's other sub-merchant: another
tenant signed with the same key) fails the account check; and so on. Each raises
:class:`NotificationRefused`, and over HTTP the receiver answers FAIL so the gateway retries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests
from wechat_v2_samples import FEE, MODES, NEIGHBOUR, V2World, changed, v2_world

from entrypoints.sandbox.wechat_v2_protocol import from_xml, signed, to_xml
from estate_core.payments.gateway import (
    NotificationRefused,
    RefundOrder,
    RefundReport,
    TradeReport,
)


@pytest.fixture(scope="module", params=list(MODES))
def v2(request: pytest.FixtureRequest) -> Iterator[V2World]:
    """One world per mode for the module: every test opens orders of its own numbers."""
    with v2_world(request.param) as world:
        yield world


def _other_sign_type(message: bytes) -> bytes:
    """The message declaring the sign type it was not signed in (MD5 signs are 32 hex digits)."""
    was_md5 = len(from_xml(message)["sign"]) == 32
    return changed(message, sign_type="HMAC-SHA256" if was_md5 else "MD5")


def _plus_one_fen(message: bytes) -> str:
    return str(int(from_xml(message)["total_fee"]) + 1)


Forge = Callable[[V2World, str, str], bytes]

PAYMENT_FORGERIES: dict[str, Forge] = {
    "forged signature": lambda v2, no, other: changed(
        v2.emulator.notification_for(no), transaction_id="4200000000000000000000009999"
    ),
    "amount off by one fen": lambda v2, no, other: changed(
        v2.emulator.notification_for(no),
        total_fee=_plus_one_fen(v2.emulator.notification_for(no)),
    ),
    "replayed for another out_trade_no": lambda v2, no, other: changed(
        v2.emulator.notification_for(no), out_trade_no=other
    ),
    "wrong appid": lambda v2, no, other: v2.emulator.notification_for(
        no, appid="wx0000000000000000"
    ),
    "wrong mch_id": lambda v2, no, other: v2.emulator.notification_for(no, mch_id="1900000999"),
    "wrong sub_mch_id": lambda v2, no, other: v2.emulator.notification_for(
        no, sub_mch_id=str(NEIGHBOUR.sub_mch_id)
    ),
    "wrong sub_appid": lambda v2, no, other: v2.emulator.notification_for(
        no, sub_appid="wx0000000000000000"
    ),
    "FAIL result_code": lambda v2, no, other: v2.emulator.notification_for(
        no, result_code="FAIL", err_code="SYSTEMERROR"
    ),
    "FAIL return_code": lambda v2, no, other: v2.emulator.notification_for(no, return_code="FAIL"),
    "no out_trade_no": lambda v2, no, other: v2.emulator.notification_for(no, out_trade_no=""),
    "amount not whole fen": lambda v2, no, other: v2.emulator.notification_for(
        no, total_fee="250.00"
    ),
    "signed with another key": lambda v2, no, other: to_xml(
        signed(
            {k: v for k, v in from_xml(v2.emulator.notification_for(no)).items() if k != "sign"},
            "0" * 32,
            "MD5",
        )
    ),
    "declared sign type not the one signed": lambda v2, no, other: _other_sign_type(
        v2.emulator.notification_for(no)
    ),
    "unknown sign type": lambda v2, no, other: changed(
        v2.emulator.notification_for(no), sign_type="SHA1"
    ),
    "malformed XML": lambda v2, no, other: v2.emulator.notification_for(no)[:-7],
    "not XML": lambda v2, no, other: b"return_code=SUCCESS&out_trade_no=" + no.encode(),
    "nested element": lambda v2, no, other: v2.emulator.notification_for(no).replace(
        b"<bank_type>", b"<bank_type><x>1</x>"
    ),
}


SIGNATURE, MALFORMED, INCOMPLETE = "signature", "malformed", "incomplete"
REASONS = {
    "forged signature": SIGNATURE,
    "amount off by one fen": SIGNATURE,
    "replayed for another out_trade_no": SIGNATURE,
    "wrong appid": "appid",
    "wrong mch_id": "mch_id",
    "wrong sub_mch_id": "sub_mch_id",
    "wrong sub_appid": "sub_appid",
    "FAIL result_code": "result_code",
    "FAIL return_code": "return_code",
    "no out_trade_no": INCOMPLETE,
    "amount not whole fen": INCOMPLETE,
    "signed with another key": SIGNATURE,
    "declared sign type not the one signed": SIGNATURE,
    "unknown sign type": SIGNATURE,
    "malformed XML": MALFORMED,
    "not XML": MALFORMED,
    "nested element": MALFORMED,
}
"""Why each is refused: the check that must catch it, not one that happens to."""


@pytest.mark.parametrize("forgery", list(PAYMENT_FORGERIES))
def test_a_payment_notification_is_refused(v2: V2World, forgery: str) -> None:
    number, other = v2.paid(), v2.paid()
    genuine = v2.verify(v2.emulator.notification_for(number))
    assert isinstance(genuine, TradeReport)

    message = PAYMENT_FORGERIES[forgery](v2, number, other)

    with pytest.raises(NotificationRefused, match=REASONS[forgery]):
        v2.verify(message)


def test_the_neighbour_tenants_genuine_notification_is_refused(v2: V2World) -> None:
    """Another sub-merchant of the same service provider: signed with the same key."""
    fields = from_xml(v2.emulator.notification_for(v2.paid()))
    fields.pop("sign")
    fields.pop("sub_appid", None)
    fields.update(NEIGHBOUR.names())
    theirs = to_xml(signed(fields, NEIGHBOUR.api_key, fields.get("sign_type", "MD5")))

    reason = "sub_mch_id" if v2.merchant.sub_mch_id else "signature"
    with pytest.raises(NotificationRefused, match=reason):
        v2.verify(theirs)


def test_a_refused_notification_is_answered_fail_over_http(v2: V2World) -> None:
    number = v2.paid()
    forged = changed(v2.emulator.notification_for(number), total_fee="1")
    notices, refusals = len(v2.receiver.notices), len(v2.receiver.refusals)

    reply = requests.post(v2.notify_url, data=forged, headers={"Content-Type": "text/xml"})

    assert reply.status_code == 200
    assert from_xml(reply.content)["return_code"] == "FAIL"
    assert len(v2.receiver.notices) == notices
    assert len(v2.receiver.refusals) == refusals + 1


REFUND_FORGERIES: dict[str, Callable[[V2World, str], bytes]] = {
    "tampered req_info": lambda v2, no: changed(
        v2.emulator.refund_notification_for(no),
        req_info="A" * 44 + from_xml(v2.emulator.refund_notification_for(no))["req_info"][44:],
    ),
    "req_info not base64": lambda v2, no: changed(
        v2.emulator.refund_notification_for(no), req_info="%%%"
    ),
    "wrong appid": lambda v2, no: v2.emulator.refund_notification_for(
        no, appid="wx0000000000000000"
    ),
    "wrong mch_id": lambda v2, no: v2.emulator.refund_notification_for(no, mch_id="1900000999"),
    "wrong sub_mch_id": lambda v2, no: v2.emulator.refund_notification_for(
        no, sub_mch_id=str(NEIGHBOUR.sub_mch_id)
    ),
    "FAIL return_code": lambda v2, no: v2.emulator.refund_notification_for(no, return_code="FAIL"),
}


@pytest.mark.parametrize("forgery", list(REFUND_FORGERIES))
def test_a_refund_notification_is_refused(v2: V2World, forgery: str) -> None:
    number = v2.paid()
    v2.gateway.refund(
        RefundOrder(
            out_trade_no=number,
            out_refund_no="R" + number,
            amount=FEE,
            payment_amount=FEE,
            reason="退费",
        )
    )
    v2.emulator.finish_refund("R" + number)
    assert isinstance(v2.verify(v2.emulator.refund_notification_for("R" + number)), RefundReport)

    with pytest.raises(NotificationRefused):
        v2.verify(REFUND_FORGERIES[forgery](v2, "R" + number))
