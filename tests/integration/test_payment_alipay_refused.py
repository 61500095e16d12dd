"""What the Alipay adapter refuses: notifications that are forged, altered, malformed or another
account's, and gateway answers that are errors or cannot be trusted.

A notification is altered in two ways: *tampered* (a field changed, the signature kept: the
signature check catches it) and *re-signed* (the emulator signs the altered fields with
Alipay's own key, as Alipay would sign another account's notification: the account checks the
SDK does not make catch it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from alipay_world import AT, PARTNER_APP, TENANT_APP, Alipay, Keys, alipay_world, public_pem_of

from entrypoints.sandbox.alipay import AlipayEmulator
from estate_core.payments.gateway import (
    GatewayRefused,
    GatewayUnavailable,
    NotificationRefused,
    NotificationRequest,
)
from estate_core.payments.values import PaymentChannel
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money

Fields = dict[str, str]


@pytest.fixture(scope="module")
def given_keys() -> Keys:
    return Keys.generate()


@pytest.fixture(scope="module", params=["direct", "partner"])
def served(request: pytest.FixtureRequest, given_keys: Keys) -> Iterator[Alipay]:
    yield from alipay_world(request.param, given_keys)


@pytest.fixture
def alipay(served: Alipay) -> Alipay:
    served.reset()
    return served


def verify(alipay: Alipay, body: bytes) -> object:
    return alipay.gateway.verify_notification(NotificationRequest(headers={}, body=body), AT)


def resigned(change: Callable[[Fields], None]) -> Callable[[Alipay], bytes]:
    def make(alipay: Alipay) -> bytes:
        fields = alipay.emulator.notification_fields("P0001")
        change(fields)
        return alipay.emulator.signed_form(fields)

    return make


def tampered(name: str, value: str) -> Callable[[Alipay], bytes]:
    def make(alipay: Alipay) -> bytes:
        genuine = alipay.emulator.notification_for("P0001").decode("ascii")
        fields = dict(pair.split("=", 1) for pair in genuine.split("&"))
        fields[name] = value
        return "&".join(f"{k}={v}" for k, v in fields.items()).encode("ascii")

    return make


def forged(alipay: Alipay) -> bytes:
    stranger = AlipayEmulator(alipay.settings.keys.stranger)
    return stranger.signed_form(alipay.emulator.notification_fields("P0001"))


def unsigned(alipay: Alipay) -> bytes:
    return tampered("sign", "")(alipay)


REFUSED: dict[str, Callable[[Alipay], bytes]] = {
    "forged signature": forged,
    "no signature": unsigned,
    "sha1 sign type": tampered("sign_type", "RSA"),
    "amount one fen more": tampered("total_amount", "100.01"),
    "amount one fen less": tampered("total_amount", "99.99"),
    "tampered out_trade_no": tampered("out_trade_no", "P0002"),
    "tampered trade_status": tampered("trade_status", "TRADE_FINISHED"),
    "tampered seller_id": tampered("seller_id", "2088000000000000"),
    "wrong app_id": resigned(lambda f: f.update(app_id="2021000000000000")),
    "wrong seller_id": resigned(lambda f: f.update(seller_id="2088000000000000")),
    "another tenant's auth_app_id": resigned(lambda f: f.update(auth_app_id="2021009999999999")),
    "not a trade notification": resigned(lambda f: f.update(notify_type="fund_sync")),
    "unknown trade status": resigned(lambda f: f.update(trade_status="TRADE_PENDING")),
    "amount not yuan": resigned(lambda f: f.update(total_amount="1e2")),
    "amount out of range": resigned(lambda f: f.update(total_amount="0.00")),
    "no notify_id": resigned(lambda f: f.pop("notify_id")),
    "no out_trade_no": resigned(lambda f: f.pop("out_trade_no")),
    "no payment time": resigned(lambda f: f.pop("gmt_payment")),
    "malformed body: not a form": lambda _: b"{'trade_status': 'TRADE_SUCCESS'}",
    "malformed body: not ascii": lambda _: "trade_status=支付成功".encode(),
    "malformed body: bad utf-8": lambda _: b"subject=%FF%FE",
    "malformed body: empty": lambda _: b"",
    "malformed body: a field twice": lambda a: a.emulator.notification_for("P0001") + b"&a=1&a=2",
}


@pytest.mark.parametrize("make", REFUSED.values(), ids=REFUSED.keys())
def test_a_notification_that_is_not_genuine_and_this_accounts_is_refused(
    alipay: Alipay, make: Callable[[Alipay], bytes]
) -> None:
    alipay.paid("P0001")
    with pytest.raises(NotificationRefused) as refused:
        verify(alipay, make(alipay))
    assert refused.value.code == "payment.notification_refused"


@pytest.mark.parametrize("served", ["partner"], indirect=True)
def test_partner_mode_refuses_a_notification_that_does_not_name_the_tenants_app(
    alipay: Alipay,
) -> None:
    alipay.paid("P0001")
    for body in (
        resigned(lambda f: f.pop("auth_app_id"))(alipay),
        resigned(lambda f: f.update(auth_app_id=PARTNER_APP))(alipay),
    ):
        with pytest.raises(NotificationRefused, match="auth_app_id"):
            verify(alipay, body)


@pytest.mark.parametrize("served", ["direct"], indirect=True)
def test_direct_mode_takes_a_notification_that_does_not_name_auth_app_id(alipay: Alipay) -> None:
    """Alipay names ``auth_app_id`` (equal to the app) in direct mode too, but need not."""
    alipay.paid("P0001")
    notice = verify(alipay, resigned(lambda f: f.pop("auth_app_id"))(alipay))
    assert getattr(notice, "paid_amount", None) == Money(10_000)
    with pytest.raises(NotificationRefused, match="auth_app_id"):
        verify(alipay, resigned(lambda f: f.update(auth_app_id=TENANT_APP))(alipay))


def test_a_refused_notification_is_answered_so_that_alipay_sends_it_again(alipay: Alipay) -> None:
    alipay.paid("P0001")
    assert alipay.emulator.deliver("P0001", forged(alipay)) == 200
    assert alipay.emulator.deliveries[-1].body == b"fail"
    assert not alipay.emulator.deliveries[-1].acknowledged
    assert len(alipay.webhook.notices) == 1
    assert [r.message for r in alipay.webhook.refusals] == ["the signature is not Alipay's"]
    assert alipay.gateway.acknowledgement().body == b"success"


def test_a_genuine_notification_off_by_one_fen_passes_the_adapter_for_settlement_to_refuse(
    alipay: Alipay,
) -> None:
    """Whether an amount is *our payment's* is the settlement's check (see the settlement test);
    the adapter vouches only that Alipay said it."""
    alipay.paid("P0001")
    notice = verify(alipay, resigned(lambda f: f.update(total_amount="100.01"))(alipay))
    assert getattr(notice, "paid_amount", None) == Money(10_001)


def test_a_cashier_url_whose_amount_the_payer_changed_opens_nothing(alipay: Alipay) -> None:
    checkout = alipay.gateway.create(alipay.order("P0001"))
    assert checkout.url is not None
    assert "%22100.00%22" in checkout.url
    page = httpx.get(checkout.url.replace("%22100.00%22", "%220.01%22"))
    assert "isv.invalid-signature" in page.text
    assert alipay.emulator.trades == {}


def test_a_request_signed_with_a_key_alipay_does_not_know_is_refused(alipay: Alipay) -> None:
    stranger = alipay.adapter(app_private_key=alipay.settings.keys.stranger)
    with pytest.raises(GatewayRefused, match="Alipay answered an unsigned error") as refused:
        stranger.query("P0001")
    assert refused.value.details["alipay_code"] == "40002"


def test_an_answer_not_signed_by_alipay_is_not_trusted(alipay: Alipay) -> None:
    doubtful = alipay.adapter(alipay_public_key=public_pem_of(alipay.settings.keys.stranger))
    with pytest.raises(GatewayUnavailable, match="signature"):
        doubtful.query("P0001")


def test_an_unreachable_gateway_is_unavailable(alipay: Alipay) -> None:
    with pytest.raises(GatewayUnavailable, match="could not be reached"):
        alipay.adapter(gateway_url="http://127.0.0.1:9/gateway.do").query("P0001")


def test_a_partner_without_the_tenants_authorisation_is_refused(alipay: Alipay) -> None:
    unauthorised = alipay.adapter(
        app_id=PARTNER_APP,
        app_private_key=alipay.settings.keys.partner,
        auth_app_id=TENANT_APP,
        app_auth_token="202612BBnotgranted",
    )
    with pytest.raises(GatewayRefused) as refused:
        unauthorised.query("P0001")
    assert refused.value.details["alipay_code"] == "20001"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"app_private_key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"}, "payment.invalid_key"),
        ({"alipay_public_key": "-----BEGIN PUBLIC KEY-----\nAAAA\n"}, "payment.invalid_key"),
        ({"app_auth_token": "202612BBx", "auth_app_id": None}, "payment.invalid_account"),
    ],
)
def test_an_account_with_unusable_settings_is_refused_when_built(
    alipay: Alipay, changes: dict[str, object], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        alipay.adapter(**changes)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("channel", "fen", "code"),
    [
        (PaymentChannel.ALIPAY_WAP, 100_000_000_01, "payment.invalid_amount"),
        (PaymentChannel.ALIPAY_QR, 0, "payment.invalid_amount"),
        (PaymentChannel.WECHAT_JSAPI, 100, "payment.invalid_channel"),
    ],
)
def test_an_order_alipay_cannot_take_is_refused_before_it_is_sent(
    alipay: Alipay, channel: PaymentChannel, fen: int, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        alipay.gateway.create(alipay.order("P0001", channel, Money(fen)))
    assert refused.value.code == code
    assert alipay.emulator.trades == {}
