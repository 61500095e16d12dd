"""Which event tells which resident what: the one table (DESIGN.md §4 "notifies the resident").

Each entry turns an outbox event's payload into messages; the Postman pushes them and writes
them to the inbox. Events not listed (a fee item created, a coupon redeemed …) tell no one.
The due reminder (``due_reminder``) is not an event but a scheduled job; its message is here
too, so every text a resident receives is in this file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

import attrs

from adapters.persistence.sqlalchemy.audience import SqlAudience
from entrypoints.bootstrap import Estate
from estate_core.shared.clock import CHINA
from estate_core.shared.messaging import ResidentMessage

Payload = dict[str, Any]


@attrs.frozen(kw_only=True)
class Lookups:
    """What a message needs beyond its event: the payer of a payment, a notice's audience."""

    estate: Estate
    audience: SqlAudience
    tenant_id: UUID
    today: date

    def payer(self, payment_id: str) -> UUID | None:
        with self.estate.uow(self.tenant_id) as uow:
            payment = uow.payments.find(UUID(payment_id))
            return None if payment is None else payment.payer_id


Build = Callable[[Payload, Lookups], list[ResidentMessage]]


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _time(value: str) -> str:
    """An instant as residents read it: Beijing time to the minute."""
    return datetime.fromisoformat(value).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _to(resident: Any, kind: str, title: str, body: str, **fields: str) -> list[ResidentMessage]:
    return [
        ResidentMessage(
            kind=kind, resident_id=UUID(str(resident)), title=title, body=body, fields=fields
        )
    ]


def _resident(kind: str, title: str, body: Callable[[Payload], str]) -> Build:
    """A message to the resident the event names."""
    return lambda p, _: _to(p["resident_id"], kind, title, body(p))


def _payer(kind: str, title: str, body: Callable[[Payload], str]) -> Build:
    def build(p: Payload, lookups: Lookups) -> list[ResidentMessage]:
        payer = lookups.payer(p["payment_id"])
        return [] if payer is None else _to(payer, kind, title, body(p))

    return build


def _notice(p: Payload, lookups: Lookups) -> list[ResidentMessage]:
    readers = lookups.audience.residents(
        lookups.tenant_id,
        [UUID(c) for c in p["community_ids"]],
        [UUID(h) for h in p["property_ids"]],
        lookups.today,
    )
    urgent = bool(p["sms"])
    return [
        ResidentMessage(
            kind="notice.published",
            resident_id=reader,
            title="紧急通知" if urgent else "小区公告",
            body=p["title"],
            urgent=urgent,
        )
        for reader in readers
    ]


def _dispatched(p: Payload) -> str:
    return (
        f"维修员{p['technician_name']}（{p['technician_phone']}）预计"
        f"{_time(p['expected_arrival'])}上门。"
    )


def _closed(p: Payload) -> str:
    if p["automatic"]:
        return "您的报修完成后3天未评价，系统已自动结单。"
    return "感谢您的评价，报修已完结。"


MESSAGES: Mapping[str, Build] = {
    # work orders 报修
    "WorkOrderApproved": _resident("workorder.approved", "报修已通过审核", lambda p: p["note"]),
    "WorkOrderRejected": _resident("workorder.rejected", "报修未通过审核", lambda p: p["reason"]),
    "WorkOrderDispatched": _resident("workorder.dispatched", "报修已派单", _dispatched),
    "WorkOrderReassigned": _resident("workorder.dispatched", "报修已改派", _dispatched),
    "WorkOrderAccepted": _resident("workorder.accepted", "维修员已接单", _dispatched),
    "WorkOrderCompleted": _resident(
        "workorder.completed", "报修已完成", lambda p: "维修已完成，请对本次服务评价。"
    ),
    "WorkOrderClosed": _resident("workorder.closed", "报修已完结", _closed),
    "WorkOrderCancelled": _resident(
        "workorder.cancelled", "报修已取消", lambda p: p["reason"] or "报修已取消。"
    ),
    # complaints 投诉建议
    "ComplaintAccepted": _resident(
        "complaint.accepted", "投诉已受理", lambda p: "物业已受理您的投诉建议，正在处理。"
    ),
    "ComplaintReplied": _resident("complaint.replied", "投诉已回复", lambda p: p["text"]),
    "ComplaintClosed": _resident(
        "complaint.closed",
        "投诉已完结",
        lambda p: "回复后7天未评价，系统已自动完结。" if p["automatic"] else "感谢您的评价。",
    ),
    # payments 支付
    "PaymentSettled": _payer(
        "payment.succeeded", "缴费成功", lambda p: f"您已成功支付{_yuan(p['amount'])}元。"
    ),
    "RefundSucceeded": _payer(
        "payment.refunded", "退款成功", lambda p: f"{_yuan(p['amount'])}元已退回原支付账户。"
    ),
    # community 社区 (a dunning letter 催缴函 is a targeted notice)
    "NoticePublished": _notice,
    # commerce 商家
    "CouponClaimed": _resident(
        "coupon.issued", "优惠券已到账", lambda p: "您领取的优惠券已放入“我的优惠券”。"
    ),
}


def due_reminder(
    resident_id: UUID, fee_name: str, amount_fen: int, due: date, bill_id: UUID
) -> ResidentMessage:
    """缴费提醒: sent N days before a bill falls due (the ``due_reminders`` job)."""
    return ResidentMessage(
        kind="bill.due_soon",
        resident_id=resident_id,
        title="缴费提醒",
        body=f"您的{fee_name}{_yuan(amount_fen)}元将于{due.isoformat()}到期，请及时缴纳。",
        fields={"fee": fee_name, "amount": _yuan(amount_fen), "due": due.isoformat()},
        about=str(bill_id),
    )
