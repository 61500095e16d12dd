"""Round trips of WeChat Pay v3 notifications: emulator → webhook → verify → settle → 204.

Each payment is a prepayment top-up opened at the loopback emulator through the real adapter;
the emulator then posts its signed, encrypted notification over HTTP to the webhook router,
which verifies it with ``wechatpayv3`` (RSA signature, AES-256-GCM resource), settles the
payment (row-locked) and answers 204. Sequential, one client, so the figure is the latency of
one notification end to end, not a throughput ceiling::

    .venv/bin/python benchmarks/payment_notifications.py                 # a SQLite file
    .venv/bin/python benchmarks/payment_notifications.py --url postgresql+psycopg://u@h/db

A PostgreSQL database given by ``--url`` is migrated and receives a fresh tenant: use a
scratch database.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import sqlalchemy as sa
from litestar import Litestar
from sqlalchemy.engine import URL

from adapters.moderation.rules import RuleBasedModerator
from adapters.payment.accounts import StoredMerchantAccounts, StoredPaymentGateways
from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    make_engine,
    make_session_factory,
    start_mappers,
    upgrade,
)
from adapters.persistence.sqlalchemy.personal_data import (
    FieldCipher,
    configure_personal_data,
    generate_secret_key,
)
from adapters.persistence.sqlalchemy.tables.properties import properties
from adapters.sms.console import ConsoleSmsSender
from entrypoints.bootstrap import GATEWAY_FACTORIES, Estate
from entrypoints.http.notify import notify_router
from entrypoints.sandbox.server import LOOPBACK, listening_socket, serving
from entrypoints.sandbox.wechat_v3 import WechatPayV3Emulator
from estate_core.identity.sms import CodeSecret
from estate_core.payments.credentials import Platform
from estate_core.payments.gateway import GatewayOrder
from estate_core.payments.numbers import new_out_trade_no
from estate_core.payments.payment import Payment
from estate_core.payments.services.gateway_accounts import SetGatewayAccount, set_gateway_account
from estate_core.payments.values import PaymentChannel, PaymentTarget
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import SystemClock
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))
CHANNEL = PaymentChannel.WECHAT_NATIVE


def measure(url: URL, count: int) -> list[float]:
    """Seconds of each of ``count`` notification round trips."""
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    clock = SystemClock()
    tenant_id, property_id = new_id(), new_id()
    with engine.begin() as connection:
        connection.execute(
            sa.insert(properties),
            [
                {
                    "tenant_id": tenant_id,
                    "id": property_id,
                    "community_id": new_id(),
                    "kind": PropertyKind.RESIDENCE,
                    "building": "1",
                    "unit": "1",
                    "room": "101",
                    "area": Decimal("89.25"),
                    "owner_name": None,
                    "owner_phone": None,
                    "billing_start": None,
                    "billing_end": None,
                    "version": 1,
                }
            ],
        )

    def unit_of_work(tenant: UUID) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, tenant, clock)

    emulator = WechatPayV3Emulator()
    credentials = emulator.open_merchant("1900000109", "wx8888888888888888")
    platform = Platform()
    webhook_socket = listening_socket()
    port = webhook_socket.getsockname()[1]
    webhook_socket.close()
    estate = Estate(
        unit_of_work=unit_of_work,
        clock=clock,
        sms=ConsoleSmsSender(),
        code_secret=CodeSecret(pepper=secrets.token_bytes(32)),
        moderator=RuleBasedModerator(),
        platform=platform,
        merchant_accounts=StoredMerchantAccounts(unit_of_work, platform),
        gateways=StoredPaymentGateways(unit_of_work, platform, GATEWAY_FACTORIES),
        public_url=f"http://{LOOPBACK}:{port}",
    )
    webhook = Litestar(route_handlers=[notify_router(estate)])
    times = []
    with serving(emulator.app()) as gateway_url, serving(webhook, port=port):
        set_gateway_account(
            unit_of_work(tenant_id),
            clock,
            platform,
            ADMIN,
            SetGatewayAccount(credentials=credentials, gateway_url=gateway_url),
        )
        gateway = estate.gateways.for_channel(tenant_id, CHANNEL)
        merchant = estate.merchant_accounts.for_channel(tenant_id, CHANNEL)
        numbers = []
        for _ in range(count):
            now = clock.now()
            payment_id = new_id()
            payment = Payment(
                id=payment_id,
                tenant_id=tenant_id,
                community_id=new_id(),
                target=PaymentTarget.PREPAYMENT_TOPUP,
                property_id=property_id,
                channel=CHANNEL,
                amount=Money(10_000),
                out_trade_no=new_out_trade_no(payment_id, now.date()),
                credit=Money(10_000),
                merchant=merchant,
                created_at=now,
                expires_at=now + timedelta(minutes=15),
            )
            with unit_of_work(tenant_id) as uow:
                uow.payments.add(payment)
                uow.commit()
            gateway.create(
                GatewayOrder(
                    out_trade_no=payment.out_trade_no,
                    channel=CHANNEL,
                    amount=payment.amount,
                    description="预缴",
                    notify_url=estate.notify_url(tenant_id, CHANNEL),
                    expires_at=now + timedelta(minutes=15),
                )
            )
            numbers.append(payment.out_trade_no)
        for number in numbers:
            started = time.perf_counter()
            status = emulator.pay(number)
            times.append(time.perf_counter() - started)
            if status != 204:
                raise RuntimeError(f"the webhook answered {status}")
    engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a scratch PostgreSQL database (default: a SQLite file)")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    start_mappers()
    configure_personal_data(FieldCipher.from_secret_key(generate_secret_key()))
    with tempfile.TemporaryDirectory() as scratch:
        url = (
            sa.engine.make_url(args.url)
            if args.url
            else URL.create("sqlite+pysqlite", database=str(Path(scratch) / "notify.db"))
        )
        times = measure(url, args.count)
    backend = "postgresql" if args.url else "sqlite"
    quantiles = statistics.quantiles(times, n=20)
    print(
        f"backend={backend} notifications={len(times)} "
        f"median={statistics.median(times) * 1000:.1f} ms p95={quantiles[18] * 1000:.1f} ms "
        f"rate={len(times) / sum(times):.0f}/s (sequential)"
    )


if __name__ == "__main__":
    main()
