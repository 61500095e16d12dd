"""Every refusal of issue 8 over real HTTP: the notification changes nothing and is answered
with WeChat Pay's retry reply (HTTP 500, ``{"code": "FAIL"}``); the genuine one then settles.

"Another tenant's merchant" and "replay of another payment's notification" are real
notifications of another tenant's payment (direct mode: its own keys; partner mode: the same
service provider, so they verify and only the sub-merchant and the payment number differ)
delivered to this tenant's webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy.engine import Engine
from wechat_v3_world import OTHER_SUB_MCH_ID, PayWorld, event_names, partner_platform, pay_world

from entrypoints.sandbox.wechat_v3 import WechatPayV3Emulator
from estate_core.payments.values import PaymentChannel, PaymentStatus
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id

FAIL = {"code": "FAIL", "message": "失败"}


@contextmanager
def _logged() -> Iterator[list[str]]:
    """The service's log lines while the block runs (attached once the servers are up:
    uvicorn's logging set-up closes the handlers that existed before it)."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler, logger = Collect(level=logging.INFO), logging.getLogger("estate")
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


def _refused(world: PayWorld, headers: dict[str, str], body: bytes) -> None:
    answer = httpx.post(world.notify_url(), headers=headers, content=body, timeout=10)
    assert answer.status_code == 500
    assert answer.json() == FAIL


def _unchanged(world: PayWorld, payment_id: UUID, bills: int = 2) -> None:
    assert world.payment(payment_id).status is PaymentStatus.PENDING
    assert len(world.unpaid()) == bills


def _genuine_settles(world: PayWorld, out_trade_no: str, payment_id: UUID) -> None:
    status = world.emulator.deliver(
        world.notify_url(), *world.emulator.notification_for(out_trade_no)
    )
    assert status == 204
    assert world.payment(payment_id).status is PaymentStatus.SUCCEEDED


@pytest.mark.parametrize(
    "partner", [pytest.param(False, id="direct"), pytest.param(True, id="partner")]
)
def test_forged_stale_malformed_and_mismatched_notifications_change_nothing(
    make_uow: Callable[[UUID], Any],
    clock: FixedClock,
    tenant_id: UUID,
    engine: Engine,
    partner: bool,
) -> None:
    with pay_world(make_uow, clock, tenant_id, partner=partner) as world, _logged() as logged:
        view, _ = world.open(PaymentChannel.WECHAT_JSAPI)
        no, emulator = view.out_trade_no, world.emulator
        emulator.pay(no, deliver=False)
        order = emulator.order(no)
        prefix = "sp_" if partner else ""
        headers, body = emulator.notification_for(no)
        forged = body.replace(b'"encrypt-resource"', b'"encrypt-resource" ')
        stale = int((clock.now() - timedelta(minutes=6)).timestamp())
        amount = {"total": order.total + 1, "payer_total": order.total + 1, "currency": "CNY"}
        variants = {
            "forged signature": (headers, forged),
            "stale timestamp": emulator.notification_for(no, timestamp=stale),
            "malformed body": emulator.signed("{not json"),
            "wrong app id": emulator.notification_for(
                no, overrides={f"{prefix}appid": "wx0000000000000000"}
            ),
            "another merchant": emulator.notification_for(
                no, overrides={f"{prefix}mchid": "1999999999"}
            ),
            "amount off by one fen": emulator.notification_for(no, overrides={"amount": amount}),
            "unknown out_trade_no": emulator.notification_for(
                no, overrides={"out_trade_no": "20260315" + "0" * 23 + "1"}
            ),
        }
        if partner:
            variants["wrong sub_mchid"] = emulator.notification_for(
                no, overrides={"sub_mchid": OTHER_SUB_MCH_ID}
            )
        for refused_headers, refused_body in variants.values():
            _refused(world, refused_headers, refused_body)
        _unchanged(world, view.id)
        reasons = {
            "payment.notification_forged",
            "payment.notification_stale",
            "payment.notification_malformed",
            "payment.notification_other_merchant",
            "payment.amount_mismatch",
            "payment.not_found",
        }
        text = "\n".join(logged)
        assert {r for r in reasons if f"reason={r}" not in text} == set()
        assert order.api_v3_key not in text
        assert "PaymentSettled" not in event_names(engine)
        assert event_names(engine).count("PaymentMismatchDetected") == 1
        _genuine_settles(world, no, view.id)


@pytest.mark.parametrize(
    "partner", [pytest.param(False, id="direct"), pytest.param(True, id="partner")]
)
def test_another_tenants_notification_is_refused_by_this_tenants_webhook(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID, partner: bool
) -> None:
    emulator = WechatPayV3Emulator(clock=clock.now)
    platform = partner_platform(emulator) if partner else None
    with (
        pay_world(
            make_uow, clock, tenant_id, partner=partner, emulator=emulator, platform=platform
        ) as ours,
        pay_world(
            make_uow,
            clock,
            new_id(),
            partner=partner,
            emulator=emulator,
            platform=platform,
            merchant=("1900000999", "wx9999999999999999"),
            sub_mch_id=OTHER_SUB_MCH_ID,
        ) as theirs,
    ):
        mine, _ = ours.open()
        other, _ = theirs.open()
        emulator.pay(mine.out_trade_no, deliver=False)
        assert emulator.pay(other.out_trade_no) == 204
        _refused(ours, *emulator.notification_for(other.out_trade_no))
        _unchanged(ours, mine.id)
        assert theirs.payment(other.id).status is PaymentStatus.SUCCEEDED
        _genuine_settles(ours, mine.out_trade_no, mine.id)
