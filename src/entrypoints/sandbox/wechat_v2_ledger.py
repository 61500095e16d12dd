"""The v2 emulator's orders and refunds, and the business of each endpoint on them.

Each action takes the authenticated merchant and the request's fields and returns the answer's
business fields, or raises :class:`GatewayError` (``result_code`` FAIL with ``err_code``).
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from datetime import datetime

from entrypoints.sandbox.wechat_v2_book import Order, Refund, V2Merchant
from entrypoints.sandbox.wechat_v2_protocol import wechat_time

TRADE_TYPES = ("JSAPI", "NATIVE", "MWEB")


class GatewayError(Exception):
    """A business error (``result_code`` FAIL with ``err_code``, signed)."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(code, description)
        self.code, self.description = code, description


def _required(fields: dict[str, str], *names: str) -> None:
    missing = [name for name in names if not fields.get(name)]
    if missing:
        raise GatewayError("PARAM_ERROR", f"缺少参数 {', '.join(missing)}")


class Ledger:
    """Every merchant's orders, keyed by (mch_id, sub_mch_id, out_trade_no)."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.orders: dict[tuple[str, str | None, str], Order] = {}
        self._serial = itertools.count(1)

    def serial(self) -> int:
        return next(self._serial)

    def unified_order(self, merchant: V2Merchant, fields: dict[str, str]) -> dict[str, str]:
        _required(fields, "body", "out_trade_no", "total_fee", "spbill_create_ip", "notify_url")
        if len(fields["body"].encode()) > 128:
            raise GatewayError("PARAM_ERROR", "body参数长度有误")
        trade_type, total_fee = fields.get("trade_type", ""), fields["total_fee"]
        if trade_type not in TRADE_TYPES or not total_fee.isdigit() or int(total_fee) <= 0:
            raise GatewayError("PARAM_ERROR", "trade_type或total_fee参数错误")
        payer = fields.get("sub_openid") if fields.get("sub_appid") else fields.get("openid")
        needs = {"JSAPI": payer, "NATIVE": fields.get("product_id"), "MWEB": "scene_info"}
        if not needs[trade_type] or (trade_type == "MWEB" and not fields.get("scene_info")):
            raise GatewayError("PARAM_ERROR", f"{trade_type} 缺少参数")
        key = (merchant.mch_id, merchant.sub_mch_id, fields["out_trade_no"])
        order = self.orders.get(key)
        if order is None:
            order = self.orders[key] = Order(
                merchant=merchant,
                sign_type=fields.get("sign_type", "MD5"),
                out_trade_no=fields["out_trade_no"],
                total_fee=int(total_fee),
                body=fields["body"],
                trade_type=trade_type,
                notify_url=fields["notify_url"],
                prepay_id=f"wx{wechat_time(self.clock())}{secrets.token_hex(8)}",
                openid=fields.get("openid") or f"o{secrets.token_hex(13)}",
                sub_openid=fields.get("sub_openid"),
            )
        elif order.state in ("SUCCESS", "REFUND"):
            raise GatewayError("ORDERPAID", "该订单已支付")
        elif order.state == "CLOSED":
            raise GatewayError("ORDERCLOSED", "该订单已关")
        elif (order.total_fee, order.trade_type) != (int(total_fee), trade_type):
            raise GatewayError("OUT_TRADE_NO_USED", "商户订单号重复")
        answer = {"trade_type": trade_type, "prepay_id": order.prepay_id}
        if trade_type == "NATIVE":
            answer["code_url"] = f"weixin://wxpay/bizpayurl?pr={order.prepay_id[-12:]}"
        if trade_type == "MWEB":
            checkmweb = "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb"
            answer["mweb_url"] = f"{checkmweb}?prepay_id={order.prepay_id}&package=1"
        return answer

    def order_of(self, merchant: V2Merchant, fields: dict[str, str]) -> Order:
        for order in self.orders_of(merchant.mch_id, merchant.sub_mch_id):
            if fields.get("transaction_id") and order.transaction_id == fields["transaction_id"]:
                return order
            if order.out_trade_no == fields.get("out_trade_no"):
                return order
        raise GatewayError("ORDERNOTEXIST", "订单不存在")

    def order_query(self, merchant: V2Merchant, fields: dict[str, str]) -> dict[str, str]:
        order = self.order_of(merchant, fields)
        answer = {"out_trade_no": order.out_trade_no, "trade_state": order.state}
        if order.transaction_id:
            answer.update(order.trade())
        return {**answer, "total_fee": str(order.total_fee), "trade_type": order.trade_type}

    def close_order(self, merchant: V2Merchant, fields: dict[str, str]) -> dict[str, str]:
        order = self.order_of(merchant, fields)
        if order.state in ("SUCCESS", "REFUND"):
            raise GatewayError("ORDERPAID", "订单已支付，不能发起关单")
        if order.state == "CLOSED":
            raise GatewayError("ORDERCLOSED", "订单已关闭")
        order.state = "CLOSED"
        return {}

    def refund(self, merchant: V2Merchant, fields: dict[str, str]) -> dict[str, str]:
        _required(fields, "out_refund_no", "total_fee", "refund_fee")
        order = self.order_of(merchant, fields)
        if order.state not in ("SUCCESS", "REFUND"):
            raise GatewayError("ERROR", "订单未支付")
        fee = int(fields["refund_fee"]) if fields["refund_fee"].isdigit() else 0
        if fields["total_fee"] != str(order.total_fee) or fee <= 0:
            raise GatewayError("INVALID_REQUEST", "订单金额或退款金额与之前请求不一致")
        number = fields["out_refund_no"]
        refund = next((r for r in order.refunds if r.out_refund_no == number), None)
        if refund is not None and refund.refund_fee != fee:
            raise GatewayError("INVALID_REQUEST", "同一退款单号的退款金额不一致")
        if refund is None:
            if order.refunded + fee > order.total_fee:
                raise GatewayError("ERROR", "累计退款金额大于支付金额")
            if len(order.refunds) >= 50:
                raise GatewayError("INVALID_REQ_TOO_MUCH", "一笔订单最多退款50次")
            refund = Refund(
                out_refund_no=fields["out_refund_no"],
                refund_id=f"50000{self.serial():024d}",
                refund_fee=fee,
                notify_url=fields.get("notify_url") or None,
            )
            order.refunds.append(refund)
            order.state = "REFUND"
        return {
            "transaction_id": order.transaction_id or "",
            "out_trade_no": order.out_trade_no,
            "out_refund_no": refund.out_refund_no,
            "refund_id": refund.refund_id,
            "refund_fee": str(refund.refund_fee),
            "total_fee": str(order.total_fee),
            "cash_fee": str(order.total_fee),
        }

    def refund_query(self, merchant: V2Merchant, fields: dict[str, str]) -> dict[str, str]:
        wanted = fields.get("refund_id") or fields.get("out_refund_no")
        orders = self.orders_of(merchant.mch_id, merchant.sub_mch_id)
        if wanted:
            order, refunds = next(
                (
                    (o, [r])
                    for o in orders
                    for r in o.refunds
                    if wanted in (r.refund_id, r.out_refund_no)
                ),
                (None, []),
            )
        else:
            order = self.order_of(merchant, fields)
            refunds = order.refunds
        if order is None or not refunds:
            raise GatewayError("REFUNDNOTEXIST", "退款订单查询失败")
        answer = {
            "transaction_id": order.transaction_id or "",
            "out_trade_no": order.out_trade_no,
            "total_fee": str(order.total_fee),
            "cash_fee": str(order.total_fee),
            "refund_count": str(len(refunds)),
        }
        for n, refund in enumerate(refunds):
            answer[f"out_refund_no_{n}"] = refund.out_refund_no
            answer[f"refund_id_{n}"] = refund.refund_id
            answer[f"refund_fee_{n}"] = str(refund.refund_fee)
            answer[f"refund_status_{n}"] = refund.status
        return answer

    def orders_of(self, mch_id: str, sub_mch_id: str | None) -> list[Order]:
        return [
            order
            for (mch, sub, _), order in self.orders.items()
            if (mch, sub) == (mch_id, sub_mch_id)
        ]

    def find(self, out_trade_no: str) -> Order:
        found = [o for o in self.orders.values() if o.out_trade_no == out_trade_no]
        if len(found) != 1:
            raise KeyError(f"{len(found)} orders numbered {out_trade_no}")
        return found[0]

    def find_refund(self, out_refund_no: str) -> tuple[Order, Refund]:
        for order in self.orders.values():
            for refund in order.refunds:
                if refund.out_refund_no == out_refund_no:
                    return order, refund
        raise KeyError(f"no refund numbered {out_refund_no}")
