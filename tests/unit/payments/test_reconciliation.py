"""Reconciliation 对账 use cases on the in-memory store, against a fake statement gateway.

Payments are made on 2026-03-15 (local); the clock then moves to the next day and staff (or
the worker) reconcile the 15th.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from billing_world import World
from payment_world import Home, home_with_bills

from adapters.persistence.memory import InMemoryStore
from estate_core.billing.model import BillStatus
from estate_core.identity.roles import BUILTIN_ROLE_PERMISSIONS, BuiltinRole
from estate_core.payments.comparison import DiscrepancyKind
from estate_core.payments.gateway import StatementEntry, StatementEntryKind
from estate_core.payments.queries import (
    ReportView,
    list_reconciliation_reports,
    reconciliation_report,
)
from estate_core.payments.reconciliation import (
    REFUND_RECORDED_BY_RUN,
    SETTLED_BY_RUN,
    DiscrepancyState,
)
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services import checkout, reconciliation, settlement
from estate_core.payments.services.checkout import PaymentView
from estate_core.payments.services.reconciliation import ReconcileDay, ResolveDiscrepancy
from estate_core.payments.values import ChannelGroup, PaymentChannel, PaymentStatus
from estate_core.shared.access import Actor, Permission, StaffActor, SystemActor
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from fake_gateway import OneGatewayPerGroup
from world_builders import code_of

DAY = date(2026, 3, 15)
AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
WORKER = SystemActor(job="reconcile")


@pytest.fixture
def home(world: World) -> Home:
    return home_with_bills(world, months=3)


@pytest.fixture
def gateways() -> OneGatewayPerGroup:
    return OneGatewayPerGroup()


def line(
    payment: PaymentView,
    amount: Money | None = None,
    *,
    refund_no: str | None = None,
    transaction_id: str = "4200000001202603150001",
) -> StatementEntry:
    return StatementEntry(
        kind=StatementEntryKind.REFUND if refund_no else StatementEntryKind.PAYMENT,
        out_trade_no=payment.out_trade_no,
        out_refund_no=refund_no,
        transaction_id=transaction_id,
        amount=payment.amount if amount is None else amount,
        at=AT,
    )


def reconcile(
    home: Home,
    gateways: OneGatewayPerGroup,
    actor: Actor = WORKER,
    group: ChannelGroup = ChannelGroup.WECHAT,
    day: date = DAY,
) -> ReportView:
    return reconciliation.reconcile_day(
        home.uow, home.world.clock, gateways, actor, ReconcileDay(channel_group=group, day=day)
    )


def next_day(home: Home) -> None:
    home.world.clock.advance(timedelta(days=1))


def kinds(report: ReportView) -> list[tuple[DiscrepancyKind, DiscrepancyState]]:
    return sorted((d.kind, d.state) for d in report.discrepancies)


def payment_status(home: Home, payment: PaymentView) -> PaymentStatus:
    with home.uow:
        return home.uow.payments.get(payment.id).status


def test_a_statement_that_agrees_with_our_books_leaves_no_discrepancy(
    home: Home, gateways: OneGatewayPerGroup
) -> None:
    first, second = home.pay(home.bill_ids[:1]), home.pay(home.bill_ids[1:2])
    home.notify(first)
    home.notify(second, transaction_id="4200000002")
    gateways.wechat.statements[DAY] = [line(first), line(second, transaction_id="4200000002")]
    next_day(home)
    report = reconcile(home, gateways)
    assert report.discrepancies == ()
    assert (report.summary.lines, report.summary.matched, report.summary.runs) == (2, 2, 1)


def test_a_payment_the_gateway_took_that_we_hold_pending_is_settled_by_reconciliation(
    home: Home, gateways: OneGatewayPerGroup
) -> None:
    lost = home.pay(home.bill_ids[:1])
    gateways.wechat.statements[DAY] = [line(lost)]
    next_day(home)
    report = reconcile(home, gateways)
    assert payment_status(home, lost) is PaymentStatus.SUCCEEDED
    assert home.world.bills(home.property_id)[0].status is BillStatus.PAID
    (fixed,) = report.discrepancies
    assert (fixed.kind, fixed.state, fixed.note, fixed.resolved_by) == (
        DiscrepancyKind.MISSING_LOCALLY,
        DiscrepancyState.FIXED,
        SETTLED_BY_RUN,
        None,
    )


def test_a_payment_we_closed_and_the_gateway_took_is_settled_never_lost(
    home: Home, gateways: OneGatewayPerGroup
) -> None:
    late = home.pay(home.bill_ids[:1])
    home.world.clock.advance(timedelta(hours=3))
    checkout.close_expired_payments(home.uow, home.world.clock, WORKER)
    assert payment_status(home, late) is PaymentStatus.CLOSED
    gateways.wechat.statements[DAY] = [line(late)]
    next_day(home)
    reconcile(home, gateways)
    assert payment_status(home, late) is PaymentStatus.SUCCEEDED


def test_each_kind_of_discrepancy_is_reported_open(
    home: Home, gateways: OneGatewayPerGroup
) -> None:
    settled, mismatched = home.pay(home.bill_ids[:1]), home.pay(home.bill_ids[1:2])
    home.notify(settled)
    gateways.wechat.statements[DAY] = [
        line(mismatched, mismatched.amount + Money(1)),
        StatementEntry(
            kind=StatementEntryKind.PAYMENT,
            out_trade_no="UNKNOWN0000000001",
            transaction_id="4200000099",
            amount=Money(500),
            at=AT,
        ),
    ]
    next_day(home)
    report = reconcile(home, gateways)
    assert kinds(report) == [
        (DiscrepancyKind.AMOUNT_MISMATCH, DiscrepancyState.OPEN),
        (DiscrepancyKind.MISSING_AT_GATEWAY, DiscrepancyState.OPEN),
        (DiscrepancyKind.MISSING_LOCALLY, DiscrepancyState.OPEN),
    ]
    assert payment_status(home, mismatched) is PaymentStatus.PENDING
    by_kind = {d.kind: d for d in report.discrepancies}
    assert by_kind[DiscrepancyKind.MISSING_AT_GATEWAY].payment_id == settled.id
    assert by_kind[DiscrepancyKind.MISSING_LOCALLY].payment_id is None
    assert (
        by_kind[DiscrepancyKind.AMOUNT_MISMATCH].gateway_amount,
        by_kind[DiscrepancyKind.AMOUNT_MISMATCH].local_amount,
    ) == (mismatched.amount + Money(1), mismatched.amount)


def test_refunds_are_reconciled_like_payments(home: Home, gateways: OneGatewayPerGroup) -> None:
    paid = home.pay(home.bill_ids[:2])
    home.notify(paid)
    waiting = _refund(home, paid, Money(100), "R202603150001")
    done = _refund(home, paid, Money(200), "R202603150002")
    settlement.record_refund_result(
        home.uow,
        home.world.clock,
        settlement.RecordRefundResult(
            out_trade_no=paid.out_trade_no, out_refund_no=done.out_refund_no, succeeded=True
        ),
    )
    gateways.wechat.statements[DAY] = [
        line(paid),
        line(paid, Money(100), refund_no=waiting.out_refund_no),
        line(paid, Money(50), refund_no="R202603159999"),
    ]
    next_day(home)
    report = reconcile(home, gateways)
    with home.uow:
        refunds = {r.out_refund_no: r.status for r in home.uow.payments.get(paid.id).refunds}
    assert refunds[waiting.out_refund_no] is RefundStatus.SUCCEEDED
    found = {(d.subject, d.out_refund_no): (d.kind, d.state, d.note) for d in report.discrepancies}
    assert found == {
        (StatementEntryKind.REFUND, waiting.out_refund_no): (
            DiscrepancyKind.MISSING_LOCALLY,
            DiscrepancyState.FIXED,
            REFUND_RECORDED_BY_RUN,
        ),
        (StatementEntryKind.REFUND, done.out_refund_no): (
            DiscrepancyKind.MISSING_AT_GATEWAY,
            DiscrepancyState.OPEN,
            None,
        ),
        (StatementEntryKind.REFUND, "R202603159999"): (
            DiscrepancyKind.MISSING_LOCALLY,
            DiscrepancyState.OPEN,
            None,
        ),
    }


def _refund(home: Home, payment: PaymentView, amount: Money, number: str) -> settlement.RefundView:
    return settlement.refund_payment(
        home.uow,
        home.world.clock,
        home.world.admin,
        settlement.RefundPayment(
            payment_id=payment.id, amount=amount, reason="业主多缴", out_refund_no=number
        ),
    )


def test_running_a_day_again_refreshes_its_report_instead_of_adding_one(
    home: Home, gateways: OneGatewayPerGroup, store: InMemoryStore
) -> None:
    first, second = home.pay(home.bill_ids[:1]), home.pay(home.bill_ids[1:2])
    home.notify(first)
    home.notify(second, transaction_id="4200000002")
    next_day(home)
    report = reconcile(home, gateways)
    explained = report.discrepancies[0]
    reconciliation.explain_discrepancy(
        home.uow,
        home.world.clock,
        home.world.admin,
        ResolveDiscrepancy(
            report_id=report.summary.id, discrepancy_id=explained.id, note="商户平台延迟出单"
        ),
    )
    gateways.wechat.statements[DAY] = [line(second, transaction_id="4200000002")]
    found_before = _events(store, "DiscrepancyFound")
    again = reconcile(home, gateways)
    assert again.summary.id == report.summary.id
    assert (again.summary.runs, again.summary.lines, again.summary.matched) == (2, 1, 1)
    states = {d.id: (d.state, d.note) for d in again.discrepancies}
    others = [d.id for d in report.discrepancies if d.id != explained.id]
    assert states[explained.id] == (DiscrepancyState.EXPLAINED, "商户平台延迟出单")
    assert [states[i][0] for i in others] in ([], [DiscrepancyState.FIXED])
    assert _events(store, "DiscrepancyFound") == found_before
    page = list_reconciliation_reports(home.uow, home.world.admin)
    assert [s.id for s in page.items] == [report.summary.id]


def _events(store: InMemoryStore, name: str) -> int:
    return sum(1 for message in store.outbox if message.event_name == name)


def test_staff_explain_and_fix_open_discrepancies_once(
    home: Home, gateways: OneGatewayPerGroup
) -> None:
    for bill_id in home.bill_ids[:2]:
        payment = home.pay([bill_id])
        home.notify(payment, transaction_id=f"42{bill_id.hex[:8]}")
    next_day(home)
    report = reconcile(home, gateways)
    first, second = (d.id for d in report.discrepancies)
    clock, admin, rid = home.world.clock, home.world.admin, report.summary.id

    def explain(target: object, note: str | None) -> ReportView:
        cmd = ResolveDiscrepancy(report_id=rid, discrepancy_id=target, note=note)  # type: ignore[arg-type]
        return reconciliation.explain_discrepancy(home.uow, clock, admin, cmd)

    def fix(target: object, note: str | None = None) -> ReportView:
        cmd = ResolveDiscrepancy(report_id=rid, discrepancy_id=target, note=note)  # type: ignore[arg-type]
        return reconciliation.fix_discrepancy(home.uow, clock, admin, cmd)

    assert code_of(lambda: explain(first, "  ")) == "reconciliation.note_required"
    explain(first, "测试订单")
    fix(second)
    assert code_of(lambda: fix(first)) == "discrepancy.invalid_transition"
    assert code_of(lambda: explain(second, "迟到")) == "discrepancy.invalid_transition"
    assert code_of(lambda: fix(new_id())) == "reconciliation.discrepancy_not_found"
    view = reconciliation_report(home.uow, admin, rid)
    assert [(d.state, d.resolved_by) for d in view.discrepancies] == [
        (DiscrepancyState.EXPLAINED, admin.staff_id),
        (DiscrepancyState.FIXED, admin.staff_id),
    ]
    assert view.summary.open_discrepancies == 0


def test_only_tenant_wide_staff_with_payment_reconcile_see_and_run_reconciliation(
    home: Home, gateways: OneGatewayPerGroup
) -> None:
    next_day(home)
    cashier = StaffActor(
        staff_id=new_id(), permissions=BUILTIN_ROLE_PERMISSIONS[BuiltinRole.CASHIER]
    )
    service = StaffActor(
        staff_id=new_id(), permissions=BUILTIN_ROLE_PERMISSIONS[BuiltinRole.CUSTOMER_SERVICE]
    )
    scoped = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.PAYMENT_RECONCILE}),
        community_ids=frozenset({home.world.community_id}),
    )
    assert reconcile(home, gateways, cashier).summary.runs == 1
    assert code_of(lambda: reconcile(home, gateways, service)) == "permission.missing"
    assert code_of(lambda: reconcile(home, gateways, scoped)) == "permission.out_of_scope"
    assert code_of(lambda: list_reconciliation_reports(home.uow, scoped)) == (
        "permission.out_of_scope"
    )
    assert code_of(lambda: list_reconciliation_reports(home.uow, home.owner)) == (
        "permission.staff_only"
    )


def test_a_day_not_over_or_a_gateway_down_changes_nothing(
    home: Home, gateways: OneGatewayPerGroup
) -> None:
    lost = home.pay(home.bill_ids[:1])
    gateways.wechat.statements[DAY] = [line(lost)]
    assert code_of(lambda: reconcile(home, gateways)) == "reconciliation.day_not_over"
    next_day(home)
    gateways.wechat.down = True
    assert code_of(lambda: reconcile(home, gateways)) == "payment.gateway_unavailable"
    assert payment_status(home, lost) is PaymentStatus.PENDING
    assert list_reconciliation_reports(home.uow, home.world.admin).items == []


def test_each_channel_group_has_its_own_report_and_statement(
    home: Home, gateways: OneGatewayPerGroup
) -> None:
    wechat = home.pay(home.bill_ids[:1])
    alipay = home.pay(home.bill_ids[1:2], channel=PaymentChannel.ALIPAY_WAP)
    home.notify(wechat)
    home.notify(alipay, transaction_id="2026031522001")
    gateways.alipay.statements[DAY] = [line(alipay, transaction_id="2026031522001")]
    next_day(home)
    on_alipay = reconcile(home, gateways, group=ChannelGroup.ALIPAY)
    on_wechat = reconcile(home, gateways, group=ChannelGroup.WECHAT)
    assert on_alipay.discrepancies == ()
    assert [(d.kind, d.payment_id) for d in on_wechat.discrepancies] == [
        (DiscrepancyKind.MISSING_AT_GATEWAY, wechat.id)
    ]
    page = list_reconciliation_reports(
        home.uow, home.world.admin, channel_group=ChannelGroup.ALIPAY
    )
    assert [s.id for s in page.items] == [on_alipay.summary.id]
    assert gateways.alipay.asked == [DAY]
