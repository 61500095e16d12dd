"""The openapi methods the Alipay emulator answers, with Alipay's rules and error codes.

Each method takes the verified caller and the request's ``biz_content`` and returns the body
of ``<method>_response`` (``code`` ``10000``), or raises :class:`AlipayError` with the code
and ``sub_code`` Alipay would answer.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

import attrs

from entrypoints.sandbox.alipay_bill import BillLine
from entrypoints.sandbox.alipay_state import (
    BEIJING,
    STAMP,
    TRADE_CLOSED,
    TRADE_SUCCESS,
    WAIT_BUYER_PAY,
    AlipayError,
    Caller,
    Refund,
    Trade,
    beijing,
    fen_of,
    invalid,
    yuan_of,
)

PAGE_METHODS = frozenset({"alipay.trade.wap.pay", "alipay.trade.page.pay"})
OK = {"code": "10000", "msg": "Success"}


def biz_content(fields: Mapping[str, str]) -> dict[str, Any]:
    try:
        content = json.loads(fields.get("biz_content") or "{}")
    except ValueError:
        raise invalid("isv.invalid-parameter", "biz_content 不是JSON") from None
    if not isinstance(content, dict):
        raise invalid("isv.invalid-parameter", "biz_content 不是JSON对象")
    return content


def _required(content: Mapping[str, Any], name: str) -> str:
    value = content.get(name)
    if not isinstance(value, str) or not value:
        raise AlipayError(
            "isv.missing-parameter",
            f"缺少必选参数: {name}",
            code="40001",
            msg="Missing Required Arguments",
        )
    return value


class GatewayMethods:
    """The gateway's methods over the emulator's trades (mixed into ``AlipayEmulator``)."""

    trades: dict[tuple[str, str], Trade]
    bills: dict[str, tuple[str, date]]
    lock: threading.RLock
    clock: Callable[[], datetime]
    serial: Iterator[int]

    def new_trade_no(self) -> str:
        return f"{self.clock().astimezone(BEIJING):%Y%m%d}22001{next(self.serial):015d}"

    def answer(
        self, caller: Caller, method: str, fields: Mapping[str, str], base_url: str
    ) -> dict[str, Any]:
        handlers = {
            "alipay.trade.precreate": self._precreate,
            "alipay.trade.query": self._query,
            "alipay.trade.close": self._close,
            "alipay.trade.refund": self._refund,
            "alipay.trade.fastpay.refund.query": self._refund_query,
            "alipay.data.dataservice.bill.downloadurl.query": self._bill_url,
        }
        handler = handlers.get(method)
        if handler is None:
            raise invalid("isv.invalid-method", f"不存在的方法名: {method}")
        content = biz_content(fields)
        with self.lock:
            return {**OK, **handler(caller, content, fields, base_url)}

    def open_trade(self, caller: Caller, fields: Mapping[str, str], *, opened: bool) -> Trade:
        """The trade a cashier page or a precreate names, created the first time."""
        content = biz_content(fields)
        out_trade_no = _required(content, "out_trade_no")
        fen = fen_of(content.get("total_amount"))
        subject = _required(content, "subject")
        expires = content.get("time_expire")
        try:
            expires_at = (
                datetime.strptime(expires, STAMP).replace(tzinfo=BEIJING) if expires else None
            )
        except (TypeError, ValueError):
            raise invalid("isv.invalid-parameter", "time_expire 格式错误") from None
        now = self.clock()
        with self.lock:
            trade = self.trades.get((caller.seller_id, out_trade_no))
            if trade is None:
                trade = Trade(
                    caller=caller,
                    out_trade_no=out_trade_no,
                    trade_no=self.new_trade_no(),
                    fen=fen,
                    subject=subject,
                    method=fields.get("method", ""),
                    notify_url=fields.get("notify_url", ""),
                    return_url=fields.get("return_url", ""),
                    created_at=now,
                    expires_at=expires_at,
                )
                self.trades[(caller.seller_id, out_trade_no)] = trade
            elif trade.fen != fen or trade.subject != subject:
                raise AlipayError("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
            trade.expire(now)
            if trade.status == TRADE_SUCCESS:
                raise AlipayError("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
            if trade.status == TRADE_CLOSED:
                raise AlipayError("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
            trade.opened = trade.opened or opened
            return trade

    def _trade(self, caller: Caller, content: Mapping[str, Any]) -> Trade:
        trade = self.trades.get((caller.seller_id, str(content.get("out_trade_no", ""))))
        if trade is None or not trade.opened:
            raise AlipayError("ACQ.TRADE_NOT_EXIST", "交易不存在")
        trade.expire(self.clock())
        return trade

    def _precreate(
        self, caller: Caller, content: Mapping[str, Any], fields: Mapping[str, str], base_url: str
    ) -> dict[str, Any]:
        """The QR code's trade exists for queries only once a payer scans it, as at Alipay."""
        trade = self.open_trade(caller, fields, opened=False)
        trade.qr_token = trade.qr_token or secrets.token_urlsafe(12)
        return {"out_trade_no": trade.out_trade_no, "qr_code": f"{base_url}/qr/{trade.qr_token}"}

    def _query(
        self, caller: Caller, content: Mapping[str, Any], fields: Mapping[str, str], base_url: str
    ) -> dict[str, Any]:
        trade = self._trade(caller, content)
        paid = trade.paid_at is not None
        answer = {
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": trade.buyer_logon_id,
            "trade_status": trade.status,
            "total_amount": yuan_of(trade.fen),
            "buyer_pay_amount": yuan_of(trade.fen) if paid else "0.00",
            "point_amount": "0.00",
            "invoice_amount": yuan_of(trade.fen) if paid else "0.00",
            "receipt_amount": yuan_of(trade.fen) if paid else "0.00",
        }
        if trade.paid_at is not None:
            answer |= {"send_pay_date": beijing(trade.paid_at), "buyer_user_id": trade.buyer_id}
        return answer

    def _close(
        self, caller: Caller, content: Mapping[str, Any], fields: Mapping[str, str], base_url: str
    ) -> dict[str, Any]:
        trade = self._trade(caller, content)
        if trade.status != WAIT_BUYER_PAY:
            raise AlipayError("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        trade.status, trade.closed_at = TRADE_CLOSED, self.clock()
        return {"trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no}

    def _refund(
        self, caller: Caller, content: Mapping[str, Any], fields: Mapping[str, str], base_url: str
    ) -> dict[str, Any]:
        """One ``out_request_no`` refunds once; its repeat answers ``fund_change`` ``N``."""
        trade = self._trade(caller, content)
        fen = fen_of(content.get("refund_amount"))
        number = str(content.get("out_request_no") or trade.out_trade_no)
        earlier = trade.refunds.get(number)
        if earlier is not None and earlier.fen != fen:
            raise AlipayError("ACQ.DISCORDANT_REPEAT_REQUEST", "请求信息不一致")
        if earlier is None:
            if trade.paid_at is None:
                raise AlipayError("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
            if trade.status == TRADE_CLOSED:
                raise AlipayError("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
            if trade.refunded_fen + fen > trade.fen:
                raise AlipayError("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
            reason = str(content.get("refund_reason", ""))
            trade.refunds[number] = Refund(number, fen, reason, self.clock())
            if trade.refunded_fen == trade.fen:
                trade.status, trade.closed_at = TRADE_CLOSED, self.clock()
        return {
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": trade.buyer_logon_id,
            "buyer_user_id": trade.buyer_id,
            "fund_change": "N" if earlier else "Y",
            "refund_fee": yuan_of(trade.refunded_fen),
            "gmt_refund_pay": beijing(trade.refunds[number].at),
        }

    def _refund_query(
        self, caller: Caller, content: Mapping[str, Any], fields: Mapping[str, str], base_url: str
    ) -> dict[str, Any]:
        """A refund Alipay does not know answers 10000 with no refund fields at all."""
        trade = self._trade(caller, content)
        answer = {"trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no}
        refund = trade.refunds.get(_required(content, "out_request_no"))
        if refund is not None:
            answer |= {
                "out_request_no": refund.out_request_no,
                "total_amount": yuan_of(trade.fen),
                "refund_amount": yuan_of(refund.fen),
                "refund_status": "REFUND_SUCCESS",
                "gmt_refund_pay": beijing(refund.at),
            }
        return answer

    def _bill_url(
        self, caller: Caller, content: Mapping[str, Any], fields: Mapping[str, str], base_url: str
    ) -> dict[str, Any]:
        if content.get("bill_type") != "trade":
            raise invalid("isv.invalid-parameter", "本沙箱只提供 trade 账单")
        try:
            day = date.fromisoformat(_required(content, "bill_date"))
        except ValueError:
            raise invalid("isv.invalid-parameter", "bill_date 格式错误") from None
        if not self.bill_lines(caller.seller_id, day):
            raise AlipayError("isp.bill_not_exist", "账单不存在")
        token = secrets.token_hex(16)
        self.bills[token] = (caller.seller_id, day)
        name = f"{caller.seller_id}_{day:%Y%m%d}.csv.zip"
        query = f"bizType=trade&userId={caller.seller_id}&fileType=csv.zip&bizDates={day:%Y%m%d}"
        url = f"{base_url}/downloadBillFile.resource?{query}&downloadFileName={name}&token={token}"
        return {"bill_download_url": url}

    def bill_lines(self, seller_id: str, day: date) -> list[BillLine]:
        """The seller's payments and refunds completed on a Beijing ``day``."""
        lines = []
        with self.lock:
            trades = [t for (seller, _), t in self.trades.items() if seller == seller_id]
        for trade in trades:
            if trade.paid_at is None:
                continue
            payment = BillLine(
                trade_no=trade.trade_no,
                out_trade_no=trade.out_trade_no,
                kind="交易",
                subject=trade.subject,
                created_at=trade.created_at.astimezone(BEIJING),
                finished_at=trade.paid_at.astimezone(BEIJING),
                buyer=trade.buyer_logon_id,
                order_amount=yuan_of(trade.fen),
                received=yuan_of(trade.fen),
            )
            if payment.finished_at.date() == day:
                lines.append(payment)
            lines.extend(
                attrs.evolve(
                    payment,
                    kind="退款",
                    finished_at=refund.at.astimezone(BEIJING),
                    received=yuan_of(-refund.fen),
                    out_request_no=refund.out_request_no,
                )
                for refund in trade.refunds.values()
                if refund.at.astimezone(BEIJING).date() == day
            )
        return sorted(lines, key=lambda line: line.finished_at)
