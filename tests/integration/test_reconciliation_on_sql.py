"""Reconciliation 对账 on every backend (memory, a SQLite file, PostgreSQL): the use case, the
report's storage, its refresh on a second run, the staff list, tenant isolation, and the
database's own CHECKs on discrepancies.

The gateway is the fake statement gateway of the port (tests/fake_gateway.py); the adapters'
statements are tested against their emulators in the adapters' own tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from billing_samples import World, notification
from persistence_samples import Backend
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from adapters.persistence.sqlalchemy import make_engine
from adapters.persistence.sqlalchemy.tables.reconciliation import (
    reconciliation_discrepancies,
    reconciliation_reports,
)
from estate_core.payments.comparison import DiscrepancyKind
from estate_core.payments.gateway import StatementEntry, StatementEntryKind
from estate_core.payments.queries import list_reconciliation_reports, reconciliation_report
from estate_core.payments.reconciliation import SETTLED_BY_RUN, DiscrepancyState
from estate_core.payments.services import reconciliation, settlement
from estate_core.payments.services.checkout import PaymentView
from estate_core.payments.services.reconciliation import (
    ReconcileDay,
    ResolveDiscrepancy,
    day_bounds,
)
from estate_core.payments.values import ChannelGroup, PaymentChannel, PaymentStatus
from estate_core.shared.access import SystemActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest
from fake_gateway import OneGatewayPerGroup
from world_builders import code_of

DAY = date(2026, 3, 15)
AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
WORKER = SystemActor(job="reconcile")


def _line(payment: PaymentView, amount: Money | None = None, refund_no: str | None = None) -> Any:
    return StatementEntry(
        kind=StatementEntryKind.REFUND if refund_no else StatementEntryKind.PAYMENT,
        out_trade_no=payment.out_trade_no,
        out_refund_no=refund_no,
        transaction_id="4200000001",
        amount=payment.amount if amount is None else amount,
        at=AT,
    )


def _reconcile(world: World, gateways: OneGatewayPerGroup, day: date = DAY) -> Any:
    return reconciliation.reconcile_day(
        world.uow,
        world.clock,
        gateways,
        WORKER,
        ReconcileDay(channel_group=ChannelGroup.WECHAT, day=day),
    )


def _world(backend: Backend, tenant_id: UUID, clock: FixedClock) -> tuple[World, Any, list[Any]]:
    world = World.open(backend.uow(tenant_id), clock)
    home = world.home()
    owner = world.owner_of(home)
    world.fee()
    for month in (1, 2, 3):
        world.run(date(2026, month, 1))
    bills = world.bill_ids(home)
    payments = [world.pay(owner, home, [bill]) for bill in bills]
    return world, home, payments


def test_a_day_is_reconciled_stored_refreshed_and_resolved(
    backend: Backend, tenant_id: UUID, clock: FixedClock
) -> None:
    world, _, (lost, settled, mismatched) = _world(backend, tenant_id, clock)
    settlement.settle_payment(world.uow, clock, notification(settled, "4200000002"))
    gateways = OneGatewayPerGroup()
    gateways.wechat.statements[DAY] = [_line(lost), _line(mismatched, mismatched.amount + Money(1))]
    clock.advance(timedelta(days=1))
    report = _reconcile(world, gateways)
    assert sorted((d.kind, d.state) for d in report.discrepancies) == [
        (DiscrepancyKind.AMOUNT_MISMATCH, DiscrepancyState.OPEN),
        (DiscrepancyKind.MISSING_AT_GATEWAY, DiscrepancyState.OPEN),
        (DiscrepancyKind.MISSING_LOCALLY, DiscrepancyState.FIXED),
    ]
    with world.uow:
        assert world.uow.payments.get(lost.id).status is PaymentStatus.SUCCEEDED
    stored = reconciliation_report(world.uow, world.admin, report.summary.id)
    assert stored == report
    missing = next(d for d in report.discrepancies if d.kind is DiscrepancyKind.MISSING_AT_GATEWAY)
    reconciliation.explain_discrepancy(
        world.uow,
        clock,
        world.admin,
        ResolveDiscrepancy(
            report_id=report.summary.id, discrepancy_id=missing.id, note="微信次日补单"
        ),
    )
    gateways.wechat.statements[DAY].append(_line(settled))
    again = _reconcile(world, gateways)
    assert again.summary.id == report.summary.id
    assert (again.summary.runs, again.summary.lines, again.summary.matched) == (2, 3, 2)
    states = {d.kind: (d.state, d.note) for d in again.discrepancies}
    assert states == {
        DiscrepancyKind.MISSING_LOCALLY: (DiscrepancyState.FIXED, SETTLED_BY_RUN),
        DiscrepancyKind.MISSING_AT_GATEWAY: (DiscrepancyState.EXPLAINED, "微信次日补单"),
        DiscrepancyKind.AMOUNT_MISMATCH: (DiscrepancyState.OPEN, None),
    }
    assert reconciliation_report(world.uow, world.admin, report.summary.id) == again


def test_reports_are_listed_latest_day_first_page_by_page_and_only_to_their_tenant(
    backend: Backend, tenant_id: UUID, clock: FixedClock
) -> None:
    world, _, _ = _world(backend, tenant_id, clock)
    gateways = OneGatewayPerGroup()
    clock.advance(timedelta(days=5))
    days = [DAY - timedelta(days=i) for i in range(4)]
    ids = []
    for day in days:
        for group in (ChannelGroup.ALIPAY, ChannelGroup.WECHAT):
            view = reconciliation.reconcile_day(
                world.uow, clock, gateways, WORKER, ReconcileDay(channel_group=group, day=day)
            )
            ids.append(view.summary.id)
    seen, cursor = [], None
    while True:
        page = list_reconciliation_reports(
            world.uow, world.admin, PageRequest(limit=3, after=cursor)
        )
        seen += [(s.day, s.channel_group, s.id) for s in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [s[:2] for s in seen] == [
        (day, group) for day in days for group in (ChannelGroup.ALIPAY, ChannelGroup.WECHAT)
    ]
    assert sorted(s[2] for s in seen) == sorted(ids)
    wechat = list_reconciliation_reports(world.uow, world.admin, channel_group=ChannelGroup.WECHAT)
    assert [s.day for s in wechat.items] == days
    stranger = backend.uow(new_id())
    assert list_reconciliation_reports(stranger, world.admin).items == []
    assert code_of(lambda: reconciliation_report(stranger, world.admin, ids[0])) == (
        "reconciliation.not_found"
    )


def test_the_payments_done_in_a_day_are_those_of_its_group_settled_or_refunded_in_it(
    backend: Backend, tenant_id: UUID, clock: FixedClock
) -> None:
    world, _, (before, inside, third) = _world(backend, tenant_id, clock)
    clock.set(datetime(2026, 3, 14, 15, 59, tzinfo=UTC))
    settlement.settle_payment(world.uow, clock, notification(before, "4200000001"))
    clock.set(datetime(2026, 3, 14, 16, 0, tzinfo=UTC))
    settlement.settle_payment(world.uow, clock, notification(inside, "4200000002"))
    clock.set(datetime(2026, 3, 15, 3, 0, tzinfo=UTC))
    settlement.refund_payment(
        world.uow,
        clock,
        world.admin,
        settlement.RefundPayment(
            payment_id=before.id, amount=Money(100), reason="多缴", out_refund_no="R1"
        ),
    )
    settlement.record_refund_result(
        world.uow,
        clock,
        settlement.RecordRefundResult(
            out_trade_no=before.out_trade_no, out_refund_no="R1", succeeded=True
        ),
    )
    start, end = day_bounds(DAY)
    with world.uow:
        payments = world.uow.payments
        done = sorted(p.id for p in payments.done_between(ChannelGroup.WECHAT.channels, start, end))
        on_alipay = payments.done_between({PaymentChannel.ALIPAY_WAP}, start, end)
        named = [p.id for p in payments.with_out_trade_nos([third.out_trade_no, "UNKNOWN0001"])]
    assert done == sorted([before.id, inside.id])
    assert on_alipay == []
    assert named == [third.id]


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_the_database_refuses_a_discrepancy_whose_fields_disagree_with_its_state(
    backend_name: str, request: pytest.FixtureRequest, mapped: None, tenant_id: UUID
) -> None:
    url: URL = request.getfixturevalue(f"{backend_name}_database")
    engine = make_engine(url)
    report_id = new_id()
    good: dict[str, Any] = {
        "tenant_id": tenant_id,
        "report_id": report_id,
        "position": 1,
        "id": new_id(),
        "kind": "missing_locally",
        "subject": "payment",
        "out_trade_no": "T000000001",
        "out_refund_no": None,
        "transaction_id": "4200000001",
        "gateway_amount": Money(100),
        "local_amount": None,
        "payment_id": None,
        "lines": 1,
        "state": "open",
        "note": None,
        "found_at": AT,
        "resolved_by": None,
        "resolved_at": None,
    }
    bad = [
        {"state": "explained", "resolved_at": AT},
        {"state": "fixed"},
        {"note": "x"},
        {"kind": "missing_at_gateway"},
        {"subject": "refund"},
        {"kind": "amount_mismatch"},
        {"gateway_amount": Money(0)},
    ]
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.insert(reconciliation_reports),
                {
                    "tenant_id": tenant_id,
                    "id": report_id,
                    "channel_group": "wechat",
                    "day": DAY,
                    "created_at": AT,
                    "last_run_at": AT,
                    "runs": 1,
                    "lines": 1,
                    "matched": 0,
                    "version": 1,
                },
            )
            connection.execute(sa.insert(reconciliation_discrepancies), good)
        for change in bad:
            row = {**good, "id": new_id(), "position": 2, **change}
            with pytest.raises(IntegrityError), engine.begin() as connection:
                connection.execute(sa.insert(reconciliation_discrepancies), row)
    finally:
        engine.dispose()
