"""`estate sandbox` starts every emulator, saves the demo merchant's keys and links the
checkout page where a person pays: the whole loop of a payment on one machine."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from adapters.payment.wechat_v3 import WechatPayV3Gateway
from adapters.payment.wechat_v3_account import account_from
from entrypoints.config import Settings
from entrypoints.sandbox_command import emulator_classes, running_sandbox
from estate_core.payments.credentials import WechatV3Credentials, from_document
from estate_core.payments.gateway import GatewayOrder
from estate_core.payments.values import PaymentChannel
from estate_core.shared.money import Money


def test_every_emulator_module_is_found() -> None:
    assert "wechat_v3" in emulator_classes()


def test_the_sandbox_serves_its_emulators_their_keys_and_a_checkout_page(tmp_path: Path) -> None:
    settings = Settings.load(
        {"ESTATE_DATA_DIR": str(tmp_path / "var"), "ESTATE_SECRET_KEY": "k" * 40}
    )
    with running_sandbox(settings) as (index_url, running):
        index = httpx.get(index_url, timeout=10)
        assert index.status_code == 200
        [wechat] = [e for e in running if e.name == "wechat_v3"]
        assert wechat.url in index.text
        assert wechat.credentials_file is not None
        assert wechat.credentials_file.stat().st_mode & 0o077 == 0
        [document] = json.loads(wechat.credentials_file.read_text(encoding="utf-8"))
        assert from_document(document).mode == "wechat_v3"
        assert wechat.checkout_url is not None
        page = httpx.get(wechat.checkout_url, timeout=10)
        assert page.status_code == 200
        assert "No order yet" in page.text


def test_the_cli_lists_the_sandbox_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "sandbox", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--port" in done.stdout


def test_a_restarted_sandbox_keeps_the_keys_staff_entered(tmp_path: Path) -> None:
    settings = Settings.load(
        {"ESTATE_DATA_DIR": str(tmp_path / "var"), "ESTATE_SECRET_KEY": "k" * 40}
    )
    with running_sandbox(settings) as (_, running):
        [first] = [e for e in running if e.name == "wechat_v3"]
        assert first.credentials_file is not None
        entered = from_document(json.loads(first.credentials_file.read_text(encoding="utf-8"))[0])
    with running_sandbox(settings) as (_, running):
        [again] = [e for e in running if e.name == "wechat_v3"]
        assert isinstance(entered, WechatV3Credentials)
        gateway = WechatPayV3Gateway([account_from(entered)], again.url)
        opened = gateway.create(
            GatewayOrder(
                out_trade_no="260315SANDBOX0000000000000000001",
                channel=PaymentChannel.WECHAT_NATIVE,
                amount=Money(1),
                description="沙箱",
                notify_url="http://127.0.0.1:9/notify",
                expires_at=datetime.now(UTC) + timedelta(minutes=15),
            )
        )
        assert opened.url is not None
        assert opened.url.startswith(again.url)
