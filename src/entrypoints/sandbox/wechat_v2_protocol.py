"""WeChat Pay API v2 as the gateway speaks it, written from the protocol, not from wechatpy.

The emulator signs, parses and encrypts with these functions, so a test of the adapter runs
wechatpy's code against an independent implementation: a mistake shared by both would need to be
made twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import date, datetime

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from estate_core.shared.clock import CHINA

SIGN_TYPES = ("MD5", "HMAC-SHA256")


def signature(fields: Mapping[str, str], api_key: str, sign_type: str) -> str:
    """``key=value`` pairs sorted by key, empty values and ``sign`` left out, ``&key=`` the API
    key; MD5 of it, or HMAC-SHA256 keyed by the API key; upper-case hex."""
    pairs = [f"{k}={v}" for k, v in sorted(fields.items()) if k != "sign" and v != ""]
    text = "&".join([*pairs, f"key={api_key}"]).encode()
    if sign_type == "HMAC-SHA256":
        return hmac.new(api_key.encode(), text, hashlib.sha256).hexdigest().upper()
    return hashlib.md5(text).hexdigest().upper()


def signed(fields: Mapping[str, str], api_key: str, sign_type: str) -> dict[str, str]:
    return {**fields, "sign": signature(fields, api_key, sign_type)}


def to_xml(fields: Mapping[str, str], root: str = "xml") -> bytes:
    parts = [f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items() if v != ""]
    return f"<{root}>{''.join(parts)}</{root}>".encode()


def from_xml(body: bytes) -> dict[str, str]:
    """The fields of a request; ValueError unless it is an ``<xml>`` of plain fields."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ValueError("XML格式错误") from exc
    if root.tag != "xml" or any(len(child) for child in root):
        raise ValueError("XML格式错误")
    return {child.tag: (child.text or "").strip() for child in root}


def refund_key(api_key: str) -> bytes:
    """The key of ``req_info``: the lower-case hex MD5 of the API key, 32 bytes (AES-256)."""
    return hashlib.md5(api_key.encode()).hexdigest().encode()


def encrypt_req_info(fields: Mapping[str, str], api_key: str) -> str:
    """A refund notification's ``req_info``: ``<root>`` XML, PKCS#7, AES-256-ECB, base64."""
    padder = padding.PKCS7(128).padder()
    plain = padder.update(to_xml(fields, root="root")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(refund_key(api_key)), modes.ECB()).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def wechat_time(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y%m%d%H%M%S")


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


BILL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
BILL_SUMMARY_HEADER = (
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
)


def bill_line(values: list[str]) -> str:
    return ",".join(f"`{value}" for value in values)


def bill_day(value: str) -> date:
    return datetime.strptime(value, "%Y%m%d").replace(tzinfo=CHINA).date()
