"""WeChat template messages through wechatpy against the loopback emulator, and what the worker
makes of WeChat's errors: retry for a busy system, dead letter for a resident who unfollowed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import URL
from wechat_emulator import APP_ID, SECRET, TEMPLATES, WechatEmulator, wechat_emulator
from worker_samples import a_worker, outbox_rows, put_events

from adapters.messaging.wechat import WechatTemplateChannel, WechatUnavailable
from adapters.persistence.sqlalchemy.personal_data import FieldCipher, configure_personal_data
from entrypoints.worker.compose import channels_named
from entrypoints.worker.config import WorkerConfig
from estate_core.identity.model import Resident
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.messaging import PermanentDeliveryError, Recipient, ResidentMessage

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
def emulator() -> Iterator[tuple[WechatEmulator, str]]:
    with wechat_emulator() as running:
        yield running


def _channel(base_url: str, secret: str = SECRET) -> WechatTemplateChannel:
    return WechatTemplateChannel(
        app_id=APP_ID, secret=secret, templates=TEMPLATES, base_url=base_url
    )


def _message(kind: str = "coupon.issued") -> ResidentMessage:
    return ResidentMessage(
        kind=kind,
        resident_id=new_id(),
        title="优惠券已到账",
        body="您领取的优惠券已放入“我的优惠券”。",
        fields={"keyword1": "开业优惠"},
    )


def _to(openid: str | None = OPENID) -> Recipient:
    return Recipient(resident_id=new_id(), phone="13800000001", wechat_openid=openid)


def test_a_template_message_carries_the_template_openid_and_values(
    emulator: tuple[WechatEmulator, str],
) -> None:
    wechat, base_url = emulator
    assert _channel(base_url).send(new_id(), _to(), _message(), "key-1")
    (sent,) = wechat.sent
    assert sent["touser"] == OPENID
    assert sent["template_id"] == "TPL-COUPON"
    assert sent["data"] == {
        "first": {"value": "优惠券已到账"},
        "keyword1": {"value": "开业优惠"},
        "remark": {"value": "您领取的优惠券已放入“我的优惠券”。"},
    }


def test_no_openid_or_no_template_sends_nothing(emulator: tuple[WechatEmulator, str]) -> None:
    wechat, base_url = emulator
    channel = _channel(base_url)
    assert not channel.send(new_id(), _to(None), _message(), "key-1")
    assert not channel.send(new_id(), _to(), _message("workorder.closed"), "key-2")
    assert wechat.sent == []


def test_an_expired_token_is_fetched_again_and_the_send_goes_through(
    emulator: tuple[WechatEmulator, str],
) -> None:
    wechat, base_url = emulator
    channel = _channel(base_url)
    assert channel.send(new_id(), _to(), _message(), "key-1")
    wechat.token = "rotated-by-wechat"
    assert channel.send(new_id(), _to(), _message(), "key-2")
    assert (wechat.tokens_issued, len(wechat.sent)) == (2, 2)


def test_wechat_errors_are_permanent_or_worth_a_retry(
    emulator: tuple[WechatEmulator, str],
) -> None:
    wechat, base_url = emulator
    channel = _channel(base_url)
    wechat.answer_next({"errcode": 43004, "errmsg": "require subscribe"})
    with pytest.raises(PermanentDeliveryError, match="43004"):
        channel.send(new_id(), _to(), _message(), "key-1")
    wechat.answer_next({"errcode": -1, "errmsg": "system error"})
    with pytest.raises(WechatUnavailable, match="-1"):
        channel.send(new_id(), _to(), _message(), "key-2")
    with pytest.raises(WechatUnavailable, match="40125"):  # fixed in configuration, then retried
        _channel(base_url, secret="wrong-secret-0123456789abcdefgh").send(
            new_id(), _to(), _message(), "key-3"
        )


def test_unreachable_wechat_is_worth_a_retry(emulator: tuple[WechatEmulator, str]) -> None:
    with wechat_emulator() as (_, closed_url):
        pass
    with pytest.raises(WechatUnavailable, match="unreachable"):
        _channel(closed_url).send(new_id(), _to(), _message(), "key-1")


@pytest.fixture
def _restore_personal_data_key(personal_data_key: FieldCipher) -> Iterator[None]:
    yield
    configure_personal_data(personal_data_key)


@pytest.mark.usefixtures("_restore_personal_data_key")
def test_the_worker_retries_a_busy_wechat_and_dead_letters_an_unfollowed_resident(
    database: URL, mapped: None, tmp_path: Path, emulator: tuple[WechatEmulator, str]
) -> None:
    wechat, base_url = emulator
    clock = FixedClock(NOW)
    worker, console = a_worker(database, tmp_path, clock, channels=[_channel(base_url)])
    tenant_id = new_id()
    resident = Resident(id=new_id(), tenant_id=tenant_id, phone="13800000001", created_at=NOW)
    resident.verify_phone(NOW)
    resident.link_wechat(OPENID)
    with worker.estate.uow(tenant_id) as uow:
        uow.residents.add(resident)
        uow.commit()
    payload = {
        "coupon_id": str(new_id()),
        "campaign_id": str(new_id()),
        "resident_id": str(resident.id),
    }
    busy, unfollowed = sorted(
        put_events(database, tenant_id, "CouponClaimed", [payload, payload], NOW)
    )
    wechat.answer_next(
        {"errcode": -1, "errmsg": "system error"},
        {"errcode": 43004, "errmsg": "require subscribe"},
    )

    assert worker.runner.run_once() == 4, "the two coupons and the resident's own two events"
    rows = outbox_rows(database)
    assert rows[busy]["last_error"] == "WechatUnavailable: wechat error -1: system error"
    assert rows[busy]["dead_at"] is None
    assert rows[unfollowed]["dead_at"] == NOW
    assert "43004" in rows[unfollowed]["last_error"]
    clock.set(rows[busy]["available_at"])
    assert worker.runner.run_once() == 1

    assert outbox_rows(database)[busy]["delivered_at"] == rows[busy]["available_at"]
    assert [message["touser"] for message in wechat.sent] == [OPENID]
    assert len(console.sent) == 2, "each event's console push went once, before WeChat failed"


def test_the_wechat_channel_is_configured_by_name_and_refused_without_its_account(
    emulator: tuple[WechatEmulator, str],
) -> None:
    wechat, base_url = emulator
    config = WorkerConfig(
        {
            "ESTATE_WORKER_CHANNELS": "console,wechat",
            "ESTATE_WORKER_WECHAT_APP_ID": APP_ID,
            "ESTATE_WORKER_WECHAT_SECRET": SECRET,
            "ESTATE_WORKER_WECHAT_BASE_URL": base_url,
            "ESTATE_WORKER_WECHAT_TEMPLATES": "coupon.issued=TPL-COUPON",
        }
    )
    console, channel = channels_named(config.channels(), config, io.StringIO())
    assert (console.name, channel.name) == ("console", "wechat")
    assert channel.send(new_id(), _to(), _message(), "key-1")
    assert [sent["template_id"] for sent in wechat.sent] == ["TPL-COUPON"]
    bare = WorkerConfig({"ESTATE_WORKER_CHANNELS": "wechat"})
    with pytest.raises(InvalidInput) as refused:
        channels_named(bare.channels(), bare)
    assert refused.value.code == "config.invalid"
    with pytest.raises(InvalidInput):
        channels_named(["sms"], bare)
