"""The HTTP endpoints of the WeChat Pay v3 emulator, direct (``/v3/pay/transactions``) and
partner (``/v3/pay/partner/transactions``): every request's signature is verified against the
merchant's registered API certificate, every answer is signed with the WeChat Pay key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler

from entrypoints.sandbox.wechat_v3_protocol import (
    parse_authorization,
    random_text,
    request_message,
    verify,
)

if TYPE_CHECKING:
    from entrypoints.sandbox.wechat_v3 import WechatPayV3Emulator
    from entrypoints.sandbox.wechat_v3_state import Merchant

_KINDS = {"jsapi": "JSAPI", "native": "NATIVE", "h5": "MWEB"}
MAX_REFUNDS = 50

AnyRequest = Request[Any, Any, Any]


def api_routes(emulator: WechatPayV3Emulator) -> list[HTTPRouteHandler]:
    from entrypoints.sandbox.wechat_v3_state import EmulatorError, Order, Refund

    async def authenticated(request: AnyRequest) -> tuple[Merchant, dict[str, Any]]:
        body = (await request.body()).decode()
        auth = parse_authorization(request.headers.get("authorization", ""))
        if auth is None:
            raise EmulatorError(401, "SIGN_ERROR", "no WECHATPAY2-SHA256-RSA2048 authorization")
        merchant = emulator.merchants.get(auth["mchid"])
        public_pem = merchant.request_keys.get(auth["serial_no"]) if merchant else None
        path = request.scope["raw_path"].decode()
        query = request.scope["query_string"].decode()
        message = request_message(
            request.method,
            f"{path}?{query}" if query else path,
            auth["timestamp"],
            auth["nonce_str"],
            body,
        )
        if (
            merchant is None
            or public_pem is None
            or not verify(public_pem, message, auth["signature"])
        ):
            raise EmulatorError(401, "SIGN_ERROR", "the request signature does not verify")
        return merchant, json.loads(body) if body else {}

    def handled(
        work: Callable[[AnyRequest, Merchant, dict[str, Any]], tuple[int, dict[str, Any] | None]],
    ) -> Callable[[AnyRequest], Awaitable[Response[bytes]]]:
        async def handler(request: AnyRequest) -> Response[bytes]:
            try:
                merchant, body = await authenticated(request)
                with emulator.lock:
                    status, payload = work(request, merchant, body)
            except EmulatorError as error:
                status, payload = error.status, {"code": error.code, "message": error.message}
            except (KeyError, TypeError, ValueError) as error:
                status, payload = 400, {"code": "PARAM_ERROR", "message": f"bad field {error}"}
            return emulator.sign_answer(status, payload)

        return handler

    def owned(merchant: Merchant, no: str, sub_mch_id: str | None) -> Order:
        order = emulator.orders.get(no)
        if order is None or order.mch_id != merchant.mch_id or order.sub_mch_id != sub_mch_id:
            raise EmulatorError(404, "ORDER_NOT_EXIST", "no such order for this merchant")
        return order

    def create(request: AnyRequest, merchant: Merchant, body: dict[str, Any]) -> tuple[int, Any]:
        partner = "/partner/" in request.url.path
        kind = request.path_params["kind"]
        mch_id, app_id = (
            (body["sp_mchid"], body["sp_appid"]) if partner else (body["mchid"], body["appid"])
        )
        if mch_id != merchant.mch_id or app_id != merchant.app_id:
            raise EmulatorError(400, "APPID_MCHID_NOT_MATCH", "appid and mchid do not match")
        sub = body.get("sub_mchid") if partner else None
        if partner and sub not in merchant.sub_merchants:
            raise EmulatorError(400, "INVALID_REQUEST", "not a sub-merchant of this provider")
        no = body["out_trade_no"]
        existing = emulator.orders.get(no)
        if existing is not None and existing.state != "NOTPAY":
            raise EmulatorError(
                400, "ORDERPAID" if existing.state != "CLOSED" else "ORDER_CLOSED", "used"
            )
        emulator.orders[no] = order = existing or Order(
            out_trade_no=no,
            mch_id=mch_id,
            app_id=app_id,
            sub_mch_id=sub,
            sub_app_id=body.get("sub_appid"),
            trade_type=_KINDS[kind],
            total=int(body["amount"]["total"]),
            description=body["description"],
            notify_url=body["notify_url"],
            api_v3_key=merchant.api_v3_keys[-1],
            platform_key_id=emulator.platform_key_id,
            created_at=emulator.now(),
            payer=body.get("payer") or {},
        )
        base = str(request.base_url).rstrip("/")
        if kind == "native":
            return 200, {"code_url": f"{base}/sandbox/wechat-v3/orders/{order.out_trade_no}"}
        if kind == "h5":
            return 200, {"h5_url": f"{base}/sandbox/wechat-v3/orders/{order.out_trade_no}"}
        return 200, {"prepay_id": "wx" + random_text(30)}

    def query(request: AnyRequest, merchant: Merchant, body: dict[str, Any]) -> tuple[int, Any]:
        sub = request.query_params.get("sub_mchid")
        return 200, owned(merchant, request.path_params["no"], sub).transaction()

    def close(request: AnyRequest, merchant: Merchant, body: dict[str, Any]) -> tuple[int, Any]:
        order = owned(merchant, request.path_params["no"], body.get("sub_mchid"))
        if order.state in ("SUCCESS", "REFUND"):
            raise EmulatorError(400, "ORDERPAID", "the order is paid")
        order.state = "CLOSED"
        return 204, None

    def refund(request: AnyRequest, merchant: Merchant, body: dict[str, Any]) -> tuple[int, Any]:
        order = owned(merchant, body["out_trade_no"], body.get("sub_mchid"))
        amount = body["amount"]
        existing = next(
            (r for r in order.refunds if r.out_refund_no == body["out_refund_no"]), None
        )
        if existing is None:
            if order.state not in ("SUCCESS", "REFUND"):
                raise EmulatorError(400, "INVALID_REQUEST", "the order is not paid")
            refunded = sum(r.amount for r in order.refunds if r.status != "ABNORMAL")
            if (
                int(amount["total"]) != order.total
                or refunded + int(amount["refund"]) > order.total
            ):
                raise EmulatorError(400, "INVALID_REQUEST", "refund amount out of range")
            if len(order.refunds) >= MAX_REFUNDS:
                raise EmulatorError(403, "FREQUENCY_LIMITED", "at most 50 refunds")
            existing = Refund(
                out_refund_no=body["out_refund_no"],
                refund_id="50" + random_text(27).upper(),
                amount=int(amount["refund"]),
                status="PROCESSING",
                notify_url=body.get("notify_url"),
                created_at=emulator.now(),
            )
            order.refunds.append(existing)
        elif existing.amount != int(amount["refund"]):
            raise EmulatorError(400, "INVALID_REQUEST", "that refund number has another amount")
        return 200, order.refund_answer(existing)

    def query_refund(
        request: AnyRequest, merchant: Merchant, body: dict[str, Any]
    ) -> tuple[int, Any]:
        order, found = emulator.find_refund(request.path_params["no"])
        owned(merchant, order.out_trade_no, request.query_params.get("sub_mchid"))
        return 200, order.refund_answer(found)

    def trade_bill(
        request: AnyRequest, merchant: Merchant, body: dict[str, Any]
    ) -> tuple[int, Any]:
        from datetime import date

        params = request.query_params
        text = emulator.statement(
            merchant.mch_id, date.fromisoformat(params["bill_date"]), params.get("sub_mchid")
        )
        token, data = emulator.save_bill(text, params.get("tar_type") == "GZIP")
        base = str(request.base_url).rstrip("/")
        return 200, {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(data).hexdigest(),
            "download_url": f"{base}/v3/billdownload/file?token={token}",
        }

    @get("/v3/billdownload/file")
    async def download(request: AnyRequest) -> Response[bytes]:
        try:
            await authenticated(request)
        except EmulatorError as error:
            return emulator.sign_answer(
                error.status, {"code": error.code, "message": error.message}
            )
        data = emulator.bills.get(request.query_params.get("token", ""))
        if data is None:
            return emulator.sign_answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "no bill"})
        return Response(data, media_type="application/octet-stream")

    routes: list[HTTPRouteHandler] = [download]
    for prefix in ("/v3/pay/transactions", "/v3/pay/partner/transactions"):
        routes += [
            post(f"{prefix}/{{kind:str}}", name=f"{prefix}-create")(handled(create)),
            get(f"{prefix}/out-trade-no/{{no:str}}", name=f"{prefix}-query")(handled(query)),
            post(
                f"{prefix}/out-trade-no/{{no:str}}/close", name=f"{prefix}-close", status_code=200
            )(handled(close)),
        ]
    routes += [
        post("/v3/refund/domestic/refunds")(handled(refund)),
        get("/v3/refund/domestic/refunds/{no:str}")(handled(query_refund)),
        get("/v3/bill/tradebill")(handled(trade_bill)),
    ]
    return routes
